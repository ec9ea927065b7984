"""TurnService handlers: turn/start settings, turn/steer and turn/interrupt rules."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.account.rate_limit_store import RateLimitStore
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, ConnKey
from core_service.ids import uuid7
from core_service.store.store import Store
from core_service.threads.manager import ThreadManager
from core_service.threads.state import LoadedThread
from core_service.turns.api import TurnApi
from core_service.turns.runner import TurnRunner
from tests.unit.core_service.turns.support import (
    CALL,
    PAUSE,
    FakeModel,
    RecordingHub,
    completed,
    credentials,
    finished,
    text,
    thread,
    user_text,
)


class Setup:
    """A TurnApi over a real thread manager, a recording hub and a scripted model."""

    def __init__(self, tmp_path: Path, model: FakeModel) -> None:
        self.hub = RecordingHub(client_info={"name": "codex_vscode", "version": "1.2.3"})
        self.model = model
        self.manager = ThreadManager(self.hub, Store(tmp_path), ConfigSource(tmp_path, env={}))
        runner = TurnRunner(self.hub, model, credentials(tmp_path), RateLimitStore())
        self.api = TurnApi(self.manager, runner, self.hub)

    def load(self) -> LoadedThread:
        """A loaded thread using the manager's base config object itself."""
        t = thread(self.manager.configs.config, thread_id=uuid7())
        self.manager.loaded[t.id] = t
        return t


def _start(t: LoadedThread, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "threadId": t.id, "input": [user_text("hi")], "cwd": None, "approvalPolicy": None,
        "sandboxPolicy": None, "model": None, "effort": None, "summary": None,
        "personality": None, "outputSchema": None,
    }
    params.update(extra)
    return params


async def test_start_answers_with_the_turn_in_progress(tmp_path: Path) -> None:
    """turn/start answers at once with the new turn; its events follow the call."""
    s = Setup(tmp_path, FakeModel([*text("m", "ok"), completed()]))
    t = s.load()
    response = await s.api.start(_start(t), CALL)  # type: ignore[arg-type]
    assert response["turn"]["status"] == "inProgress"
    assert response["turn"]["id"] == t.turns[0]["id"]
    await finished(t)
    assert all(e.after == CALL for e in s.hub.emitted)
    assert s.model.requests[0].headers["originator"] == "codex_vscode"


async def test_effort_and_summary_do_not_leak_into_other_threads(tmp_path: Path) -> None:
    """turn/start with effort/summary gives its thread a new Config: a thread that
    shared the old one, and one started afterwards, keep their own settings."""
    s = Setup(tmp_path, FakeModel([*text("m", "ok"), completed()]))
    base = s.manager.configs.config
    first, other = s.load(), s.load()
    await s.api.start(_start(first, effort="high", summary="detailed"), None)  # type: ignore[arg-type]
    await finished(first)
    assert s.model.requests[0].body["reasoning"] == {"effort": "high", "summary": "detailed"}
    assert first.config.model_reasoning_effort == "high"
    assert first.config is not base
    later = s.load()
    for t in (other, later):
        assert t.config.model_reasoning_effort is None
        assert t.config.model_reasoning_summary is None


async def test_settings_stick_to_the_thread(tmp_path: Path) -> None:
    """model, cwd and sandboxPolicy given to turn/start stay for the next turns."""
    s = Setup(tmp_path, FakeModel([*text("m", "a"), completed()], [*text("m", "b"), completed()]))
    t = s.load()
    policy = {"type": "dangerFullAccess"}
    await s.api.start(  # type: ignore[arg-type]
        _start(t, model="gpt-5.1", cwd="/elsewhere", sandboxPolicy=policy), None)
    await finished(t)
    await s.api.start(_start(t), None)  # type: ignore[arg-type]
    await finished(t)
    assert [r.body["model"] for r in s.model.requests] == ["gpt-5.1", "gpt-5.1"]
    assert t.meta["cwd"] == "/elsewhere" and t.meta["sandbox"] == policy
    assert '"sandbox":"none"' in (s.model.requests[1].headers["x-codex-turn-metadata"] or "")


