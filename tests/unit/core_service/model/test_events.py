"""core_service.model.events: one server-sent event of a Responses API stream to client events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core_service.model.errors import ModelError
from core_service.model.events import (
    Completed,
    OutputItemAdded,
    OutputItemDone,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ReasoningTextDelta,
    ResponseCreated,
    TextDelta,
    TokenUsage,
    from_sse,
)
from core_service.model.sse import SseEvent


def _events(payload: Any, name: str = "message") -> list[Any]:
    return list(from_sse(SseEvent(name, json.dumps(payload))))


def test_each_kind_maps_to_its_event() -> None:
    """Deltas, items, summary parts and the response lifecycle become typed events."""
    item = {"type": "message", "id": "m1"}
    assert _events({"type": "response.created", "response": {"id": "r"}}) == [
        ResponseCreated("r")]
    assert _events({"type": "response.output_item.added", "item": item}) == [
        OutputItemAdded(item)]
    assert _events({"type": "response.output_item.done", "item": item}) == [
        OutputItemDone(item)]
    assert _events({"type": "response.output_text.delta", "item_id": "m1", "delta": "d"}) == [
        TextDelta("m1", "d")]
    assert _events({"type": "response.reasoning_summary_part.added", "item_id": "r1",
                    "summary_index": 2}) == [ReasoningSummaryPartAdded("r1", 2)]
    assert _events({"type": "response.reasoning_summary_text.delta", "item_id": "r1",
                    "summary_index": 1, "delta": "s"}) == [ReasoningSummaryDelta("r1", 1, "s")]
    assert _events({"type": "response.reasoning_text.delta", "item_id": "r1",
                    "content_index": 0, "delta": "t"}) == [ReasoningTextDelta("r1", 0, "t")]


def test_completed_usage_and_its_defaults() -> None:
    """Usage details are read when present; the total defaults to input + output."""
    full = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 4},
            "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 2},
            "total_tokens": 16}
    assert _events({"type": "response.completed", "response": {"id": "r", "usage": full}}) == [
        Completed("r", TokenUsage(10, 4, 5, 2, 16))]
    partial = {"input_tokens": 3, "output_tokens": True}
    assert _events({"type": "response.completed", "response": {"usage": partial}}) == [
        Completed(None, TokenUsage(3, 0, 0, 0, 3))]


def test_event_name_is_the_kind_when_data_has_no_type() -> None:
    """Without a `type` in its data, the SSE `event:` name says what the event is."""
    assert _events({"item_id": "m", "delta": "x"}, "response.output_text.delta") == [
        TextDelta("m", "x")]


def test_unknown_undecodable_and_malformed_events_yield_nothing() -> None:
    """Unknown kinds, non-JSON data, non-object JSON and items that are not objects are
    skipped, as the reference skips them."""
    assert _events({"type": "response.in_progress"}) == []
    assert list(from_sse(SseEvent("message", "not json"))) == []
    assert _events([1, 2]) == []
    assert _events({"type": "response.output_item.done", "item": "text"}) == []


def test_failed_and_incomplete_raise() -> None:
    """response.failed and response.incomplete end the request with a ModelError."""
    with pytest.raises(ModelError, match="Quota exceeded"):
        _events({"type": "response.failed",
                 "response": {"error": {"code": "insufficient_quota"}}})
    with pytest.raises(ModelError, match="reason: content_filter"):
        _events({"type": "response.incomplete",
                 "response": {"incomplete_details": {"reason": "content_filter"}}})
