"""End to end: turns against the mock model (streaming, history, interrupt, failures)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.conformance import reference_available
from tests.support.mock_model import MockModelServer


def _texts(body: dict[str, Any]) -> list[str]:
    return [c.get("text", "") for m in body["input"] if m.get("type") == "message"
            for c in m.get("content", [])]


async def test_one_turn_streams_in_reference_order(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A turn streams user message, agent message deltas, token usage and turn/completed."""
    mock.enqueue({"kind": "text", "text": "Hello from the mock model!", "deltas": 3,
                  "item_id": "msg_a1",
                  "headers": {"x-codex-primary-used-percent": "25.5",
                              "x-codex-primary-window-minutes": "300",
                              "x-codex-primary-reset-at": "1900000000"}})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await client.wait_notification("thread/started")
    start = len(client.notifications)
    rid = await client.request_nowait("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "Say hello"}]})
    done = await client.wait_notification("turn/completed")
    resp = client.responses[rid]
    assert client.received.index(resp) < client.received.index(client.notifications[start])
    assert resp["result"]["turn"]["status"] == "inProgress"
    methods = client.methods(start)
    assert methods[0] in ("turn/started", "item/started")
    expected_tail = [
        "item/started", "item/agentMessage/delta", "item/agentMessage/delta",
        "item/agentMessage/delta", "item/completed", "thread/tokenUsage/updated",
        "account/rateLimits/updated", "turn/completed",
    ]
    assert methods[-len(expected_tail):] == expected_tail, methods
    notes = client.notifications[start:]
    deltas = [n["params"]["delta"] for n in notes if n["method"] == "item/agentMessage/delta"]
    assert "".join(deltas) == "Hello from the mock model!"
    agent = [n for n in notes if n["method"] == "item/completed"
             and n["params"]["item"]["type"] == "agentMessage"][0]
    assert agent["params"]["item"] == {"type": "agentMessage", "id": "msg_a1",
                                       "text": "Hello from the mock model!"}
    limits = [n for n in notes if n["method"] == "account/rateLimits/updated"][0]
    assert limits["params"]["rateLimits"]["primary"] == {
        "usedPercent": 26, "windowDurationMins": 300, "resetsAt": 1900000000}
    usage = [n for n in notes if n["method"] == "thread/tokenUsage/updated"][0]
    assert usage["params"]["tokenUsage"]["total"]["totalTokens"] == 107
    assert done["params"]["turn"] == {"id": resp["result"]["turn"]["id"], "items": [],
                                      "status": "completed", "error": None}
    req = mock.responses_requests[0]
    assert req.headers["originator"] == "conformance"
    assert req.headers["user-agent"].startswith("conformance/0.104.0 (")
    assert req.headers["session_id"] == tid
    assert "authorization" not in req.headers
    assert req.body["model"] == "gpt-5.1-codex" and req.body["stream"] is True
    assert client.validated >= len(notes) or not reference_available()


async def test_three_turns_carry_the_whole_history(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """Each model request carries every earlier user and assistant message."""
    mock.enqueue({"kind": "text", "text": "answer one"}, {"kind": "text", "text": "answer two"},
                 {"kind": "text", "text": "answer three"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    for text in ("first question", "second question", "third question"):
        turn = await run_turn(client, tid, text)
        assert turn["status"] == "completed"
    texts = _texts(mock.responses_requests[2].body)
    for expected in ("first question", "answer one", "second question", "answer two",
                     "third question"):
        assert expected in texts, (expected, texts)
    assert texts.index("first question") < texts.index("answer one") < texts.index(
        "second question")


async def test_interrupt_mid_stream_then_next_turn_works(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """turn/interrupt answers {}, the turn completes as interrupted, the next turn works."""
    mock.enqueue({"kind": "text", "text": "a slow answer " * 20, "deltas": 40,
                  "delay_ms": 100})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    turn_id = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "go"}]}))["turn"]["id"]
    await client.wait_notification("item/agentMessage/delta")
    result = await client.call("turn/interrupt", {"threadId": tid, "turnId": turn_id})
    assert result == {}
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["status"] == "interrupted"
    assert done["params"]["turn"]["error"] is None
    await mock.wait_disconnect(timeout=10)
    nothing = await client.request("turn/interrupt", {"threadId": tid, "turnId": turn_id})
    assert nothing["error"]["code"] == -32600
    turn = await run_turn(client, tid, "again")
    assert turn["status"] == "completed"
    assert any("<turn_aborted>" in t for t in _texts(mock.responses_requests[-1].body))
    read = await client.call("thread/read", {"threadId": tid, "includeTurns": True})
    first = read["thread"]["turns"][0]
    assert first["status"] == "interrupted"
    assert [i["type"] for i in first["items"]] == ["userMessage"]


