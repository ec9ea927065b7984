"""A small HTTP/1.1 client on asyncio streams, for the model's SSE responses.

Why not httpx: on the hot path (one SSE event per chunk, thousands per
turn) httpx/httpcore/h11 cost ~50 us of CPU per chunk and ~2 ms per request
here, most of the core's time per delta. This client does only what the
Responses API needs: POST with a body, keep-alive connections per origin,
Content-Length / chunked / read-until-close bodies, TLS for https, a connect
timeout and an idle read timeout. No redirects, no compression (it asks
for identity), no proxies.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

_MAX_HEAD = 64 * 1024
_READ_SIZE = 64 * 1024


class TransportError(Exception):
    """The connection failed or broke."""


class ConnectError(TransportError):
    """The connection could not be opened."""


class ReadTimeout(TransportError):
    """No bytes arrived within the idle timeout."""


class Headers:
    """Response headers: case-insensitive `get`, all pairs in order."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items
        self._map: dict[str, str] = {}
        for k, v in items:
            self._map.setdefault(k.lower(), v)

    def get(self, name: str, default: str | None = None) -> str | None:
        """First value of a header (case-insensitive)."""
        return self._map.get(name.lower(), default)

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, names lower-cased."""
        return [(k.lower(), v) for k, v in self._items]


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


@dataclass
class Response:
    """A response whose body is read lazily (stream it, or `aread` it)."""

    status_code: int
    headers: Headers
    url: str
    _conn: _Conn
    _client: Http1Client
    _origin: tuple[str, str, int]
    _idle: float
    _length: int | None
    _chunked: bool
    _keep_alive: bool
    _done: bool = False
    _closed: bool = False
    _buf: bytearray = field(default_factory=bytearray)

    async def _read(self) -> bytes:
        """One network read (up to 64 KiB) under the idle timeout; b"" at EOF."""
        try:
            async with asyncio.timeout(self._idle):
                return await self._conn.reader.read(_READ_SIZE)
        except TimeoutError:
            raise ReadTimeout(f"no data for {self._idle:g}s") from None
        except OSError as exc:
            raise TransportError(str(exc) or type(exc).__name__) from None

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives (chunked framing removed)."""
        if self._done:
            return
        if self._chunked:
            async for piece in self._iter_chunked():
                yield piece
            return
        remaining = self._length
        while remaining is None or remaining > 0:
            data = await self._read()
            if not data:
                if remaining is None:
                    self._done, self._keep_alive = True, False
                    return
                raise TransportError(
                    "peer closed connection without sending complete message body")
            if remaining is not None:
                remaining -= len(data)
            yield data
        self._done = True

    async def _iter_chunked(self) -> AsyncIterator[bytes]:
        # One network read may hold many chunks (or part of one): parse the
        # framing from a buffer so each read costs one await, not three.
        buf = self._buf
        need = -1  # bytes of chunk data still expected; -1: a size line is next
        while True:
            out: list[bytes] = []
            while True:
                if need > 0:
                    if not buf:
                        break
                    take = bytes(buf[:need])
                    del buf[: len(take)]
                    need -= len(take)
                    out.append(take)
                    if need == 0:
                        need = -2  # the CRLF after the data
                    continue
                eol = buf.find(b"\r\n")
                if eol < 0:
                    if len(buf) > _MAX_HEAD:
                        raise TransportError("malformed chunked body")
                    break
                line = bytes(buf[:eol])
                del buf[: eol + 2]
                if need == -2:
                    if line:
                        raise TransportError("malformed chunk end")
                    need = -1
                    continue
                if need == -3:  # trailers until a blank line
                    if not line:
                        self._done = True
                        if out:
                            yield b"".join(out)
                        return
                    continue
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise TransportError("malformed chunk size") from None
                need = size if size > 0 else -3
            if out:
                yield b"".join(out)
            data = await self._read()
            if not data:
                raise TransportError(
                    "peer closed connection without sending complete message body")
            buf += data

    async def aread(self) -> bytes:
        """The whole body."""
        out = bytearray()
        async for chunk in self.aiter_bytes():
            out += chunk
        return bytes(out)

    async def aclose(self) -> None:
        """Release the connection (back to the pool when fully read and reusable)."""
        if self._closed:
            return
        self._closed = True
        if self._done and self._keep_alive:
            self._client._release(self._origin, self._conn)
        else:
            self._conn.close()


