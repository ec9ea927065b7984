"""Unit tests of the upstream HTTP client against scripted raw servers on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from core_service.upstream import http as upstream

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length)
    return head, body


async def _send(client: upstream.UpstreamClient, url: str, idle: float = 2.0) -> upstream.Response:
    return await client.send("POST", url, headers=[("x-test", "1")], content=b'{"a":1}',
                             connect_timeout=2, idle_timeout=idle)


async def _collect(resp: upstream.Response) -> bytes:
    out = b""
    async for piece in resp.aiter_bytes():
        out += piece
    return out


@pytest.fixture
async def client() -> AsyncIterator[upstream.UpstreamClient]:
    c = upstream.UpstreamClient(env={})
    yield c
    await c.aclose()


async def test_chunked_body_split_anywhere_and_keep_alive(client: upstream.UpstreamClient) -> None:
    """A chunked body written in odd fragments decodes exactly; the connection is reused."""
    connections = 0
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                head, body = await _read_request(reader)
            except asyncio.IncompleteReadError:
                return
            seen.append(head + body)
            raw = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                   b"Transfer-Encoding: chunked\r\nX-Multi: a\r\nx-multi: b\r\n\r\n"
                   b"5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n")
            for i in range(0, len(raw), 3):
                writer.write(raw[i : i + 3])
                await writer.drain()

    server, url = await _serve(handler)
    async with server:
        for _ in range(2):
            resp = await _send(client, url + "/v1/responses")
            assert resp.status_code == 200
            assert resp.headers.get("content-type") == "text/event-stream"
            assert [v for k, v in resp.headers.multi_items() if k == "x-multi"] == ["a", "b"]
            assert await _collect(resp) == b"hello 0123456789"
            await resp.aclose()
        assert connections == 1
        assert seen[0].startswith(b"POST /v1/responses HTTP/1.1\r\n")
        assert b"x-test: 1\r\n" in seen[0] and seen[0].endswith(b'{"a":1}')


async def test_content_length_and_until_close_bodies(client: upstream.UpstreamClient) -> None:
    """Content-Length bodies and bodies ended by closing the connection are both read."""
    replies = [b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom",
               b"HTTP/1.0 200 OK\r\n\r\nuntil close"]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(replies.pop(0))
        await writer.drain()
        writer.close()

    server, url = await _serve(handler)
    async with server:
        resp = await _send(client, url)
        assert (resp.status_code, await resp.aread()) == (500, b"boom")
        await resp.aclose()
        resp = await _send(client, url)
        assert await resp.aread() == b"until close"
        await resp.aclose()


async def test_stale_pooled_connection_is_replaced(client: upstream.UpstreamClient) -> None:
    """A kept-alive connection the server closed meanwhile is retried on a fresh one."""
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # despite keep-alive

    server, url = await _serve(handler)
    async with server:
        for _ in range(3):
            resp = await _send(client, url)
            assert await resp.aread() == b"ok"
            await resp.aclose()


async def test_idle_timeout_and_broken_bodies(client: upstream.UpstreamClient) -> None:
    """Silence past the idle timeout is ReadTimeout; a body cut short is TransportError."""
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await writer.drain()
        await reader.read()  # until the client goes away

    server, url = await _serve(silent)
    async with server:
        resp = await _send(client, url, idle=0.1)
        with pytest.raises(upstream.ReadTimeout):
            await _collect(resp)
        await resp.aclose()

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        writer.close()

    server, url = await _serve(cut)
    async with server:
        resp = await _send(client, url)
        with pytest.raises(upstream.TransportError):
            await resp.aread()
        await resp.aclose()


async def test_connect_errors(client: upstream.UpstreamClient) -> None:
    """A refused connection is ConnectError; an unsupported URL too."""
    server, url = await _serve(lambda r, w: asyncio.sleep(0))
    server.close()
    await server.wait_closed()
    with pytest.raises(upstream.ConnectError):
        await _send(client, url)
    with pytest.raises(upstream.ConnectError):
        await _send(client, "ftp://127.0.0.1/x")
