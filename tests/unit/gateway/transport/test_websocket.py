"""websocket transport on port 0: health endpoints, Origin and token checks, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from gateway.transport.websocket import WebSocketOptions, WebSocketServer, WebSocketStream


async def echo(stream: WebSocketStream) -> None:
    while (msg := await stream.receive()) is not None:
        await stream.send([msg.encode() if isinstance(msg, str) else msg])


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[tuple[WebSocketServer, str]]:
    opts: WebSocketOptions = getattr(request, "param", None) or WebSocketOptions("127.0.0.1", 0)
    srv = WebSocketServer(opts, echo)
    (host, port), *_ = await srv.start()
    try:
        yield srv, f"{host}:{port}"
    finally:
        await srv.close()


async def test_health_endpoints(server: tuple[WebSocketServer, str]) -> None:
    """GET /healthz and /readyz answer 200 on the websocket port; /readyz 503 when not ready."""
    srv, addr = server
    async with httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"http://{addr}/healthz")).status_code == 200
        assert (await http.get(f"http://{addr}/readyz")).status_code == 200
        srv.ready = False
        assert (await http.get(f"http://{addr}/readyz")).status_code == 503


async def test_text_frames_echo_and_binary_ignored(server: tuple[WebSocketServer, str]) -> None:
    """Text frames are messages; binary frames are dropped and the connection stays usable."""
    _, addr = server
    async with connect(f"ws://{addr}/", open_timeout=5) as ws:
        await ws.send(b"\x00\x01binary")
        await ws.send('{"x":"\u2028"}')
        async with asyncio.timeout(5):
            assert await ws.recv() == '{"x":"\u2028"}'


@pytest.mark.parametrize(
    "server", [WebSocketOptions("127.0.0.1", 0, allow_origins=frozenset({"https://ok"}))],
    indirect=True,
)
async def test_origin_header_refused_unless_allowed(server: tuple[WebSocketServer, str]) -> None:
    """A handshake carrying a non-allowed Origin gets 403; an allowed one connects."""
    _, addr = server
    with pytest.raises(InvalidStatus) as info:
        async with connect(f"ws://{addr}/", origin="https://evil", open_timeout=5):  # type: ignore[arg-type]
            pass
    assert info.value.response.status_code == 403
    async with connect(f"ws://{addr}/", origin="https://ok", open_timeout=5) as ws:  # type: ignore[arg-type]
        await ws.send("{}")
        async with asyncio.timeout(5):
            assert await ws.recv() == "{}"


@pytest.mark.parametrize("server", [WebSocketOptions("127.0.0.1", 0, token="s3cret")],
                         indirect=True)
async def test_bearer_token_required(server: tuple[WebSocketServer, str]) -> None:
    """With a token, a handshake without or with a wrong bearer gets 401; the right one works."""
    _, addr = server
    for headers in ({}, {"Authorization": "Bearer nope"}):
        with pytest.raises(InvalidStatus) as info:
            async with connect(f"ws://{addr}/", additional_headers=headers, open_timeout=5):
                pass
        assert info.value.response.status_code == 401
    async with connect(f"ws://{addr}/", additional_headers={"Authorization": "Bearer s3cret"},
                       open_timeout=5) as ws:
        await ws.send("{}")
        async with asyncio.timeout(5):
            assert await ws.recv() == "{}"


@pytest.mark.parametrize("server", [WebSocketOptions("127.0.0.1", 0, max_message_size=1024)],
                         indirect=True)
async def test_oversized_frame_closes_with_1009(server: tuple[WebSocketServer, str]) -> None:
    """A frame over max_message_size closes the connection with 1009 and a reason."""
    _, addr = server
    async with connect(f"ws://{addr}/", open_timeout=5, max_size=None) as ws:
        await ws.send("x" * 2000)
        with pytest.raises(ConnectionClosed) as info:
            async with asyncio.timeout(5):
                await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1009
    assert info.value.rcvd.reason


def fake_page(accept: str | None) -> tuple[str, bytes]:
    """A metrics renderer that names the Accept header it was given."""
    return "text/plain; version=0.0.4", f"page for {accept}\n".encode()


@pytest.mark.parametrize("server", [WebSocketOptions("127.0.0.1", 0, token="s3cret",
                                                     metrics=fake_page)], indirect=True)
async def test_metrics_page_behind_the_token(server: tuple[WebSocketServer, str]) -> None:
    """GET /metrics answers the renderer's page (given the Accept header) with the
    bearer token, 401 without it; the health endpoints stay open."""
    _, addr = server
    async with httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"http://{addr}/metrics")).status_code == 401
        assert (await http.get(f"http://{addr}/healthz")).status_code == 200
        page = await http.get(f"http://{addr}/metrics", headers={
            "Authorization": "Bearer s3cret", "Accept": "text/plain"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/plain; version=0.0.4"
    assert page.text == "page for text/plain\n"


async def test_no_metrics_page_without_a_renderer(server: tuple[WebSocketServer, str]) -> None:
    """Without the metrics option, /metrics is no page (the websocket handshake's 426)."""
    _, addr = server
    async with httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"http://{addr}/metrics")).status_code == 426
