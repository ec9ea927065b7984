"""The agent loop through TurnRunner: events, records and model requests of turns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_service.account.rate_limit_store import RateLimitStore
from core_service.hub import CallInfo, ConnKey
from core_service.model import events as me
from core_service.model.errors import ModelError
from core_service.turns.instructions import TURN_ABORTED_NOTICE
from core_service.turns.runner import TurnRunner
from tests.unit.core_service.turns.support import (
    CALL,
    PAUSE,
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


def _runner(model: FakeModel, tmp_path: Path) -> tuple[TurnRunner, RecordingHub]:
    hub = RecordingHub()
    return TurnRunner(hub, model, credentials(tmp_path), RateLimitStore()), hub


async def test_a_turn_streams_in_reference_order(tmp_path: Path) -> None:
    """A turn emits user message, agent message deltas, usage, rate limits and
    turn/completed, in that order, all after turn/start's response."""
    model = FakeModel([*text("msg_1", "Hel", "lo"), completed()])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("hi")], output_schema=None, originator=None, call=CALL)
    await finished(t)
    assert hub.methods() == [
        "turn/started",
        "item/started", "item/completed",
        "item/started", "item/agentMessage/delta", "item/agentMessage/delta", "item/completed",
        "thread/tokenUsage/updated",
        "account/rateLimits/updated",
        "turn/completed",
    ]
    assert all(e.after == CALL for e in hub.emitted)
    done = hub.of("item/completed")
    assert done[0]["item"]["type"] == "userMessage"
    assert done[1]["item"] == {"type": "agentMessage", "id": "msg_1", "text": "Hello"}
    assert hub.of("turn/completed")[0]["turn"]["status"] == "completed"
    assert t.active is None and t.turns[0]["status"] == "completed"
    assert [i["type"] for i in t.turns[0]["items"]] == ["userMessage", "agentMessage"]
    assert t.meta["preview"] == "hi"
    assert model.requests[0].bearer == "sk-test"


async def test_a_turn_is_recorded_through_the_store_builders(tmp_path: Path) -> None:
    """The rollout gets the turn's context, history items, completed items, token
    count and end, and is flushed when the turn ends."""
    model = FakeModel([*text("msg_1", "ok"), completed()])
    runner, _ = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("hi")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert t.recorder.kinds() == [  # type: ignore[attr-defined]
        "turn_context", "event_msg:turn_started",
        "response_item", "response_item", "response_item", "event_msg:item_completed",
        "response_item", "event_msg:item_completed", "event_msg:token_count",
        "event_msg:turn_completed",
    ]
    assert t.recorder.flushes == 1  # type: ignore[attr-defined]


async def test_the_first_request_carries_context_then_the_user_message(tmp_path: Path) -> None:
    """The thread's first request opens with permissions and environment context;
    the next turn's request carries the whole history, the answer included."""
    model = FakeModel([*text("msg_1", "one"), completed()], [*text("msg_2", "two"), completed()])
    runner, _ = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("first")], output_schema=None, originator=None, call=None)
    await finished(t)
    runner.start(t, [user_text("second")], output_schema=None, originator=None, call=None)
    await finished(t)
    first, second = (r.body["input"] for r in model.requests)
    assert [m["role"] for m in first] == ["developer", "user", "user"]
    assert first[-1]["content"] == [{"type": "input_text", "text": "first"}]
    assert len(second) == 5
    assert second[3] == {"type": "message", "role": "assistant",
                         "content": [{"type": "output_text", "text": "one"}]}


async def test_a_tool_call_is_answered_and_the_model_asked_again(tmp_path: Path) -> None:
    """An unsupported tool call gets an output in the history and a follow-up
    request within the same turn."""
    call = me.OutputItemDone({"type": "function_call", "id": "fc_1", "call_id": "call_1",
                              "name": "nosuch_tool", "arguments": "{}"})
    model = FakeModel([call, completed()], [*text("msg_1", "done"), completed()])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("run it")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert len(model.requests) == 2
    follow_up = model.requests[1].body["input"]
    assert follow_up[-2]["type"] == "function_call" and "id" not in follow_up[-2]
    assert follow_up[-1] == {"type": "function_call_output", "call_id": "call_1",
                             "output": "unsupported call: nosuch_tool"}
    assert [i["type"] for i in t.turns[0]["items"]] == ["userMessage", "agentMessage"]
    assert hub.methods().count("turn/completed") == 1


async def test_steered_input_is_sent_with_a_follow_up_request(tmp_path: Path) -> None:
    """Input steered into a running turn becomes a user message of the same turn
    and is sent in a further request."""
    model = FakeModel([PAUSE, *text("msg_1", "a"), completed()], [*text("msg_2", "b"),
                                                                  completed()])
    runner, _ = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    active = runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    async with asyncio.timeout(5):
        await model.waiting.wait()
    active.steer.append([user_text("also this")])  # type: ignore[list-item]
    model.release.set()
    await finished(t)
    assert len(model.requests) == 2
    assert model.requests[1].body["input"][-1]["content"] == [
        {"type": "input_text", "text": "also this"}]
    assert [i["type"] for i in t.turns[0]["items"]] == [
        "userMessage", "agentMessage", "userMessage", "agentMessage"]


