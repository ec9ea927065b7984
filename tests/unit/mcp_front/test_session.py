"""mcp_front/session.py: tool calls run against a fake core and a fake MCP client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app_server_protocol.errors import ProtocolError
from mcp_front.session import CORE_LOST, McpSession, Note, Request

THREAD = "01a23442-b13d-7c43-a8bc-fa4c5048ada7"
STARTED = {"thread": {"id": THREAD, "path": None}, "model": "m", "modelProvider": "mock",
           "cwd": "/w", "approvalPolicy": "never", "sandbox": {"type": "dangerFullAccess"},
           "reasoningEffort": None}


def turn_notes(turn_id: str, text: str) -> list[Note]:
    """What the core sends for a turn answering `text`."""
    item = {"type": "agentMessage", "id": "msg", "text": text}
    return [
        Note("turn/started", {"threadId": THREAD, "turn": {"id": turn_id}}),
        Note("item/completed", {"threadId": THREAD, "turnId": turn_id, "item": item}),
        Note("turn/completed", {"threadId": THREAD, "turn": {
            "id": turn_id, "items": [], "status": "completed", "error": None}}),
    ]


class FakeCore:
    """Answers calls from a table; `on_turn` feeds the session the turn's messages."""

    def __init__(self) -> None:
        self.session: McpSession | None = None
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.answers: list[tuple[str, int, str, str]] = []
        self.turns = 0
        self.on_turn: Callable[[str, str], list[Note | Request]] = (
            lambda cid, turn_id: list(turn_notes(turn_id, f"answer {self.turns}")))
        self.fail: dict[str, ProtocolError] = {}
        self.replays: list[bool] = []

    async def call(self, method: str, params: dict[str, Any], *, connection_id: str,
                   replay: bool = False) -> Any:
        self.calls.append((method, params, connection_id))
        self.replays.append(replay)
        if method in self.fail:
            raise self.fail[method]
        if method == "thread/start":
            return STARTED
        if method == "turn/interrupt":
            assert self.session is not None
            self.session.deliver(connection_id, Note("turn/completed", {
                "threadId": THREAD, "turn": {"id": params["turnId"], "items": [],
                                             "status": "interrupted", "error": None}}))
            return {}
        if method == "turn/start":
            self.turns += 1
            turn_id = f"turn-{self.turns}"
            assert self.session is not None
            for message in self.on_turn(connection_id, turn_id):
                self.session.deliver(connection_id, message)
            return {"turn": {"id": turn_id}}
        return {}

    def answer(self, connection_id: str, request_id: int, method: str, decision: str) -> None:
        self.answers.append((connection_id, request_id, method, decision))

    async def ready(self) -> None:
        return None


