"""core_service.telemetry: error kinds, the timed model stream, turns, threads, call context."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import json
import logging
import re
from collections.abc import AsyncGenerator, Iterator

import pytest
from prometheus_client import REGISTRY

from app_server import logs
from app_server_protocol import wire_types
from app_server_protocol.methods import CLIENT_REQUESTS
from core_service import telemetry
from core_service.hub import CallInfo, ConnKey
from core_service.model.errors import ModelError


def sample(name: str, **labels: str) -> float:
    """The current value of one sample of the default registry (0 when absent)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def json_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """The telemetry module's logger (and a private one) writing JSON lines to a buffer."""
    buffer = io.StringIO()
    handler = logs.make_handler("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    logger = logging.getLogger("core_service.telemetry")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, buffer
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_error_kinds_are_the_wire_kinds() -> None:
    """ERROR_KINDS are exactly the string values and object keys of the v2 CodexErrorInfo."""
    alias = wire_types.CodexErrorInfo
    assert isinstance(alias, str)
    literals = set(re.findall(r"'(\w+)'", alias))
    variants = re.findall(r"\b(\w+CodexErrorInfo)\b", alias)
    keys = {next(iter(getattr(wire_types, v).__annotations__)) for v in variants}
    assert telemetry.ERROR_KINDS == literals | keys


def test_error_kind() -> None:
    """A string kind, the one key of an object kind, and "other" for anything else."""
    assert telemetry.error_kind("usageLimitExceeded") == "usageLimitExceeded"
    assert telemetry.error_kind(
        {"responseStreamDisconnected": {"httpStatusCode": None}}) == "responseStreamDisconnected"
    assert telemetry.error_kind("somethingNew") == "other"
    assert telemetry.error_kind({"a": 1, "b": 2}) == "other"
    assert telemetry.error_kind(None) == "other"


class Source:
    """A stand-in model client whose `stream` yields, then fails as told."""

    def __init__(self, events: int, error: BaseException | None = None) -> None:
        self.events = events
        self.error = error
        self.closed = False

    @telemetry.timed_model_stream
    async def stream(self, tag: str) -> AsyncGenerator[str, None]:
        """`events` events tagged `tag`, then `error` if any."""
        try:
            for i in range(self.events):
                yield f"{tag}{i}"
            if self.error is not None:
                raise self.error
        finally:
            self.closed = True


def model_counts(kind: str) -> tuple[float, float, float, float]:
    """(ok, error, cancelled) duration counts and the error counter of `kind`."""
    def count(outcome: str) -> float:
        return sample("app_server_core_model_request_duration_seconds_count", outcome=outcome)
    return (count("ok"), count("error"), count("cancelled"),
            sample("app_server_core_model_request_errors_total", kind=kind))


async def test_a_completed_stream_is_timed_as_ok() -> None:
    """Every event passes through; the request counts once as ok, no error."""
    before = model_counts("other")
    source = Source(3)
    assert [e async for e in source.stream("e")] == ["e0", "e1", "e2"]
    ok, err, cancelled, errors = model_counts("other")
    assert (ok, err, cancelled, errors) == (before[0] + 1, before[1], before[2], before[3])


async def test_a_model_error_counts_under_its_kind() -> None:
    """A ModelError propagates unchanged and counts under its codexErrorInfo kind."""
    kind = "usageLimitExceeded"
    before = model_counts(kind)
    error = ModelError("limit", info=kind)
    with pytest.raises(ModelError) as caught:
        async for _ in Source(1, error).stream("e"):
            pass
    assert caught.value is error
    after = model_counts(kind)
    assert after[1] == before[1] + 1 and after[3] == before[3] + 1


async def test_any_other_failure_counts_as_other() -> None:
    """An unexpected exception is an error of kind "other" (as the turn reports it)."""
    before = model_counts("other")
    with pytest.raises(RuntimeError):
        async for _ in Source(0, RuntimeError("bug")).stream("e"):
            pass
    assert model_counts("other")[3] == before[3] + 1


async def test_a_stream_closed_early_is_cancelled_not_an_error() -> None:
    """Closing the stream early (an interrupted turn) closes the inner stream and
    counts as cancelled; a cancelled task likewise."""
    before = model_counts("other")
    source = Source(5)
    async with contextlib.aclosing(source.stream("e")) as events:
        async for _ in events:
            break
    assert source.closed
    gate = asyncio.Event()

    class Waiting(Source):
        @telemetry.timed_model_stream
        async def stream(self, tag: str) -> AsyncGenerator[str, None]:
            yield tag
            await gate.wait()
            yield tag

    reached = asyncio.Event()

    async def consume() -> None:
        async for _ in Waiting(0).stream("w"):
            reached.set()  # the consumer then waits inside the stream

    task = asyncio.get_running_loop().create_task(consume())
    await asyncio.wait_for(reached.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    after = model_counts("other")
    assert after[2] == before[2] + 2
    assert (after[1], after[3]) == (before[1], before[3])


def test_turns_count_by_status(json_lines: tuple[logging.Logger, io.StringIO]) -> None:
    """turn_ended counts the status and logs the end (with the turn's context)."""
    _, buffer = json_lines
    before = sample("app_server_core_turns_total", status="failed")

    async def turn() -> None:
        telemetry.bind_turn("thr-1", "turn-1")
        telemetry.turn_ended("failed")

    contextvars.Context().run(asyncio.run, turn())
    assert sample("app_server_core_turns_total", status="failed") == before + 1
    [entry] = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert (entry["thread_id"], entry["turn_id"], entry["msg"]) == (
        "thr-1", "turn-1", "turn ended: failed")


def test_bind_call_binds_the_caller_and_the_thread(
    json_lines: tuple[logging.Logger, io.StringIO],
) -> None:
    """A call's gateway, connection, sequence number, method and thread (when its
    params name one) are bound; a call without caller or thread binds the rest."""
    logger, buffer = json_lines
    read = CLIENT_REQUESTS["thread/read"]
    listing = CLIENT_REQUESTS["thread/list"]

    async def call() -> None:
        telemetry.bind_call("thread/read", read.params(thread_id="thr-2"),
                            CallInfo(ConnKey("gw-1", "c3"), 5))
        logger.info("handling")

    async def anonymous() -> None:
        telemetry.bind_call("thread/list", listing.params(), None)
        logger.info("listing")

    # Each in an empty context, as each gRPC call runs in a task of its own.
    contextvars.Context().run(asyncio.run, call())
    contextvars.Context().run(asyncio.run, anonymous())
    first, second = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert {k: first[k] for k in ("gateway", "connection_id", "request_seq", "method",
                                  "thread_id")} == {
        "gateway": "gw-1", "connection_id": "c3", "request_seq": 5, "method": "thread/read",
        "thread_id": "thr-2"}
    assert second["method"] == "thread/list"
    assert not {"gateway", "connection_id", "thread_id"} & set(second)


async def test_serve_metrics_scrapes_the_threads_gauge(capsys: pytest.CaptureFixture[str]) -> None:
    """With an address it serves the page (announcing its URL on stderr) and the
    threads gauge reads the count at each scrape; without one it serves nothing."""
    loaded = [3]
    endpoint = await telemetry.serve_metrics(("127.0.0.1", 0), lambda: loaded[0])
    assert endpoint is not None
    try:
        assert f"metrics on: {endpoint.url}" in capsys.readouterr().err
        assert sample("app_server_core_threads_loaded") == 3
        loaded[0] = 5
        reader, writer = await asyncio.open_connection(*endpoint.address)
        writer.write(b"GET /metrics HTTP/1.1\r\n\r\n")
        body = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert b"\napp_server_core_threads_loaded 5.0\n" in body
    finally:
        await endpoint.close()
    assert await telemetry.serve_metrics(None, lambda: 0) is None
