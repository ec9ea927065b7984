"""An incremental `text/event-stream` decoder: bytes in, events out, no I/O.

The model client feeds it the body chunks of a Responses API stream as they
arrive; the decoder knows nothing of sockets, JSON or the Responses API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Largest SSE event the decoder buffers; a bigger one is a broken stream.
MAX_EVENT_BYTES = 16 * 1024 * 1024
_EOL = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event: its `event:` name (default "message") and joined data."""

    event: str
    data: str


class SseDecoder:
    """Incremental `text/event-stream` decoder: bytes in, events out (no I/O).

    Follows the WHATWG rules: lines end in CRLF, LF or CR (also split across
    chunks); `:` lines are comments; `data:` lines of one event are joined
    with "\\n"; a blank line dispatches; an event without data is dropped.
    An event larger than `max_event_bytes` raises ValueError.
    """

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._buf = bytearray()
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF is its partner
        self._first = True
        self._event = ""
        self._data: list[str] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Consume `chunk`; return the events it completed."""
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        # What is left in the buffer holds no line end (complete lines are
        # consumed below), so only the new bytes need scanning: a long event
        # arriving in many chunks stays linear, not quadratic.
        scan_from = len(self._buf)
        self._buf += chunk
        out: list[SseEvent] = []
        start = 0
        for match in _EOL.finditer(self._buf, scan_from):
            ev = self._line(bytes(self._buf[start : match.start()]))
            if ev is not None:
                out.append(ev)
            start = match.end()
            if start == len(self._buf) and match.group() == b"\r":
                # A CR at the end of a chunk may be the first half of a CRLF.
                self._skip_lf = True
        del self._buf[:start]
        if len(self._buf) + self._size > self._max:
            raise ValueError("SSE event too large")
        return out

    def flush(self) -> list[SseEvent]:
        """End of stream: dispatch a last event left without its blank line (lenient)."""
        out: list[SseEvent] = []
        if self._buf:
            ev = self._line(bytes(self._buf))
            self._buf.clear()
            if ev is not None:
                out.append(ev)
        ev = self._line(b"")
        if ev is not None:
            out.append(ev)
        return out

    def _line(self, raw: bytes) -> SseEvent | None:
        if self._first:
            self._first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        line = raw.decode("utf-8", errors="replace")
        if not line:
            if not self._data:
                self._event = ""
                return None
            ev = SseEvent(self._event or "message", "\n".join(self._data))
            self._event, self._data, self._size = "", [], 0
            return ev
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._size += len(value)
        elif name == "event":
            self._event = value
        # id / retry / unknown fields mean nothing to a Responses API stream.
        return None