async def test_a_start_while_a_turn_runs_joins_it(tmp_path: Path) -> None:
    """A second turn/start on a busy thread is answered as the reference answers it:
    a new turn id, announced by turn/started after the response, never completed;
    its input joins the running turn, whose next model request carries it."""
    s = Setup(tmp_path, FakeModel([PAUSE, *text("m1", "one"), completed(),
                                   *text("m2", "two"), completed()]))
    t = s.load()
    first = (await s.api.start(_start(t), CALL))["turn"]  # type: ignore[arg-type]
    second = (await s.api.start(  # type: ignore[arg-type]
        _start(t, input=[user_text("and this")]), CALL))["turn"]
    assert second["id"] != first["id"] and second["status"] == "inProgress"
    assert [e.params["turn"]["id"] for e in s.hub.emitted
            if e.method == "turn/started" and e.after == CALL][-1] == second["id"]
    s.model.release.set()
    await finished(t)
    assert [turn["id"] for turn in t.turns] == [first["id"]]
    completed_ids = [p["turn"]["id"] for p in s.hub.of("turn/completed")]
    assert completed_ids == [first["id"]]
    last_input = s.model.requests[-1].body["input"]
    assert last_input[-1]["content"][0]["text"] == "and this"


async def test_steer_checks_the_turn_and_the_input(tmp_path: Path) -> None:
    """turn/steer needs a running turn, the expected turn id and some input."""
    s = Setup(tmp_path, FakeModel([PAUSE, completed()]))
    t = s.load()
    steer = {"threadId": t.id, "input": [user_text("more")], "expectedTurnId": ""}
    with pytest.raises(ProtocolError, match="no active turn to steer"):
        await s.api.steer(steer, None)  # type: ignore[arg-type]
    # Empty input is refused first, turn or not (the reference's order).
    with pytest.raises(ProtocolError, match="input must not be empty"):
        await s.api.steer({**steer, "input": []}, None)  # type: ignore[arg-type]
    turn_id = (await s.api.start(_start(t), None))["turn"]["id"]  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="expected active turn id `other`"):
        await s.api.steer({**steer, "expectedTurnId": "other"}, None)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="input must not be empty"):
        await s.api.steer({**steer, "input": []}, None)  # type: ignore[arg-type]
    assert await s.api.steer({**steer, "expectedTurnId": turn_id}, None) == {  # type: ignore[arg-type]
        "turnId": turn_id}
    s.model.release.set()
    await finished(t)
    assert len(s.model.requests) == 2


async def test_interrupt_moves_the_turns_last_events_after_its_own_response(
    tmp_path: Path,
) -> None:
    """turn/interrupt cancels the running turn; its turn/completed follows the
    interrupt's response, not turn/start's."""
    s = Setup(tmp_path, FakeModel([PAUSE]))
    t = s.load()
    with pytest.raises(ProtocolError, match="no turn in progress"):
        await s.api.interrupt({"threadId": t.id, "turnId": ""}, None)  # type: ignore[arg-type]
    turn_id = (await s.api.start(_start(t), CALL))["turn"]["id"]  # type: ignore[arg-type]
    async with asyncio.timeout(5):
        await s.model.waiting.wait()
    with pytest.raises(ProtocolError, match="is not in progress"):
        await s.api.interrupt({"threadId": t.id, "turnId": "nope"}, None)  # type: ignore[arg-type]
    interrupt = CallInfo(ConnKey("g1", "c1"), 8)
    active = t.active
    assert await s.api.interrupt({"threadId": t.id, "turnId": turn_id}, interrupt) == {}  # type: ignore[arg-type]
    assert active is not None and active.task is not None
    async with asyncio.timeout(5):
        await asyncio.gather(active.task, return_exceptions=True)
    assert s.hub.emitted[-1].method == "turn/completed"
    assert s.hub.emitted[-1].after == interrupt
    assert t.turns[0]["status"] == "interrupted"
