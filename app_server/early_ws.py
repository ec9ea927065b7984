"""A websocket listener started by the single command before the gateway is imported.

Binding and answering websocket handshakes needs only the transport
(`gateway.transport.websocket`), not the gateway's gRPC link or its
protocol tables, which take far longer to import than a client waits for a
connection. `EarlyWebSocket` listens at once; each accepted connection waits
(bounded) for the gateway to take over with `hand_over`, and its messages
wait in the connection's bounded buffer meanwhile. `/healthz` and
`/readyz` answer at once, as they do once the listener accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from gateway.transport.websocket import WebSocketOptions, WebSocketServer, WebSocketStream

Handler = Callable[[WebSocketStream], Awaitable[None]]
# How long an accepted connection waits for the gateway before it is closed
# (the core's own start-up deadline is shorter: by then the process exits).
HAND_OVER_TIMEOUT = 60.0


class EarlyWebSocket:
    """A started `WebSocketServer` whose connections wait for the gateway's handler."""

    def __init__(self, options: WebSocketOptions) -> None:
        self.options = options
        self.server = WebSocketServer(options, self._on_connection)
        self._handler: asyncio.Future[Handler] | None = None

    async def start(self) -> list[tuple[str, int]]:
        """Bind and accept (raises `OSError`); returns the bound (host, port) pairs."""
        self._handler = asyncio.get_running_loop().create_future()
        return await self.server.start()

    def hand_over(self, handler: Handler) -> None:
        """From now on (and for the connections waiting) `handler` serves each connection."""
        assert self._handler is not None, "start() first"
        if not self._handler.done():
            self._handler.set_result(handler)

    async def _on_connection(self, stream: WebSocketStream) -> None:
        assert self._handler is not None
        try:
            handler = await asyncio.wait_for(asyncio.shield(self._handler), HAND_OVER_TIMEOUT)
        except TimeoutError:
            await stream.abort(1011, "server not ready")
            return
        await handler(stream)


def read_ws_token(path: str) -> str:
    """The websocket clients' token from `--ws-token-file` (ValueError: unreadable, empty)."""
    try:
        with open(path, encoding="utf-8") as fh:
            token = fh.read().strip()
    except OSError as err:
        raise ValueError(f"cannot read --ws-token-file: {err}") from None
    if not token:
        raise ValueError(f"--ws-token-file {path} is empty")
    return token
