"""mcp_front/events.py: v2 notifications as the reference's `codex/event` messages."""

from __future__ import annotations

from typing import Any, cast

from app_server_protocol.wire_types import ThreadStartResponse
from mcp_front import events
from mcp_front.events import TurnEvents

T, U = "thread-1", "turn-1"


def _item(kind: str, **fields: Any) -> dict[str, Any]:
    return {"threadId": T, "turnId": U, "item": {"type": kind, "id": "i1", **fields}}


def test_session_configured_from_thread_start() -> None:
    """thread/start's answer gives the reference's session_configured (snake_case,
    kebab-case sandbox tag, empty writable roots left out, no null reasoning effort)."""
    started = cast(ThreadStartResponse, {
        "thread": {"id": T, "path": "/h/rollout.jsonl"}, "model": "m", "modelProvider": "mock",
        "cwd": "/w", "approvalPolicy": "untrusted", "reasoningEffort": None,
        "sandbox": {"type": "workspaceWrite", "writableRoots": [], "networkAccess": False,
                    "excludeTmpdirEnvVar": False, "excludeSlashTmp": False,
                    "readOnlyAccess": {"type": "fullAccess"}},
    })
    assert events.session_configured(started) == {
        "type": "session_configured", "session_id": T, "model": "m", "model_provider_id": "mock",
        "approval_policy": "untrusted",
        "sandbox_policy": {"type": "workspace-write", "network_access": False,
                           "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False},
        "cwd": "/w", "history_log_id": 0, "history_entry_count": 0,
        "rollout_path": "/h/rollout.jsonl"}


def test_messages_and_deltas() -> None:
    """User and agent messages: item_started/completed with the reference's item shapes,
    then user_message/agent_message; a delta is both content and legacy delta."""
    t = TurnEvents(T)
    content = [{"type": "text", "text": "hi", "text_elements": []}]
    user = t.translate("item/completed", _item("userMessage", content=content))
    assert [m["type"] for m in user] == ["item_completed", "user_message", "token_count"]
    assert user[2]["info"] is None
    started = t.translate("item/started", _item("agentMessage", text=""))
    assert started == [{"type": "item_started", "thread_id": T, "turn_id": U,
                        "item": {"type": "AgentMessage", "id": "i1", "content": []}}]
    delta = t.translate("item/agentMessage/delta",
                        {"threadId": T, "turnId": U, "itemId": "i1", "delta": "He"})
    assert delta == [{"type": "agent_message_content_delta", "thread_id": T, "turn_id": U,
                      "item_id": "i1", "delta": "He"},
                     {"type": "agent_message_delta", "delta": "He"}]
    done = t.translate("item/completed", _item("agentMessage", text="Hello"))
    assert done[1] == {"type": "agent_message", "message": "Hello"}
    assert done[0]["item"]["content"] == [{"type": "Text", "text": "Hello"}]
    assert t.translate("turn/completed", {"threadId": T, "turn": {
        "id": U, "items": [], "status": "completed", "error": None}}) == [
        {"type": "task_complete", "turn_id": U, "last_agent_message": "Hello"}]


def test_token_count_and_context_window() -> None:
    """Token usage becomes token_count (null rate limits); its context window is used by
    the next task_started."""
    t = TurnEvents(T)
    usage = {"totalTokens": 3, "inputTokens": 1, "cachedInputTokens": 0, "outputTokens": 2,
             "reasoningOutputTokens": 0}
    [msg] = t.translate("thread/tokenUsage/updated", {"threadId": T, "turnId": U, "tokenUsage": {
        "total": usage, "last": usage, "modelContextWindow": 1000}})
    assert msg["info"]["total_token_usage"] == {
        "input_tokens": 1, "cached_input_tokens": 0, "output_tokens": 2,
        "reasoning_output_tokens": 0, "total_tokens": 3}
    assert msg["rate_limits"] == events.NULL_RATE_LIMITS
    user = t.translate("item/completed", _item("userMessage", content=[]))
    assert user[2]["info"] == msg["info"]
    [started] = t.translate("turn/started", {"threadId": T, "turn": {"id": "turn-2"}})
    assert started == {"type": "task_started", "turn_id": "turn-2", "model_context_window": 1000,
                       "collaboration_mode_kind": "default"}


def test_command_items() -> None:
    """A command item is exec_command_begin/end (argv, parsed_cmd, duration split); a
    declined one shows nothing, as the reference shows it only by its approval."""
    t = TurnEvents(T)
    command = {"command": "/bin/bash -lc 'echo hi'", "cwd": "/w", "processId": "7",
               "status": "completed", "aggregatedOutput": "hi\n", "exitCode": 0,
               "durationMs": 1500, "commandActions": [{"type": "unknown",
                                                       "command": "echo hi"}]}
    [end] = t.translate("item/completed", _item("commandExecution", **command))
    assert end["command"] == ["/bin/bash", "-lc", "echo hi"]
    assert end["parsed_cmd"] == [{"type": "unknown", "cmd": "echo hi"}]
    assert end["duration"] == {"secs": 1, "nanos": 500_000_000}
    assert (end["source"], end["exit_code"], end["aggregated_output"]) == (
        "unified_exec_startup", 0, "hi\n")
    declined = {**command, "status": "declined", "processId": None}
    assert t.translate("item/completed", _item("commandExecution", **declined)) == []


def test_file_change_items_keep_changes_and_output() -> None:
    """A file change's changes are kept (the patch approval shows them) and its output
    deltas become patch_apply_end's stdout."""
    t = TurnEvents(T)
    changes = [{"path": "/w/a.txt", "kind": {"type": "add"}, "diff": "hello\n"},
               {"path": "/w/b.txt", "kind": {"type": "update", "move_path": None},
                "diff": "@@ -1 +1 @@\n-a\n+b\n"}]
    [begin] = t.translate("item/started", _item("fileChange", changes=changes,
                                                status="inProgress"))
    assert begin["changes"] == {
        "/w/a.txt": {"type": "add", "content": "hello\n"},
        "/w/b.txt": {"type": "update", "unified_diff": "@@ -1 +1 @@\n-a\n+b\n",
                     "move_path": None}}
    assert t.changes["i1"] == begin["changes"]
    assert t.translate("item/fileChange/outputDelta",
                       {"threadId": T, "turnId": U, "itemId": "i1", "delta": "Success."}) == []
    [end] = t.translate("item/completed", _item("fileChange", changes=changes,
                                                status="completed"))
    assert (end["type"], end["stdout"], end["success"]) == ("patch_apply_end", "Success.", True)


def test_errors_and_ends() -> None:
    """A final error is `error` with a snake_case codex_error_info, a retried one
    `stream_error`; an interrupted turn is turn_aborted; a failed one adds nothing."""
    t = TurnEvents(T)
    error = {"message": "boom", "codexErrorInfo": "badRequest", "additionalDetails": None}
    assert t.translate("error", {"error": error, "willRetry": False, "threadId": T,
                                 "turnId": U}) == [
        {"type": "error", "message": "boom", "codex_error_info": "bad_request"}]
    assert t.translate("error", {"error": error, "willRetry": True, "threadId": T,
                                 "turnId": U})[0]["type"] == "stream_error"
    assert t.translate("turn/completed", {"threadId": T, "turn": {
        "id": U, "items": [], "status": "interrupted", "error": None}}) == [
        {"type": "turn_aborted", "turn_id": U, "reason": "interrupted"}]
    assert t.translate("turn/completed", {"threadId": T, "turn": {
        "id": U, "items": [], "status": "failed", "error": error}}) == []
    assert events.error_info({"httpConnectionFailed": {"httpStatusCode": 500}}) == {
        "http_connection_failed": {"httpStatusCode": 500}}
