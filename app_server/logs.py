"""Process logging: the one writer of the log format, its context and its redaction.

Every process (the core, a gateway, the single command) logs on stderr
(stdout is protocol-only). `configure` picks the format: the human one by
default, or with `LOG_FORMAT=json` (the reference's switch) one JSON object
per line with `ts`, `level`, `logger`, `msg` and, where they apply,
`gateway`, `connection_id`, `request_id`, `request_seq`, `method`,
`thread_id` and `turn_id` (plus `exc` for a traceback).

Those fields come from a context variable that the places where a request
or a turn is handled `bind` (asyncio tasks copy it when they are created,
so a turn's task keeps the context of the request that started it), or from
`extra=` on one call, which wins. Context is for log correlation only: no
code decides anything from it.

A redaction filter on the handler scrubs bearer credentials, `sk-` keys,
JWTs and `key=value` secrets from every message and traceback, whatever the
format: a safety net under the rule that secrets are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import TypedDict, Unpack, cast

HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMAT_ENV = "LOG_FORMAT"

ContextValue = str | int

_EMPTY: Mapping[str, ContextValue] = MappingProxyType({})
# Never mutated: `bind` sets a new mapping, so a task's changes stay its own.
_context: ContextVar[Mapping[str, ContextValue]] = ContextVar("app_server_log_context",
                                                              default=_EMPTY)

REDACTED = "[REDACTED]"
_VALUE = r"[^\s\"',;}\]\\]+"
_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic)(\s+)" + _VALUE), rf"\1\2{REDACTED}"),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{4,}"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]*)?"), REDACTED),
    (re.compile(
        r"(?i)\b((?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token"
        r"|token|secret|password|passwd|authorization)[\"']?\s*[:=]\s*[\"']?)"
        # Not a value already redacted, nor the scheme of an Authorization header.
        r"(?!\[REDACTED\]|(?i:bearer|basic)\s)" + _VALUE),
     rf"\1{REDACTED}"),
)


def redact(text: str) -> str:
    """`text` with anything that looks like a credential replaced by `[REDACTED]`."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class LogContext(TypedDict, total=False):
    """The fields a log line can be correlated by (see the module docstring)."""

    gateway: str | None
    connection_id: str | None
    request_id: ContextValue | None
    request_seq: int | None
    method: str | None
    thread_id: str | None
    turn_id: str | None


CONTEXT_FIELDS: tuple[str, ...] = tuple(LogContext.__annotations__)


def _with(fields: Mapping[str, ContextValue | None]) -> Mapping[str, ContextValue]:
    """The current context plus `fields` (a None value is left out)."""
    current = _context.get()
    given = {k: v for k, v in fields.items() if v is not None}
    return MappingProxyType({**current, **given}) if given else current


def bind(**fields: Unpack[LogContext]) -> None:
    """Add `fields` to the log context of the current task (a None value is left out).

    Tasks created afterwards from this task inherit them; the task that
    created this one does not see them (each asyncio task runs in a copy).
    """
    _context.set(_with(cast(Mapping[str, ContextValue | None], fields)))


class bound:  # lower case: used like the function it replaced, `with bound(...)`
    """`bind` for the duration of a `with` block; the context is restored after it.

    A class rather than a generator context manager: it wraps every request
    the gateway forwards, and this costs a third as much.
    """

    __slots__ = ("_fields", "_token")

    def __init__(self, **fields: Unpack[LogContext]) -> None:
        self._fields = cast(Mapping[str, ContextValue | None], fields)

    def __enter__(self) -> None:
        self._token = _context.set(_with(self._fields))

    def __exit__(self, *exc: object) -> None:
        _context.reset(self._token)


class RedactingFilter(logging.Filter):
    """Scrub credentials from a record's message, traceback and stack (never drops it)."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place with its message already formatted and redacted."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format call: let the handler report it as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, the context fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (newlines in it escaped)."""
        entry: dict[str, object] = {
            "ts": _utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        context = _context.get()
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is None:
                value = context.get(key)
            if value is not None:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str)


def _utc_timestamp(created: float) -> str:
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def make_handler(log_format: str | None = None) -> logging.Handler:
    """The stderr handler: redacting, in the JSON format when `log_format` (default
    `$LOG_FORMAT`) is "json", else in the human one."""
    chosen = os.environ.get(LOG_FORMAT_ENV, "") if log_format is None else log_format
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if chosen.strip().lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(HUMAN_FORMAT))
    return handler


def configure(level: str, log_format: str | None = None) -> None:
    """Set up the process's logging on stderr at `level` (a name; unknown: WARNING).

    Like `logging.basicConfig`, a no-op when the root logger already has a
    handler (an embedding application's or a test runner's). Python warnings
    go through logging too (logger `py.warnings`), so they are lines of the
    same format.
    """
    if logging.getLogger().handlers:
        return
    logging.basicConfig(
        level=getattr(logging, str(level).upper(), logging.WARNING),
        handlers=[make_handler(log_format)],
    )
    logging.captureWarnings(True)
