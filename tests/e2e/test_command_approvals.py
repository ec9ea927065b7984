"""End to end: command approvals per decision and per approval policy.

Orders, request fields and model texts observed from codex 0.104.0 against
the same mock model (BEHAVIOR.md §6 and §14 "Command approval"), plus the
`serverRequest/resolved` the reference sends after 0.104 (issue 10):

- exec_command: request -> answer -> resolved -> item/started (with a
  process id) -> item/completed; a decline, cancel or error answer
  completes the item once (`declined`, `declined`, `failed`) with no
  item/started.
- shell shapes: item/started -> request -> answer -> resolved -> output ->
  item/completed; a decline completes the item `declined` twice (the second
  time with "exec command rejected by user", exit code -1), an error answer
  `failed` then `declined`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="bubblewrap (bwrap) is not installed")

APPROVAL = "item/commandExecution/requestApproval"
EXEC_DECLINED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
SHELL_DECLINED = "exec command rejected by user"
ERROR_ANSWER = {"error": {"code": -32000, "message": "client gave up"}}


def accept(decision: str = "accept") -> dict[str, Any]:
    return {"result": {"decision": decision}}


def exec_call(call_id: str, cmd: str, **args: Any) -> dict[str, Any]:
    return {"kind": "function_call", "name": "exec_command", "call_id": call_id,
            "arguments": {"cmd": cmd, **args}}


def shell_call(call_id: str, argv: list[str], **args: Any) -> dict[str, Any]:
    return {"kind": "function_call", "name": "shell", "call_id": call_id,
            "arguments": {"command": argv, **args}}


@dataclass
class Session:
    """A client on a thread, answering approval requests from a script."""

    client: ProtocolClient
    thread_id: str
    work: Path
    answered: int = 0
    answers: list[dict[str, Any]] = field(default_factory=list)

    async def turn(self, *answers: dict[str, Any]) -> dict[str, Any]:
        """Run one turn, answering its approval requests in order; its final turn."""
        self.answers.extend(answers)
        result = await self.client.call("turn/start", {
            "threadId": self.thread_id, "input": [{"type": "text", "text": "go"}]})
        turn_id = result["turn"]["id"]
        while True:
            kind, msg = await self.client.wait_for(lambda: self._next(turn_id))
            if kind == "done":
                return msg["params"]["turn"]  # type: ignore[no-any-return]
            self.answered += 1
            await self.client.send({"id": msg["id"], **self.answers.pop(0)})

    def _next(self, turn_id: str) -> tuple[str, dict[str, Any]] | None:
        if len(self.client.server_requests) > self.answered:
            return "ask", self.client.server_requests[self.answered]
        done = [n for n in self.client.notifications if n["method"] == "turn/completed"
                and n["params"]["turn"]["id"] == turn_id]
        return ("done", done[0]) if done else None

    def trace(self, call_id: str) -> list[str]:
        """The call's events in arrival order: request, resolved, item/started,
        item/completed:<status>."""
        out: list[str] = []
        asked: set[Any] = set()
        for msg in self.client.received:
            method, params = msg.get("method"), msg.get("params") or {}
            if method == APPROVAL and params.get("itemId") == call_id:
                out.append("request")
                asked.add(msg["id"])
            elif method == "serverRequest/resolved" and params.get("requestId") in asked:
                out.append("resolved")
            elif method in ("item/started", "item/completed") and params["item"]["id"] == call_id:
                out.append(method if method == "item/started"
                           else f"{method}:{params['item']['status']}")
        return out

    def requests(self, call_id: str) -> list[dict[str, Any]]:
        """The approval requests' params for a call."""
        return [r["params"] for r in self.client.server_requests
                if r["method"] == APPROVAL and r["params"]["itemId"] == call_id]

    def completed(self, call_id: str) -> list[dict[str, Any]]:
        """The call's item/completed items, in order."""
        return [n["params"]["item"] for n in self.client.notifications
                if n["method"] == "item/completed" and n["params"]["item"]["id"] == call_id]


