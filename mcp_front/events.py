"""The core's v2 notifications as the reference's `codex/event` messages, with no I/O.

During a tool call the reference streams its agent's internal events
(`EventMsg`, snake_case, `{"type": ...}`) to the MCP client as `codex/event`
notifications. The core speaks the app-server protocol v2, so `TurnEvents`
rebuilds those messages from the v2 notifications of one thread: a v2
notification becomes zero, one or two messages (a v2 agent-message delta is
both the reference's `agent_message_content_delta` and its legacy
`agent_message_delta`). It keeps what later messages need: the last agent
message (the call's answer), the context window, each file change's
changes (the patch approval shows them).

The messages are the reference's core protocol, which has no v2 schema and
no generated `TypedDict`s: they are plain dicts (`EventMsg`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any, cast

from app_server_protocol.wire_types import (
    AgentMessageDeltaNotification,
    CommandAction,
    ErrorNotification,
    ExternalSandboxSandboxPolicy,
    FileUpdateChange,
    ItemCompletedNotification,
    SandboxPolicy,
    ThreadStartResponse,
    ThreadTokenUsage,
    TokenUsageBreakdown,
    TurnCompletedNotification,
)

EventMsg = dict[str, Any]

# What the reference reports when no rate-limit snapshot is known.
NULL_RATE_LIMITS: dict[str, Any] = {
    "limit_id": "codex", "limit_name": None, "primary": None, "secondary": None,
    "credits": None, "plan_type": None,
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """`httpConnectionFailed` -> `http_connection_failed` (v2 names to the reference's)."""
    return _CAMEL.sub("_", name).lower()


def session_configured(started: ThreadStartResponse) -> EventMsg:
    """The `session_configured` message of a new thread, from its `thread/start` answer."""
    thread = started["thread"]
    msg: EventMsg = {
        "type": "session_configured",
        "session_id": thread["id"],
        "model": started["model"],
        "model_provider_id": started["modelProvider"],
        "approval_policy": started["approvalPolicy"],
        "sandbox_policy": sandbox_policy(started["sandbox"]),
        "cwd": started["cwd"],
    }
    if started.get("reasoningEffort") is not None:
        msg["reasoning_effort"] = started["reasoningEffort"]
    msg.update(history_log_id=0, history_entry_count=0, rollout_path=thread.get("path"))
    return msg


def sandbox_policy(policy: SandboxPolicy) -> dict[str, Any]:
    """A v2 `SandboxPolicy` in the reference's core shape (kebab-case tag, snake_case fields)."""
    kind = policy["type"]
    if kind == "readOnly":
        return {"type": "read-only"}
    if kind == "dangerFullAccess":
        return {"type": "danger-full-access"}
    if policy["type"] == "workspaceWrite":
        out: dict[str, Any] = {"type": "workspace-write"}
        if policy["writableRoots"]:
            out["writable_roots"] = policy["writableRoots"]
        out.update(network_access=policy["networkAccess"],
                   exclude_tmpdir_env_var=policy["excludeTmpdirEnvVar"],
                   exclude_slash_tmp=policy["excludeSlashTmp"])
        return out
    external = cast(ExternalSandboxSandboxPolicy, policy)
    return {"type": "external-sandbox", "network_access": external["networkAccess"]}


def command_argv(command: str | None) -> list[str]:
    """A v2 command display string back to the argv the reference shows."""
    if not command:
        return []
    try:
        return shlex.split(command)
    except ValueError:
        return [command]


def parsed_command(actions: list[CommandAction] | None) -> list[dict[str, Any]]:
    """v2 `commandActions` as the reference's `parsed_cmd`."""
    out: list[dict[str, Any]] = []
    for action in actions or []:
        if action["type"] == "read":
            out.append({"type": "read", "cmd": action["command"], "name": action["name"],
                        "path": action["path"]})
        elif action["type"] == "listFiles":
            out.append({"type": "list_files", "cmd": action["command"], "path": action["path"]})
        elif action["type"] == "search":
            out.append({"type": "search", "cmd": action["command"], "query": action["query"],
                        "path": action["path"]})
        else:
            out.append({"type": "unknown", "cmd": action["command"]})
    return out


def file_changes(changes: list[FileUpdateChange]) -> dict[str, Any]:
    """v2 file changes as the reference's map from path to change."""
    out: dict[str, Any] = {}
    for change in changes:
        kind = change["kind"]
        if kind["type"] == "add":
            out[change["path"]] = {"type": "add", "content": change["diff"]}
        elif kind["type"] == "delete":
            out[change["path"]] = {"type": "delete", "content": change["diff"]}
        else:
            out[change["path"]] = {"type": "update", "unified_diff": change["diff"],
                                   "move_path": kind["move_path"]}
    return out


def _usage(b: TokenUsageBreakdown) -> dict[str, int]:
    return {"input_tokens": b["inputTokens"], "cached_input_tokens": b["cachedInputTokens"],
            "output_tokens": b["outputTokens"],
            "reasoning_output_tokens": b["reasoningOutputTokens"],
            "total_tokens": b["totalTokens"]}


def error_info(info: Any) -> Any:
    """v2 `codexErrorInfo` (a camelCase name or a one-member object) in snake_case."""
    if isinstance(info, str):
        return snake(info)
    if isinstance(info, dict):
        return {snake(k): v for k, v in info.items()}
    return info


@dataclass
class TurnEvents:
    """The translation of one thread's notifications during the calls on it."""

    thread_id: str
    last_agent_message: str | None = None
    context_window: int | None = None
    # File-change item id -> its changes (shown again by the patch approval).
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The latest token usage (`token_count.info`), repeated when a turn's input is recorded.
    usage_info: dict[str, Any] | None = None
    # File-change item id -> the patch's output so far (its `patch_apply_end` stdout).
    patch_output: dict[str, str] = field(default_factory=dict)

    def translate(self, method: str, params: dict[str, Any]) -> list[EventMsg]:
        """The reference's messages for one v2 notification (none for what it has no
        counterpart for)."""
        if method == "turn/started":
            self.last_agent_message = None
            return [{"type": "task_started", "turn_id": params["turn"]["id"],
                     "model_context_window": self.context_window,
                     "collaboration_mode_kind": "default"}]
        if method == "item/started":
            return self._item(params, started=True)
        if method == "item/completed":
            return self._item(params, started=False)
        if method == "item/agentMessage/delta":
            delta = cast(AgentMessageDeltaNotification, params)
            return [{"type": "agent_message_content_delta", "thread_id": delta["threadId"],
                     "turn_id": delta["turnId"], "item_id": delta["itemId"],
                     "delta": delta["delta"]},
                    {"type": "agent_message_delta", "delta": delta["delta"]}]
        if method == "item/fileChange/outputDelta":
            item_id = params["itemId"]
            self.patch_output[item_id] = self.patch_output.get(item_id, "") + params["delta"]
            return []
        if method == "thread/tokenUsage/updated":
            return [self._token_count(cast(ThreadTokenUsage, params["tokenUsage"]))]
        if method == "turn/diff/updated":
            return [{"type": "turn_diff", "unified_diff": params["diff"]}]
        if method == "error":
            return [self._error(cast(ErrorNotification, params))]
        if method == "turn/completed":
            return self._turn_completed(cast(TurnCompletedNotification, params))
        return []

    def _token_count(self, usage: ThreadTokenUsage) -> EventMsg:
        self.context_window = usage["modelContextWindow"]
        self.usage_info = {"total_token_usage": _usage(usage["total"]),
                           "last_token_usage": _usage(usage["last"]),
                           "model_context_window": usage["modelContextWindow"]}
        return {"type": "token_count", "info": self.usage_info, "rate_limits": NULL_RATE_LIMITS}

    @staticmethod
    def _error(note: ErrorNotification) -> EventMsg:
        err = note["error"]
        if note["willRetry"]:
            return {"type": "stream_error", "message": err["message"],
                    "codex_error_info": error_info(err["codexErrorInfo"]),
                    "additional_details": err["additionalDetails"]}
        return {"type": "error", "message": err["message"],
                "codex_error_info": error_info(err["codexErrorInfo"])}

    def _turn_completed(self, note: TurnCompletedNotification) -> list[EventMsg]:
        turn = note["turn"]
        if turn["status"] == "completed":
            return [{"type": "task_complete", "turn_id": turn["id"],
                     "last_agent_message": self.last_agent_message}]
        if turn["status"] == "interrupted":
            return [{"type": "turn_aborted", "turn_id": turn["id"], "reason": "interrupted"}]
        return []

    def _item(self, params: dict[str, Any], *, started: bool) -> list[EventMsg]:
        note = cast(ItemCompletedNotification, params)
        item, turn_id = note["item"], note["turnId"]
        wrap = "item_started" if started else "item_completed"
        if item["type"] == "userMessage":
            texts = [c for c in item["content"] if c["type"] == "text"]
            content = [{"type": "text", "text": c["text"], "text_elements": c["text_elements"]}
                       for c in texts]
            out: list[EventMsg] = [
                {"type": wrap, "thread_id": note["threadId"], "turn_id": turn_id,
                 "item": {"type": "UserMessage", "id": item["id"], "content": content}}]
            if not started:
                # The reference reports the usage so far (null on a new thread) once the
                # turn's input is recorded, before the model is asked.
                out += [{"type": "user_message",
                         "message": "\n".join(c["text"] for c in texts),
                         "images": [], "local_images": [], "text_elements": []},
                        {"type": "token_count", "info": self.usage_info,
                         "rate_limits": NULL_RATE_LIMITS}]
            return out
        if item["type"] == "agentMessage":
            body = [] if started else [{"type": "Text", "text": item["text"]}]
            out = [{"type": wrap, "thread_id": note["threadId"], "turn_id": turn_id,
                    "item": {"type": "AgentMessage", "id": item["id"], "content": body}}]
            if not started:
                self.last_agent_message = item["text"]
                out.append({"type": "agent_message", "message": item["text"]})
            return out
        if item["type"] == "commandExecution":
            # The reference shows a command the user declined only by its approval.
            if item["status"] == "declined":
                return []
            return [self._command(item, turn_id, started=started)]
        if item["type"] == "fileChange":
            changes = file_changes(item["changes"])
            self.changes[item["id"]] = changes
            if started:
                return [{"type": "patch_apply_begin", "call_id": item["id"], "turn_id": turn_id,
                         "auto_approved": False, "changes": changes}]
            stdout = self.patch_output.pop(item["id"], "")
            return [{"type": "patch_apply_end", "call_id": item["id"], "turn_id": turn_id,
                     "stdout": stdout, "stderr": "", "success": item["status"] == "completed",
                     "changes": changes, "status": item["status"]}]
        return []

    @staticmethod
    def _command(item: Any, turn_id: str, *, started: bool) -> EventMsg:
        msg: EventMsg = {
            "type": "exec_command_begin" if started else "exec_command_end",
            "call_id": item["id"], "process_id": item["processId"], "turn_id": turn_id,
            "command": command_argv(item["command"]), "cwd": item["cwd"],
            "parsed_cmd": parsed_command(item["commandActions"]),
            "source": "unified_exec_startup" if item["processId"] else "agent",
        }
        if started:
            return msg
        output = item["aggregatedOutput"] or ""
        millis = item["durationMs"] or 0
        msg.update(stdout=output, stderr="", aggregated_output=output,
                   exit_code=item["exitCode"],
                   duration={"secs": millis // 1000, "nanos": (millis % 1000) * 1_000_000},
                   formatted_output=output, status=item["status"])
        return msg
