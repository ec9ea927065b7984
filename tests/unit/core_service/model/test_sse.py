"""core_service.model.sse: the text/event-stream decoder, bytes in and events out."""

from __future__ import annotations

import pytest

from core_service.model.sse import SseDecoder, SseEvent


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    """A CR ending one chunk and the LF starting the next are one line end, not two."""
    decoder = SseDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r\n") == []
    assert decoder.feed(b"\r\n") == [SseEvent("message", "a\nb")]


def test_fields_and_flush() -> None:
    """`event:` names the event, a missing space after the colon is fine, id/retry are
    ignored, events without data are dropped, and a trailing event is flushed at EOF."""
    decoder = SseDecoder()
    out = decoder.feed(b"event: only-name\n\nid: 7\nretry: 10\nevent:x\ndata:1\n\ndata: 2")
    assert out == [SseEvent("x", "1")]
    assert decoder.flush() == [SseEvent("message", "2")]
    assert decoder.flush() == []


def test_bom_and_comments_are_skipped() -> None:
    """A UTF-8 BOM before the first line and `:` comment lines produce nothing."""
    decoder = SseDecoder()
    assert decoder.feed(b"\xef\xbb\xbf: hello\r\rdata: x\r\r") == [SseEvent("message", "x")]


def test_long_event_in_many_chunks() -> None:
    """A 1 MB event fed in 1 KiB chunks (with a CR/LF split) decodes to exactly one event."""
    payload = b"x" * (1 << 20)
    raw = b"event: big\r\ndata: " + payload + b"\r\n\r\n" + b"data: next\n\n"
    decoder = SseDecoder()
    events = []
    for i in range(0, len(raw), 1024):
        events += decoder.feed(raw[i : i + 1024])
    events += decoder.flush()
    assert [(e.event, len(e.data)) for e in events] == [("big", 1 << 20), ("message", 4)]


def test_event_over_the_bound_is_refused() -> None:
    """An event growing past `max_event_bytes`, in one line or over several, raises."""
    with pytest.raises(ValueError, match="too large"):
        SseDecoder(max_event_bytes=10).feed(b"data: 0123456789ab")
    decoder = SseDecoder(max_event_bytes=10)
    decoder.feed(b"data: 012345\n")
    with pytest.raises(ValueError, match="too large"):
        decoder.feed(b"data: 6789")
