"""The notifications of a turn: addressing, ordering barrier and rate-limit fan-out."""

from __future__ import annotations

from pathlib import Path

from core_service.account.rate_limit_store import RateLimitStore
from core_service.hub import CallInfo, ConnKey
from core_service.threads.state import ActiveTurn
from core_service.turns.events import TurnEvents
from tests.unit.core_service.turns.support import CALL, RecordingHub, config, thread


def test_events_go_to_the_thread_after_the_turns_call(tmp_path: Path) -> None:
    """Every event names the thread and follows the call the turn follows now."""
    hub = RecordingHub()
    events, t = TurnEvents(hub, RateLimitStore()), thread(config(tmp_path))
    active = ActiveTurn(id="turn-1", after=CALL)
    events.text_delta(t, active, "m", "x")
    active.after = CallInfo(ConnKey("g1", "c9"), 3)
    events.summary_delta(t, active, "r", 1, "y")
    assert [(e.thread_id, e.after) for e in hub.emitted] == [
        (t.id, CALL), (t.id, active.after)]
    assert hub.emitted[0].params == {"threadId": t.id, "turnId": "turn-1", "itemId": "m",
                                     "delta": "x"}
    assert hub.emitted[1].params["summaryIndex"] == 1


def test_a_failed_turn_announces_its_error_before_completing(tmp_path: Path) -> None:
    """turn/completed of a failed turn is preceded by `error` (willRetry false); the
    turn is shown without its items."""
    hub = RecordingHub()
    events, t = TurnEvents(hub, RateLimitStore()), thread(config(tmp_path))
    active = ActiveTurn(id="turn-1")
    error = {"message": "boom", "codexErrorInfo": "other", "additionalDetails": None}
    events.turn_completed(t, active, {"id": "turn-1", "status": "failed", "error": error,
                                      "items": [{"type": "contextCompaction", "id": "i"}]})
    assert hub.methods() == ["error", "turn/completed"]
    assert hub.emitted[0].params == {"error": error, "willRetry": False, "threadId": t.id,
                                     "turnId": "turn-1"}
    assert hub.emitted[1].params["turn"]["items"] == []


def test_rate_limits_are_broadcast_only_when_they_change(tmp_path: Path) -> None:
    """A snapshot goes to everyone when it differs from the last one of its limit, to
    the thread's subscribers otherwise."""
    hub = RecordingHub()
    events, t = TurnEvents(hub, RateLimitStore()), thread(config(tmp_path))
    active = ActiveTurn(id="turn-1")
    snap = {"limitId": "codex", "limitName": None, "primary": None, "secondary": None,
            "credits": None, "planType": None}
    other = {**snap, "limitId": "other"}
    for s in (snap, snap, other, {**snap, "planType": "plus"}):
        events.rate_limits(t, active, s)  # type: ignore[arg-type]
    assert [(e.broadcast, e.thread_id) for e in hub.emitted] == [
        (True, None), (False, t.id), (True, None), (True, None)]


def test_token_usage_reports_the_context_window(tmp_path: Path) -> None:
    """thread/tokenUsage/updated carries totals, the last usage (the totals before
    any request) and the model's context window."""
    hub = RecordingHub()
    events, t = TurnEvents(hub, RateLimitStore()), thread(config(tmp_path, model="gpt-5.1-codex"))
    events.token_usage(t, ActiveTurn(id="turn-1"))
    usage = hub.of("thread/tokenUsage/updated")[0]["tokenUsage"]
    assert usage["last"] == usage["total"]
    assert isinstance(usage["modelContextWindow"], int)
