"""`apply_patch`: the model edits files; clients see a fileChange item and the turn's diff.

Reached as a custom tool call (the patch is the freeform input) or as a
function call `apply_patch {"input": patch}`. The flow is the reference's:
a patch that does not parse or does not fit the files is answered
`apply_patch verification failed: ...` with no item; one the policy
rejects is answered `patch rejected: ...` with no item. Otherwise
item/started (`inProgress`, the changes) → approval when the rule says so
(`apply_patch.safety`) → what the sandbox would refuse first, streamed and
retried (or failed) as the reference does → the atomic write →
item/fileChange/outputDelta → item/completed → turn/diff/updated. A declined
approval completes the item `declined` twice (a JSON-RPC error answer:
`failed`, then `declined`), as the reference does, and the model reads
`patch rejected by user`; `cancel` ends the turn. What the user accepted
for the session is remembered per path by the thread's `Approvals`. The
shell tools hand over commands that are really patches (`apply_shell_patch`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence

from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import (
    FileChangeThreadItem,
    FileUpdateChange,
    PatchApplyStatus,
    PatchChangeKind,
)
from core_service.serde import ArgumentError, Str, Struct, decode
from core_service.tools.apply_patch.applier import ApplyError, apply_changes, summary
from core_service.tools.apply_patch.invocation import patch_invocation
from core_service.tools.apply_patch.parser import ParseError, parse_patch
from core_service.tools.apply_patch.planner import FileChange, PlanError, plan_patch
from core_service.tools.apply_patch.safety import (
    RETRY_REASON,
    Rejected,
    assess,
    first_denial,
)
from core_service.tools.apply_patch.textdiff import unified_hunks
from core_service.tools.context import ToolCall, ToolContext, ToolResult, TurnCancelled
from core_service.tools.exec_output import shell_text

VERIFICATION_FAILED = "apply_patch verification failed: "
REJECTED_BY_USER = "patch rejected by user"
ARGS = Struct("ApplyPatchToolArgs", {"input": Str()}, frozenset({"input"}))
# Key prefix of the paths accepted "for session" (commands use other keys).
_SESSION_KEY = "apply_patch:"
# Words the result of a patch that ran: (exit code, duration in ms, output).
Render = Callable[[int, int, str], str]


async def handle_apply_patch(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Apply the call's patch as the reference does; never raises for a bad patch."""
    if call.kind == "custom":
        text = call.arguments
    else:
        try:
            text = decode(call.arguments, ARGS)["input"]
        except ArgumentError as err:
            return ToolResult(err.model_text())
    return await apply_patch_text(ctx, call.call_id, text, ctx.cwd, shell_text)


async def apply_shell_patch(
    ctx: ToolContext, call: ToolCall, argv: Sequence[str], cwd: str, *, structured: bool
) -> ToolResult | None:
    """Apply `argv` as a patch when it is one (see `apply_patch.invocation`); None when
    it is an ordinary command for the shell tools to run.

    The model reads the `shell` text for an argv-array tool (`structured`
    false) and, as the reference answers `exec_command` and `shell_command`,
    a JSON `{"output", "metadata": {"exit_code", "duration_seconds"}}`
    otherwise.
    """
    invocation = patch_invocation(argv, cwd)
    if invocation is None:
        return None
    render = structured_text if structured else shell_text
    return await apply_patch_text(ctx, call.call_id, invocation.patch, invocation.cwd, render)


async def apply_patch_text(
    ctx: ToolContext, item_id: str, text: str, cwd: str, render: Render
) -> ToolResult:
    """Parse, verify, show, approve and apply one patch whose paths are relative to
    `cwd`; `render` words the result of an applied (or failed) patch."""
    try:
        changes = await plan_patch(cwd, parse_patch(text))
    except (ParseError, PlanError) as err:
        return ToolResult(f"{VERIFICATION_FAILED}{err}")
    verdict = assess(changes, ctx.approval_policy, ctx.sandbox)
    if isinstance(verdict, Rejected):
        return ToolResult(f"patch rejected: {verdict.reason}")
    # Diffing large files is CPU work: off the event loop, once per patch.
    shown = await asyncio.to_thread(file_update_changes, changes)
    return await _PatchRun(ctx, item_id, changes, shown, render).run(ask=verdict == "ask")


def structured_text(exit_code: int, duration_ms: int, output: str) -> str:
    """The JSON the reference answers an intercepted `exec_command`/`shell_command`
    patch with (duration in seconds rounded to a tenth, as serde prints an f32)."""
    seconds = round(duration_ms / 100) / 10
    return json.dumps({"output": output, "metadata": {
        "exit_code": exit_code, "duration_seconds": seconds}},
        separators=(",", ":"), ensure_ascii=False)


