"""How a failed model request is reported: `ModelError` and the reference's texts.

Clients match on these messages and on the `codexErrorInfo` value, so every
text here is the reference's, word for word. The functions map one upstream
failure (an HTTP status with its body, a `response.failed` error object, a
429 usage-limit body) to the error the turn reports; retry decisions belong
to the client.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeAlias

from app_server_protocol.wire_types import RateLimitSnapshot
from core_service.account.rate_limits import (
    DEFAULT_LIMIT_ID,
    active_limit_snapshot,
    has_rate_limit_headers,
)
from core_service.upstream import http as upstream

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
# A promotion the upstream sends with a usage-limit 429; it replaces the plan's text.
PROMO_HEADER = "x-codex-promo-message"
_CREDITS_URL = "https://chatgpt.com/codex/settings/usage"
# How each plan gets more usage, as the reference's usage-limit message says it
# (plans not listed only get the reset time).
_PLAN_WAYS = {
    "plus": f"Upgrade to Pro (https://chatgpt.com/explore/pro), visit {_CREDITS_URL} "
            "to purchase more credits or ",
    "pro": f"Visit {_CREDITS_URL} to purchase more credits or ",
    "free": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or ",
    "go": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or ",
    "team": "To get more access now, send a request to your admin or ",
    "business": "To get more access now, send a request to your admin or ",
}
REASON_CLOSED = f"{STREAM_DISCONNECTED}: stream closed before response.completed"
REASON_IDLE = f"{STREAM_DISCONNECTED}: idle timeout waiting for SSE"

# The `codexErrorInfo` JSON value: a bare kind ("internalServerError") or a
# one-key object ({"responseStreamDisconnected": {"httpStatusCode": None}}).
ErrorInfo: TypeAlias = str | dict[str, dict[str, int | None]]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ModelError(Exception):
    """A failed model request, as the turn reports it.

    `info` is the `codexErrorInfo` JSON value (a string such as
    "internalServerError" or a dict such as
    {"responseStreamDisconnected": {"httpStatusCode": None}}); `rate_limits`
    is the snapshot to announce first (429 usage-limit errors only);
    `retryable` says the request may be repeated like a broken stream (a
    `response.failed` of no known kind), the message then being the
    retry's reason.
    """

    def __init__(
        self,
        message: str,
        info: ErrorInfo = "other",
        additional_details: str | None = None,
        rate_limits: RateLimitSnapshot | None = None,
        *,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.info = info
        self.additional_details = additional_details
        self.rate_limits = rate_limits
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"ModelError({self.message!r}, info={self.info!r})"


def stream_disconnected(reason: str) -> ModelError:
    """The error of a stream that broke more often than the provider allows retries."""
    return ModelError(reason, {"responseStreamDisconnected": {"httpStatusCode": None}})


def connection_failed(exc: Exception, url: str) -> ModelError:
    """The error of a request that never got a response (after its retries)."""
    return ModelError(
        f"Connection failed: {describe_transport_error(exc)} ({url})",
        {"httpConnectionFailed": {"httpStatusCode": None}},
    )


def describe_transport_error(exc: Exception) -> str:
    """A transport failure in the words of the reference's error texts."""
    text = str(exc)
    if isinstance(exc, upstream.ConnectError):
        return f"error connecting to the model provider: {text or 'connection refused'}"
    if isinstance(exc, upstream.ReadTimeout):
        return f"timed out ({type(exc).__name__})"
    return text or type(exc).__name__


def status_error(status: int, text: str, url: str, *, request_id: str | None) -> ModelError:
    """The error of a final non-2xx answer (no retry left, or not retryable).

    `text` is the response body. As the reference words them: 500 is high
    demand, 400 the raw body, 429 the retry limit (whatever the retry
    budget), anything else the status with the body's message.
    """
    suffix = f", request id: {request_id}" if request_id else ""
    if status == 500:
        return ModelError(MSG_INTERNAL_SERVER_ERROR, "internalServerError")
    if status == 429:
        return ModelError(f"exceeded retry limit, last status: {_status_line(status)}{suffix}",
                          {"responseTooManyFailedAttempts": {"httpStatusCode": status}})
    if status == 400:
        return ModelError(text)
    message = _error_message(error_object(text), text)
    return ModelError(f"unexpected status {_status_line(status)}: {message}, url: {url}{suffix}")


