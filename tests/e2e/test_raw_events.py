"""End to end: experimentalRawEvents makes a thread announce its model history."""

from __future__ import annotations

from tests.e2e.conftest import Launcher
from tests.support.mock_model import MockModelServer

RAW = "rawResponseItem/completed"


async def test_raw_items_follow_the_history(launch: Launcher, transport: str,
                                            mock: MockModelServer) -> None:
    """With experimentalRawEvents the opening context follows thread/started (turn id
    `auto-compact-0`), then the turn's user message and the model's answer, each a
    rawResponseItem/completed; without it, none; without the capability it is refused."""
    mock.enqueue({"kind": "text", "text": "hello"})
    client = await launch(transport)
    await client.initialize(experimentalApi=True)
    tid = (await client.call("thread/start", {"experimentalRawEvents": True}))["thread"]["id"]
    await client.wait_notification(RAW)
    context = [n["params"] for n in client.notifications if n["method"] == RAW]
    assert context and {c["turnId"] for c in context} == {"auto-compact-0"}
    assert context[0]["item"]["role"] == "developer" and context[0]["threadId"] == tid
    mark = len(client.notifications)
    turn = await client.call("turn/start", {"threadId": tid,
                                            "input": [{"type": "text", "text": "hi"}]})
    await client.wait_notification("turn/completed", after=mark)
    raws = [n["params"] for n in client.notifications[mark:] if n["method"] == RAW]
    assert [(r["turnId"], r["item"]["role"]) for r in raws] == [
        (turn["turn"]["id"], "user"), (turn["turn"]["id"], "assistant")]
    answer = raws[1]["item"]["content"][0]
    assert (answer["type"], answer["text"]) == ("output_text", "hello")
    plain = await client.call("thread/start", {})
    await client.wait_notification("thread/started",
                                   lambda p: p["thread"]["id"] == plain["thread"]["id"])
    assert not [n for n in client.notifications
                if n["method"] == RAW and n["params"]["threadId"] == plain["thread"]["id"]]
    other = await launch(transport)
    await other.initialize()
    refused = await other.request("thread/start", {"experimentalRawEvents": True})
    assert refused["error"]["message"] == (
        "thread/start.experimentalRawEvents requires experimentalApi capability")
