"""What a model stream yields to the agent loop, and how Responses API events map to it.

`from_sse` turns one server-sent event of `POST /responses` into zero or
more `ModelEvent`s (unknown kinds are ignored, as the reference ignores
them); `response.failed` and `response.incomplete` raise `ModelError`. The
client adds the events that come from the response head (`RateLimits`,
`ModelRerouted`) and from its own retries (`StreamRetry`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from app_server_protocol import codec
from app_server_protocol.wire_types import RateLimitSnapshot
from core_service.model.errors import failed_error, incomplete_error
from core_service.model.sse import SseEvent

log = logging.getLogger(__name__)

# A Responses API output item (message, reasoning, function call, ...) as JSON.
ResponseItem: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class ResponseCreated:
    """`response.created`: the upstream accepted the request."""

    response_id: str | None


@dataclass(frozen=True)
class RateLimits:
    """Rate-limit snapshots from the response headers (never empty; default family first)."""

    snapshots: list[RateLimitSnapshot]


@dataclass(frozen=True)
class ModelRerouted:
    """The `openai-model` response header names another model than the one requested."""

    from_model: str
    to_model: str


@dataclass(frozen=True)
class OutputItemAdded:
    """`response.output_item.added`: an output item (message, reasoning, call) begins."""

    item: ResponseItem


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

    item: ResponseItem


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


def from_sse(sse: SseEvent) -> Iterator[ModelEvent]:
    """The events of one SSE event (its JSON `type`, else its `event:` name, picks the kind).

    Undecodable data is skipped (logged at debug level); `response.failed`
    and `response.incomplete` raise `ModelError`.
    """
    try:
        event = codec.loads(sse.data)
    except ValueError:
        log.debug("skipping undecodable SSE data: %.200s", sse.data)
        return
    if isinstance(event, dict):
        yield from _translate(str(event.get("type") or sse.event), event)


def _translate(kind: str, event: dict[str, Any]) -> Iterator[ModelEvent]:
    if kind == "response.output_text.delta":
        yield TextDelta(_str(event.get("item_id")), _str(event.get("delta")))
    elif kind in ("response.output_item.added", "response.output_item.done"):
        item = event.get("item")
        if isinstance(item, dict):
            done = kind == "response.output_item.done"
            yield OutputItemDone(item) if done else OutputItemAdded(item)
    elif kind == "response.reasoning_summary_part.added":
        yield ReasoningSummaryPartAdded(
            _str(event.get("item_id")), _int(event.get("summary_index"))
        )
    elif kind == "response.reasoning_summary_text.delta":
        yield ReasoningSummaryDelta(
            _str(event.get("item_id")), _int(event.get("summary_index")),
            _str(event.get("delta")),
        )
    elif kind == "response.reasoning_text.delta":
        yield ReasoningTextDelta(
            _str(event.get("item_id")), _int(event.get("content_index")),
            _str(event.get("delta")),
        )
    elif kind in ("response.created", "response.completed", "response.failed",
                  "response.incomplete"):
        resp = event.get("response")
        yield from _response_event(kind, resp if isinstance(resp, dict) else {})


def _response_event(kind: str, resp: dict[str, Any]) -> Iterator[ModelEvent]:
    response_id = resp.get("id")
    response_id = response_id if isinstance(response_id, str) else None
    if kind == "response.created":
        yield ResponseCreated(response_id)
    elif kind == "response.completed":
        yield Completed(response_id, _usage(resp.get("usage")))
    elif kind == "response.failed":
        error = resp.get("error")
        raise failed_error(error if isinstance(error, dict) else {})
    else:
        details = resp.get("incomplete_details")
        raise incomplete_error(details.get("reason") if isinstance(details, dict) else None)


def _usage(raw: object) -> TokenUsage:
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


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(value: object) -> str:
    return str(value or "")
