"""End to end: thread lifecycle (start, list, read, resume, fork, archive, name, rollback)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.conformance import reference_available
from tests.support.mock_model import MockModelServer


async def run_turn(client: ProtocolClient, thread_id: str, text: str) -> dict[str, Any]:
    """Start a turn and wait for its turn/completed; returns that notification's turn."""
    result = await client.call("turn/start", {"threadId": thread_id,
                                              "input": [{"type": "text", "text": text}]})
    turn_id = result["turn"]["id"]
    done = await client.wait_notification(
        "turn/completed", lambda p: p["turn"]["id"] == turn_id)
    return done["params"]["turn"]  # type: ignore[no-any-return]


async def test_thread_start_response_precedes_started(launch: Launcher, transport: str) -> None:
    """thread/start answers with the thread, then sends thread/started with the same thread."""
    client = await launch(transport)
    await client.initialize()
    rid = await client.request_nowait("thread/start", {})
    await client.wait_notification("thread/started")
    resp = client.responses[rid]
    assert client.received.index(resp) < client.received.index(client.notifications[-1])
    result = resp["result"]
    thread = result["thread"]
    assert result["modelProvider"] == "mock" and result["model"] == "gpt-5.1-codex"
    assert result["approvalPolicy"] == "never"
    assert result["sandbox"] == {"type": "readOnly", "access": {"type": "fullAccess"}}
    assert thread["source"] == "vscode" and thread["turns"] == [] and thread["preview"] == ""
    assert thread["path"].endswith(f"-{thread['id']}.jsonl")
    assert client.notifications[-1]["params"]["thread"] == thread
    # not materialised before the first user message
    resp = await client.request("thread/read", {"threadId": thread["id"], "includeTurns": True})
    assert "is not materialized yet" in resp["error"]["message"]
    loaded = await client.call("thread/loaded/list", {})
    assert thread["id"] in loaded["data"]
    listed = await client.call("thread/list", {})
    assert thread["id"] not in [t["id"] for t in listed["data"]]
    assert client.validated > 0 or not reference_available()


async def test_list_paging_read_and_name(launch: Launcher, transport: str) -> None:
    """thread/list pages newest first; thread/read returns turns with synthetic item ids."""
    client = await launch(transport)
    await client.initialize()
    ids = []
    for i in range(3):
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        await run_turn(client, tid, f"message number {i}")
        ids.append(tid)
    page1 = await client.call("thread/list", {"limit": 2})
    assert [t["id"] for t in page1["data"]] == [ids[2], ids[1]]
    assert page1["nextCursor"]
    page2 = await client.call("thread/list", {"limit": 2, "cursor": page1["nextCursor"]})
    assert [t["id"] for t in page2["data"]] == [ids[0]]
    assert page2["nextCursor"] is None
    assert page1["data"][0]["preview"] == "message number 2"
    bad = await client.request("thread/list", {"cursor": "garbage-cursor"})
    assert bad["error"] == {"code": -32600, "message": "invalid cursor: garbage-cursor"}

    read = await client.call("thread/read", {"threadId": ids[0], "includeTurns": True})
    turn = read["thread"]["turns"][0]
    assert turn["status"] == "completed"
    assert [i["id"] for i in turn["items"]] == ["item-1", "item-2"]
    assert turn["items"][0]["content"][0]["text"] == "message number 0"
    assert turn["items"][1] == {"type": "agentMessage", "id": "item-2",
                                "text": "Default mock answer."}

    await client.call("thread/name/set", {"threadId": ids[0], "name": "My thread"})
    note = await client.wait_notification("thread/name/updated")
    assert note["params"] == {"threadId": ids[0], "threadName": "My thread"}
    empty = await client.request("thread/name/set", {"threadId": ids[0], "name": ""})
    assert empty["error"] == {"code": -32600, "message": "thread name must not be empty"}


async def test_resume_fork_archive_unarchive(launch: Launcher, transport: str) -> None:
    """Resume returns turns; fork copies them under a new id; archive/unarchive move the file."""
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "first")
    resumed = await client.call("thread/resume", {"threadId": tid})
    assert [t["status"] for t in resumed["thread"]["turns"]] == ["completed"]
    assert resumed["thread"]["turns"][0]["items"][0]["id"] == "item-1"

    before = len(client.notifications)
    forked = await client.call("thread/fork", {"threadId": tid})
    fid = forked["thread"]["id"]
    assert fid != tid
    assert [t["id"] for t in forked["thread"]["turns"]] == [
        t["id"] for t in resumed["thread"]["turns"]]
    started = await client.wait_notification("thread/started", after=before)
    assert started["params"]["thread"]["id"] == fid
    assert started["params"]["thread"]["turns"], "fork's thread/started carries the turns"

    await client.call("thread/archive", {"threadId": tid})
    note = await client.wait_notification("thread/archived")
    assert note["params"] == {"threadId": tid}
    again = await client.request("thread/archive", {"threadId": tid})
    assert again["error"]["message"] == f"no rollout found for thread id {tid}"
    gone = await client.request("turn/start", {"threadId": tid, "input": []})
    assert gone["error"]["message"] == f"thread not found: {tid}"
    archived = await client.call("thread/list", {"archived": True})
    assert [t["id"] for t in archived["data"]] == [tid]
    assert "archived_sessions" in archived["data"][0]["path"]

    un = await client.call("thread/unarchive", {"threadId": tid})
    assert un["thread"]["id"] == tid and "/sessions/" in un["thread"]["path"]
    await client.wait_notification("thread/unarchived")
    listed = await client.call("thread/list", {})
    assert tid in [t["id"] for t in listed["data"]]
    unknown = await client.request("thread/resume",
                                   {"threadId": "01a2aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa"})
    assert unknown["error"]["message"].startswith("no rollout found for thread id")


async def test_rollback_drops_turns_and_history(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """thread/rollback removes the last turns from the thread and from the model's history."""
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    for text in ("one", "two", "three"):
        await run_turn(client, tid, text)
    rolled = await client.call("thread/rollback", {"threadId": tid, "numTurns": 2})
    assert len(rolled["thread"]["turns"]) == 1
    await run_turn(client, tid, "four")
    last_input = mock.responses_requests[-1].body["input"]
    texts = [c.get("text") for m in last_input if m.get("type") == "message"
             for c in m.get("content", [])]
    assert "one" in texts and "four" in texts
    assert "two" not in texts and "three" not in texts
    read = await client.call("thread/read", {"threadId": tid, "includeTurns": True})
    assert len(read["thread"]["turns"]) == 2