class FakePeer:
    """Records notifications; answers elicitations from a list."""

    def __init__(self, answers: list[dict[str, Any] | None] | None = None) -> None:
        self.notes: list[tuple[str, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.asked: list[dict[str, Any]] = []
        self._answers = list(answers or [])

    async def notify(self, method: str, params: dict[str, Any]) -> None:
        self.notes.append((method, params))
        self.changed.set()

    async def elicit(self, params: dict[str, Any], limit: float) -> dict[str, Any] | None:
        self.asked.append(params)
        return self._answers.pop(0)

    def kinds(self) -> list[str]:
        return [p["msg"]["type"] for _, p in self.notes]


def make(idle_timeout: float = 5.0) -> tuple[McpSession, FakeCore]:
    core = FakeCore()
    session = McpSession(core, cwd="/srv", idle_timeout=idle_timeout)
    session.client_info = {"name": "host", "title": None, "version": "1"}
    core.session = session
    return session, core


async def test_codex_starts_a_thread_and_answers_the_turn() -> None:
    """`codex`: initialize and thread/start on a connection of its own (cwd resolved against
    the front end's), session_configured (event id ""), the turn's events (event id = turn
    id, `_meta` = call and thread), and the last agent message as the answer."""
    session, core = make()
    peer = FakePeer()
    result = await session.call_tool("codex", {"prompt": "hi", "cwd": "sub"}, 7, peer)
    assert result == {"content": [{"type": "text", "text": "answer 1"}],
                      "structuredContent": {"threadId": THREAD, "content": "answer 1"}}
    assert [(m, c) for m, _, c in core.calls] == [
        ("initialize", "m1"), ("thread/start", "m1"), ("turn/start", "m1")]
    assert core.calls[0][1] == {"clientInfo": {"name": "host", "title": None, "version": "1"}}
    assert core.calls[1][1] == {"cwd": "/srv/sub"}
    assert core.calls[2][1]["input"] == [{"type": "text", "text": "hi", "text_elements": []}]
    assert peer.kinds() == ["session_configured", "task_started", "item_completed",
                            "agent_message", "task_complete"]
    assert {m for m, _ in peer.notes} == {"codex/event"}
    assert [p["id"] for _, p in peer.notes][:2] == ["", "turn-1"]
    assert {str(p["_meta"]) for _, p in peer.notes} == {str({"requestId": 7,
                                                              "threadId": THREAD})}
    assert session.connection_ids() == ["m1"]


async def test_reply_continues_the_thread_and_unknown_threads_are_refused() -> None:
    """`codex-reply` starts the next turn on the thread's connection; an unknown thread is
    the reference's error with its structuredContent; events of other turns and events left
    from between calls are not the call's."""
    session, core = make()
    await session.call_tool("codex", {"prompt": "hi"}, 1, FakePeer())
    session.deliver("m1", Note("turn/started", {"threadId": THREAD, "turn": {"id": "stale"}}))
    core.on_turn = lambda cid, turn_id: [
        Note("item/completed", {"threadId": THREAD, "turnId": "other", "item": {
            "type": "agentMessage", "id": "x", "text": "not mine"}}),
        *turn_notes(turn_id, "second")]
    peer = FakePeer()
    result = await session.call_tool("codex-reply", {"prompt": "more", "threadId": THREAD}, 2,
                                     peer)
    assert result["structuredContent"] == {"threadId": THREAD, "content": "second"}
    assert core.calls[-1][2] == "m1"
    assert peer.kinds() == ["task_started", "item_completed", "agent_message", "task_complete"]
    other = "11111111-2222-3333-4444-555555555555"
    refused = await session.call_tool("codex-reply", {"prompt": "x", "threadId": other}, 3,
                                      FakePeer())
    assert refused == {"content": [{"type": "text",
                                    "text": f"Session not found for thread_id: {other}"}],
                       "structuredContent": {"threadId": other, "content":
                                             f"Session not found for thread_id: {other}"},
                       "isError": True}


async def test_approvals_are_elicited_and_answered() -> None:
    """A command approval request is announced, elicited, and answered with the decision
    the client's answer maps to (an error answer declines)."""
    session, core = make()
    request = {"threadId": THREAD, "turnId": "turn-1", "itemId": "call_1", "approvalId": None,
               "reason": None, "command": "ls", "cwd": "/w", "commandActions": None,
               "proposedExecpolicyAmendment": None}
    core.on_turn = lambda cid, turn_id: [
        Request(41, "item/commandExecution/requestApproval", request),
        Request(42, "item/commandExecution/requestApproval", request),
        *turn_notes(turn_id, "ok")]
    peer = FakePeer([{"decision": "approved_for_session"}, None])
    await session.call_tool("codex", {"prompt": "go"}, "req-1", peer)
    assert core.answers == [
        ("m1", 41, "item/commandExecution/requestApproval", "acceptForSession"),
        ("m1", 42, "item/commandExecution/requestApproval", "decline")]
    assert peer.asked[0]["codex_mcp_tool_call_id"] == "req-1"
    assert peer.kinds().count("exec_approval_request") == 2


async def test_failures_become_error_results() -> None:
    """A refused thread/start, a failed turn (its error message) and a turn that stays
    silent past the idle bound each end the call with an error result."""
    session, core = make()
    core.fail["thread/start"] = ProtocolError(-32600, "bad model")
    result = await session.call_tool("codex", {"prompt": "x"}, 1, FakePeer())
    assert result == {"content": [{"type": "text",
                                   "text": "Failed to start Codex session: bad model"}],
                      "isError": True}
    del core.fail["thread/start"]
    error = {"message": "boom", "codexErrorInfo": "other", "additionalDetails": None}
    core.on_turn = lambda cid, turn_id: [
        Note("error", {"error": error, "willRetry": False, "threadId": THREAD,
                       "turnId": turn_id}),
        Note("turn/completed", {"threadId": THREAD, "turn": {
            "id": turn_id, "items": [], "status": "failed", "error": error}})]
    failed = await session.call_tool("codex", {"prompt": "x"}, 2, FakePeer())
    assert failed["isError"] and failed["structuredContent"]["content"] == "boom"
    silent, core = make(idle_timeout=0.05)
    core.on_turn = lambda cid, turn_id: []
    timed_out = await silent.call_tool("codex", {"prompt": "x"}, 3, FakePeer())
    assert timed_out["content"] == [{"type": "text", "text": "Codex turn timed out"}]


async def test_bad_calls() -> None:
    """Unknown tools and bad arguments answer at once, reaching no core."""
    session, core = make()
    assert (await session.call_tool("nope", {}, 1, FakePeer()))["content"][0]["text"] == (
        "Unknown tool 'nope'")
    bad = await session.call_tool("codex", {"prompt": 1}, 2, FakePeer())
    assert bad["isError"] and "structuredContent" not in bad
    assert core.calls == []


async def test_cancelled_call_interrupts_its_turn() -> None:
    """Cancelling a call (the client's notifications/cancelled) interrupts its turn in
    the background and still reports `turn_aborted` to the client."""
    session, core = make()
    core.on_turn = lambda cid, turn_id: [
        Note("turn/started", {"threadId": THREAD, "turn": {"id": turn_id}})]
    peer = FakePeer()
    call = asyncio.ensure_future(session.call_tool("codex", {"prompt": "x"}, 1, peer))
    while "task_started" not in peer.kinds():
        peer.changed.clear()
        await asyncio.wait_for(peer.changed.wait(), 5)
    call.cancel()
    await asyncio.gather(call, return_exceptions=True)
    await session.drain(5)
    assert core.calls[-1][:1] == ("turn/interrupt",)
    assert core.calls[-1][1] == {"threadId": THREAD, "turnId": "turn-1"}
    assert peer.kinds()[-1] == "turn_aborted"


async def test_restore_after_reconnect() -> None:
    """When the core link comes back, a call waiting for its turn ends with an error,
    each thread started here is initialized and resumed again (marked as replays), and a
    new call waits for that before starting its turn."""
    session, core = make()
    await session.call_tool("codex", {"prompt": "x"}, 1, FakePeer())
    core.on_turn = lambda cid, turn_id: [
        Note("turn/started", {"threadId": THREAD, "turn": {"id": turn_id}})]
    peer = FakePeer()
    call = asyncio.ensure_future(session.call_tool(
        "codex-reply", {"prompt": "y", "threadId": THREAD}, 2, peer))
    while "task_started" not in peer.kinds():
        peer.changed.clear()
        await asyncio.wait_for(peer.changed.wait(), 5)
    calls_before = len(core.calls)
    session.reconnected()
    core.on_turn = lambda cid, turn_id: list(turn_notes(turn_id, "again"))
    after = await session.call_tool("codex-reply", {"prompt": "z", "threadId": THREAD}, 3,
                                    FakePeer())
    result = await asyncio.wait_for(call, 5)
    assert result["isError"] and result["content"][0]["text"] == CORE_LOST
    assert after["structuredContent"]["content"] == "again"
    assert [(m, p, c) for m, p, c in core.calls[calls_before:calls_before + 2]] == [
        ("initialize", {"clientInfo": session.client_info}, "m1"),
        ("thread/resume", {"threadId": THREAD}, "m1")]
    assert core.replays[calls_before:] == [True, True, False]
    assert core.calls[-1][0] == "turn/start"
