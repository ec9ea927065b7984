"""The command tools: `exec_command` / `write_stdin` (unified exec) and the shell shapes.

Every command-shaped call (`exec_command`, `shell`, `shell_command`,
`container.exec`, a `local_shell_call` item) becomes one `CommandRequest`
(`shell_call`), is judged by the approval rules (`safety`), may be put to
the thread's clients (`ToolContext.approvals`), and runs through the
sandbox (`sandbox.process`, `unified_exec`). The two families differ as the
reference's do: for `exec_command` the approval comes before `item/started`
(which carries the session id as `processId`) and output streams only once
the process outlives the call; for the shell shapes `item/started` comes
first (no `processId`), output streams as `item/commandExecution/outputDelta`
and a sandbox denial may be put to the user for a rerun outside the sandbox.
A turn interrupted while a command runs kills its process group and leaves
the item without `item/completed`, as the reference does. A command that is
really a patch (`apply_patch <<'EOF' ...`) is applied as one (`patch`).
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass, field

from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import CommandExecutionStatus, CommandExecutionThreadItem
from core_service.sandbox.bwrap import SandboxUnavailable
from core_service.sandbox.policy import SandboxPolicy
from core_service.sandbox.process import ExecResult, ExecSpec, run
from core_service.tools import exec_output, safety
from core_service.tools.command_parse import command_actions
from core_service.tools.context import ToolCall, ToolContext, ToolResult, TurnCancelled
from core_service.tools.patch import apply_shell_patch
from core_service.tools.shell_call import CommandRequest, parse_command_call, parse_write_stdin

# The reference's timeout of a shell-shaped call that names none.
DEFAULT_SHELL_TIMEOUT_MS = 10_000
EMPTY_COMMAND = "command args are empty"


@dataclass
class _Item:
    """The commandExecution item of one call: started once, completed once."""

    ctx: ToolContext
    wire: CommandExecutionThreadItem
    started: bool = False
    done: bool = False

    def start(self, process_id: int | None = None) -> None:
        if process_id is not None:
            self.wire["processId"] = str(process_id)
        self.started = True
        self.ctx.item_started(dict(self.wire))  # type: ignore[arg-type]

    def complete(self, status: CommandExecutionStatus, *, output: str | None = None,
                 exit_code: int | None = None, duration_ms: int | None = None) -> None:
        if self.done:
            return
        self.done = True
        self.wire["status"] = status
        self.wire["aggregatedOutput"] = output
        self.wire["exitCode"] = exit_code
        self.wire["durationMs"] = duration_ms
        self.ctx.item_completed(dict(self.wire))  # type: ignore[arg-type]

    def finish(self, result: ExecResult, *, late: bool = False) -> None:
        """Complete with a finished process: `completed` on exit code 0, else `failed`.
        A session that outlived its call (`late`) reports only the output that
        streamed after the call, null when nothing did, as the reference does."""
        output = (result.output or None) if late else result.output
        self.complete("completed" if result.exit_code == 0 else "failed", output=output,
                      exit_code=result.exit_code, duration_ms=result.duration_ms)


@dataclass
class _Deltas:
    """Streams a command's output bytes as outputDelta notifications (UTF-8 safe)."""

    ctx: ToolContext
    item_id: str
    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))

    def __call__(self, chunk: bytes) -> None:
        text = self.decoder.decode(chunk)
        if text:
            self.ctx.emit(N.CommandExecutionOutputDeltaNotification, {
                "threadId": self.ctx.thread_id, "turnId": self.ctx.turn_id,
                "itemId": self.item_id, "delta": text})


def _new_item(ctx: ToolContext, call: ToolCall, req: CommandRequest) -> _Item:
    return _Item(ctx, {
        "type": "commandExecution", "id": call.call_id, "command": req.display,
        "cwd": req.cwd, "processId": None, "status": "inProgress",
        "commandActions": command_actions(req.argv), "aggregatedOutput": None,
        "exitCode": None, "durationMs": None})


async def _approve(ctx: ToolContext, call: ToolCall, req: CommandRequest, item: _Item,
                   reason: str | None) -> ToolResult | None:
    """Put the command to the clients: None when it may run, else what the model reads.

    A decline completes the item `declined` (`failed` for a JSON-RPC error
    answer); `cancel` also ends the turn.
    """
    decision = await ctx.approvals.ask_command(ctx, call.call_id, {
        "command": req.display, "cwd": req.cwd, "commandActions": item.wire["commandActions"],
        "reason": reason, "proposedExecpolicyAmendment": safety.proposed_amendment(req)})
    if decision == "acceptForSession":
        ctx.approvals.remember(ctx, safety.session_key(req))
    if decision in ("accept", "acceptForSession"):
        return None
    declined = ToolResult(safety.declined_text(req))
    item.complete("failed" if decision == "failed" else "declined")
    if decision == "cancel":
        raise TurnCancelled(declined)
    if req.tool != "exec_command":
        # The reference then ends a shell-shaped command a second time, as a
        # command that ran and was rejected (probed).
        item.done = False
        item.complete("declined", output=declined.output, exit_code=-1, duration_ms=0)
    return declined


