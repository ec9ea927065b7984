"""The early websocket listener: handshakes at once, messages served once handed over."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from app_server import early_ws
from app_server.early_ws import EarlyWebSocket, read_ws_token
from gateway.transport.websocket import WebSocketOptions, WebSocketStream


async def echo(stream: WebSocketStream) -> None:
    while (msg := await stream.receive()) is not None:
        await stream.send([msg.encode() if isinstance(msg, str) else msg])


async def test_accepted_before_hand_over_then_served() -> None:
    """A client connects and writes before the gateway takes over; its message is
    answered by the handler handed over later, and new clients go straight to it."""
    early = EarlyWebSocket(WebSocketOptions("127.0.0.1", 0))
    (host, port), *_ = await early.start()
    url = f"ws://{host}:{port}/"
    try:
        async with connect(url, open_timeout=5) as ws:
            await ws.send('{"id":1}')
            async with httpx.AsyncClient(timeout=5) as http:
                assert (await http.get(f"http://{host}:{port}/readyz")).status_code == 200
            early.hand_over(echo)
            async with asyncio.timeout(5):
                assert await ws.recv() == '{"id":1}'
        async with connect(url, open_timeout=5) as ws:
            await ws.send('{"id":2}')
            async with asyncio.timeout(5):
                assert await ws.recv() == '{"id":2}'
    finally:
        await early.server.close()


async def test_never_handed_over_closes_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection nobody takes over within the bound is closed (1011), not kept forever."""
    monkeypatch.setattr(early_ws, "HAND_OVER_TIMEOUT", 0.05)
    early = EarlyWebSocket(WebSocketOptions("127.0.0.1", 0))
    (host, port), *_ = await early.start()
    try:
        async with connect(f"ws://{host}:{port}/", open_timeout=5) as ws:
            async with asyncio.timeout(5):
                await ws.wait_closed()
            assert ws.close_code == 1011
    finally:
        await early.server.close()


def test_read_ws_token(tmp_path: Path) -> None:
    """The token is the file's stripped text; an empty or unreadable file is refused."""
    good = tmp_path / "token"
    good.write_text("  tok\n")
    assert read_ws_token(str(good)) == "tok"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ValueError, match="is empty"):
        read_ws_token(str(empty))
    with pytest.raises(ValueError, match="cannot read --ws-token-file"):
        read_ws_token(str(tmp_path / "missing"))
