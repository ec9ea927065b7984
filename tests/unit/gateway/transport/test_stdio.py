"""stdio framing: bytes split on b"\\n" only, blank lines skipped, one message per line out."""

from __future__ import annotations

import asyncio
import os

from gateway.transport.stdio import LineSplitter, StdioStream


def test_splitter_keeps_u2028_inside_a_line() -> None:
    """U+2028/U+2029 (and \\r) do not split a message; only b"\\n" does."""
    line = '{"text":"a\u2028b\u2029c\rd"}'.encode()
    sp = LineSplitter(1024)
    assert sp.feed(line[:5]) == []
    assert sp.feed(line[5:] + b"\n{}") == [line]
    assert sp.finish() == [b"{}"]


def test_splitter_skips_blank_lines_and_drops_oversized() -> None:
    """Blank lines are skipped; a line over the limit is dropped whole, the next one kept."""
    sp = LineSplitter(8)
    assert sp.feed(b"\n  \n\r\n{}\n") == [b"{}"]
    assert sp.feed(b"0123456789") == []
    assert sp.feed(b"abc\n{\"a\":1}\n") == [b'{"a":1}']
    assert sp.dropped == 1


async def test_stdio_stream_over_pipes() -> None:
    """Lines come in one by one (EOF -> None); sends are one compact line each."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    stream = StdioStream(in_r, out_w, max_message_size=1 << 20)
    stream.start()
    try:
        os.write(in_w, '{"id":1}\n\n{"x":"\u2028"}\n{"tail":true}'.encode())
        os.close(in_w)
        async with asyncio.timeout(5):
            got = [await stream.receive() for _ in range(3)]
            assert got == [b'{"id":1}', '{"x":"\u2028"}'.encode(), b'{"tail":true}']
            assert await stream.receive() is None
            await stream.send([b'{"a":1}', b'{"b":2}'])
        assert os.read(out_r, 100) == b'{"a":1}\n{"b":2}\n'
    finally:
        stream.close()
        os.close(out_r)
        os.close(out_w)
        os.close(in_r)


async def test_abort_ends_receive() -> None:
    """After abort() (client dropped) receive() returns None even with input pending."""
    in_r, in_w = os.pipe()
    out_fd = os.dup(2)
    stream = StdioStream(in_r, out_fd, max_message_size=1024)
    stream.start()
    try:
        waiter = asyncio.ensure_future(stream.receive())
        await stream.abort(1008, "test")
        async with asyncio.timeout(5):
            assert await waiter is None
        assert await stream.receive() is None
    finally:
        stream.close()
        os.close(in_w)
        os.close(out_fd)