class _PatchRun:
    """One patch shown as a fileChange item, from item/started to its result."""

    def __init__(self, ctx: ToolContext, item_id: str, changes: Sequence[FileChange],
                 shown: list[FileUpdateChange], render: Render) -> None:
        self.ctx = ctx
        self.item_id = item_id
        self.changes = changes
        self.shown = shown
        self.render = render
        self.started = time.monotonic()

    async def run(self, ask: bool) -> ToolResult:
        self.ctx.item_started(self._item("inProgress"))
        approved = False
        if ask:
            refusal = await self._approve(None)
            if refusal is not None:
                return refusal
            approved = True
        denial = first_denial(self.changes, self.ctx.sandbox)
        if denial is not None:
            self._delta(f"{denial.message}\n")
            if not denial.retryable or (not approved and self.ctx.approval_policy == "never"):
                return self._failed(f"{denial.message}\n")
            if not approved:
                refusal = await self._approve(RETRY_REASON)
                if refusal is not None:
                    return refusal
        return await self._apply()

    async def _approve(self, reason: str | None) -> ToolResult | None:
        """Ask unless accepted for the session; None when the patch may go ahead."""
        approvals, ctx = self.ctx.approvals, self.ctx
        keys = [_SESSION_KEY + change.path for change in self.changes]
        if all(approvals.approved_for_session(ctx, key) for key in keys):
            return None
        try:
            decision = await approvals.ask_file_change(
                ctx, self.item_id, {"reason": reason, "grantRoot": None})
        except asyncio.CancelledError:
            # turn/interrupt while the user decides: the reference declines the item.
            ctx.item_completed(self._item("declined"))
            raise
        if decision in ("accept", "acceptForSession"):
            if decision == "acceptForSession":
                for key in keys:
                    approvals.remember(ctx, key)
            return None
        result = ToolResult(REJECTED_BY_USER)
        if decision == "cancel":
            ctx.item_completed(self._item("declined"))
            raise TurnCancelled(result)
        ctx.item_completed(self._item("failed" if decision == "failed" else "declined"))
        ctx.item_completed(self._item("declined"))
        return result

    async def _apply(self) -> ToolResult:
        turn_diff = self.ctx.turn_diff
        await turn_diff.snapshot(self.changes)
        try:
            await apply_changes(self.changes)
        except ApplyError as err:
            self._delta(f"{err}\n")
            return self._failed(f"{err}\n")
        turn_diff.moved(self.changes)
        text = summary(self.changes)
        self._delta(text)
        self.ctx.item_completed(self._item("completed"))
        diff = await turn_diff.render()
        if diff:
            self.ctx.emit(N.TurnDiffUpdatedNotification, {
                "threadId": self.ctx.thread_id, "turnId": self.ctx.turn_id, "diff": diff})
        return self._result(0, text)

    def _failed(self, output: str) -> ToolResult:
        self.ctx.item_completed(self._item("failed"))
        return self._result(1, output)

    def _result(self, exit_code: int, output: str) -> ToolResult:
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        return ToolResult(self.render(exit_code, elapsed_ms, output))

    def _delta(self, text: str) -> None:
        self.ctx.emit(N.FileChangeOutputDeltaNotification, {
            "threadId": self.ctx.thread_id, "turnId": self.ctx.turn_id,
            "itemId": self.item_id, "delta": text})

    def _item(self, status: PatchApplyStatus) -> FileChangeThreadItem:
        return {"type": "fileChange", "id": self.item_id,
                "changes": self.shown, "status": status}


def file_update_changes(changes: Sequence[FileChange]) -> list[FileUpdateChange]:
    """The item's `changes`: one per path (a later hunk wins), sorted by path."""
    by_path: dict[str, FileUpdateChange] = {}
    for change in changes:
        kind: PatchChangeKind
        if change.kind == "add":
            kind, diff = {"type": "add"}, change.new or ""
        elif change.kind == "delete":
            kind, diff = {"type": "delete"}, change.old or ""
        else:
            kind = {"type": "update", "move_path": change.move_to}
            diff = unified_hunks(change.old or "", change.new or "", 1)
            if change.move_to is not None:
                diff += f"\n\nMoved to: {change.move_to}"
        by_path[change.path] = {"path": change.path, "kind": kind, "diff": diff}
    return [by_path[path] for path in sorted(by_path)]
