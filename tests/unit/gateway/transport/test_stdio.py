"""stdio framing: bytes split on b"\\n" only, blank lines skipped, one message per line out."""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
from pathlib import Path

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


async def test_regular_files_are_read_and_written_by_threads(tmp_path: Path) -> None:
    """A descriptor the event loop cannot wait on (a regular file) still works."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b'{"id":1}\n{"id":2}\n')
    in_fd = os.open(src, os.O_RDONLY)
    out_fd = os.open(dst, os.O_WRONLY | os.O_CREAT)
    stream = StdioStream(in_fd, out_fd, max_message_size=1024)
    stream.start()
    try:
        async with asyncio.timeout(5):
            assert [await stream.receive() for _ in range(3)] == [b'{"id":1}', b'{"id":2}', None]
            await stream.send([b'{"a":1}'])
        assert dst.read_bytes() == b'{"a":1}\n'
    finally:
        stream.close()
        os.close(in_fd)
        os.close(out_fd)


async def test_input_is_read_ahead_by_a_bounded_number_of_chunks() -> None:
    """A client writing far more than is consumed waits for the pipe; every line
    arrives, in order, and no more than the read-ahead bound is held meanwhile."""
    ours, client = socket.socketpair()
    lines = [b'{"n":%d,"pad":"%s"}' % (i, b"x" * 200) for i in range(20_000)]
    payload = b"\n".join(lines) + b"\n"
    out_r, out_w = os.pipe()
    stream = StdioStream(ours.fileno(), out_w, max_message_size=1 << 20)
    stream.start()
    writer = asyncio.get_running_loop().run_in_executor(None, client.sendall, payload)
    try:
        async with asyncio.timeout(30):
            for expected in lines:
                assert await stream.receive() == expected
                assert stream._chunks.qsize() <= stream._chunks.maxsize
            await writer
    finally:
        stream.close()
        client.close()
        ours.close()
        os.close(out_r)
        os.close(out_w)


async def test_a_client_that_does_not_read_stalls_only_its_sends() -> None:
    """Writes wait for the pipe to drain (bounded memory), then complete in order."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    stream = StdioStream(in_r, out_w, max_message_size=1 << 20)
    stream.start()
    chunk = b'{"pad":"' + b"y" * 60_000 + b'"}'
    try:
        pending = asyncio.ensure_future(stream.send([chunk] * 20))
        for _ in range(10):  # loop turns, not time: nothing reads the pipe
            await asyncio.sleep(0)
        assert not pending.done(), "1.2 MB went to a pipe nobody reads without waiting"
        got = bytearray()
        expected = (chunk + b"\n") * 20
        async with asyncio.timeout(10):
            while len(got) < len(expected):
                got += await asyncio.to_thread(os.read, out_r, 1 << 16)
            await pending
        assert bytes(got) == expected
    finally:
        stream.close()
        for fd in (in_r, in_w, out_r, out_w):
            os.close(fd)


async def test_one_socket_for_both_directions() -> None:
    """A client that hands the server one socket as stdin and stdout (its two
    descriptors one file) is read and answered on it, in both directions."""
    ours, client = socket.socketpair()
    out_fd = os.dup(ours.fileno())
    stream = StdioStream(ours.fileno(), out_fd, max_message_size=1 << 20)
    stream.start()
    try:
        async with asyncio.timeout(5):
            for n in range(3):
                await asyncio.to_thread(client.sendall, b'{"id":%d}\n' % n)
                assert await stream.receive() == b'{"id":%d}' % n
                await stream.send([b'{"id":%d,"result":{}}' % n])
                got = b""
                while not got.endswith(b"\n"):
                    got += await asyncio.to_thread(client.recv, 4096)
                assert got == b'{"id":%d,"result":{}}\n' % n
            client.shutdown(socket.SHUT_WR)
            assert await stream.receive() is None
    finally:
        stream.close()
        client.close()
        ours.close()
        os.close(out_fd)


async def test_a_send_completes_once_the_kernel_has_every_byte() -> None:
    """Nothing a completed send wrote waits in a buffer of ours (at exit it would be
    lost): with 8 KiB more than the pipe holds still unread, the send waits (the
    transport's own flow control alone would have let it go at 16 KiB)."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    # One page: what the pipe holds is then known to within a page.
    pipe_size = fcntl.fcntl(out_w, fcntl.F_SETPIPE_SZ, 4096)
    stream = StdioStream(in_r, out_w, max_message_size=1 << 20)
    stream.start()
    big = b'{"pad":"' + b"z" * 300_000 + b'"}'
    total = len(big) + 1
    try:
        async with asyncio.timeout(10):
            sending = asyncio.ensure_future(stream.send([big]))
            head = await asyncio.to_thread(_read_exactly, out_r, total - pipe_size - 8192)
            for _ in range(20):  # loop turns: the writer refills the pipe
                await asyncio.sleep(0)
            assert not sending.done(), "a send completed with bytes still in our buffer"
            tail = await asyncio.to_thread(_read_exactly, out_r, total - len(head))
            await sending
            assert head + tail == big + b"\n"
    finally:
        stream.close()
        for fd in (in_r, in_w, out_r, out_w):
            os.close(fd)


def _read_exactly(fd: int, n: int) -> bytes:
    got = bytearray()
    while len(got) < n:
        chunk = os.read(fd, n - len(got))
        if not chunk:
            break
        got += chunk
    return bytes(got)
