"""Why `config.toml` was rejected: :class:`ConfigDiagnostic`, located by file:line:column.

A rejected file never stops the core; the diagnostic is what the reference
shows for it: the `configWarning` notification sent after `initialize`, the
message `thread/start` fails with and the one `config/read` fails with. TOML
syntax errors come located by :mod:`tomllib`; a value of the wrong type is
located through the value spans of :mod:`core_service.config.scan`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from app_server_protocol.wire_types import ConfigWarningNotification
from core_service.config.scan import Lines, Position, scan_spans
from core_service.config.tables import KeyPath, dotted

INVALID_CONFIG_SUMMARY = "Invalid configuration; using defaults."


@dataclass(frozen=True)
class ConfigDiagnostic:
    """Why `config.toml` was rejected, in the shape of the `configWarning` notification.

    ``range`` holds 1-based (line, column) pairs; the end is the last character
    of the offending text (equal to the start for a syntax error).
    ``message`` is the bare problem and ``read_error`` the message `config/read`
    fails with while the file stays broken.
    """

    summary: str
    details: str
    path: str
    range: tuple[Position, Position] | None
    message: str
    read_error: str

    @property
    def thread_error(self) -> str:
        """The message with which thread creation fails while the file is broken."""
        return f"error deriving config: {self.details}"

    def to_notification(self) -> ConfigWarningNotification:
        """The `configWarning` notification params as JSON (no `range` when not located)."""
        params: ConfigWarningNotification = {
            "summary": self.summary, "details": self.details, "path": self.path,
        }
        if self.range is not None:
            (sl, sc), (el, ec) = self.range
            params["range"] = {
                "start": {"line": sl, "column": sc}, "end": {"line": el, "column": ec},
            }
        return params


def in_clause(path: KeyPath) -> str:
    """The reference's "in `table`" suffix of a schema problem at `path`.

    It names the table holding the value (the key itself at the top level).
    """
    where = path[:-1] or path
    return f"\nin `{dotted(where)}`\n" if where else "\n"


def unreadable_diagnostic(path: Path, reason: str) -> ConfigDiagnostic:
    """A diagnostic for a file that exists but cannot be read."""
    details = f"{path}: {reason}"
    return ConfigDiagnostic(
        INVALID_CONFIG_SUMMARY, details, str(path), None, reason,
        f"failed to read configuration layers: {details}",
    )


_TOMLLIB_POS = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)
# tomllib's wording for the most common mistakes, rephrased the way toml-rs
# (hence the reference) says it.
_TOML_MESSAGES = {
    "Expected '=' after a key in a key/value pair": "key with no value, expected `=`",
    "Invalid value": "invalid value",
    "Cannot overwrite a value": "duplicate key",
}


def syntax_diagnostic(path: Path, text: str, err: tomllib.TOMLDecodeError) -> ConfigDiagnostic:
    """A diagnostic for a TOML syntax error, with a zero-width range at the error."""
    m = _TOMLLIB_POS.match(str(err))
    if m is None:
        message, pos = str(err), Lines(text).position(len(text))
    else:
        message = m.group("msg")
        if m.group("line"):
            pos = (int(m.group("line")), int(m.group("col")))
        else:
            pos = Lines(text).position(len(text))
    message = _TOML_MESSAGES.get(message, message)
    details = f"{path}:{pos[0]}:{pos[1]}: {message}"
    return ConfigDiagnostic(
        summary=INVALID_CONFIG_SUMMARY,
        details=details,
        path=str(path),
        range=(pos, pos),
        message=message,
        read_error=f"failed to read configuration layers: {details}",
    )


def problem_diagnostic(
    path: Path, key_path: KeyPath, message: str, text: str | None
) -> ConfigDiagnostic:
    """A diagnostic for a schema problem at `key_path`.

    `text` is the file's text when the offending value came from it (the
    range then covers that value, or the nearest table holding it), ``None``
    when it came from an override (no range).
    """
    rng: tuple[Position, Position] | None = None
    if text:
        spans = scan_spans(text)
        probe = key_path
        while probe and probe not in spans:
            probe = probe[:-1]
        if probe:
            lines = Lines(text)
            start, end = spans[probe]
            rng = (lines.position(start), lines.position(max(start, end - 1)))
    if rng is not None:
        details = f"{path}:{rng[0][0]}:{rng[0][1]}: {message}"
    else:
        details = f"{message} in `{dotted(key_path)}`"
    return ConfigDiagnostic(
        summary=INVALID_CONFIG_SUMMARY,
        details=details,
        path=str(path),
        range=rng,
        message=message,
        read_error=f"invalid configuration: {message}{in_clause(key_path)}",
    )