async def test_interrupt_ends_the_turn_and_tells_the_model_next_time(tmp_path: Path) -> None:
    """A cancelled turn completes `interrupted` after the interrupting call; the
    next user message is preceded by the turn-aborted notice."""
    model = FakeModel([*text("msg_1", "partial")[:2], PAUSE])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    active = runner.start(t, [user_text("go")], output_schema=None, originator=None, call=CALL)
    async with asyncio.timeout(5):
        await model.waiting.wait()
    interrupt = CallInfo(ConnKey("g1", "c2"), 9)
    active.after = interrupt
    assert active.task is not None
    active.task.cancel()
    await finished(t)
    assert hub.emitted[-1].method == "turn/completed"
    assert hub.emitted[-1].after == interrupt
    assert hub.emitted[-1].params["turn"]["status"] == "interrupted"
    assert t.abort_notice
    runner.start(t, [user_text("again")], output_schema=None, originator=None, call=None)
    await finished(t)
    sent = model.requests[-1].body["input"]
    assert sent[-2]["content"] == [{"type": "input_text", "text": TURN_ABORTED_NOTICE}]
    assert not t.abort_notice


async def test_a_model_error_fails_the_turn_with_its_error(tmp_path: Path) -> None:
    """A ModelError ends the turn `failed` with the model's error, announced first."""
    model = FakeModel([ModelError("boom", "internalServerError", "details")])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    await finished(t)
    error = {"message": "boom", "codexErrorInfo": "internalServerError",
             "additionalDetails": "details"}
    assert hub.methods()[-2:] == ["error", "turn/completed"]
    assert hub.of("error")[0]["error"] == error
    assert hub.of("error")[0]["willRetry"] is False
    assert t.turns[0]["status"] == "failed" and t.turns[0]["error"] == error


async def test_a_bug_fails_the_turn_not_the_core(tmp_path: Path) -> None:
    """An unexpected exception ends the turn `failed` with an internal error; the
    thread takes the next turn."""
    model = FakeModel([RuntimeError("bug")], [*text("msg_1", "fine"), completed()])
    runner, _ = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert t.turns[0]["status"] == "failed"
    assert t.turns[0]["error"] == {"message": "internal error: bug", "codexErrorInfo": "other",
                                   "additionalDetails": None}
    runner.start(t, [user_text("again")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert t.turns[1]["status"] == "completed"


async def test_a_reroute_is_reported_once_per_turn(tmp_path: Path) -> None:
    """model/rerouted is emitted once per turn, even when every request is rerouted."""
    reroute = me.ModelRerouted("gpt-5.1-codex", "gpt-5.1")
    call = me.OutputItemDone({"type": "custom_tool_call", "id": "ct_1", "call_id": "c1",
                              "name": "apply_patch", "input": ""})
    model = FakeModel([reroute, call, completed()], [reroute, *text("m", "x"), completed()])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert hub.of("model/rerouted") == [{
        "threadId": t.id, "turnId": t.turns[0]["id"], "fromModel": "gpt-5.1-codex",
        "toModel": "gpt-5.1", "reason": "highRiskCyberActivity"}]
    assert t.history[-2]["type"] == "custom_tool_call_output"


async def test_rate_limits_default_to_the_null_snapshot(tmp_path: Path) -> None:
    """Without rate-limit headers the turn reports the all-null `codex` snapshot,
    broadcast the first time and sent to the thread's subscribers after that."""
    model = FakeModel([*text("m1", "a"), completed()], [*text("m2", "b"), completed()])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    for word in ("one", "two"):
        runner.start(t, [user_text(word)], output_schema=None, originator=None, call=None)
        await finished(t)
    limits = [e for e in hub.emitted if e.method == "account/rateLimits/updated"]
    assert [e.broadcast for e in limits] == [True, False]
    assert limits[0].params["rateLimits"] == {
        "limitId": "codex", "limitName": None, "primary": None, "secondary": None,
        "credits": None, "planType": None}


async def test_reasoning_is_streamed_and_completed_from_its_parts(tmp_path: Path) -> None:
    """Reasoning summary and content deltas are relayed with their indexes; a bare
    `output_item.done` is completed from what was streamed."""
    model = FakeModel([
        me.OutputItemAdded({"type": "reasoning", "id": "rs_1", "summary": []}),
        me.ReasoningSummaryPartAdded("rs_1", 0),
        me.ReasoningSummaryDelta("rs_1", 0, "think"),
        me.ReasoningSummaryDelta("rs_1", 0, "ing"),
        me.ReasoningTextDelta("rs_1", 0, "raw"),
        me.OutputItemDone({"type": "reasoning", "id": "rs_1", "summary": []}),
        completed(),
    ])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    await finished(t)
    assert hub.of("item/reasoning/summaryTextDelta")[1]["delta"] == "ing"
    assert hub.of("item/reasoning/textDelta")[0]["contentIndex"] == 0
    assert hub.of("item/completed")[-1]["item"] == {
        "type": "reasoning", "id": "rs_1", "summary": ["thinking"], "content": ["raw"]}


async def test_stream_retries_are_announced_as_errors_that_will_retry(tmp_path: Path) -> None:
    """A retried stream is reported with `error {willRetry: true}` and the turn goes on."""
    model = FakeModel([me.StreamRetry(1, 5, "cut"), *text("m", "x"), completed()])
    runner, hub = _runner(model, tmp_path)
    t = thread(config(tmp_path))
    runner.start(t, [user_text("go")], output_schema=None, originator=None, call=None)
    await finished(t)
    (error,) = hub.of("error")
    assert error["willRetry"] is True
    assert error["error"]["message"] == "Reconnecting... 1/5"
    assert t.turns[0]["status"] == "completed"
