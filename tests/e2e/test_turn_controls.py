"""End to end: steering, compaction, reroute and per-thread instructions."""

from __future__ import annotations

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.e2e.test_turns import _texts
from tests.support.mock_model import MockModelServer


async def test_steer_adds_input_to_the_running_turn(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """turn/steer returns the turn id; the input is sent in a follow-up request of that turn."""
    mock.enqueue({"kind": "text", "text": "slow " * 10, "deltas": 10, "delay_ms": 50},
                 {"kind": "text", "text": "steered answer"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    turn_id = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "start"}]}))["turn"]["id"]
    await client.wait_notification("item/agentMessage/delta")
    steer = await client.call("turn/steer", {"threadId": tid, "expectedTurnId": turn_id,
                                             "input": [{"type": "text", "text": "also this"}]})
    assert steer == {"turnId": turn_id}
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["status"] == "completed"
    assert "also this" in _texts(mock.responses_requests[-1].body)
    wrong = await client.request("turn/steer", {"threadId": tid, "expectedTurnId": turn_id,
                                                "input": [{"type": "text", "text": "late"}]})
    assert wrong["error"]["code"] == -32600


async def test_a_second_turn_start_joins_the_running_turn(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """turn/start while a turn runs, as on the reference: answered with a new turn id
    (announced by turn/started after the answer, never completed); its input is a
    user message of the running turn, which asks the model again with it."""
    mock.enqueue({"kind": "text", "text": "slow " * 10, "deltas": 10, "delay_ms": 50},
                 {"kind": "text", "text": "joined answer"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    first = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "start"}]}))["turn"]["id"]
    await client.wait_notification("item/agentMessage/delta")
    answer = await client.request("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "also this"}]})
    second = answer["result"]["turn"]
    assert second["id"] != first and second["status"] == "inProgress"
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["id"] == first
    assert done["params"]["turn"]["status"] == "completed"
    started = [m["params"]["turn"]["id"] for m in client.notifications
               if m["method"] == "turn/started"]
    assert started == [first, second["id"]]
    order = [m.get("id") if "method" not in m else m["params"].get("turn", {}).get("id")
             for m in client.received]
    assert order.index(answer["id"]) < order.index(second["id"]), "turn/started before the answer"
    users = [m["params"] for m in client.notifications if m["method"] == "item/completed"
             and m["params"]["item"]["type"] == "userMessage"]
    assert [(u["turnId"], u["item"]["content"][0]["text"]) for u in users] == [
        (first, "start"), (first, "also this")]
    assert "also this" in _texts(mock.responses_requests[-1].body)
    assert len(mock.responses_requests) == 2


async def test_compaction_replaces_history(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """thread/compact/start runs a compaction turn; later requests carry the summary only."""
    mock.enqueue({"kind": "text", "text": "first answer"},
                 {"kind": "text", "text": "SUMMARY OF EVERYTHING"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "original question")
    assert await client.call("thread/compact/start", {"threadId": tid}) == {}
    await client.wait_notification("thread/compacted")
    await client.wait_notification("turn/completed",
                                   lambda p: p["turn"]["status"] == "completed", after=0)
    items = [n["params"]["item"]["type"] for n in client.notifications
             if n["method"] == "item/completed"]
    assert "contextCompaction" in items
    await client.wait_for(lambda: sum(1 for n in client.notifications
                                      if n["method"] == "turn/completed") == 2)
    await run_turn(client, tid, "after compaction")
    texts = _texts(mock.responses_requests[-1].body)
    assert any("SUMMARY OF EVERYTHING" in t for t in texts)
    assert "original question" not in texts


async def test_model_reroute_is_reported_once(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """An `openai-model` header naming another model gives one model/rerouted."""
    mock.enqueue({"kind": "text", "text": "hi", "headers": {"openai-model": "gpt-5.1-codex-mini"}})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "hello")
    reroutes = [n["params"] for n in client.notifications if n["method"] == "model/rerouted"]
    assert len(reroutes) == 1
    assert reroutes[0]["fromModel"] == "gpt-5.1-codex"
    assert reroutes[0]["toModel"] == "gpt-5.1-codex-mini"
    assert reroutes[0]["reason"] == "highRiskCyberActivity"


async def test_thread_instructions_reach_the_model(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """baseInstructions and developerInstructions of thread/start shape the model request."""
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {
        "baseInstructions": "BASE RULES", "developerInstructions": "DEV RULES",
        "model": "gpt-5.2-codex"}))["thread"]["id"]
    await run_turn(client, tid, "hello")
    body = mock.responses_requests[-1].body
    assert body["instructions"] == "BASE RULES"
    assert body["model"] == "gpt-5.2-codex"
    assert "DEV RULES" in _texts(body)


async def test_rate_limits_reach_others_only_when_they_change(
    launch: Launcher, mock: MockModelServer
) -> None:
    """Every connection learns a new rate-limit snapshot; repeats go to the turn's subscribers."""
    from tests.e2e.multi import ClientPool, fence

    headers = {"x-codex-primary-used-percent": "10", "x-codex-primary-window-minutes": "60"}
    mock.enqueue({"kind": "text", "text": "one", "headers": headers},
                 {"kind": "text", "text": "two", "headers": headers})
    a = await launch("ws")
    await a.initialize()
    async with ClientPool() as pool:
        b = await pool.connect(a.url)  # type: ignore[attr-defined]
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await run_turn(a, tid, "first")
        await fence(b)
        seen_b = [n for n in b.notifications if n["method"] == "account/rateLimits/updated"]
        assert [n["params"]["rateLimits"]["primary"]["usedPercent"] for n in seen_b] == [10]
        before_a = sum(1 for n in a.notifications if n["method"] == "account/rateLimits/updated")
        await run_turn(a, tid, "second")
        await fence(b)
        assert [n for n in b.notifications if n["method"] == "account/rateLimits/updated"] == (
            seen_b)
        after_a = sum(1 for n in a.notifications if n["method"] == "account/rateLimits/updated")
        assert after_a - before_a == 2  # the turn's own sequence is unchanged


async def test_a_failed_compaction_keeps_the_history(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A compaction the model fails ends `failed` with its error after an `error`
    notification; the history is kept and the thread takes the next turn."""
    mock.enqueue({"kind": "text", "text": "first answer"},
                 {"kind": "http_error", "status": 500, "body": {"error": {"message": "boom"}}},
                 {"kind": "text", "text": "still here"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "original question")
    assert await client.call("thread/compact/start", {"threadId": tid}) == {}
    done = await client.wait_notification(
        "turn/completed", lambda p: p["turn"]["status"] != "completed", after=0)
    assert done["params"]["turn"]["status"] == "failed"
    assert done["params"]["turn"]["error"]["codexErrorInfo"] == "internalServerError"
    assert [n["params"]["willRetry"] for n in client.notifications
            if n["method"] == "error"] == [False]
    assert not any(n["method"] == "thread/compacted" for n in client.notifications)
    await run_turn(client, tid, "after the failure")
    assert "original question" in _texts(mock.responses_requests[-1].body)