async def start(launch: Launcher, tmp_path: Path, policy: str, sandbox: str = "read-only",
                transport: str = "stdio") -> Session:
    client = await launch(transport, approval_policy=policy, sandbox_mode=sandbox)
    await client.initialize()
    work = tmp_path / "work"
    result = await client.call("thread/start", {"cwd": str(work)})
    return Session(client, result["thread"]["id"], work)


def model_reads(mock: MockModelServer) -> dict[str, str]:
    """Every call output the model was sent, by call id."""
    return {item["call_id"]: item["output"] for req in mock.responses_requests
            for item in req.body["input"] if item["type"] == "function_call_output"}


async def test_untrusted_safe_runs_unsafe_asks_and_accept_for_session_is_remembered(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """`ls` runs without a question; printf is asked about with the reference's
    fields (display, cwd, actions, amendment, no reason); acceptForSession runs it
    and lets the same command run again without asking."""
    script = "printf 'approved-output\\n'"
    mock.enqueue(exec_call("c_ls", "ls"), exec_call("c_p1", script), exec_call("c_p2", script),
                 {"kind": "text", "text": "done"})
    session = await start(launch, tmp_path, "untrusted", transport="ws")
    turn = await session.turn(accept("acceptForSession"))
    assert turn["status"] == "completed"
    assert session.trace("c_ls") == ["item/started", "item/completed:completed"]
    assert session.trace("c_p1") == [
        "request", "resolved", "item/started", "item/completed:completed"]
    assert session.trace("c_p2") == ["item/started", "item/completed:completed"]
    [asked] = session.requests("c_p1")
    assert asked["command"].endswith(" -lc \"printf 'approved-output\\\\n'\"")
    assert asked["cwd"] == str(session.work)
    assert asked["commandActions"] == [{"type": "unknown", "command": script}]
    assert asked["proposedExecpolicyAmendment"] == ["printf", "approved-output\\n"]
    assert asked.get("reason") is None
    [done] = session.completed("c_p1")
    assert done["aggregatedOutput"].endswith("approved-output\n") and done["exitCode"] == 0
    assert done["processId"] is not None
    outputs = model_reads(mock)
    assert outputs["c_p2"].startswith("Chunk ID: ")
    assert outputs["c_p2"].endswith("approved-output\n")


async def test_decline_and_cancel(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """exec_command: a decline completes the item `declined` without starting it, the
    model reads the CreateProcess rejection and the turn goes on; a cancel ends the
    turn `interrupted` with no further model request."""
    mock.enqueue(exec_call("c_d", "printf declined"), {"kind": "text", "text": "ok"},
                 exec_call("c_c", "printf cancelled"), {"kind": "text", "text": "never sent"})
    session = await start(launch, tmp_path, "untrusted")
    turn = await session.turn(accept("decline"))
    assert turn["status"] == "completed"
    assert session.trace("c_d") == ["request", "resolved", "item/completed:declined"]
    assert model_reads(mock)["c_d"] == EXEC_DECLINED
    requests_before = len(mock.responses_requests)
    turn = await session.turn(accept("cancel"))
    assert turn["status"] == "interrupted"
    assert session.trace("c_c") == ["request", "resolved", "item/completed:declined"]
    assert len(mock.responses_requests) == requests_before + 1


async def test_error_answers_and_shell_declines(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """A JSON-RPC error answer reads as a decline for the model but fails the item;
    for the shell shapes the item is started first and completed twice (the second
    time declined, with the rejection as output and exit code -1)."""
    mock.enqueue(exec_call("c_e", "printf e1"), shell_call("s_e", ["printf", "e2"]),
                 shell_call("s_d", ["printf", "d2"]), {"kind": "text", "text": "ok"})
    session = await start(launch, tmp_path, "untrusted")
    turn = await session.turn(ERROR_ANSWER, ERROR_ANSWER, accept("decline"))
    assert turn["status"] == "completed"
    assert session.trace("c_e") == ["request", "resolved", "item/completed:failed"]
    assert session.trace("s_e") == [
        "item/started", "request", "resolved", "item/completed:failed",
        "item/completed:declined"]
    assert session.trace("s_d") == [
        "item/started", "request", "resolved", "item/completed:declined",
        "item/completed:declined"]
    first, second = session.completed("s_d")
    assert (first["aggregatedOutput"], first["exitCode"]) == (None, None)
    assert (second["aggregatedOutput"], second["exitCode"], second["durationMs"]) == (
        SHELL_DECLINED, -1, 0)
    outputs = model_reads(mock)
    assert outputs["c_e"] == EXEC_DECLINED
    assert outputs["s_e"] == outputs["s_d"] == SHELL_DECLINED


async def test_on_request_escalation_carries_the_justification(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """Under on-request a plain command runs in the sandbox without asking (a write
    fails read-only); `require_escalated` asks with the justification as `reason`
    and, accepted, runs outside the sandbox (the write lands)."""
    mock.enqueue(exec_call("c_plain", "touch plain.txt"),
                 exec_call("c_esc", "touch escalated.txt",
                           sandbox_permissions="require_escalated",
                           justification="needs to write the report"),
                 {"kind": "text", "text": "ok"})
    session = await start(launch, tmp_path, "on-request")
    await session.turn(accept())
    assert session.trace("c_plain") == ["item/started", "item/completed:failed"]
    assert not (session.work / "plain.txt").exists()
    assert session.trace("c_esc") == [
        "request", "resolved", "item/started", "item/completed:completed"]
    [asked] = session.requests("c_esc")
    assert asked["reason"] == "needs to write the report"
    assert asked["proposedExecpolicyAmendment"] == ["touch", "escalated.txt"]
    assert (session.work / "escalated.txt").exists()


async def test_on_failure_retries_a_denied_shell_command_without_the_sandbox(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """on-failure: a shell command the sandbox denies is put to the user ("command
    failed; retry without sandbox?") after its output streamed, and rerun outside the
    sandbox when accepted; exec_command is never retried."""
    mock.enqueue(shell_call("s_w", ["touch", "retry.txt"]), exec_call("c_w", "touch exec.txt"),
                 {"kind": "text", "text": "ok"})
    session = await start(launch, tmp_path, "on-failure")
    await session.turn(accept())
    assert session.trace("s_w") == [
        "item/started", "request", "resolved", "item/completed:completed"]
    [asked] = session.requests("s_w")
    assert asked["reason"] == "command failed; retry without sandbox?"
    assert asked["proposedExecpolicyAmendment"] == ["touch", "retry.txt"]
    received = session.client.received
    delta_at = next(i for i, m in enumerate(received)
                    if m.get("method") == "item/commandExecution/outputDelta"
                    and m["params"]["itemId"] == "s_w")
    asked_at = next(i for i, m in enumerate(received)
                    if m.get("method") == APPROVAL and m["params"]["itemId"] == "s_w")
    assert delta_at < asked_at
    assert (session.work / "retry.txt").exists()
    assert session.requests("c_w") == []
    assert not (session.work / "exec.txt").exists()
    assert model_reads(mock)["s_w"].startswith("Exit code: 0\n")


async def test_never_refuses_escalation_without_an_item(
    launch: Launcher, mock: MockModelServer, tmp_path: Path,
) -> None:
    """Under never nothing is asked: escalation is refused with a text naming the
    policy (exec_command "cannot", shell "should not") and no item; other commands
    run in the sandbox."""
    mock.enqueue(exec_call("c_x", "printf x", sandbox_permissions="require_escalated",
                           justification="please"),
                 shell_call("s_x", ["printf", "x"], sandbox_permissions="require_escalated"),
                 exec_call("c_ok", "printf ok"), {"kind": "text", "text": "ok"})
    session = await start(launch, tmp_path, "never")
    turn = await session.turn()
    assert turn["status"] == "completed"
    assert session.client.server_requests == []
    assert session.trace("c_x") == [] and session.trace("s_x") == []
    assert session.trace("c_ok") == ["item/started", "item/completed:completed"]
    outputs = model_reads(mock)
    assert outputs["c_x"] == (
        "approval policy is Never; reject command \u2014 you cannot ask for escalated "
        "permissions if the approval policy is Never")
    assert outputs["s_x"] == (
        "approval policy is Never; reject command \u2014 you should not ask for escalated "
        "permissions if the approval policy is Never")
