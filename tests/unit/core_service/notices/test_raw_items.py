"""rawResponseItem/completed: every item the history gains, only when opted in."""

from __future__ import annotations

from pathlib import Path

from core_service.account.rate_limit_store import RateLimitStore
from core_service.model import events as me
from core_service.notices.raw_items import CONTEXT_TURN_ID, announce_context
from core_service.turns.runner import TurnRunner
from tests.unit.core_service.turns.support import (
    CALL,
    FakeModel,
    RecordingHub,
    completed,
    config,
    credentials,
    finished,
    text,
    thread,
    user_text,
)

RAW = "rawResponseItem/completed"


async def _turn(tmp_path: Path, raw: bool) -> tuple[RecordingHub, str]:
    call = me.OutputItemDone({"type": "function_call", "id": "fc_1", "call_id": "call_1",
                              "name": "nosuch_tool", "arguments": "{}"})
    model = FakeModel([call, completed()], [*text("msg_1", "done"), completed()])
    hub = RecordingHub()
    runner = TurnRunner(hub, model, credentials(tmp_path), RateLimitStore())
    t = thread(config(tmp_path))
    t.raw_events = raw
    active = runner.start(t, [user_text("run it")], output_schema=None, originator=None,
                          call=None)
    await finished(t)
    return hub, active.id


async def test_each_history_item_of_the_turn_is_announced(tmp_path: Path) -> None:
    """The user's message (not the opening context), the function call, its output and
    the answer, in the order the history gains them, each with the turn id; the user
    message after its userMessage item, the answer after its agentMessage item."""
    hub, turn_id = await _turn(tmp_path, raw=True)
    raws = hub.of(RAW)
    assert [(r["item"]["type"], r["item"].get("role")) for r in raws] == [
        ("message", "user"), ("function_call", None), ("function_call_output", None),
        ("message", "assistant")]
    assert {r["turnId"] for r in raws} == {turn_id}
    assert raws[0]["item"]["content"] == [{"type": "input_text", "text": "run it"}]
    assert raws[2]["item"]["output"] == "unsupported call: nosuch_tool"
    methods = hub.methods()
    first_raw = methods.index(RAW)
    assert methods[first_raw - 1] == "item/completed"
    assert methods.index("turn/completed") > len(methods) - 1 - methods[::-1].index(RAW)


async def test_nothing_without_the_opt_in(tmp_path: Path) -> None:
    """A thread started without experimentalRawEvents gets none."""
    hub, _ = await _turn(tmp_path, raw=False)
    assert RAW not in hub.methods()


def test_opening_context_has_the_references_turn_id(tmp_path: Path) -> None:
    """The opening context goes out with turn id `auto-compact-0`, only when opted in."""
    hub = RecordingHub()
    t = thread(config(tmp_path))
    item = {"type": "message", "role": "developer",
            "content": [{"type": "input_text", "text": "p"}]}
    announce_context(hub, t, [item], CALL)
    assert hub.of(RAW) == []
    t.raw_events = True
    announce_context(hub, t, [item], CALL)
    assert hub.of(RAW) == [{"threadId": t.id, "turnId": CONTEXT_TURN_ID, "item": item}]
