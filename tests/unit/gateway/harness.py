"""A real gateway (websocket on port 0) wired to the in-process fake core, and a client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from app_server_protocol.addresses import grpc_target
from gateway.connection import Limits
from gateway.core_link import CoreLink
from gateway.server import Gateway
from gateway.transport.websocket import WebSocketOptions, WebSocketServer, WebSocketStream
from tests.unit.gateway.fake_core import FakeCore

WAIT = 5.0


@dataclass
class Client:
    """A websocket protocol client: raw send/recv plus request/response matching."""

    ws: ClientConnection
    # Messages received while waiting for something else, in order.
    backlog: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, msg: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(msg))

    async def recv(self) -> dict[str, Any]:
        """The next message (backlog first)."""
        if self.backlog:
            return self.backlog.pop(0)
        async with asyncio.timeout(WAIT):
            return json.loads(await self.ws.recv())  # type: ignore[no-any-return]

    async def response(self, rid: Any) -> dict[str, Any]:
        """Wait for the response with this id; other messages go to the backlog."""
        for i, msg in enumerate(self.backlog):
            if msg.get("id") == rid and "method" not in msg:
                return self.backlog.pop(i)
        async with asyncio.timeout(WAIT):
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("id") == rid and "method" not in msg:
                    return msg  # type: ignore[no-any-return]
                self.backlog.append(msg)

    async def request(self, rid: Any, method: str, params: Any = None) -> dict[str, Any]:
        await self.send({"id": rid, "method": method, "params": params or {}})
        return await self.response(rid)

    async def initialize(self, **caps: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"clientInfo": {"name": "test", "version": "1"}}
        if caps:
            params["capabilities"] = caps
        return await self.request("init", "initialize", params)

    async def connection_id(self) -> str:
        """This connection's id at the gateway (the fake core echoes it)."""
        out = await self.request("whoami", "thread/loaded/list")
        return str(out["result"]["data"][0])


@dataclass
class Stack:
    """Fake core + core link + gateway + websocket listener."""

    core: FakeCore
    gateway: Gateway
    link: CoreLink
    url: str

    @asynccontextmanager
    async def client(self) -> AsyncIterator[Client]:
        async with connect(self.url, open_timeout=WAIT) as ws:
            yield Client(ws)


@asynccontextmanager
async def running_stack(limits: Limits | None = None) -> AsyncIterator[Stack]:
    """Start everything; stop it all at the end."""
    core = FakeCore()
    await core.start()
    gateway = Gateway(limits=limits)
    link = CoreLink(
        grpc_target(core.target), "gw-test-session",
        on_frame=gateway.on_core_frame, on_reconnect=gateway.on_core_reconnect,
        call_timeout=WAIT, ready_timeout=2.0,
    )
    gateway.core = link
    await link.start()

    async def serve(stream: WebSocketStream) -> None:
        await gateway.serve(stream, drain_on_eof=False)

    server = WebSocketServer(WebSocketOptions("127.0.0.1", 0), serve)
    (host, port), *_ = await server.start()
    try:
        async with asyncio.timeout(WAIT):
            await core.stream_opened.get()
        yield Stack(core, gateway, link, f"ws://{host}:{port}/")
    finally:
        await server.close()
        await gateway.close()
        await link.close()
        await core.stop()
