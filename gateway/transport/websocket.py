"""websocket transport: one message per text frame (websockets, asyncio API).

Binary frames are ignored. The frame size limit is explicit (the library's
1 MiB default is too small for `thread/read`); an oversized frame closes the
connection with 1009. Ping/pong keepalive drops dead peers. On the same
port, `GET /healthz` answers 200 while the process serves and `GET /readyz`
200 once it accepts connections (503 while shutting down). A request
carrying an `Origin` header is refused with 403 unless the origin is
allowed (browsers must not drive a local agent), and with a token
configured the handshake needs `Authorization: Bearer <token>` (401).
`GET /metrics` answers what the `metrics` option renders (the bytes of the
process's metrics page), behind the same token: the page tells who uses the
server how, and a non-loopback gateway always has a token.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

log = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")


@dataclass
class WebSocketOptions:
    """How the websocket listener behaves (see the module docstring)."""

    host: str
    port: int
    max_message_size: int = 64 * 1024 * 1024
    allow_origins: frozenset[str] = field(default_factory=frozenset)
    token: str | None = None
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    close_timeout: float = 2.0
    # `Accept` header -> (content type, body) of `GET /metrics`; None: 404.
    metrics: Callable[[str | None], tuple[str, bytes]] | None = None
    # A socket bound to host:port and listening already (`app_server.launch`):
    # served instead of binding.
    sock: socket.socket | None = None


class WebSocketStream:
    """A `MessageStream` over one accepted websocket connection."""

    def __init__(self, ws: ServerConnection) -> None:
        self._ws = ws
        addr = ws.remote_address
        self.peer = f"{addr[0]}:{addr[1]}" if addr else "websocket"

    async def receive(self) -> bytes | str | None:
        """The next text frame; None once the connection is closed."""
        while True:
            try:
                msg = await self._ws.recv()
            except ConnectionClosed as err:
                if err.rcvd is None and err.sent is not None and err.sent.code == 1009:
                    log.warning("%s: %s", self.peer, err.sent.reason)
                return None
            if isinstance(msg, str):
                return msg
            log.warning("%s: dropping unsupported binary websocket message", self.peer)

    async def send(self, messages: list[bytes]) -> None:
        """Send each message as one text frame (already valid UTF-8 JSON)."""
        try:
            for m in messages:
                await self._ws.send(m, text=True)
        except ConnectionClosed as err:
            raise ConnectionError(str(err)) from err

    async def abort(self, code: int, reason: str) -> None:
        """Close with `code`/`reason`; the TCP connection is cut after close_timeout."""
        await self._ws.close(code, reason)


class WebSocketServer:
    """The listener: handshake checks, health endpoints, one stream per connection."""

    def __init__(
        self,
        options: WebSocketOptions,
        on_connection: Callable[[WebSocketStream], Awaitable[object]],
    ) -> None:
        self.options = options
        self._on_connection = on_connection
        self._server: Server | None = None
        self.ready = False

    async def _process_request(
        self, conn: ServerConnection, request: Request
    ) -> Response | None:
        opts = self.options
        origin = request.headers.get("Origin")
        if origin is not None and origin not in opts.allow_origins:
            log.warning("refusing a request from origin %r", origin)
            return conn.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        path = request.path.split("?", 1)[0]
        if path == "/healthz":
            return conn.respond(HTTPStatus.OK, "ok\n")
        if path == "/readyz":
            if self.ready:
                return conn.respond(HTTPStatus.OK, "ready\n")
            return conn.respond(HTTPStatus.SERVICE_UNAVAILABLE, "not ready\n")
        if opts.token is not None and not _bearer_matches(request.headers, opts.token):
            response = conn.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if path == "/metrics" and opts.metrics is not None:
            # Rendered off the loop: a page with many series takes milliseconds.
            content_type, body = await asyncio.to_thread(opts.metrics,
                                                         request.headers.get("Accept"))
            return Response(HTTPStatus.OK, "OK", Headers([
                ("Content-Type", content_type), ("Content-Length", str(len(body))),
                ("Connection", "close")]), body)
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        stream = WebSocketStream(ws)
        log.info("websocket client connected from %s", stream.peer)
        await self._on_connection(stream)

    async def start(self) -> list[tuple[str, int]]:
        """Bind and start accepting; returns the bound (host, port) pairs."""
        opts = self.options
        where: dict[str, Any] = ({"sock": opts.sock} if opts.sock is not None
                                 else {"host": opts.host, "port": opts.port})
        self._server = await serve(
            self._handler,
            **where,
            max_size=opts.max_message_size,
            ping_interval=opts.ping_interval,
            ping_timeout=opts.ping_timeout,
            close_timeout=opts.close_timeout,
            process_request=self._process_request,
            # No compression: large frames would cost CPU on both ends and
            # the size limit should apply to what is actually sent.
            compression=None,
        )
        self.ready = True
        return [sock.getsockname()[:2] for sock in self._server.sockets]

    def stop_accepting(self) -> None:
        """Close the listener; open connections go on until `close` (idempotent)."""
        self.ready = False
        if self._server is not None:
            self._server.server.close()

    async def close(self) -> None:
        """Stop accepting and close every connection with 1001 (idempotent)."""
        self.ready = False
        server, self._server = self._server, None
        if server is not None:
            server.close(close_connections=True)
            await server.wait_closed()


def _bearer_matches(headers: Headers, token: str) -> bool:
    value = headers.get("Authorization")
    if value is None:
        return False
    scheme, _, given = value.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
