"""stdio transport: one message per line (JSONL) on a pair of file descriptors.

Input is read as bytes and split on b"\\n" only: U+2028/U+2029 inside a
JSON string must not end a message (`str.splitlines` would split there).
Blank lines are skipped; a line longer than the size limit is dropped with a
log line. Output is one message per line; nothing else may be written to the
output descriptor.

A pipe or a socket (what a client that spawns the server hands it) is read
and written by the event loop itself (asyncio's pipe transports): no thread
hop per chunk, which cost ~15 us of each cheap request. Any other
descriptor (a tty, a regular file) is read and written by daemon threads; a
thread stuck in a read at exit does not keep the process alive. Either way
a client that stops reading stalls only the connection's writer (it waits
for the pipe to drain), never the event loop, and input is read ahead by a
bounded number of chunks only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import queue
import stat
import threading
from collections import deque
from concurrent.futures import Future

log = logging.getLogger(__name__)

_READ_CHUNK = 1 << 16
# Chunks read ahead of the event loop (backpressure on the reader thread).
_READ_AHEAD = 8


class LineSplitter:
    """Split a byte stream into messages on b"\\n" only.

    Blank (whitespace-only) lines are skipped; a line longer than
    `max_line` bytes is dropped whole and counted in `dropped`.
    """

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.dropped = 0
        self._buf = bytearray()
        self._discarding = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add bytes; return the complete lines they finish."""
        out: list[bytes] = []
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            if nl < 0:
                break
            self._take(chunk[start:nl], out, complete=True)
            start = nl + 1
        if start < len(chunk):
            self._take(chunk[start:], out, complete=False)
        return out

    def finish(self) -> list[bytes]:
        """End of input: a last line without a newline still counts."""
        out: list[bytes] = []
        if self._buf and not self._discarding:
            line = bytes(self._buf)
            if line.strip():
                out.append(line)
        self._buf.clear()
        self._discarding = False
        return out

    def _take(self, piece: bytes, out: list[bytes], *, complete: bool) -> None:
        if not self._discarding:
            self._buf += piece
            if len(self._buf) > self.max_line:
                self.dropped += 1
                log.warning("dropping an input line longer than %d bytes", self.max_line)
                self._buf.clear()
                self._discarding = True
        if complete:
            if not self._discarding:
                line = bytes(self._buf)
                if line.strip():
                    out.append(line)
            self._buf.clear()
            self._discarding = False


def _pollable(fd: int) -> bool:
    """True for a pipe or a socket: the event loop can wait on it.

    A tty is left to the threads: the loop would make it non-blocking, and
    that would outlive the process for the terminal's other users.
    """
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _same_file(a: int, b: int) -> bool:
    """True when two descriptors are one file (one socket for stdin and stdout)."""
    try:
        sa, sb = os.fstat(a), os.fstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


class _ReadProtocol(asyncio.Protocol):
    """Chunks of a read pipe transport into the stream's queue, paused while it is full."""

    def __init__(self, chunks: asyncio.Queue[bytes | None]) -> None:
        self._chunks = chunks
        self.transport: asyncio.ReadTransport | None = None
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.put_nowait(data)
        if self._chunks.full() and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True

    def eof_received(self) -> bool | None:
        return None  # connection_lost follows and ends the input

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            log.warning("stdin read failed: %s", exc)
        # Reading is paused whenever the queue is full, so only a close while
        # paused (`abort`, which ends receive() itself) finds no room.
        with contextlib.suppress(asyncio.QueueFull):
            self._chunks.put_nowait(None)

    def resume(self) -> None:
        """Read on once the queue has room again."""
        if self.paused and not self._chunks.full() and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()


class _WriteProtocol(asyncio.BaseProtocol):
    """Flow control of a write pipe transport: `drained()` waits until its buffer
    is empty (the high mark is 0)."""

    def __init__(self) -> None:
        self._drained: asyncio.Future[None] | None = None
        self.lost: Exception | None = None
        self.closed = False

    def pause_writing(self) -> None:
        if self._drained is None:
            self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost = exc
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_exception(ConnectionError(f"stdout write failed: {exc}"))

    async def drained(self) -> None:
        if self._drained is not None:
            await self._drained


