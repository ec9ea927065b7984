"""A real gateway (websocket on port 0) wired to the in-process fake core; its
clients are the tests' one protocol client (`tests.support.client.ProtocolClient`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app_server_protocol.addresses import grpc_target
from gateway.connection import Limits
from gateway.core_link import CoreLink
from gateway.server import Gateway
from gateway.transport.websocket import WebSocketOptions, WebSocketServer, WebSocketStream
from tests.support.client import ProtocolClient
from tests.unit.gateway.fake_core import FakeCore

WAIT = 5.0


async def connection_id(client: ProtocolClient) -> str:
    """The client's connection id at the gateway (the fake core echoes it)."""
    result = await client.call("thread/loaded/list", {}, id="whoami", timeout=WAIT)
    return str(result["data"][0])


@dataclass
class Stack:
    """Fake core + core link + gateway + websocket listener."""

    core: FakeCore
    gateway: Gateway
    link: CoreLink
    url: str

    @asynccontextmanager
    async def client(self) -> AsyncIterator[ProtocolClient]:
        """A protocol client on the gateway's websocket, closed at the end."""
        client = await ProtocolClient.over_websocket(self.url, open_timeout=WAIT)
        try:
            yield client
        finally:
            await client.close()


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
