"""The core's one upstream HTTP client: the model, the ChatGPT backend, the OAuth issuer.

Built on aiohttp (measured against the hand-written HTTP/1.1 client it
replaced: within 10 % on the turn and streaming benches, no dearer per SSE
chunk; the figures are in docs/ARCHITECTURE.md).
What this module adds to the library is the policy every upstream request
shares:

- proxies from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` read
  as curl reads them (`proxy.py`; aiohttp's own `trust_env` reading differs):
  a CONNECT tunnel for https, absolute-form requests for http;
- TLS verification that honours `SSL_CERT_FILE` / `SSL_CERT_DIR` (`tls.py`);
- a connect timeout and an idle timeout (no bytes for that long ends a read,
  the wait for the response head included), never a total one: an SSE
  stream lasts as long as the model talks;
- the body as sent (`accept-encoding: identity`, no decompression), no
  library `User-Agent`: callers send the reference's headers;
- three failure classes (`ConnectError`, `ReadTimeout`, `TransportError`)
  whose texts the model's error messages quote.

The environment is read at each request (a dict lookup or two), so a test
or a host that changes it is obeyed without a new client.

aiohttp is imported where it is first used, not with this module: its import
costs ~150-200 ms (measured on this 2-core machine), which would more than
double the core's start-up; the core imports it in the background once it is
serving (`prewarm`, called by `server.run_core`).
"""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from core_service.upstream.proxy import proxy_for
from core_service.upstream.tls import tls_context

if TYPE_CHECKING:
    import aiohttp
    from multidict import CIMultiDictProxy

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_IDLE_TIMEOUT = 60.0


class TransportError(Exception):
    """The connection failed or broke."""


class ConnectError(TransportError):
    """The connection could not be opened (refused, unreachable, TLS refused, timed out)."""


class ReadTimeout(TransportError):
    """No bytes arrived within the idle timeout."""


class Headers:
    """Response headers: case-insensitive `get`, every pair in order."""

    def __init__(self, raw: CIMultiDictProxy[str]) -> None:
        self._raw = raw

    def get(self, name: str, default: str | None = None) -> str | None:
        """First value of a header (case-insensitive)."""
        return self._raw.get(name, default)

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, names lower-cased."""
        return [(k.lower(), v) for k, v in self._raw.items()]


class Response:
    """A response whose body is read lazily: stream it (`aiter_bytes`) or `aread` it."""

    def __init__(self, raw: aiohttp.ClientResponse, idle_timeout: float) -> None:
        self._raw = raw
        self._idle = idle_timeout
        self.status_code = raw.status
        self.headers = Headers(raw.headers)
        self.url = str(raw.url)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives (framing removed), one piece per network read."""
        import aiohttp  # deferred: see the module docstring

        try:
            async for piece in self._raw.content.iter_any():
                yield piece
        except TimeoutError:
            raise ReadTimeout(f"no data for {self._idle:g}s") from None
        except aiohttp.ClientPayloadError:
            raise TransportError(
                "peer closed connection without sending complete message body") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(_text(exc)) from None

    async def aread(self) -> bytes:
        """The whole body."""
        out = bytearray()
        async for piece in self.aiter_bytes():
            out += piece
        return bytes(out)

    async def aclose(self) -> None:
        """Release the connection: back to the pool when the body was read to its end,
        closed otherwise (an unread stream must stop now). Idempotent."""
        if self._raw.content.at_eof():
            self._raw.release()
        else:
            self._raw.close()


@dataclass(frozen=True)
class Reply:
    """A whole response: status, headers and body (form and JSON requests)."""

    status_code: int
    headers: Headers
    body: bytes

    def text(self) -> str:
        """The body as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


class UpstreamClient:
    """Keep-alive connections to every upstream origin; one per process is enough.

    `env` is where proxy and certificate variables are read (default: the
    live `os.environ`). The session is created on first use, inside the
    running loop, and closed by `aclose`.
    """

    def __init__(self, *, env: Mapping[str, str] | None = None) -> None:
        self._env: Mapping[str, str] = os.environ if env is None else env
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        import aiohttp  # deferred: see the module docstring

        if self._session is None:
            # limit=0: concurrency is bounded by the turns that send requests, as
            # before; a pool bound would queue a turn's request behind others.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                trust_env=False, auto_decompress=False,
                skip_auto_headers=("User-Agent", "Content-Type"))
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]],
        content: bytes,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> Response:
        """Send a request; return the response once its head arrived (body unread)."""
        import aiohttp  # deferred: see the module docstring

        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ConnectError(f"unsupported URL: {url}")
        sent = [("accept-encoding", "identity"), *headers]
        proxy = proxy_for(url, self._env)
        proxy_url = proxy_headers = None
        if proxy is not None:
            proxy_url = f"http://{_host(proxy.host)}:{proxy.port}"
            if proxy.authorization is not None:
                proxy_headers = {"Proxy-Authorization": proxy.authorization}
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=idle_timeout)
        ssl = tls_context(self._env) if parts.scheme.lower() == "https" else True
        # A pooled connection the server closed meanwhile fails the write or
        # answers nothing: one retry on another connection (aiohttp retries
        # only idempotent methods; a connect failure is not retried here).
        for last in (False, True):
            try:
                raw = await self._client().request(
                    method, url, data=content, headers=sent, timeout=timeout, ssl=ssl,
                    proxy=proxy_url, proxy_headers=proxy_headers, allow_redirects=False)
            except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
                raise ConnectError(_connect_text(exc, parts.hostname, connect_timeout)) from None
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if last:
                    raise TransportError(_text(exc)) from None
                continue
            except TimeoutError:
                raise ReadTimeout(f"no response head within {idle_timeout:g}s") from None
            except aiohttp.ClientResponseError as exc:  # a refused CONNECT, a bad head
                raise ConnectError(f"{exc.status} {exc.message}".strip()) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise TransportError(_text(exc)) from None
            return Response(raw, idle_timeout)
        raise TransportError("unreachable")  # pragma: no cover

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        form: Mapping[str, str] | None = None,
        json: Any = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> Reply:
        """A request with a form (`application/x-www-form-urlencoded`) or JSON body,
        read whole. Neither given: an empty body."""
        sent = [("accept", "application/json"), *headers]
        content = b""
        if form is not None:
            content = urlencode(form).encode("ascii")
            sent.append(("content-type", "application/x-www-form-urlencoded"))
        elif json is not None:
            content = jsonlib.dumps(json).encode("utf-8")
            sent.append(("content-type", "application/json"))
        response = await self.send(method, url, headers=sent, content=content,
                                   connect_timeout=connect_timeout, idle_timeout=idle_timeout)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        return Reply(response.status_code, response.headers, body)

    async def aclose(self) -> None:
        """Close every pooled connection. Idempotent."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _connect_text(exc: Exception, host: str, timeout: float) -> str:
    import aiohttp  # deferred: see the module docstring

    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return f"connect to {host} timed out after {timeout:g}s"
    return _text(exc)


def prewarm() -> None:
    """Import aiohttp now (blocking; run it in a worker thread once serving)."""
    import aiohttp  # noqa: F401 - the import is the point