class StdioStream:
    """A `MessageStream` over an input and an output file descriptor."""

    def __init__(self, in_fd: int, out_fd: int, *, max_message_size: int,
                 read_already: bytes = b"") -> None:
        """`read_already`: bytes taken from `in_fd` before, which come first."""
        self.peer = "stdio"
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._splitter = LineSplitter(max_message_size)
        self._lines: deque[bytes] = deque(self._splitter.feed(read_already))
        self._chunks: asyncio.Queue[bytes | None] = asyncio.Queue(_READ_AHEAD)
        self._eof = False
        self._writes: queue.SimpleQueue[tuple[bytes, Future[None]] | None] = queue.SimpleQueue()
        self._reader: threading.Thread | None = None
        self._writer: threading.Thread | None = None
        self._read_protocol: _ReadProtocol | None = None
        self._write_transport: asyncio.WriteTransport | None = None
        self._write_protocol: _WriteProtocol | None = None
        self._write_opening: asyncio.Task[None] | None = None
        self._broken = False
        self._aborted = False
        self._closing = False

    def start(self) -> None:
        """Start reading and writing: on the event loop for a pipe or a socket,
        else in threads (call from the event loop)."""
        loop = asyncio.get_running_loop()
        loop.create_task(self._start_reading(loop))
        # One socket for both directions stays with the writer thread: a write
        # pipe transport watches its descriptor for readability (the peer
        # closing), which would take the reader's place on the same file.
        if _pollable(self._out_fd) and not _same_file(self._in_fd, self._out_fd):
            self._write_protocol = _WriteProtocol()
            self._write_opening = loop.create_task(
                self._open_write_pipe(loop, self._write_protocol))
        else:
            self._writer = threading.Thread(target=self._write_thread, name="stdio-writer",
                                            daemon=True)
            self._writer.start()

    async def _start_reading(self, loop: asyncio.AbstractEventLoop) -> None:
        if _pollable(self._in_fd):
            protocol = _ReadProtocol(self._chunks)
            pipe = os.fdopen(self._in_fd, "rb", buffering=0, closefd=False)
            try:
                await loop.connect_read_pipe(lambda: protocol, pipe)
            except (OSError, ValueError) as err:
                log.warning("stdin cannot be read on the event loop (%s): using a thread", err)
            else:
                self._read_protocol = protocol
                if self._aborted:
                    assert protocol.transport is not None
                    protocol.transport.close()
                return
        self._reader = threading.Thread(
            target=self._read_thread, args=(loop,), name="stdio-reader", daemon=True
        )
        self._reader.start()

    async def _open_write_pipe(self, loop: asyncio.AbstractEventLoop,
                               protocol: _WriteProtocol) -> None:
        pipe = os.fdopen(self._out_fd, "wb", buffering=0, closefd=False)
        transport, _ = await loop.connect_write_pipe(lambda: protocol, pipe)
        # A send completes once the kernel has every byte, as the writer
        # thread's did: nothing sent can be left in a buffer at exit. (3.11's
        # pipe transport resumes only on a full flush anyway; this says so.)
        transport.set_write_buffer_limits(high=0)
        self._write_transport = transport
        if self._closing:
            transport.close()

    # -- threads ---------------------------------------------------------------
    def _read_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                chunk = os.read(self._in_fd, _READ_CHUNK)
            except OSError as err:
                log.warning("stdin read failed: %s", err)
                chunk = b""
            item = chunk or None
            put = self._chunks.put(item)
            try:
                asyncio.run_coroutine_threadsafe(put, loop).result()
            except RuntimeError:
                put.close()  # the loop is gone
                return
            except (asyncio.CancelledError, concurrent.futures.CancelledError):
                return
            if item is None:
                return

    def _write_thread(self) -> None:
        while True:
            job = self._writes.get()
            if job is None:
                return
            data, fut = job
            try:
                view = memoryview(data)
                while view:
                    n = os.write(self._out_fd, view)
                    view = view[n:]
            except OSError as err:
                if not fut.done():
                    fut.set_exception(ConnectionError(f"stdout write failed: {err}"))
                continue
            if not fut.done():
                fut.set_result(None)

    # -- MessageStream ---------------------------------------------------------
    async def receive(self) -> bytes | None:
        """The next non-blank line; None at EOF (or after `abort`)."""
        if self._aborted:
            return None
        while not self._lines:
            if self._eof:
                return None
            chunk = await self._chunks.get()
            if self._read_protocol is not None:
                self._read_protocol.resume()
            if chunk is None:
                self._eof = True
                self._lines.extend(self._splitter.finish())
            else:
                self._lines.extend(self._splitter.feed(chunk))
        return self._lines.popleft()

    async def send(self, messages: list[bytes]) -> None:
        """Write the messages, one per line, in one write."""
        if self._broken:
            raise ConnectionError("stdout is closed")
        if self._write_protocol is not None:
            await self._send_on_loop(self._write_protocol, b"\n".join(messages) + b"\n")
            return
        fut: Future[None] = Future()
        self._writes.put((b"\n".join(messages) + b"\n", fut))
        try:
            await asyncio.wrap_future(fut)
        except ConnectionError:
            self._broken = True
            raise

    async def _send_on_loop(self, protocol: _WriteProtocol, data: bytes) -> None:
        if self._write_transport is None and self._write_opening is not None:
            try:
                await self._write_opening  # connect_write_pipe: one loop turn
            except (OSError, ValueError) as err:
                self._broken = True
                raise ConnectionError(f"stdout cannot be written: {err}") from None
        transport = self._write_transport
        if protocol.closed or transport is None or transport.is_closing():
            self._broken = True
            raise ConnectionError(f"stdout write failed: {protocol.lost or 'closed'}")
        transport.write(data)
        try:
            await protocol.drained()
        except ConnectionError:
            self._broken = True
            raise

    async def abort(self, code: int, reason: str) -> None:
        """Stop reading: the gateway is dropping the (only) client."""
        log.info("closing stdio: %s", reason)
        self._aborted = True
        self._eof = True
        self._lines.clear()
        if self._read_protocol is not None and self._read_protocol.transport is not None:
            self._read_protocol.transport.close()
            return  # connection_lost wakes a waiting receive()
        try:
            self._chunks.put_nowait(None)
        except asyncio.QueueFull:
            pass  # receive() sees _eof on its next turn

    def close(self) -> None:
        """Let the writer end (pending writes finish first)."""
        self._closing = True
        if self._write_transport is not None:
            self._write_transport.close()
        self._writes.put(None)
