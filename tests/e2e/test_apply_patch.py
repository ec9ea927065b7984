"""End to end: apply_patch through real processes, as codex 0.104 shows and answers it.

The mock model sends `apply_patch` as a custom tool call (and once as a
function call); every expected text, status and order was observed from
the reference against the same mock (see core_service/tools/patch.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

APPROVAL = "item/fileChange/requestApproval"
ADD = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch"
SUCCESS = re.compile(r"Exit code: 0\nWall time: \d+(\.\d)? seconds\nOutput:\n"
                     r"Success\. Updated the following files:\n")
FILE_METHODS = ("item/started", "item/completed", "item/fileChange/outputDelta",
                "turn/diff/updated", "turn/completed")


def patch_call(text: str, call_id: str = "call_patch1") -> dict[str, Any]:
    return {"kind": "custom_tool_call", "name": "apply_patch", "input": text,
            "call_id": call_id}


async def start(launch: Launcher, tmp_path: Path, policy: str = "never",
                sandbox: str = "workspace-write") -> tuple[ProtocolClient, str, Path]:
    client = await launch("stdio", approval_policy=policy, sandbox_mode=sandbox)
    await client.initialize()
    work = tmp_path / "work"
    tid = (await client.call("thread/start", {"cwd": str(work)}))["thread"]["id"]
    return client, tid, work


def file_events(client: ProtocolClient) -> list[str]:
    """The fileChange-related notifications and approval requests, in arrival order."""
    out = []
    for msg in client.received:
        method = msg.get("method")
        if method == APPROVAL:
            out.append("request")
        elif method in FILE_METHODS:
            item = msg["params"].get("item")
            if item is None:
                out.append(method)
            elif item["type"] == "fileChange":
                out.append(f"{method}:{item['status']}")
    return out


def outputs(mock: MockModelServer) -> dict[str, str]:
    body = mock.responses_requests[-1].body
    return {i["call_id"]: i["output"] for i in body["input"]
            if i["type"] in ("custom_tool_call_output", "function_call_output")}


async def answer_approvals(client: ProtocolClient, *decisions: str) -> list[dict[str, Any]]:
    """Answer the next approval requests with `decisions`, in order; returns them."""
    asked: list[dict[str, Any]] = []

    def next_request() -> dict[str, Any] | None:
        return next((r for r in client.server_requests[len(asked):]
                     if r["method"] == APPROVAL), None)

    for decision in decisions:
        request: dict[str, Any] = await client.wait_for(next_request)
        asked.append(request)
        await client.send({"id": request["id"], "result": {"decision": decision}})
    return asked


async def test_add_update_delete_move_in_one_patch(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """Without approval every kind of hunk lands; the item lists the changes sorted by
    path with their diffs; the model reads the grouped summary; the turn's diff is sent
    after the patch and again after each model request, identical each time."""
    client, tid, work = await start(launch, tmp_path)
    (work / "a.txt").write_text("zero\none\ntwo\nthree\nfour\n")
    (work / "b.txt").write_text("bee\n")
    (work / "c.txt").write_text("x\n")
    mock.enqueue(patch_call(
        "*** Begin Patch\n*** Update File: a.txt\n@@\n one\n-two\n+TWO\n three\n"
        "*** Delete File: b.txt\n*** Update File: c.txt\n*** Move to: sub/d.txt\n@@\n-x\n+y\n"
        "*** Add File: new.txt\n+n\n*** End Patch"), {"kind": "text", "text": "done"})
    turn = await run_turn(client, tid, "edit")
    assert turn["status"] == "completed"
    assert {p.name: p.read_text() for p in work.rglob("*.txt")} == {
        "a.txt": "zero\none\nTWO\nthree\nfour\n", "d.txt": "y\n", "new.txt": "n\n"}
    assert file_events(client) == [
        "item/started:inProgress", "item/fileChange/outputDelta", "item/completed:completed",
        "turn/diff/updated", "turn/diff/updated", "turn/diff/updated", "turn/completed"]
    started = await client.wait_notification("item/started",
                                             lambda p: p["item"]["type"] == "fileChange")
    w = str(work)
    assert started["params"]["item"]["changes"] == [
        {"path": f"{w}/a.txt", "kind": {"type": "update", "move_path": None},
         "diff": "@@ -2,3 +2,3 @@\n one\n-two\n+TWO\n three\n"},
        {"path": f"{w}/b.txt", "kind": {"type": "delete"}, "diff": "bee\n"},
        {"path": f"{w}/c.txt", "kind": {"type": "update", "move_path": f"{w}/sub/d.txt"},
         "diff": f"@@ -1 +1 @@\n-x\n+y\n\n\nMoved to: {w}/sub/d.txt"},
        {"path": f"{w}/new.txt", "kind": {"type": "add"}, "diff": "n\n"},
    ]
    summary = "Success. Updated the following files:\nA new.txt\nM a.txt\nM sub/d.txt\nD b.txt\n"
    delta = await client.wait_notification("item/fileChange/outputDelta")
    assert delta["params"] == {"threadId": tid, "turnId": delta["params"]["turnId"],
                               "itemId": "call_patch1", "delta": summary}
    output = outputs(mock)["call_patch1"]
    assert SUCCESS.match(output) and output.endswith(summary)
    diffs = {n["params"]["diff"] for n in client.notifications
             if n["method"] == "turn/diff/updated"}
    assert len(diffs) == 1
    diff = diffs.pop()
    assert diff.startswith(f"diff --git a/{w}/a.txt b/{w}/a.txt\nindex fa220f83637386c3297a")
    assert f"diff --git a/{w}/c.txt b/{w}/sub/d.txt\n" in diff
    assert "deleted file mode 100644\n" in diff


async def test_untrusted_asks_and_an_accepted_patch_applies(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """Under `untrusted` the request (reason and grantRoot null, itemId the call id)
    comes after item/started; once accepted the file is written. The function-call
    shape `apply_patch {"input": ...}` is served the same way."""
    client, tid, work = await start(launch, tmp_path, "untrusted")
    mock.enqueue({"kind": "function_call", "name": "apply_patch", "call_id": "call_patch1",
                  "arguments": {"input": ADD}}, {"kind": "text", "text": "done"})
    await client.call("turn/start", {"threadId": tid,
                                     "input": [{"type": "text", "text": "write"}]})
    (asked,) = await answer_approvals(client, "accept")
    await client.wait_notification("turn/completed")
    assert asked["params"] == {"threadId": tid, "turnId": asked["params"]["turnId"],
                               "itemId": "call_patch1", "reason": None, "grantRoot": None}
    assert file_events(client)[:4] == [
        "item/started:inProgress", "request", "item/fileChange/outputDelta",
        "item/completed:completed"]
    assert (work / "hello.txt").read_text() == "hello\n"
    assert SUCCESS.match(outputs(mock)["call_patch1"])


async def test_declined_patch_writes_nothing(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """A decline completes the item `declined` twice, writes nothing, sends no diff;
    the model reads "patch rejected by user" and the turn goes on."""
    client, tid, work = await start(launch, tmp_path, "untrusted")
    mock.enqueue(patch_call(ADD), {"kind": "text", "text": "ok"})
    await client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "w"}]})
    await answer_approvals(client, "decline")
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["status"] == "completed"
    assert file_events(client) == [
        "item/started:inProgress", "request", "item/completed:declined",
        "item/completed:declined", "turn/completed"]
    assert not (work / "hello.txt").exists()
    assert outputs(mock) == {"call_patch1": "patch rejected by user"}


async def test_cancel_interrupts_the_turn(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """`cancel` declines the item and ends the turn `interrupted` without asking the
    model again; nothing is written."""
    client, tid, work = await start(launch, tmp_path, "untrusted")
    mock.enqueue(patch_call(ADD), {"kind": "text", "text": "never asked"})
    await client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "w"}]})
    await answer_approvals(client, "cancel")
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["status"] == "interrupted"
    assert "item/completed:declined" in file_events(client)
    assert len(mock.responses_requests) == 1
    assert not (work / "hello.txt").exists()


async def test_patches_that_do_not_apply_touch_nothing(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """A patch whose context is missing is refused before any item with the reference's
    text; one that fails while writing (a directory needed where a file is) fails its
    item and leaves every file as it was, the earlier hunks included."""
    client, tid, work = await start(launch, tmp_path)
    (work / "a.txt").write_text("one\ntwo\n")
    (work / "blocker").write_text("a file\n")
    mock.enqueue(
        patch_call("*** Begin Patch\n*** Add File: z.txt\n+z\n*** Update File: a.txt\n"
                   "@@ def foo\n-two\n+2\n*** End Patch", "bad_context"),
        patch_call("*** Begin Patch\n*** Update File: a.txt\n@@\n-two\n+2\n"
                   "*** Add File: blocker/y.txt\n+y\n*** End Patch", "bad_write"),
        {"kind": "text", "text": "done"})
    await run_turn(client, tid, "edit")
    result = outputs(mock)
    assert result["bad_context"] == (
        f"apply_patch verification failed: Failed to find context 'def foo' in {work}/a.txt")
    assert re.fullmatch(r"Exit code: 1\nWall time: \d+(\.\d)? seconds\nOutput:\n"
                        r"Failed to create parent directories for blocker/y\.txt\n",
                        result["bad_write"])
    assert file_events(client) == [
        "item/started:inProgress", "item/fileChange/outputDelta", "item/completed:failed",
        "turn/completed"]
    assert (work / "a.txt").read_text() == "one\ntwo\n"
    assert sorted(p.name for p in work.iterdir()) == ["a.txt", "blocker"]


async def test_accept_for_session_is_not_asked_again_for_the_same_file(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """After acceptForSession, a later patch to the same file applies without a
    request; the turn's diff is cumulative against the file before the turn."""
    client, tid, work = await start(launch, tmp_path, "untrusted")
    (work / "a.txt").write_text("a\n")
    update = "*** Begin Patch\n*** Update File: a.txt\n@@\n-{}\n+{}\n*** End Patch"
    mock.enqueue(patch_call(update.format("a", "A"), "p1"),
                 patch_call(update.format("A", "AA"), "p2"), {"kind": "text", "text": "ok"})
    await client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "w"}]})
    await answer_approvals(client, "acceptForSession")
    await client.wait_notification("turn/completed")
    assert [r["method"] for r in client.server_requests] == [APPROVAL]
    assert (work / "a.txt").read_text() == "AA\n"
    last = [n for n in client.notifications if n["method"] == "turn/diff/updated"][-1]
    assert last["params"]["diff"].endswith("@@ -1 +1 @@\n-a\n+AA\n")