async def _failed_turn(launch: Launcher, transport: str, **config: Any) -> tuple[Any, Any]:
    client = await launch(transport, **config)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    turn = await run_turn(client, tid, "fail please")
    errors = [n["params"] for n in client.notifications if n["method"] == "error"]
    return turn, errors


async def test_http_500_fails_the_turn(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """An HTTP 500 (no retries left) fails the turn with internalServerError."""
    mock.enqueue({"kind": "http_error", "status": 500, "body": {"error": {"message": "boom"}}})
    turn, errors = await _failed_turn(launch, transport)
    assert turn["status"] == "failed"
    assert turn["error"]["codexErrorInfo"] == "internalServerError"
    assert turn["error"]["message"] == (
        "We're currently experiencing high demand, which may cause temporary errors.")
    assert errors[-1]["willRetry"] is False and errors[-1]["error"] == turn["error"]


async def test_response_failed_context_window(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """response.failed context_length_exceeded ends the turn with contextWindowExceeded."""
    mock.enqueue({"kind": "failed", "code": "context_length_exceeded",
                  "message": "too long"})
    turn, _ = await _failed_turn(launch, transport)
    assert turn["error"]["codexErrorInfo"] == "contextWindowExceeded"
    assert turn["error"]["message"].startswith("Codex ran out of room")


async def test_stream_cut_is_retried_then_reported(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A cut stream is retried (error willRetry=true) and succeeds on the next attempt."""
    mock.enqueue({"kind": "cut", "text": "partial answer", "deltas": 2},
                 {"kind": "text", "text": "complete answer"})
    turn, errors = await _failed_turn(launch, transport, stream_max_retries=1)
    assert turn["status"] == "completed"
    assert errors and errors[0]["willRetry"] is True
    assert errors[0]["error"]["message"] == "Reconnecting... 1/1"
    assert errors[0]["error"]["codexErrorInfo"] == {
        "responseStreamDisconnected": {"httpStatusCode": None}}


async def test_stream_cut_without_retries_fails(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A stream cut with no retries left fails the turn, saying what happened."""
    mock.enqueue({"kind": "cut", "text": "partial", "deltas": 2})
    turn, _ = await _failed_turn(launch, transport)
    assert turn["status"] == "failed"
    assert "stream disconnected before completion" in turn["error"]["message"]


async def test_idle_stream_times_out(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A stream that goes silent past stream_idle_timeout_ms fails the turn."""
    mock.enqueue({"kind": "hang"})
    turn, _ = await _failed_turn(launch, transport, idle_ms=300)
    assert turn["status"] == "failed"
    assert "idle timeout" in turn["error"]["message"]


async def test_usage_limit_429(launch: Launcher, transport: str, mock: MockModelServer) -> None:
    """A 429 usage_limit_reached fails the turn with usageLimitExceeded."""
    mock.enqueue({"kind": "http_error", "status": 429, "body": {
        "error": {"type": "usage_limit_reached", "plan_type": "plus", "resets_at": 1900000000}}})
    turn, _ = await _failed_turn(launch, transport)
    assert turn["error"]["codexErrorInfo"] == "usageLimitExceeded"
    assert turn["error"]["message"].startswith("You've hit your usage limit")


async def test_usage_limit_429_reports_the_exhausted_limit_first(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A 429 usage_limit_reached announces the limit named by x-codex-active-limit
    (account/rateLimits/updated) before the turn's error, as the reference does."""
    mock.enqueue({"kind": "http_error", "status": 429, "body": {
        "error": {"type": "usage_limit_reached", "plan_type": "plus", "resets_at": 1900000000}},
        "headers": {"x-codex-active-limit": "codex_other",
                    "x-codex-other-primary-used-percent": "100",
                    "x-codex-other-primary-window-minutes": "60"}})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "over the limit")
    methods = [n["method"] for n in client.notifications
               if n["method"] in ("account/rateLimits/updated", "error", "turn/completed")]
    assert methods == ["account/rateLimits/updated", "error", "turn/completed"]
    limits = next(n["params"]["rateLimits"] for n in client.notifications
                  if n["method"] == "account/rateLimits/updated")
    assert limits["limitId"] == "codex_other"
    assert limits["primary"]["usedPercent"] == 100
