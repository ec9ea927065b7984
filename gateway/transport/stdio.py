"""stdio transport: one message per line (JSONL) on a pair of file descriptors.

Input is read as bytes and split on b"\\n" only: U+2028/U+2029 inside a
JSON string must not end a message (`str.splitlines` would split there).
Blank lines are skipped; a line longer than the size limit is dropped with a
log line. Output is one message per line; nothing else may be written to the
output descriptor.

Reads and writes run in daemon threads so that any descriptor works (pipe,
tty, regular file) and a client that stops reading blocks only the writer
thread, never the event loop; a thread stuck in a read at exit does not
keep the process alive.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import queue
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
        self._broken = False
        self._aborted = False

    def start(self) -> None:
        """Start the reader and writer threads (call from the event loop)."""
        loop = asyncio.get_running_loop()
        self._reader = threading.Thread(
            target=self._read_thread, args=(loop,), name="stdio-reader", daemon=True
        )
        self._writer = threading.Thread(target=self._write_thread, name="stdio-writer",
                                        daemon=True)
        self._reader.start()
        self._writer.start()

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
        fut: Future[None] = Future()
        self._writes.put((b"\n".join(messages) + b"\n", fut))
        try:
            await asyncio.wrap_future(fut)
        except ConnectionError:
            self._broken = True
            raise

    async def abort(self, code: int, reason: str) -> None:
        """Stop reading: the gateway is dropping the (only) client."""
        log.info("closing stdio: %s", reason)
        self._aborted = True
        self._eof = True
        self._lines.clear()
        try:
            self._chunks.put_nowait(None)
        except asyncio.QueueFull:
            pass  # receive() sees _eof on its next turn

    def close(self) -> None:
        """Let the writer thread end (pending writes finish first)."""
        self._writes.put(None)
