"""app_server.logs: the JSON line format, the log context and the redaction filter."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app_server import logs

SECRET_KEY = "sk-proj-abcdefghijklmnop0123"
SECRET_TOKEN = "ws-token-9f8e7d6c5b4a"
REPO = Path(__file__).resolve().parents[3]
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """A private logger writing through a JSON handler into a buffer."""
    buffer = io.StringIO()
    handler = logs.make_handler("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    logger = logging.getLogger(f"test.logs.{id(buffer)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, buffer, handler
    logger.removeHandler(handler)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    """Every line written so far, parsed (each must be one JSON object)."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_json_line_has_the_base_fields(captured: Any) -> None:
    """ts (UTC, ms), level, logger and the formatted msg; nothing else without context."""
    logger, buffer, _ = captured
    logger.info("hello %s\nworld", "there")
    [entry] = lines(buffer)
    assert set(entry) == {"ts", "level", "logger", "msg"}
    assert entry["level"] == "INFO"
    assert entry["logger"] == logger.name
    assert entry["msg"] == "hello there\nworld"
    assert entry["ts"].endswith("Z") and len(entry["ts"]) == len("2026-01-01T00:00:00.000Z")


def test_bound_context_and_extra_fields_appear(captured: Any) -> None:
    """Fields bound in a task appear on its lines (None changes nothing); `extra=` wins."""
    logger, buffer, _ = captured

    async def request() -> None:
        logs.bind(connection_id="c1", request_id=7, method="turn/start")
        logs.bind(thread_id="thr", method=None)  # None leaves a field as it was
        logger.info("in a request")
        logger.info("overridden", extra={"thread_id": "other", "turn_id": "t1"})

    asyncio.run(request())
    first, second = lines(buffer)
    assert first["connection_id"] == "c1" and first["request_id"] == 7
    assert first["method"] == "turn/start" and first["thread_id"] == "thr"
    assert second["thread_id"] == "other" and second["turn_id"] == "t1"


def test_a_task_binding_does_not_leak_to_its_creator(captured: Any) -> None:
    """A child task's binding stays its own; `bound` restores the context after the block."""
    logger, buffer, _ = captured

    async def child() -> None:
        logs.bind(request_id="child")
        logger.info("child")

    async def parent() -> None:
        logs.bind(connection_id="c9")
        await asyncio.get_running_loop().create_task(child())
        logger.info("parent")
        with logs.bound(method="thread/read"):
            logger.info("inside")
        logger.info("after")

    asyncio.run(parent())
    child_line, parent_line, inside, after = lines(buffer)
    assert child_line["request_id"] == "child" and child_line["connection_id"] == "c9"
    assert "request_id" not in parent_line
    assert inside["method"] == "thread/read"
    assert "method" not in after and after["connection_id"] == "c9"


def test_exceptions_are_one_field(captured: Any) -> None:
    """A traceback is the `exc` field of the same single line."""
    logger, buffer, _ = captured
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    [entry] = lines(buffer)
    assert "ValueError: boom" in entry["exc"]
    assert len(buffer.getvalue().splitlines()) == 1


@pytest.mark.parametrize("text, secret", [
    (f"< Authorization: Bearer {SECRET_TOKEN}", SECRET_TOKEN),
    (f"key {SECRET_KEY} in a sentence", SECRET_KEY),
    (f"{{'apiKey': '{SECRET_KEY}'}}", SECRET_KEY),
    (f"token={SECRET_TOKEN}", SECRET_TOKEN),
    (f'"refresh_token": "{SECRET_TOKEN}"', SECRET_TOKEN),
    (f"id token {JWT}", JWT),
    ("password: hunter2", "hunter2"),
])
def test_redact_removes_credentials(text: str, secret: str) -> None:
    """Bearer values, sk- keys, JWTs and key=value secrets become [REDACTED]."""
    out = logs.redact(text)
    assert secret not in out
    assert logs.REDACTED in out


def test_redact_keeps_ordinary_text() -> None:
    """Token counts and plain words are not secrets."""
    text = "max_tokens=5 input_tokens: 9 tokens used; skip-this sketch"
    assert logs.redact(text) == text


def test_the_filter_redacts_arguments_and_tracebacks(captured: Any) -> None:
    """A secret passed as a log argument or inside an exception never reaches the output."""
    logger, buffer, _ = captured
    logger.debug("< %s: %s", "Authorization", f"Bearer {SECRET_TOKEN}")
    try:
        raise RuntimeError(f"request failed with api_key={SECRET_KEY}")
    except RuntimeError:
        logger.exception("upstream")
    text = buffer.getvalue()
    assert SECRET_TOKEN not in text and SECRET_KEY not in text
    assert len(lines(buffer)) == 2


def test_the_human_format_is_the_default_and_redacts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without LOG_FORMAT=json the format is the human one, with the same redaction."""
    monkeypatch.delenv(logs.LOG_FORMAT_ENV, raising=False)
    handler = logs.make_handler()
    record = logging.LogRecord("x.y", logging.WARNING, __file__, 1, "key %s", (SECRET_KEY,), None)
    assert handler.filter(record)
    out = handler.format(record)
    assert " WARNING x.y: key [REDACTED]" in out
    assert not out.startswith("{")


def test_log_format_env_selects_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """LOG_FORMAT=json (any case) selects the JSON formatter."""
    monkeypatch.setenv(logs.LOG_FORMAT_ENV, "JSON")
    assert isinstance(logs.make_handler().formatter, logs.JsonFormatter)
    monkeypatch.setenv(logs.LOG_FORMAT_ENV, "text")
    assert not isinstance(logs.make_handler().formatter, logs.JsonFormatter)


def test_configure_makes_every_stderr_line_json() -> None:
    """In a fresh process, configure(json) turns log records and Python warnings
    into JSON lines on stderr, at the given level, and writes nothing on stdout."""
    script = (
        "import logging, warnings\n"
        "from app_server import logs\n"
        "logs.configure('info', 'json')\n"
        "logging.getLogger('a.b').debug('hidden')\n"
        "logging.getLogger('a.b').info('shown')\n"
        "warnings.warn('careful')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30, check=True, cwd=REPO)
    assert done.stdout == ""
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(e["logger"], e["level"]) for e in entries] == [
        ("a.b", "INFO"), ("py.warnings", "WARNING")]
    assert "careful" in entries[1]["msg"]
