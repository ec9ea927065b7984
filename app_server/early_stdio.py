"""Answer a stdio client's `initialize` while the core and the gateway start.

The single command's start-up (a core child importing and binding, the
gateway importing gRPC) takes far longer than a client waits for its
`initialize` answer. The answer does not need either: it is the user agent,
computed from the clientInfo and this machine (`core_service.user_agent`,
the core's own function). `EarlyStdio` reads the first line as soon as the
process runs; when it is a plain, well-formed `initialize` it writes the
answer at once. The line is still handed to the gateway as the first
message, so the core records the client as usual; the gateway's own answer
to it is then dropped (the client already has it). Anything else (another
method, unusual params, a parse error) is left to the gateway untouched.

This module imports nothing heavy: it runs before gRPC is imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

from core_service.user_agent import user_agent
from gateway.transport.stdio import StdioStream

log = logging.getLogger(__name__)

_PARAMS_KEYS = frozenset({"clientInfo", "capabilities"})
_CLIENT_INFO_KEYS = frozenset({"name", "title", "version"})
_CAPABILITY_KEYS = frozenset({"experimentalApi", "optOutNotificationMethods"})
_MESSAGE_KEYS = frozenset({"jsonrpc", "id", "method", "params"})
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _plain_capabilities(caps: Any) -> bool:
    if caps is None:
        return True
    if not isinstance(caps, dict) or not _CAPABILITY_KEYS.issuperset(caps):
        return False
    opt_outs = caps.get("optOutNotificationMethods")
    return isinstance(caps.get("experimentalApi"), bool) and (
        opt_outs is None or (isinstance(opt_outs, list)
                             and all(isinstance(m, str) for m in opt_outs)))


def _plain_client_info(info: Any) -> bool:
    return (isinstance(info, dict) and _CLIENT_INFO_KEYS.issuperset(info)
            and isinstance(info.get("name"), str) and isinstance(info.get("version"), str)
            and (info.get("title") is None or isinstance(info["title"], str)))


def early_answer(line: bytes) -> bytes | None:
    """The `initialize` response to `line`, or None when the gateway must decide.

    Only requests every decoder accepts qualify: known keys only, exact
    types, a non-zero id (`-0` and `0` are told apart by the gateway). The
    bytes are those the gateway would write: compact, U+2028/U+2029 escaped.
    """
    try:
        msg = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(msg, dict) or not _MESSAGE_KEYS.issuperset(msg):
        return None
    rid, params = msg.get("id"), msg.get("params")
    id_ok = isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool)
                                     and rid != 0 and abs(rid) < 2**63)
    if (msg.get("method") != "initialize" or not id_ok or not isinstance(params, dict)
            or not _PARAMS_KEYS.issuperset(params)
            or not _plain_client_info(params.get("clientInfo"))
            or not _plain_capabilities(params.get("capabilities"))):
        return None
    info = params["clientInfo"]
    text = _encode({"id": rid, "result": {"userAgent": user_agent(info["name"],
                                                                   info["version"])}})
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


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

    def __init__(self, inner: StdioStream) -> None:
        self.peer = inner.peer
        self._inner = inner
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
