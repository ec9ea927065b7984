"""The core's approval requests as the reference asks them of an MCP client, with no I/O.

The reference announces an approval with a `codex/event` message
(`exec_approval_request`, `apply_patch_approval_request`) and then asks the
client with an `elicitation/create` request whose params carry, beside the
MCP `message` and an empty `requestedSchema`, the thread and `codex_*`
members describing the command or the changes. It reads the client's answer
as `{"decision": "approved" | "approved_for_session" | "denied" | "abort"}`;
anything else (an MCP `{"action": "accept"}` alone, an error) is a denial.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from app_server_protocol.wire_types import (
    CommandExecutionRequestApprovalParams,
    FileChangeRequestApprovalParams,
)
from mcp_front.events import EventMsg, command_argv, parsed_command

EXEC_METHOD = "item/commandExecution/requestApproval"
PATCH_METHOD = "item/fileChange/requestApproval"

_EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
# The reference's review decisions and the v2 decisions they become.
_DECISIONS = {
    "approved": "accept",
    "approved_for_session": "acceptForSession",
    "denied": "decline",
    "abort": "cancel",
}


@dataclass(frozen=True)
class Ask:
    """One approval to ask: the announcing event and the elicitation's params."""

    event: EventMsg
    elicitation: dict[str, Any]


def exec_ask(params: CommandExecutionRequestApprovalParams, thread_id: str,
             call_request_id: str) -> Ask:
    """A command approval: `exec_approval_request`, then `elicitation/create`."""
    argv = command_argv(params["command"])
    cwd = params["cwd"] or ""
    parsed = parsed_command(params["commandActions"])
    event: EventMsg = {"type": "exec_approval_request", "call_id": params["itemId"],
                       "turn_id": params["turnId"], "command": argv, "cwd": cwd,
                       "parsed_cmd": parsed}
    if params["reason"] is not None:
        event["reason"] = params["reason"]
    elicitation: dict[str, Any] = {
        "message": f"Allow Codex to run `{shlex.join(argv)}` in `{cwd}`?",
        "requestedSchema": _EMPTY_SCHEMA,
        "threadId": thread_id,
        "codex_elicitation": "exec-approval",
        "codex_mcp_tool_call_id": call_request_id,
        "codex_event_id": params["turnId"],
        "codex_call_id": params["itemId"],
        "codex_command": argv,
        "codex_cwd": cwd,
        "codex_parsed_cmd": parsed,
    }
    if params["reason"] is not None:
        elicitation["codex_reason"] = params["reason"]
    return Ask(event, elicitation)


def patch_ask(params: FileChangeRequestApprovalParams, thread_id: str, call_request_id: str,
              changes: dict[str, Any]) -> Ask:
    """A patch approval: `apply_patch_approval_request`, then `elicitation/create`."""
    event: EventMsg = {"type": "apply_patch_approval_request", "call_id": params["itemId"],
                       "turn_id": params["turnId"], "changes": changes}
    elicitation: dict[str, Any] = {
        "message": "Allow Codex to apply proposed code changes?",
        "requestedSchema": _EMPTY_SCHEMA,
        "threadId": thread_id,
        "codex_elicitation": "patch-approval",
        "codex_mcp_tool_call_id": call_request_id,
        "codex_event_id": params["turnId"],
        "codex_call_id": params["itemId"],
        "codex_changes": changes,
    }
    for key in ("reason", "grantRoot"):
        value = params.get(key)
        if value is not None:
            name = "grant_root" if key == "grantRoot" else key
            event[name] = value
            elicitation[f"codex_{name}"] = value
    return Ask(event, elicitation)


def decision(answer: dict[str, Any] | None) -> str:
    """The v2 decision of the client's answer (None: it answered with an error)."""
    chosen = answer.get("decision") if answer is not None else None
    if isinstance(chosen, str) and chosen in _DECISIONS:
        return _DECISIONS[chosen]
    return "decline"