def failed_error(error: Mapping[str, Any]) -> ModelError:
    """The error of a `response.failed` event, from its `response.error` object.

    Known codes have their own text and are final; `invalid_prompt` shows
    the upstream's message and is final; any other failure is a broken
    stream with the upstream's message: retried within the provider's
    stream retries, then final with `codexErrorInfo` "other" (probed).
    """
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
    text = message if isinstance(message, str) else ""
    if code == "invalid_prompt":
        return ModelError(text)
    return ModelError(f"{STREAM_DISCONNECTED}: {text}", retryable=True)


def incomplete_error(reason: object) -> ModelError:
    """The error of a `response.incomplete` event with its `incomplete_details.reason`."""
    return ModelError(f"Incomplete response returned, reason: {reason or 'unknown'}")


def error_object(text: str) -> dict[str, Any]:
    """The `error` object of a JSON error body ({} when there is none)."""
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def usage_limit_error(
    error: Mapping[str, Any], headers: Iterable[tuple[str, str]]
) -> ModelError | None:
    """The usage-limit error of a 429 body, or None for a plain (retryable) 429.

    The exhausted bucket is the one `x-codex-active-limit` names; a named
    bucket other than `codex` gets its own sentence, the default one the
    promotion of `x-codex-promo-message` or the plan's way to more usage.
    Only `resets_at` gives a reset time (the reference ignores
    `resets_in_seconds`).
    """
    # Only `type` names a usage limit (a `code` of the same value is a plain 429: probed).
    kind = error.get("type")
    if kind == "usage_not_included":
        return ModelError(MSG_USAGE_NOT_INCLUDED, "usageLimitExceeded")
    if kind != "usage_limit_reached":
        return None
    pairs = list(headers)
    snapshot = active_limit_snapshot(pairs)
    reported = snapshot if has_rate_limit_headers(pairs) else None
    resets_at = error.get("resets_at")
    if isinstance(resets_at, int | float) and not isinstance(resets_at, bool):
        when = f"try again at {format_reset_time(resets_at)}."
    else:
        when = "try again later."
    name = snapshot["limitName"]
    if snapshot["limitId"] != DEFAULT_LIMIT_ID and name:
        message = f"You've hit your usage limit for {name}. Switch to another model now, or {when}"
    else:
        promo = _header(pairs, PROMO_HEADER)
        plan = error.get("plan_type")
        way = f"{promo}, or " if promo else _PLAN_WAYS.get(plan if isinstance(plan, str) else "")
        message = f"You've hit your usage limit. {way}{when}" if way else \
            f"You've hit your usage limit. {when[0].upper()}{when[1:]}"
    return ModelError(message, "usageLimitExceeded", rate_limits=reported)


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name and value.strip():
            return value.strip()
    return None


def format_reset_time(timestamp: float, tz: dt.tzinfo | None = None) -> str:
    """A reset time as the reference writes it: "Mar 17th, 2030 6:46 PM" (local time).

    English month names and AM/PM are spelled out here so the C locale or any
    other never changes the text clients match on.
    """
    when = dt.datetime.fromtimestamp(timestamp, tz=tz)
    day = when.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    hour = when.hour % 12 or 12
    meridiem = "AM" if when.hour < 12 else "PM"
    month = _MONTHS[when.month - 1]
    return f"{month} {day}{suffix}, {when.year} {hour}:{when.minute:02d} {meridiem}"


def _error_message(error: Mapping[str, Any], text: str) -> str:
    message = error.get("message")
    return message if isinstance(message, str) and message else text


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