class Http1Client:
    """Keep-alive HTTP/1.1 connections per origin; `send` returns after the headers."""

    def __init__(self, *, max_idle_per_origin: int = 32) -> None:
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}
        self._max_idle = max_idle_per_origin
        self._ssl: ssl.SSLContext | None = None

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _release(self, origin: tuple[str, str, int], conn: _Conn) -> None:
        pool = self._idle.setdefault(origin, [])
        if len(pool) < self._max_idle and not conn.reader.at_eof():
            pool.append(conn)
        else:
            conn.close()

    async def _connect(self, origin: tuple[str, str, int], limit: float) -> _Conn:
        scheme, host, port = origin
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    host, port, ssl=self._ssl_context() if scheme == "https" else None,
                    limit=_MAX_HEAD),
                limit)
        except TimeoutError:
            raise ConnectError(f"connect to {host}:{port} timed out") from None
        except OSError as exc:
            raise ConnectError(str(exc) or type(exc).__name__) from None
        return _Conn(reader, writer)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]],
        content: bytes,
        params: dict[str, str] | None = None,
        connect_timeout: float,
        idle_timeout: float,
    ) -> Response:
        """Send a request; return the response once its head arrived."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ConnectError(f"unsupported URL: {url}")
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{port}"
        lines = [f"{method} {target} HTTP/1.1", f"host: {host}",
                 f"content-length: {len(content)}", "accept-encoding: identity"]
        lines += [f"{k}: {v}" for k, v in headers]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        # A pooled connection may have been closed by the server meanwhile:
        # retry once on a fresh one when nothing came back on a reused one.
        for reused in (True, False):
            pool = self._idle.get(origin) or []
            conn = pool.pop() if (reused and pool) else None
            if conn is None:
                if reused:
                    continue
                conn = await self._connect(origin, connect_timeout)
            try:
                conn.writer.write(head + content)
                await conn.writer.drain()
                return await self._read_head(conn, origin, url, idle_timeout)
            except TransportError as exc:
                conn.close()
                if reused and not isinstance(exc, ReadTimeout):
                    continue
                raise
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                if reused:
                    continue
                raise TransportError(str(exc) or type(exc).__name__) from None
        raise TransportError("unreachable")  # pragma: no cover

    async def _read_head(self, conn: _Conn, origin: tuple[str, str, int], url: str,
                         idle: float) -> Response:
        try:
            raw = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), idle)
        except TimeoutError:
            raise ReadTimeout(f"no response head within {idle:g}s") from None
        except asyncio.IncompleteReadError:
            raise TransportError("server closed the connection without a response") from None
        except asyncio.LimitOverrunError:
            raise TransportError("response head too large") from None
        head_lines = raw.decode("latin-1").split("\r\n")
        status_line = head_lines[0].split(" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith("HTTP/1."):
            raise TransportError(f"malformed status line: {head_lines[0][:80]!r}")
        try:
            status = int(status_line[1])
        except ValueError:
            raise TransportError(f"malformed status line: {head_lines[0][:80]!r}") from None
        items: list[tuple[str, str]] = []
        for line in head_lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if sep:
                items.append((name.strip(), value.strip()))
        headers = Headers(items)
        chunked = "chunked" in (headers.get("transfer-encoding") or "").lower()
        length_text = headers.get("content-length")
        length = None if chunked or length_text is None else int(length_text)
        keep_alive = (headers.get("connection") or "").lower() != "close" and (
            status_line[0] == "HTTP/1.1")
        return Response(status, headers, url, conn, self, origin, idle, length, chunked,
                        keep_alive, _done=(length == 0))

    async def aclose(self) -> None:
        """Close every pooled connection. Idempotent."""
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
        self._idle.clear()
