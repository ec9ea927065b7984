"""The tool calls of a model response, run within the turn, and the clients' approvals.

After a response that called tools has streamed, its calls run one at a
time (requests say `parallel_tool_calls: false`), each through its handler
(`tools.router`) with a `ToolContext` bound to the turn; each answer joins
the history (and the rollout) right after its call, and the turn asks the
model again. Approvals go to every connection subscribed to the thread as a
*sticky* server request: the first answer wins, the others see
`serverRequest/resolved`, and a connection that resumes the thread while the
question is open is asked too (see `Hub.subscribe`). A call interrupted by
`turn/interrupt` is answered "aborted by user after N.Ns" (see `router.aborted`) so the history
stays well formed for the next turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from app_server_protocol import codec
from app_server_protocol.v2 import approval_pb2, notification_pb2
from app_server_protocol.wire_types import ThreadItem, Turn
from core_service.hub import Hub, ServerRequestError
from core_service.mcp.manager import McpManager
from core_service.notices import raw_items
from core_service.sandbox.policy import SandboxPolicy
from core_service.store import records
from core_service.store.reader import replace_or_append
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools import router
from core_service.tools.apply_patch.turn_diff import TurnDiff
from core_service.tools.context import Decision, ToolCall, ToolContext, ToolResult, TurnCancelled
from core_service.tools.unified_exec import UnifiedExec
from core_service.turns.events import TurnEvents

log = logging.getLogger(__name__)

COMMAND_APPROVAL = "item/commandExecution/requestApproval"
FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval"
_DECISIONS = frozenset({"accept", "acceptForSession", "decline", "cancel"})


class HubApprovals:
    """Approvals asked through the hub; what was accepted for the session, per thread."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._approved: dict[str, set[str]] = {}

    async def ask_command(
        self, ctx: ToolContext, item_id: str, params: Mapping[str, object]
    ) -> Decision:
        """item/commandExecution/requestApproval to the thread's connections."""
        return await self._ask(ctx, COMMAND_APPROVAL,
                               approval_pb2.CommandExecutionRequestApprovalParams,
                               item_id, params)

    async def ask_file_change(
        self, ctx: ToolContext, item_id: str, params: Mapping[str, object]
    ) -> Decision:
        """item/fileChange/requestApproval to the thread's connections."""
        return await self._ask(ctx, FILE_CHANGE_APPROVAL,
                               approval_pb2.FileChangeRequestApprovalParams, item_id, params)

    async def request(self, ctx: ToolContext, method: str, msg: Any) -> Any:
        """Any server request to the thread's clients, sticky like an approval
        (a dynamic tool call); ServerRequestError when it fails."""
        return await self.hub.request(method, msg, thread_id=ctx.thread_id,
                                      after=ctx.active.after, sticky=True)

    def approved_for_session(self, ctx: ToolContext, key: str) -> bool:
        """Whether the user accepted `key` "for session" on this thread."""
        return key in self._approved.get(ctx.thread_id, ())

    def remember(self, ctx: ToolContext, key: str) -> None:
        """Record an `acceptForSession` answer for `key` on this thread."""
        self._approved.setdefault(ctx.thread_id, set()).add(key)

    def forget_thread(self, thread_id: str) -> None:
        """The thread was unloaded: its session approvals end with it."""
        self._approved.pop(thread_id, None)

    async def _ask(self, ctx: ToolContext, method: str, cls: type, item_id: str,
                   params: Mapping[str, object]) -> Decision:
        msg = codec.from_json(cls, {"threadId": ctx.thread_id, "turnId": ctx.turn_id,
                                    "itemId": item_id, **params})
        # No deadline of our own: a person decides, and turn/interrupt (which
        # cancels this wait) is how a client gives up, as with the reference.
        try:
            result = await self.request(ctx, method, msg)
        except ServerRequestError as err:
            log.info("approval %s of turn %s failed: %s", method, ctx.turn_id, err.message)
            return "failed"
        decision = codec.to_json(result).get("decision")
        if isinstance(decision, dict) and "acceptWithExecpolicyAmendment" in decision:
            return "accept"
        if isinstance(decision, str) and decision in _DECISIONS:
            return decision  # type: ignore[return-value]
        return "failed"