def _spec(req: CommandRequest, policy: SandboxPolicy, timeout_ms: int | None) -> ExecSpec:
    return ExecSpec(argv=req.argv, cwd=req.cwd, policy=policy, timeout_ms=timeout_ms,
                    tty=req.tty)


def _refused(item: _Item, reason: str) -> ToolResult:
    """A command that could not start (no usable sandbox, no such program): the item
    fails with the cause, which the model reads too. Nothing ran."""
    text = f"execution error: {reason}"
    if not item.started:
        item.start()
    item.complete("failed", output=text)
    return ToolResult(text)


def _os_error(err: OSError) -> str:
    return f"{err.strerror} (os error {err.errno})" if err.errno else str(err)


async def handle_exec_command(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """exec_command: the approval (when needed), then the process, whose session id
    `item/started` carries; a process that outlives the call completes its item later."""
    req = parse_command_call(call, ctx.cwd)
    if isinstance(req, ToolResult):
        return req
    patched = await apply_shell_patch(ctx, call, req.argv, req.cwd, structured=True)
    if patched is not None:
        return patched
    item = _new_item(ctx, call, req)
    approved = ctx.approvals.approved_for_session(ctx, safety.session_key(req))
    verdict = safety.assess_command(req, ctx.approval_policy, ctx.sandbox, approved)
    if verdict.action == "reject":
        return ToolResult(verdict.reject_text or safety.declined_text(req))
    if verdict.action == "ask":
        refusal = await _approve(ctx, call, req, item, verdict.reason)
        if refusal is not None:
            return refusal
    policy = ctx.sandbox if verdict.sandboxed else ctx.sandbox.unrestricted()
    try:
        result = await ctx.sessions.start(
            _spec(req, policy, None), yield_time_ms=req.yield_time_ms,
            max_output_tokens=req.max_output_tokens, on_start=item.start,
            on_output=_Deltas(ctx, call.call_id), on_exit=functools.partial(item.finish, late=True),
            item_id=call.call_id)
    except SandboxUnavailable as err:
        return _refused(item, str(err))
    except OSError as err:
        return _refused(item, _os_error(err))
    if result.exit_code is not None:
        item.complete("completed" if result.exit_code == 0 else "failed", output=result.output,
                      exit_code=result.exit_code, duration_ms=result.duration_ms)
    return ToolResult(result.text)


async def handle_write_stdin(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """write_stdin: characters to a running exec_command session; its recent output."""
    req = parse_write_stdin(call)
    if isinstance(req, ToolResult):
        return req
    result = await ctx.sessions.write_stdin(
        req.session_id, req.chars, yield_time_ms=req.yield_time_ms,
        max_output_tokens=req.max_output_tokens)
    if result.item_id is not None:
        ctx.emit(N.TerminalInteractionNotification, {
            "threadId": ctx.thread_id, "turnId": ctx.turn_id, "itemId": result.item_id,
            "processId": str(req.session_id), "stdin": req.chars})
    return ToolResult(result.text)


async def handle_shell(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """shell / container.exec (an argv), shell_command (a script), local_shell_call."""
    req = parse_command_call(call, ctx.cwd)
    if isinstance(req, ToolResult):
        return req
    if not req.argv:
        return ToolResult(EMPTY_COMMAND)
    patched = await apply_shell_patch(ctx, call, req.argv, req.cwd,
                                      structured=req.tool == "shell_command")
    if patched is not None:
        return patched
    approved = ctx.approvals.approved_for_session(ctx, safety.session_key(req))
    verdict = safety.assess_command(req, ctx.approval_policy, ctx.sandbox, approved)
    if verdict.action == "reject":
        return ToolResult(verdict.reject_text or safety.declined_text(req))
    item = _new_item(ctx, call, req)
    item.start()
    if verdict.action == "ask":
        refusal = await _approve(ctx, call, req, item, verdict.reason)
        if refusal is not None:
            return refusal
        approved = True
    deltas = _Deltas(ctx, call.call_id)
    timeout = req.timeout_ms if req.timeout_ms is not None else DEFAULT_SHELL_TIMEOUT_MS
    policy = ctx.sandbox if verdict.sandboxed else ctx.sandbox.unrestricted()
    try:
        result = await run(_spec(req, policy, timeout), on_output=deltas)
        if (result.sandbox_denied and policy.sandboxed
                and safety.retry_after_denial(ctx.approval_policy, req)):
            if not approved:
                refusal = await _approve(ctx, call, req, item, safety.DENIAL_RETRY_REASON)
                if refusal is not None:
                    return refusal
            result = await run(_spec(req, ctx.sandbox.unrestricted(), timeout),
                                 on_output=deltas)
    except SandboxUnavailable as err:
        return _refused(item, str(err))
    except OSError as err:
        return _refused(item, _os_error(err))
    item.finish(result)
    return ToolResult(exec_output.shell_output(result))
