"""mcp_front/approvals.py: approvals asked as the reference asks them, answers read as it
reads them."""

from __future__ import annotations

from typing import cast

from app_server_protocol.wire_types import (
    CommandExecutionRequestApprovalParams,
    FileChangeRequestApprovalParams,
)
from mcp_front import approvals


def test_exec_ask() -> None:
    """A command approval: the exec_approval_request event and the elicitation params the
    reference sends (message, empty schema, thread, codex_* members; probed)."""
    params = cast(CommandExecutionRequestApprovalParams, {
        "threadId": "t", "turnId": "u", "itemId": "call_1", "approvalId": None, "reason": None,
        "command": "/bin/bash -lc 'echo hi > out.txt'", "cwd": "/w",
        "commandActions": [{"type": "unknown", "command": "echo hi > out.txt"}],
        "proposedExecpolicyAmendment": None})
    ask = approvals.exec_ask(params, "t", "1")
    argv = ["/bin/bash", "-lc", "echo hi > out.txt"]
    parsed = [{"type": "unknown", "cmd": "echo hi > out.txt"}]
    assert ask.event == {"type": "exec_approval_request", "call_id": "call_1", "turn_id": "u",
                         "command": argv, "cwd": "/w", "parsed_cmd": parsed}
    assert ask.elicitation == {
        "message": "Allow Codex to run `/bin/bash -lc 'echo hi > out.txt'` in `/w`?",
        "requestedSchema": {"type": "object", "properties": {}}, "threadId": "t",
        "codex_elicitation": "exec-approval", "codex_mcp_tool_call_id": "1",
        "codex_event_id": "u", "codex_call_id": "call_1", "codex_command": argv,
        "codex_cwd": "/w", "codex_parsed_cmd": parsed}


def test_patch_ask() -> None:
    """A patch approval shows the changes kept from the item; a reason rides along."""
    params = cast(FileChangeRequestApprovalParams, {
        "threadId": "t", "turnId": "u", "itemId": "call_p", "reason": "why", "grantRoot": None})
    changes = {"/w/new.txt": {"type": "add", "content": "hello\n"}}
    ask = approvals.patch_ask(params, "t", "2", changes)
    assert ask.event == {"type": "apply_patch_approval_request", "call_id": "call_p",
                         "turn_id": "u", "changes": changes, "reason": "why"}
    assert ask.elicitation["message"] == "Allow Codex to apply proposed code changes?"
    assert (ask.elicitation["codex_elicitation"], ask.elicitation["codex_changes"],
            ask.elicitation["codex_reason"]) == ("patch-approval", changes, "why")
    assert "codex_grant_root" not in ask.elicitation


def test_decisions() -> None:
    """The reference's review decisions map to v2 decisions; anything else declines."""
    assert [approvals.decision({"decision": d}) for d in
            ("approved", "approved_for_session", "denied", "abort")] == [
        "accept", "acceptForSession", "decline", "cancel"]
    assert approvals.decision({"action": "accept"}) == "decline"
    assert approvals.decision({"decision": "yes"}) == "decline"
    assert approvals.decision(None) == "decline"
