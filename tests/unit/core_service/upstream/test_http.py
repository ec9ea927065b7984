"""Unit tests of the upstream HTTP client against scripted raw servers on loopback."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from core_service.upstream import http as upstream

from .conftest import Cert

REPO = Path(__file__).resolve().parents[4]

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
    """Silence past the idle timeout (in the body or before the head) is ReadTimeout;
    a body cut short is TransportError."""
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

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await reader.read()  # no response head at all

    server, url = await _serve(mute)
    async with server:
        with pytest.raises(upstream.ReadTimeout, match="no response head"):
            await _send(client, url, idle=0.1)

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


# -- form and JSON requests --------------------------------------------------------------


async def test_form_and_json_requests_are_read_whole(client: upstream.UpstreamClient) -> None:
    """`fetch` sends a form or a JSON body with its content type and returns the whole reply."""
    seen: list[tuple[bytes, bytes]] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                seen.append(await _read_request(reader))
            except asyncio.IncompleteReadError:
                return
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 6\r\n\r\n{\"x\":1}"[:-1])
            await writer.drain()

    server, url = await _serve(handler)
    async with server:
        reply = await client.fetch("POST", url + "/token", form={"code": "a b&c", "n": "1"})
        assert (reply.status_code, reply.text()) == (201, '{"x":1')
        reply = await client.fetch("POST", url + "/token", json={"grant_type": "refresh_token"})
        assert reply.status_code == 201
    (form_head, form_body), (json_head, json_body) = seen
    assert b"content-type: application/x-www-form-urlencoded\r\n" in form_head.lower()
    assert form_body == b"code=a+b%26c&n=1"
    assert b"content-type: application/json\r\n" in json_head.lower()
    assert json_body == b'{"grant_type": "refresh_token"}'
    assert b"accept-encoding: identity\r\n" in json_head.lower()
    assert b"user-agent" not in json_head.lower()


# -- proxies and TLS ---------------------------------------------------------------------


async def _https_server(cert: Cert) -> tuple[asyncio.Server, int]:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert.cert, cert.key)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head, body = await _read_request(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        answer = head.split(b"\r\n", 1)[0] + b"|" + body
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ctx)
    return server, server.sockets[0].getsockname()[1]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


class _Proxy:
    """A loopback HTTP proxy: CONNECT tunnels, absolute-form requests answered itself."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.heads: list[bytes] = []
        self.refuse = refuse

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, body = await _read_request(reader)
        self.heads.append(head)
        method, target, _ = head.split(b"\r\n", 1)[0].split(b" ")
        if method != b"CONNECT":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (
                len(b"proxied " + body), b"proxied " + body))
            await writer.drain()
            writer.close()
            return
        if self.refuse:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        host, _, port = target.decode().rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def start(self) -> tuple[asyncio.Server, str]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return server, f"127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_https_goes_through_a_connect_tunnel_trusting_ssl_cert_file(
    self_signed: Cert,
) -> None:
    """HTTPS_PROXY tunnels with CONNECT (with its Basic credentials); SSL_CERT_FILE is trusted."""
    target, port = await _https_server(self_signed)
    proxy = _Proxy()
    proxy_server, proxy_addr = await proxy.start()
    env = {"HTTPS_PROXY": f"http://user:pw@{proxy_addr}", "SSL_CERT_FILE": str(self_signed.cert)}
    client = upstream.UpstreamClient(env=env)
    async with target, proxy_server:
        try:
            reply = await asyncio.wait_for(
                client.fetch("POST", f"https://localhost:{port}/oauth/token", json={}), 10)
        finally:
            await client.aclose()
    assert (reply.status_code, reply.body) == (200, b"POST /oauth/token HTTP/1.1|{}")
    assert proxy.heads[0].startswith(f"CONNECT localhost:{port} HTTP/1.1\r\n".encode())
    assert b"proxy-authorization: basic dxnlcjpwdw==\r\n" in proxy.heads[0].lower()


async def test_http_goes_to_the_proxy_in_absolute_form_unless_no_proxy() -> None:
    """HTTP_PROXY gets `POST http://host:port/path`; a NO_PROXY host is reached directly."""
    proxy = _Proxy()
    proxy_server, proxy_addr = await proxy.start()

    async def direct(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ndirect")
        await writer.drain()
        writer.close()

    server, url = await _serve(direct)
    env = {"HTTP_PROXY": proxy_addr, "NO_PROXY": "localhost,127.0.0.1"}
    client = upstream.UpstreamClient(env=env)
    async with server, proxy_server:
        try:
            proxied = await client.fetch("POST", "http://model.example:8080/v1/responses", json=1)
            direct_reply = await client.fetch("POST", url + "/v1/responses", json=1)
        finally:
            await client.aclose()
    assert proxied.body == b"proxied 1" and direct_reply.body == b"direct"
    assert proxy.heads[0].startswith(b"POST http://model.example:8080/v1/responses HTTP/1.1\r\n")
    assert len(proxy.heads) == 1


async def test_untrusted_certificate_and_refused_tunnel_are_connect_errors(
    self_signed: Cert,
) -> None:
    """A certificate outside the trust store, or a proxy refusing CONNECT, fails to connect."""
    target, port = await _https_server(self_signed)
    proxy = _Proxy(refuse=True)
    proxy_server, proxy_addr = await proxy.start()
    untrusting = upstream.UpstreamClient(env={})
    refused = upstream.UpstreamClient(
        env={"HTTPS_PROXY": proxy_addr, "SSL_CERT_FILE": str(self_signed.cert)})
    async with target, proxy_server:
        try:
            with pytest.raises(upstream.ConnectError, match="certificate verify failed"):
                await _send(untrusting, f"https://localhost:{port}/")
            with pytest.raises(upstream.ConnectError, match="403"):
                await _send(refused, f"https://localhost:{port}/")
        finally:
            await untrusting.aclose()
            await refused.aclose()


def test_the_core_starts_without_importing_aiohttp() -> None:
    """aiohttp (~150-200 ms to import) is not on the core's start-up path; `prewarm`
    imports it (the core runs it in a worker thread once serving)."""
    code = ("import sys, core_service.server as s\n"
            "assert 'aiohttp' not in sys.modules, 'imported at start'\n"
            "s.upstream_http.prewarm()\n"
            "assert 'aiohttp' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
