"""A turn's one end: completed, interrupted or failed, persisted and announced."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from core_service.account.rate_limit_store import RateLimitStore
from core_service.model.errors import ModelError
from core_service.turns.events import TurnEvents
from core_service.turns.lifecycle import open_turn, run_turn, turn_error
from tests.unit.core_service.turns.support import CALL, RecordingHub, config, thread


def test_opening_a_turn_makes_it_active(tmp_path: Path) -> None:
    """A new turn is the thread's active one, in progress, following `call`; the
    history length before it is marked for rollback."""
    t = thread(config(tmp_path))
    t.history = [{"type": "message"}]
    active, turn = open_turn(t, CALL)
    assert t.active is active and active.after == CALL and turn["id"] == active.id
    assert t.turns == [turn] and turn["status"] == "inProgress"
    assert t.history_marks == [1]


def test_turn_errors() -> None:
    """A ModelError keeps its message and info; anything else is an internal error."""
    assert turn_error(ModelError("m", "unauthorized", "d")) == {
        "message": "m", "codexErrorInfo": "unauthorized", "additionalDetails": "d"}
    assert turn_error(KeyError("k")) == {
        "message": "internal error: 'k'", "codexErrorInfo": "other", "additionalDetails": None}


async def _end(tmp_path: Path, work: object, notice: bool = True) -> tuple[object, RecordingHub]:
    hub = RecordingHub()
    t = thread(config(tmp_path))
    active, turn = open_turn(t, None)
    await run_turn(TurnEvents(hub, RateLimitStore()), t, active, turn, work,  # type: ignore[arg-type]
                   notice_on_interrupt=notice)
    assert t.active is None and active.done.is_set() and t.idle_since is not None
    return t, hub


async def test_a_turn_whose_work_returns_completes(tmp_path: Path) -> None:
    """Work that returns ends the turn `completed`, recorded and flushed."""
    async def work() -> None:
        return None
    t, hub = await _end(tmp_path, work())
    assert t.turns[0]["status"] == "completed"  # type: ignore[attr-defined]
    assert hub.methods() == ["turn/completed"]
    assert t.recorder.kinds() == ["event_msg:turn_completed"]  # type: ignore[attr-defined]
    assert t.recorder.flushes == 1  # type: ignore[attr-defined]


async def test_a_cancelled_turn_is_interrupted(tmp_path: Path) -> None:
    """Cancelled work ends the turn `interrupted`; the notice is asked for when wanted."""
    async def work() -> None:
        raise asyncio.CancelledError
    t, _ = await _end(tmp_path, work())
    assert t.turns[0]["status"] == "interrupted" and t.abort_notice  # type: ignore[attr-defined]
    t, _ = await _end(tmp_path, work(), notice=False)
    assert not t.abort_notice  # type: ignore[attr-defined]


async def test_any_exception_fails_the_turn(tmp_path: Path) -> None:
    """Work raising anything ends the turn `failed` with its error, announced first."""
    async def work() -> None:
        raise ValueError("bad")
    t, hub = await _end(tmp_path, work())
    assert t.turns[0]["status"] == "failed"  # type: ignore[attr-defined]
    assert t.turns[0]["error"]["message"] == "internal error: bad"  # type: ignore[attr-defined]
    assert hub.methods() == ["error", "turn/completed"]


async def test_a_usage_limit_error_announces_the_limit_first(tmp_path: Path) -> None:
    """A ModelError carrying a rate-limit snapshot reports it before the error."""
    snapshot: Any = {"limitId": "codex_other", "limitName": None, "primary": None,
                     "secondary": None, "credits": None, "planType": "plus"}

    async def work() -> None:
        raise ModelError("limit", "usageLimitExceeded", rate_limits=snapshot)
    _, hub = await _end(tmp_path, work())
    assert hub.methods() == ["account/rateLimits/updated", "error", "turn/completed"]
    assert hub.of("account/rateLimits/updated")[0]["rateLimits"] == snapshot
