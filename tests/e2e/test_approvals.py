"""End to end: approvals reach every subscribed connection and survive a reconnect.

An approval (here `item/fileChange/requestApproval` of an apply_patch under
`untrusted`) goes to every connection subscribed to the thread; the first
answer wins and every subscriber hears `serverRequest/resolved`. A client
that loses its connection while the question is open, reconnects and
resumes the thread is asked again (the reference added this after 0.104
because clients lost approvals on reconnect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n"
APPROVAL = "item/fileChange/requestApproval"


async def _request(client: ProtocolClient, method: str) -> dict[str, Any]:
    return await client.wait_for(  # type: ignore[no-any-return]
        lambda: next((r for r in client.server_requests if r["method"] == method), None))


async def _setup(launch: Launcher, mock: MockModelServer, tmp_path: Path
                 ) -> tuple[ProtocolClient, str, Path]:
    mock.enqueue({"kind": "custom_tool_call", "name": "apply_patch", "call_id": "call_patch1",
                  "input": PATCH}, {"kind": "text", "text": "done"})
    first = await launch("ws", approval_policy="untrusted", sandbox_mode="workspace-write")
    await first.initialize()
    work = tmp_path / "work"
    tid = (await first.call("thread/start", {"cwd": str(work)}))["thread"]["id"]
    return first, tid, work


async def test_two_connections_get_the_approval_and_the_first_answer_wins(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """Both subscribers receive the same request id; the second one answers; both
    hear serverRequest/resolved naming the thread; the patch is applied."""
    first, tid, work = await _setup(launch, mock, tmp_path)
    second = await ProtocolClient.over_websocket(first.url)  # type: ignore[attr-defined]
    try:
        await second.initialize()
        await second.call("thread/resume", {"threadId": tid})
        await first.call("turn/start", {"threadId": tid,
                                        "input": [{"type": "text", "text": "write"}]})
        asked_first = await _request(first, APPROVAL)
        asked_second = await _request(second, APPROVAL)
        assert asked_first == asked_second
        assert asked_first["params"]["itemId"] == "call_patch1"
        rid = asked_first["id"]
        await second.send({"id": rid, "result": {"decision": "accept"}})
        for client in (first, second):
            resolved = await client.wait_notification("serverRequest/resolved")
            assert resolved["params"] == {"threadId": tid, "requestId": rid}
            await client.wait_notification("turn/completed")
        assert (work / "hello.txt").read_text() == "hello\n"
        # The first connection's late answer changes nothing.
        await first.send({"id": rid, "result": {"decision": "decline"}})
        assert (await first.call("thread/loaded/list", {}))["data"] == [tid]
    finally:
        await second.close()


async def test_a_resuming_connection_is_asked_again(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """The only subscriber disconnects while the approval is open; a new connection
    resumes the thread, receives the same request after its resume response, and its
    decline resolves it: the file is not written and the turn completes."""
    first, tid, work = await _setup(launch, mock, tmp_path)
    await first.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "w"}]})
    asked = await _request(first, APPROVAL)
    await first.close()
    again = await ProtocolClient.over_websocket(first.url)  # type: ignore[attr-defined]
    try:
        await again.initialize()
        resume_id = await again.request_nowait("thread/resume", {"threadId": tid})
        replayed = await _request(again, APPROVAL)
        resume = await again.wait_response(resume_id)
        assert again.received.index(resume) < again.received.index(replayed)
        assert replayed == asked
        await again.send({"id": replayed["id"], "result": {"decision": "decline"}})
        resolved = await again.wait_notification("serverRequest/resolved")
        assert resolved["params"]["requestId"] == asked["id"]
        done = await again.wait_notification("turn/completed")
        assert done["params"]["turn"]["status"] == "completed"
        assert not (work / "hello.txt").exists()
        outputs = [i for i in mock.responses_requests[-1].body["input"]
                   if i["type"] == "custom_tool_call_output"]
        assert outputs == [{"type": "custom_tool_call_output", "call_id": "call_patch1",
                            "output": "patch rejected by user"}]
    finally:
        await again.close()