class ToolCalls:
    """Runs the tool calls of the turns of every thread (one per core)."""

    def __init__(self, events: TurnEvents, approvals: HubApprovals,
                 mcp: McpManager | None = None) -> None:
        self.events = events
        self.approvals = approvals
        self.mcp = mcp
        # Per loaded thread: its exec_command sessions; per running turn: its diff.
        self._sessions: dict[str, UnifiedExec] = {}
        self._diffs: dict[str, TurnDiff] = {}

    def end_turn(self, turn_id: str) -> None:
        """The turn ended: forget its cumulative diff."""
        self._diffs.pop(turn_id, None)

    async def announce_diff(self, thread: LoadedThread, active: ActiveTurn) -> None:
        """`turn/diff/updated` once a model request and its calls are done, when the
        turn's patches changed anything (the reference repeats it after every request)."""
        tracker = self._diffs.get(active.id)
        diff = await tracker.render() if tracker is not None else ""
        if diff:
            self.events.emit_json(thread, active, notification_pb2.TurnDiffUpdatedNotification,
                                  {"threadId": thread.id, "turnId": active.id, "diff": diff})

    async def forget_thread(self, thread_id: str) -> None:
        """The thread was unloaded: kill its sessions, forget its session approvals."""
        self.approvals.forget_thread(thread_id)
        sessions = self._sessions.pop(thread_id, None)
        if sessions is not None:
            await sessions.close()

    async def close(self) -> None:
        """The core is stopping: kill every session of every thread."""
        sessions, self._sessions = list(self._sessions.values()), {}
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    async def run(
        self, thread: LoadedThread, active: ActiveTurn, turn: Turn, calls: list[ToolCall]
    ) -> None:
        """Run `calls` in order; their answers join the history and the rollout."""
        for call in calls:
            ctx = self.context(thread, active, turn)
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                result = await router.dispatch(ctx, call)
            except TurnCancelled as cancelled:
                await self._answer(thread, ctx, call, cancelled.result)
                raise
            except asyncio.CancelledError:
                elapsed = loop.time() - started
                aborted = router.aborted(call, elapsed)
                await asyncio.shield(self._answer(thread, ctx, call, aborted))
                raise
            await self._answer(thread, ctx, call, result)

    def context(self, thread: LoadedThread, active: ActiveTurn, turn: Turn) -> ToolContext:
        """The ToolContext of a call of `active` on `thread`."""
        events = self.events
        ctx_records: list[records.RolloutRecord] = []

        def started(item: ThreadItem) -> None:
            events.item(thread, active, item, done=False)

        def completed(item: ThreadItem) -> None:
            events.item(thread, active, item, done=True)
            replace_or_append(turn["items"], dict(item))
            ctx_records.append(records.item_completed(active.id, item))

        def emit(cls: type, payload: Mapping[str, object]) -> None:
            events.emit_json(thread, active, cls, payload)

        cwd = str(thread.meta.get("cwd") or "")
        wire = thread.meta.get("sandbox")
        sandbox = (SandboxPolicy.from_wire(wire, cwd) if wire
                   else SandboxPolicy.from_config(thread.config, cwd))
        return ToolContext(
            thread=thread, active=active, cwd=cwd,
            approval_policy=thread.config.approval_policy,  # type: ignore[arg-type]
            sandbox=sandbox,
            approvals=self.approvals, item_started=started, item_completed=completed,
            emit=emit, records=ctx_records,
            turn_diff=self._diffs.setdefault(active.id, TurnDiff()),
            sessions=self._sessions.setdefault(thread.id, UnifiedExec()), mcp=self.mcp)

    async def _answer(
        self, thread: LoadedThread, ctx: ToolContext, call: ToolCall, result: ToolResult
    ) -> None:
        answer = router.output_item(call, result)
        thread.history.append(answer)
        thread.history.extend(result.extra)
        raw_items.announce(self.events, thread, ctx.active, [answer, *result.extra])
        await thread.recorder.append([
            *ctx.records,
            records.response_item(answer),
            *(records.response_item(item) for item in result.extra),
        ])
        ctx.records.clear()
