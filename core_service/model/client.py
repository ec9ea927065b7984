"""The core's client of the OpenAI Responses API (`POST {base_url}/responses`, SSE).

One shared keep-alive HTTP/1.1 client (`http1`) serves every turn. `ModelClient.stream`
turns one model request into a sequence of typed events the agent loop
consumes (`TextDelta`, `OutputItemDone`, `Completed`, ...), and hides the
transport's failure modes behind two policies of the reference:

- request retries (`request_max_retries`): HTTP 5xx, non-usage 429 and
  connection failures are retried silently with exponential backoff; a 401 is
  answered by one call to the request's `auth_refresher` and one retry;
- stream retries (`stream_max_retries`): a stream that ends or stalls
  (idle timeout) before `response.completed` is re-requested, announced by a
  `StreamRetry` event so the loop can tell the client "Reconnecting... n/m".

Every failure that ends the request raises `ModelError`, whose message and
`info` (a `codexErrorInfo` JSON value) are the texts clients match on.

Callers should iterate with `contextlib.aclosing` (or let the task be
cancelled): closing the generator closes the HTTP stream at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import random
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol, TypeAlias
from urllib.parse import urlencode

from app_server_protocol import codec
from core_service.account.rate_limits import active_limit_snapshot, parse_rate_limit_headers
from core_service.model import http1

log = logging.getLogger(__name__)

# What the reference says for the failures it reports with a fixed text.
MSG_INTERNAL_SERVER_ERROR = (
    "We're currently experiencing high demand, which may cause temporary errors."
)
MSG_CONTEXT_WINDOW = (
    "Codex ran out of room in the model's context window. Start a new thread or clear "
    "earlier history before retrying."
)
MSG_QUOTA_EXCEEDED = "Quota exceeded. Check your plan and billing details."
MSG_SERVER_OVERLOADED = "Selected model is at capacity. Please try a different model."
MSG_USAGE_NOT_INCLUDED = (
    "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus."
)
STREAM_DISCONNECTED = "stream disconnected before completion"
REASON_CLOSED = f"{STREAM_DISCONNECTED}: stream closed before response.completed"
REASON_IDLE = f"{STREAM_DISCONNECTED}: idle timeout waiting for SSE"

# Defaults of the exponential backoff between retries (seconds).
DEFAULT_RETRY_BASE_DELAY = 0.2
_MAX_RETRY_DELAY = 10.0
_CONNECT_TIMEOUT = 10.0
# Largest SSE event the decoder buffers; a bigger one is a broken stream.
_MAX_EVENT_BYTES = 16 * 1024 * 1024
_EOL = re.compile(rb"\r\n|\r|\n")


# -- inputs -------------------------------------------------------------------------


class ProviderLike(Protocol):
    """What the client reads from a provider (`ProviderInfo` or the config's ProviderConfig)."""

    @property
    def base_url(self) -> str: ...
    @property
    def http_headers(self) -> Mapping[str, str]: ...
    @property
    def query_params(self) -> Mapping[str, str]: ...
    @property
    def request_max_retries(self) -> int: ...
    @property
    def stream_max_retries(self) -> int: ...
    @property
    def stream_idle_timeout_ms(self) -> int: ...


@dataclass
class ProviderInfo:
    """A model provider: where to send requests and how hard to retry."""

    name: str
    base_url: str
    env_key: str | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    query_params: dict[str, str] = field(default_factory=dict)
    request_max_retries: int = 4
    stream_max_retries: int = 5
    stream_idle_timeout_ms: int = 300_000
    requires_openai_auth: bool = False


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

    provider: ProviderLike
    body: dict[str, Any]
    headers: dict[str, str | None] = field(default_factory=dict)
    bearer: str | None = None
    auth_refresher: AuthRefresher | None = None
    base_url: str | None = None


# -- events -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCreated:
    """`response.created`: the upstream accepted the request."""

    response_id: str | None


@dataclass(frozen=True)
class RateLimits:
    """Rate-limit snapshots from the response headers (never empty; default family first)."""

    snapshots: list[dict[str, Any]]


@dataclass(frozen=True)
class ModelRerouted:
    """The `openai-model` response header names another model than the one requested."""

    from_model: str
    to_model: str


@dataclass(frozen=True)
class OutputItemAdded:
    """`response.output_item.added`: an output item (message, reasoning, call) begins."""

    item: dict[str, Any]


@dataclass(frozen=True)
class TextDelta:
    """`response.output_text.delta`: a piece of an assistant message."""

    item_id: str
    delta: str


@dataclass(frozen=True)
class ReasoningSummaryPartAdded:
    """`response.reasoning_summary_part.added`: a new reasoning summary part."""

    item_id: str
    summary_index: int


@dataclass(frozen=True)
class ReasoningSummaryDelta:
    """`response.reasoning_summary_text.delta`: a piece of a reasoning summary part."""

    item_id: str
    summary_index: int
    delta: str


@dataclass(frozen=True)
class ReasoningTextDelta:
    """`response.reasoning_text.delta`: a piece of raw reasoning content."""

    item_id: str
    content_index: int
    delta: str


@dataclass(frozen=True)
class OutputItemDone:
    """`response.output_item.done`: the complete output item."""

    item: dict[str, Any]


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of one response (`usage` of `response.completed`)."""

    input: int = 0
    cached_input: int = 0
    output: int = 0
    reasoning_output: int = 0
    total: int = 0


@dataclass(frozen=True)
class Completed:
    """`response.completed`: the response is over; the stream ends after this event."""

    response_id: str | None
    usage: TokenUsage


@dataclass(frozen=True)
class StreamRetry:
    """The stream broke before completion and is requested again (attempt of max_attempts)."""

    attempt: int
    max_attempts: int
    reason: str


ModelEvent: TypeAlias = (
    ResponseCreated
    | RateLimits
    | ModelRerouted
    | OutputItemAdded
    | TextDelta
    | ReasoningSummaryPartAdded
    | ReasoningSummaryDelta
    | ReasoningTextDelta
    | OutputItemDone
    | Completed
    | StreamRetry
)


class ModelError(Exception):
    """A failed model request, as the turn reports it.

    `info` is the `codexErrorInfo` JSON value (a string such as
    "internalServerError" or a dict such as
    {"responseStreamDisconnected": {"httpStatusCode": None}}); `rate_limits`
    is the snapshot to announce first (429 usage-limit errors only).
    """

    def __init__(
        self,
        message: str,
        info: Any = "other",
        additional_details: str | None = None,
        rate_limits: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.info = info
        self.additional_details = additional_details
        self.rate_limits = rate_limits

    def __repr__(self) -> str:
        return f"ModelError({self.message!r}, info={self.info!r})"


# -- SSE ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event: its `event:` name (default "message") and joined data."""

    event: str
    data: str


class SseDecoder:
    """Incremental `text/event-stream` decoder: bytes in, events out (no I/O).

    Follows the WHATWG rules: lines end in CRLF, LF or CR (also split across
    chunks); `:` lines are comments; `data:` lines of one event are joined
    with "\\n"; a blank line dispatches; an event without data is dropped.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF is its partner
        self._first = True
        self._event = ""
        self._data: list[str] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Consume `chunk`; return the events it completed."""
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        # What is left in the buffer holds no line end (complete lines are
        # consumed below), so only the new bytes need scanning: a long event
        # arriving in many chunks stays linear, not quadratic.
        scan_from = len(self._buf)
        self._buf += chunk
        out: list[SseEvent] = []
        start = 0
        for match in _EOL.finditer(self._buf, scan_from):
            ev = self._line(bytes(self._buf[start : match.start()]))
            if ev is not None:
                out.append(ev)
            start = match.end()
            if start == len(self._buf) and match.group() == b"\r":
                # A CR at the end of a chunk may be the first half of a CRLF.
                self._skip_lf = True
        del self._buf[:start]
        if len(self._buf) + self._size > _MAX_EVENT_BYTES:
            raise ValueError("SSE event too large")
        return out

    def flush(self) -> list[SseEvent]:
        """End of stream: dispatch a last event left without its blank line (lenient)."""
        out: list[SseEvent] = []
        if self._buf:
            ev = self._line(bytes(self._buf))
            self._buf.clear()
            if ev is not None:
                out.append(ev)
        ev = self._line(b"")
        if ev is not None:
            out.append(ev)
        return out

    def _line(self, raw: bytes) -> SseEvent | None:
        if self._first:
            self._first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        line = raw.decode("utf-8", errors="replace")
        if not line:
            if not self._data:
                self._event = ""
                return None
            ev = SseEvent(self._event or "message", "\n".join(self._data))
            self._event, self._data, self._size = "", [], 0
            return ev
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._size += len(value)
        elif name == "event":
            self._event = value
        # id / retry / unknown fields mean nothing to a Responses API stream.
        return None


# -- the client --------------------------------------------------------------------------


class _StreamBroken(Exception):
    """The SSE stream ended or stalled before `response.completed` (retryable)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelClient:
    """Streams Responses API requests over one shared HTTP/1.1 connection pool.

    `retry_base_delay` is the first backoff delay in seconds (doubled per
    attempt, with jitter); tests pass ~0.001.
    """

    def __init__(
        self,
        *,
        http: http1.Http1Client | None = None,
        retry_base_delay: float = DEFAULT_RETRY_BASE_DELAY,
    ) -> None:
        self._owns_http = http is None
        self._http = http or http1.Http1Client()
        self._retry_base_delay = retry_base_delay
        self._closed = False

    async def aclose(self) -> None:
        """Close the connection pool (only when this client created it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    async def stream(self, req: ModelRequest) -> AsyncGenerator[ModelEvent, None]:
        """Send `req` and yield its events until `Completed`; raise `ModelError` on failure."""
        max_stream = max(0, int(req.provider.stream_max_retries))
        headers = self._headers(req)
        broken = 0
        while True:
            try:
                # aclosing: leaving early must close this attempt's HTTP stream now, not at GC.
                async with aclosing(self._attempt(req, headers)) as events:
                    async for ev in events:
                        yield ev
                return
            except _StreamBroken as exc:
                broken += 1
                if broken > max_stream:
                    raise ModelError(
                        exc.reason, {"responseStreamDisconnected": {"httpStatusCode": None}}
                    ) from None
                log.info("model stream broke (%s); retry %d/%d", exc.reason, broken, max_stream)
                yield StreamRetry(broken, max_stream, exc.reason)
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
            idle = max(0.001, req.provider.stream_idle_timeout_ms / 1000)
            async with aclosing(self._sse(response, idle)) as stream:
                async for sse in stream:
                    event = _parse_data(sse)
                    if event is None:
                        continue
                    kind = event.get("type") or sse.event
                    for ev in _translate(kind, event):
                        yield ev
                        if isinstance(ev, Completed):
                            return
            raise _StreamBroken(REASON_CLOSED)
        finally:
            await response.aclose()

    async def _sse(
        self, response: http1.Response, idle: float
    ) -> AsyncGenerator[SseEvent, None]:
        """The response's SSE events; `_StreamBroken` on idle timeout or transport error."""
        # The idle timeout is the client's read timeout (set to `idle` in
        # `_open`): no bytes for that long raises ReadTimeout.
        decoder = SseDecoder()
        try:
            async for chunk in response.aiter_bytes():
                try:
                    events = decoder.feed(chunk)
                except ValueError as exc:
                    raise _StreamBroken(f"{STREAM_DISCONNECTED}: {exc}") from None
                for event in events:
                    yield event
        except http1.ReadTimeout:
            raise _StreamBroken(REASON_IDLE) from None
        except http1.TransportError as exc:
            raise _StreamBroken(f"{STREAM_DISCONNECTED}: {_describe(exc)}") from None
        for event in decoder.flush():
            yield event

    async def _open(self, req: ModelRequest, headers: dict[str, str]) -> http1.Response:
        """POST the request until a 2xx arrives; status errors become `ModelError`."""
        provider = req.provider
        base = (req.base_url or provider.base_url).rstrip("/")
        max_retries = max(0, int(provider.request_max_retries))
        content = codec.dumps(req.body)
        idle = max(0.001, provider.stream_idle_timeout_ms / 1000)
        connect = min(_CONNECT_TIMEOUT, max(idle, 1.0))
        attempt = 0
        refreshed = False
        params = dict(provider.query_params or {})
        url = f"{base}/responses"
        if params:
            url = f"{url}?{urlencode(params)}"
        while True:
            try:
                response = await self._http.send(
                    "POST", url, headers=list(headers.items()), content=content,
                    connect_timeout=connect, idle_timeout=idle)
            except http1.TransportError as exc:
                if attempt < max_retries:
                    attempt += 1
                    log.info("model request failed (%s); retry %d/%d", exc, attempt, max_retries)
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                raise ModelError(
                    f"Connection failed: {_describe(exc)} ({url})",
                    {"httpConnectionFailed": {"httpStatusCode": None}},
                ) from None
            if 200 <= response.status_code < 300:
                return response
            try:
                body = await response.aread()
            except http1.TransportError:
                body = b""
            finally:
                await response.aclose()
            status = response.status_code
            text = body.decode("utf-8", errors="replace")
            error = _error_object(text)

            if status == 401:
                if req.auth_refresher is not None and not refreshed:
                    refreshed = True
                    if await self._refresh(req.auth_refresher, headers):
                        continue
                raise ModelError(
                    f"unexpected status {_status_line(status)}: "
                    f"{_error_message(error, text)}, url: {url}"
                )
            if status == 429:
                usage_error = _usage_limit_error(error, response.headers)
                if usage_error is not None:
                    raise usage_error
            retryable = status == 429 or status >= 500 or status == 408
            if retryable and attempt < max_retries:
                attempt += 1
                log.info("model request got %d; retry %d/%d", status, attempt, max_retries)
                await asyncio.sleep(self._backoff(attempt))
                continue
            if status == 500:
                raise ModelError(MSG_INTERNAL_SERVER_ERROR, "internalServerError")
            if retryable:
                request_id = response.headers.get("x-request-id") or response.headers.get(
                    "x-oai-request-id"
                )
                message = f"exceeded retry limit, last status: {_status_line(status)}"
                if request_id:
                    message += f", request id: {request_id}"
                raise ModelError(
                    message, {"responseTooManyFailedAttempts": {"httpStatusCode": status}}
                )
            if status == 400:
                raise ModelError(text)
            raise ModelError(
                f"unexpected status {_status_line(status)}: {_error_message(error, text)}, "
                f"url: {url}"
            )

    async def _refresh(self, refresher: AuthRefresher, headers: dict[str, str]) -> bool:
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

    def _headers(self, req: ModelRequest) -> dict[str, str]:
        headers: dict[str, str] = {}
        provider = req.provider
        for name, value in (provider.http_headers or {}).items():
            headers[name.lower()] = value
        # ProviderConfig's env_http_headers: header -> environment variable.
        env_headers: Mapping[str, str] = getattr(provider, "env_http_headers", None) or {}
        for name, var in env_headers.items():
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

    def _backoff(self, attempt: int) -> float:
        delay = self._retry_base_delay * (2 ** max(0, attempt - 1))
        return min(_MAX_RETRY_DELAY, delay) * random.uniform(0.9, 1.1)


# -- translation helpers ------------------------------------------------------------------


def _parse_data(sse: SseEvent) -> dict[str, Any] | None:
    try:
        event = codec.loads(sse.data)
    except ValueError:
        log.debug("skipping undecodable SSE data: %.200s", sse.data)
        return None
    return event if isinstance(event, dict) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _translate(kind: str, event: dict[str, Any]) -> Iterator[ModelEvent]:
    """Map one Responses API event to client events (unknown kinds are ignored)."""
    if kind == "response.output_text.delta":
        yield TextDelta(str(event.get("item_id") or ""), str(event.get("delta") or ""))
    elif kind == "response.output_item.added":
        item = event.get("item")
        if isinstance(item, dict):
            yield OutputItemAdded(item)
    elif kind == "response.output_item.done":
        item = event.get("item")
        if isinstance(item, dict):
            yield OutputItemDone(item)
    elif kind == "response.reasoning_summary_part.added":
        yield ReasoningSummaryPartAdded(
            str(event.get("item_id") or ""), _int(event.get("summary_index"))
        )
    elif kind == "response.reasoning_summary_text.delta":
        yield ReasoningSummaryDelta(
            str(event.get("item_id") or ""),
            _int(event.get("summary_index")),
            str(event.get("delta") or ""),
        )
    elif kind == "response.reasoning_text.delta":
        yield ReasoningTextDelta(
            str(event.get("item_id") or ""),
            _int(event.get("content_index")),
            str(event.get("delta") or ""),
        )
    elif kind == "response.created":
        resp = event.get("response")
        yield ResponseCreated(resp.get("id") if isinstance(resp, dict) else None)
    elif kind == "response.completed":
        resp = event.get("response")
        resp = resp if isinstance(resp, dict) else {}
        yield Completed(resp.get("id"), _usage(resp.get("usage")))
    elif kind == "response.failed":
        resp = event.get("response")
        error = resp.get("error") if isinstance(resp, dict) else None
        raise _failed_error(error if isinstance(error, dict) else {})
    elif kind == "response.incomplete":
        resp = event.get("response")
        details = resp.get("incomplete_details") if isinstance(resp, dict) else None
        reason = details.get("reason") if isinstance(details, dict) else None
        raise ModelError(f"Incomplete response returned, reason: {reason or 'unknown'}")


def _usage(raw: Any) -> TokenUsage:
    if not isinstance(raw, dict):
        return TokenUsage()
    in_details = raw.get("input_tokens_details")
    out_details = raw.get("output_tokens_details")
    usage_in = _int(raw.get("input_tokens"))
    usage_out = _int(raw.get("output_tokens"))
    total = raw.get("total_tokens")
    return TokenUsage(
        input=usage_in,
        cached_input=_int(in_details.get("cached_tokens")) if isinstance(in_details, dict) else 0,
        output=usage_out,
        reasoning_output=(
            _int(out_details.get("reasoning_tokens")) if isinstance(out_details, dict) else 0
        ),
        total=_int(total) if isinstance(total, int) else usage_in + usage_out,
    )


def _failed_error(error: dict[str, Any]) -> ModelError:
    code = error.get("code")
    message = error.get("message")
    if code == "context_length_exceeded":
        return ModelError(MSG_CONTEXT_WINDOW, "contextWindowExceeded")
    if code == "insufficient_quota":
        return ModelError(MSG_QUOTA_EXCEEDED, "usageLimitExceeded")
    if code == "usage_not_included":
        return ModelError(MSG_USAGE_NOT_INCLUDED, "usageLimitExceeded")
    if code in ("server_is_overloaded", "slow_down"):
        return ModelError(MSG_SERVER_OVERLOADED, "serverOverloaded")
    if isinstance(message, str) and message:
        return ModelError(message)
    return ModelError(f"response.failed: {code or 'unknown error'}")


def _error_object(text: str) -> dict[str, Any]:
    """The `error` object of a JSON error body ({} when there is none)."""
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error_message(error: dict[str, Any], text: str) -> str:
    message = error.get("message")
    return message if isinstance(message, str) and message else text


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _describe(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, http1.ConnectError):
        return f"error connecting to the model provider: {text or 'connection refused'}"
    if isinstance(exc, http1.ReadTimeout):
        return f"timed out ({type(exc).__name__})"
    return text or type(exc).__name__


def _usage_limit_error(error: dict[str, Any], headers: http1.Headers) -> ModelError | None:
    """The usage-limit error of a 429 body, or None for a plain (retryable) 429."""
    kind = error.get("type") or error.get("code")
    if kind == "usage_not_included":
        return ModelError(MSG_USAGE_NOT_INCLUDED, "usageLimitExceeded")
    if kind != "usage_limit_reached":
        return None
    snapshot = active_limit_snapshot(headers.multi_items())
    resets_at = error.get("resets_at")
    if not isinstance(resets_at, int | float) or isinstance(resets_at, bool):
        in_seconds = error.get("resets_in_seconds")
        resets_at = (
            dt.datetime.now().timestamp() + in_seconds
            if isinstance(in_seconds, int | float) and not isinstance(in_seconds, bool)
            else None
        )
    when = f"try again at {format_reset_time(resets_at)}." if resets_at else "try again later."
    if snapshot["limitId"] != "codex":
        name = snapshot["limitName"] or snapshot["limitId"]
        message = f"You've hit your usage limit for {name}. Switch to another model now, or {when}"
    else:
        message = f"You've hit your usage limit. {when[0].upper()}{when[1:]}"
    return ModelError(message, "usageLimitExceeded", rate_limits=snapshot)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_reset_time(timestamp: float, tz: dt.tzinfo | None = None) -> str:
    """A reset time as the reference writes it: "Mar 17th, 2030 6:46 PM" (local time).

    English month names and AM/PM are spelled out here so the C locale or any
    other never changes the text clients match on.
    """
    when = dt.datetime.fromtimestamp(timestamp, tz=tz) if tz else dt.datetime.fromtimestamp(
        timestamp
    )
    day = when.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    hour = when.hour % 12 or 12
    meridiem = "AM" if when.hour < 12 else "PM"
    month = _MONTHS[when.month - 1]
    return f"{month} {day}{suffix}, {when.year} {hour}:{when.minute:02d} {meridiem}"
