"""Answer a stdio client's `initialize` while the core and the gateway start.

The single command's start-up (a core child importing and binding, the
gateway importing gRPC) takes far longer than a client waits for its
`initialize` answer, and the answer needs neither (`first_line`).
`launch` answers a line the client had written before the process ran;
`EarlyStdio` answers the first line when it comes later, as soon as it is
read. Either way the line is still handed to the gateway as the first
message, so the core records the client as usual; the gateway's own answer
to it is then dropped (the client already has it). Anything else (another
method, unusual params, a parse error) is left to the gateway untouched.

This module imports nothing heavy: it runs before gRPC is imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from app_server.first_line import early_answer
from gateway.transport.stdio import StdioStream

log = logging.getLogger(__name__)


@contextlib.contextmanager
def protocol_stdout() -> Iterator[int]:
    """A private copy of fd 1 for the protocol, with fd 1 itself pointed at stderr.

    stdout carries protocol only: a stray print from any library lands in
    the logs instead of corrupting the stream. fd 1 is restored on exit.
    """
    out_fd = os.dup(1)
    saved_stdout = os.dup(1)
    sys.stdout.flush()
    os.dup2(2, 1)
    try:
        yield out_fd
    finally:
        os.dup2(saved_stdout, 1)
        os.close(saved_stdout)


class EarlyStdio:
    """A `MessageStream` over stdio that answers a plain `initialize` at once.

    `start()` (on the event loop) starts reading; `settled` is done once the
    first line is answered early or left to the gateway (or stdin ended).
    The gateway then receives every line, the first included, and its
    answer to an early-answered `initialize` is not written again.
    """

    def __init__(self, inner: StdioStream, *, answered: bool = False) -> None:
        """`answered`: the first line `inner` holds was answered already (`first_line`)."""
        self.peer = inner.peer
        self._inner = inner
        self._answered = answered
        self._first: asyncio.Task[bytes | None] | None = None
        self._first_taken = False
        self._drop_next_reply = False

    def start(self) -> None:
        """Start the stdio threads and the early answer (call on the event loop)."""
        self._inner.start()
        self._first = asyncio.get_running_loop().create_task(self._answer_first())

    @property
    def settled(self) -> asyncio.Task[bytes | None]:
        """Done once the first line has been read (and answered when it could be)."""
        assert self._first is not None, "start() first"
        return self._first

    async def _answer_first(self) -> bytes | None:
        line = await self._inner.receive()
        if self._answered:
            self._drop_next_reply = True
            return line
        answer = early_answer(line) if line is not None else None
        if answer is not None:
            await self._inner.send([answer])
            self._drop_next_reply = True
        return line

    async def receive(self) -> bytes | None:
        """The first line (already read), then the next lines; None at EOF."""
        if not self._first_taken:
            self._first_taken = True
            return await self.settled
        return await self._inner.receive()

    async def send(self, messages: list[bytes]) -> None:
        """Write messages, minus the gateway's answer to an early-answered `initialize`."""
        if self._drop_next_reply and messages:
            # `initialize` is answered before anything else is read or
            # routed to the connection: the first message out is its answer.
            self._drop_next_reply = False
            reply, messages = messages[0], messages[1:]
            if b'"result"' not in reply:
                log.warning("the core refused an initialize answered early: %s",
                            reply[:300].decode("utf-8", "replace"))
            if not messages:
                return
        await self._inner.send(messages)

    async def abort(self, code: int, reason: str) -> None:
        """Stop reading (see `StdioStream.abort`)."""
        await self._inner.abort(code, reason)

    def close(self) -> None:
        """Let the writer thread end (pending writes finish first)."""
        self._inner.close()
