"""The core's client of the OpenAI Responses API (`POST {base_url}/responses`, SSE).

One shared upstream client (`core_service.upstream.http`) serves every turn. `ModelClient.stream`
turns one model request into a sequence of typed events the agent loop
consumes (`events`), and hides the transport's failure modes behind two
policies of the reference:

- request retries (`request_max_retries`): HTTP 5xx, non-usage 429 and
  connection failures are retried silently with exponential backoff; a 401 is
  answered by one call to the request's `auth_refresher` and one retry;
- stream retries (`stream_max_retries`): a stream that ends or stalls
  (idle timeout) before `response.completed` is re-requested, announced by a
  `StreamRetry` event so the loop can tell the client "Reconnecting... n/m".

Every failure that ends the request raises `ModelError` (`errors`), whose
message and `info` (a `codexErrorInfo` JSON value) are the texts clients
match on.

Callers should iterate with `contextlib.aclosing` (or let the task be
cancelled): closing the generator closes the HTTP stream at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import urlencode

from app_server_protocol import codec
from core_service import telemetry
from core_service.account.rate_limits import parse_rate_limit_headers
from core_service.config.schema import ProviderConfig
from core_service.model.errors import (
    REASON_CLOSED,
    REASON_IDLE,
    STREAM_DISCONNECTED,
    ModelError,
    connection_failed,
    describe_transport_error,
    error_object,
    status_error,
    stream_disconnected,
    usage_limit_error,
)
from core_service.model.events import (
    Completed,
    ModelEvent,
    ModelRerouted,
    RateLimits,
    StreamRetry,
    from_sse,
)
from core_service.model.sse import SseDecoder, SseEvent
from core_service.upstream import http as upstream

log = logging.getLogger(__name__)

# Defaults of the exponential backoff between retries (seconds).
DEFAULT_RETRY_BASE_DELAY = 0.2
_MAX_RETRY_DELAY = 10.0
_CONNECT_TIMEOUT = 10.0

# A refresher returns the new bearer token, or a header mapping to merge into
# the request (e.g. authorization + chatgpt-account-id; a None value removes a
# header), or None when no new credentials can be had.
AuthRefreshResult: TypeAlias = str | Mapping[str, str | None] | None
AuthRefresher: TypeAlias = Callable[[], Awaitable[AuthRefreshResult]]


@dataclass
class ModelRequest:
    """One sampling request: provider, JSON body, extra headers, credentials.

    `headers` are sent as given (a None value is omitted); `bearer`, when set,
    becomes `authorization: Bearer <bearer>`. `base_url` overrides the
    provider's (ChatGPT sign-in routes the built-in provider elsewhere).
    """

    provider: ProviderConfig
    body: dict[str, Any]
    # Credentials travel here: never in a repr (a logged request must not show them).
    headers: dict[str, str | None] = field(default_factory=dict, repr=False)
    bearer: str | None = field(default=None, repr=False)
    auth_refresher: AuthRefresher | None = None
    base_url: str | None = None


class _StreamBroken(Exception):
    """The SSE stream ended or stalled before `response.completed` (retryable)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelClient:
    """Streams Responses API requests over one shared upstream connection pool.

    `retry_base_delay` is the first backoff delay in seconds (doubled per
    attempt, with jitter); tests pass ~0.001.
    """

    def __init__(
        self,
        *,
        http: upstream.UpstreamClient | None = None,
        retry_base_delay: float = DEFAULT_RETRY_BASE_DELAY,
    ) -> None:
        self._owns_http = http is None
        self._http = http or upstream.UpstreamClient()
        self._retry_base_delay = retry_base_delay
        self._closed = False

    async def aclose(self) -> None:
        """Close the connection pool (only when this client created it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    @telemetry.timed_model_stream
    async def stream(self, req: ModelRequest) -> AsyncGenerator[ModelEvent, None]:
        """Send `req` and yield its events until `Completed`; raise `ModelError` on failure."""
        max_stream = max(0, int(req.provider.stream_max_retries))
        headers = _headers(req)
        broken = 0
        while True:
            try:
                # aclosing: leaving early must close this attempt's HTTP stream now, not at GC.
                async with aclosing(self._attempt(req, headers)) as events:
                    async for ev in events:
                        yield ev
                return
            except (_StreamBroken, ModelError) as exc:
                # A response.failed of no known kind is retried like a broken
                # stream and, out of retries, reported as itself (the reference's way).
                if isinstance(exc, ModelError) and not exc.retryable:
                    raise
                reason = exc.reason if isinstance(exc, _StreamBroken) else exc.message
                broken += 1
                if broken > max_stream:
                    if isinstance(exc, ModelError):
                        raise
                    raise stream_disconnected(reason) from None
                log.info("model stream broke (%s); retry %d/%d", reason, broken, max_stream)
                yield StreamRetry(broken, max_stream, reason)
                await asyncio.sleep(self._backoff(broken))

    # -- one HTTP request --------------------------------------------------------------

    async def _attempt(
        self, req: ModelRequest, headers: dict[str, str]
    ) -> AsyncGenerator[ModelEvent, None]:
        response = await self._open(req, headers)
        try:
            yield RateLimits(parse_rate_limit_headers(response.headers.multi_items()))
            served = response.headers.get("openai-model")
            asked = req.body.get("model")
            if served and isinstance(asked, str) and served != asked:
                yield ModelRerouted(from_model=asked, to_model=served)
            async with aclosing(self._sse(response)) as stream:
                async for sse in stream:
                    for ev in from_sse(sse):
                        yield ev
                        if isinstance(ev, Completed):
                            return
            raise _StreamBroken(REASON_CLOSED)
        finally:
            await response.aclose()

    async def _sse(self, response: upstream.Response) -> AsyncGenerator[SseEvent, None]:
        """The response's SSE events; `_StreamBroken` on idle timeout or transport error."""
        # The idle timeout is the client's read timeout (set in `_open`): no
        # bytes for that long raises ReadTimeout.
        decoder = SseDecoder()
        try:
            async for chunk in response.aiter_bytes():
                try:
                    events = decoder.feed(chunk)
                except ValueError as exc:
                    raise _StreamBroken(f"{STREAM_DISCONNECTED}: {exc}") from None
                for event in events:
                    yield event
        except upstream.ReadTimeout:
            raise _StreamBroken(REASON_IDLE) from None
        except upstream.TransportError as exc:
            raise _StreamBroken(
                f"{STREAM_DISCONNECTED}: {describe_transport_error(exc)}"
            ) from None
        for event in decoder.flush():
            yield event

    async def _open(self, req: ModelRequest, headers: dict[str, str]) -> upstream.Response:
        """POST the request until a 2xx arrives; status errors become `ModelError`."""
        provider = req.provider
        max_retries = max(0, int(provider.request_max_retries))
        content = codec.dumps(req.body)
        idle = max(0.001, provider.stream_idle_timeout_ms / 1000)
        connect = min(_CONNECT_TIMEOUT, max(idle, 1.0))
        url = _url(req)
        attempt = 0
        refreshed = False
        while True:
            try:
                response = await self._http.send(
                    "POST", url, headers=list(headers.items()), content=content,
                    connect_timeout=connect, idle_timeout=idle)
            except upstream.TransportError as exc:
                if attempt < max_retries:
                    attempt += 1
                    log.info("model request failed (%s); retry %d/%d", exc, attempt, max_retries)
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                raise connection_failed(exc, url) from None
            if 200 <= response.status_code < 300:
                return response
            status, text = response.status_code, await _body_text(response)
            if status == 401 and req.auth_refresher is not None and not refreshed:
                refreshed = True
                if await _refresh(req.auth_refresher, headers):
                    continue
            if status == 429:
                usage_error = usage_limit_error(error_object(text), response.headers.multi_items())
                if usage_error is not None:
                    raise usage_error
            # A 429 is final at once: the reference does not retry it (probed).
            retryable = status == 408 or status >= 500
            if retryable and attempt < max_retries:
                attempt += 1
                log.info("model request got %d; retry %d/%d", status, attempt, max_retries)
                await asyncio.sleep(self._backoff(attempt))
                continue
            request_id = response.headers.get("x-request-id") or response.headers.get(
                "x-oai-request-id")
            raise status_error(status, text, url, request_id=request_id)

    def _backoff(self, attempt: int) -> float:
        delay = self._retry_base_delay * 2.0 ** max(0, attempt - 1)
        return min(_MAX_RETRY_DELAY, delay) * random.uniform(0.9, 1.1)


def _url(req: ModelRequest) -> str:
    base = (req.base_url or req.provider.base_url).rstrip("/")
    url = f"{base}/responses"
    params = dict(req.provider.query_params)
    return f"{url}?{urlencode(params)}" if params else url


async def _body_text(response: upstream.Response) -> str:
    """The body of an error response (empty when the transport fails), connection released."""
    try:
        body = await response.aread()
    except upstream.TransportError:
        body = b""
    finally:
        await response.aclose()
    return body.decode("utf-8", errors="replace")


async def _refresh(refresher: AuthRefresher, headers: dict[str, str]) -> bool:
    """Ask for new credentials after a 401; False when there are none."""
    try:
        result = await refresher()
    except ModelError:
        raise
    except Exception as exc:  # the refresher's own failure ends the turn, with its text
        raise ModelError(str(exc) or type(exc).__name__) from exc
    if result is None:
        return False
    if isinstance(result, str):
        headers["authorization"] = f"Bearer {result}"
        return True
    for name, value in result.items():
        key = name.lower()
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    return True


def _headers(req: ModelRequest) -> dict[str, str]:
    headers: dict[str, str] = {}
    provider = req.provider
    for name, value in provider.http_headers.items():
        headers[name.lower()] = value
    # env_http_headers: header name -> the environment variable holding its value.
    for name, var in provider.env_http_headers.items():
        env_value = os.environ.get(var)
        if env_value:
            headers[name.lower()] = env_value
    for name, opt in req.headers.items():
        if opt is not None:
            headers[name.lower()] = opt
    if req.bearer is not None:
        headers["authorization"] = f"Bearer {req.bearer}"
    headers["accept"] = "text/event-stream"
    headers["content-type"] = "application/json"
    return headers
