"""The agent loop: one turn of a thread against the model.

A turn records the user's input, asks the model (Responses API over SSE)
with the thread's whole history, streams the items it produces as v2
notifications in the reference's order, and ends with `turn/completed`
(`completed`, `failed` with a TurnError, or `interrupted`; see
`lifecycle`). Follow-up model requests run within the same turn when the
model called a tool or the client steered the turn.
"""

from __future__ import annotations

import asyncio
import contextlib

from app_server_protocol.wire_types import ClientInfo, JsonValue, Turn, UserInput
from core_service.account.credentials import Credentials
from core_service.account.rate_limit_store import RateLimitStore
from core_service.hub import CallInfo, Hub
from core_service.mcp.manager import NO_MCP, McpManager
from core_service.model import events as me
from core_service.model.client import ModelRequest
from core_service.notices import raw_items
from core_service.store import records
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.router import tool_call
from core_service.turns.compaction import Compactor
from core_service.turns.events import TurnEvents
from core_service.turns.instructions import TURN_ABORTED_NOTICE, initial_context
from core_service.turns.items import (
    Message,
    as_history,
    completed_item,
    history_item,
    needs_files,
    started_item,
    text_message,
    user_input_to_model,
    user_message_item,
)
from core_service.turns.lifecycle import open_turn, run_turn
from core_service.turns.request import ModelStream, build_request
from core_service.turns.sampling import Sampling
from core_service.turns.tool_calls import HubApprovals, ToolCalls
from core_service.turns.usage import add_usage


class TurnRunner:
    """Runs the turns of every thread (one instance per core)."""

    def __init__(self, hub: Hub, client: ModelStream, credentials: Credentials,
                 limits: RateLimitStore, mcp: McpManager | None = None) -> None:
        self.events = TurnEvents(hub, limits)
        self.client = client
        self.credentials = credentials
        self.compactor = Compactor(self.events, client, credentials)
        self.approvals = HubApprovals(hub)
        self.mcp = mcp
        self.tools = ToolCalls(self.events, self.approvals, mcp)

    def start(
        self,
        thread: LoadedThread,
        inputs: list[UserInput],
        *,
        output_schema: dict[str, JsonValue] | None,
        originator: ClientInfo | None,
        call: CallInfo | None,
    ) -> ActiveTurn:
        """Start a turn in the background; returns its handle (id known at once).

        `originator` is the calling client's `clientInfo`; `output_schema`
        constrains the model's final answer for this turn only.
        """
        active, turn = open_turn(thread, call)
        work = self._run(thread, active, turn, inputs, output_schema, originator)
        active.task = asyncio.get_running_loop().create_task(
            run_turn(self.events, thread, active, turn, work, notice_on_interrupt=True)
        )
        return active

    async def sample(self, thread: LoadedThread, active: ActiveTurn, turn: Turn,
                     originator: ClientInfo | None) -> None:
        """Ask the model until it stops calling tools, on `thread` as given (a
        review runs its reviewer so, on a side copy of the thread)."""
        try:
            await self._sample_until_done(thread, active, turn, None, originator)
        finally:
            self.tools.end_turn(active.id)

    async def compact(self, thread: LoadedThread, call: CallInfo | None) -> None:
        """thread/compact/start: summarise the history in a turn of its own."""
        self.compactor.start(thread, call)

    async def _run(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        inputs: list[UserInput],
        output_schema: dict[str, JsonValue] | None,
        originator: ClientInfo | None,
    ) -> None:
        self.events.turn_started(thread, active, turn)
        cfg = thread.config
        await thread.recorder.append([
            records.turn_context(
                active.id, cwd=thread.meta.get("cwd"), approval_policy=cfg.approval_policy,
                model=cfg.model, effort=cfg.model_reasoning_effort,
                summary=cfg.model_reasoning_summary),
            records.turn_started(active.id),
        ])
        await self._record_user_message(thread, active, turn, inputs)
        try:
            await self._sample_until_done(thread, active, turn, output_schema, originator)
        finally:
            self.tools.end_turn(active.id)

    async def _sample_until_done(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        output_schema: dict[str, JsonValue] | None,
        originator: ClientInfo | None,
    ) -> None:
        """Ask the model until it answers without calling a tool (or being steered)."""
        rerouted = False
        while True:
            auth = self.credentials.request_auth(thread.config, thread.id)
            # The first request waits for the MCP servers' start-up (bounded
            # by their timeouts), as the reference's first request does.
            offer = await self.mcp.offer() if self.mcp is not None else NO_MCP
            req = build_request(thread, active.id, auth, originator=originator,
                                output_schema=output_schema, mcp=offer)
            sampling = await self._sample(thread, active, turn, req, rerouted)
            rerouted = sampling.rerouted
            follow_up = sampling.follow_up
            if sampling.tool_calls:
                await self.tools.run(thread, active, turn, sampling.tool_calls)
            await self.tools.announce_diff(thread, active)
            if active.steer:
                for steered in active.steer:
                    await self._record_user_message(thread, active, turn, steered)
                active.steer.clear()
                follow_up = True
            if not follow_up:
                return

    async def _record_user_message(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        inputs: list[UserInput],
    ) -> None:
        item = user_message_item(inputs)
        self.events.item(thread, active, item, done=False)
        self.events.item(thread, active, item, done=True)
        turn["items"].append(item)
        history: list[Message] = []
        if not thread.history:
            history.extend(initial_context(thread.config, thread.meta.get("cwd", "")))
        # The opening context was announced when the thread started.
        announced = len(history)
        if thread.abort_notice:
            thread.abort_notice = False
            history.append(text_message("user", TURN_ABORTED_NOTICE))
        if needs_files(inputs):
            content = await asyncio.to_thread(user_input_to_model, inputs)
        else:
            content = user_input_to_model(inputs)
        history.append({"type": "message", "role": "user", "content": content})
        thread.history.extend(as_history(msg) for msg in history)
        raw_items.announce(self.events, thread, active, history[announced:])
        if not thread.meta.get("preview"):
            thread.meta["preview"] = records.user_message_text(item)
        await thread.recorder.append([
            *(records.response_item(msg) for msg in history),
            records.item_completed(active.id, item),
        ])

    async def _sample(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        req: ModelRequest,
        rerouted: bool,
    ) -> Sampling:
        """One model request, its events streamed out as they come."""
        sampling = Sampling(rerouted)
        add_text, text_delta = sampling.add_text, self.events.text_delta
        async with contextlib.aclosing(self.client.stream(req)) as stream:
            async for ev in stream:
                # Text deltas are nearly every event of a stream: handled inline.
                if type(ev) is me.TextDelta:
                    add_text(ev.item_id, ev.delta)
                    text_delta(thread, active, ev.item_id, ev.delta)
                elif self._on_event(thread, active, turn, sampling, ev):
                    await thread.recorder.append(sampling.take_records())
        return sampling

    def _on_event(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        sampling: Sampling,
        ev: me.ModelEvent,
    ) -> bool:
        """Handle one model event; True when its records are due in the rollout now."""
        events = self.events
        # Reasoning deltas first: after text deltas (see _sample), most events are these.
        if isinstance(ev, me.ReasoningSummaryDelta):
            sampling.add_summary(ev.item_id, ev.summary_index, ev.delta)
            events.summary_delta(thread, active, ev.item_id, ev.summary_index, ev.delta)
        elif isinstance(ev, me.ReasoningTextDelta):
            sampling.add_content(ev.item_id, ev.content_index, ev.delta)
            events.content_delta(thread, active, ev.item_id, ev.content_index, ev.delta)
        elif isinstance(ev, me.ReasoningSummaryPartAdded):
            sampling.add_summary_part(ev.item_id, ev.summary_index)
            events.summary_part_added(thread, active, ev.item_id, ev.summary_index)
        elif isinstance(ev, me.OutputItemAdded):
            item = started_item(ev.item)
            if item is not None:
                sampling.open_item(item["id"])
                events.item(thread, active, item, done=False)
        elif isinstance(ev, me.OutputItemDone):
            self._item_done(thread, active, turn, sampling, ev.item)
            return bool(sampling.records)
        elif isinstance(ev, me.Completed):
            self._completed(thread, active, sampling, ev.usage)
            return True
        elif isinstance(ev, me.RateLimits):
            events.response_limits(thread, active, ev.snapshots)
        elif isinstance(ev, me.ModelRerouted):
            if sampling.mark_rerouted():
                events.rerouted(thread, active, ev.from_model, ev.to_model)
        elif isinstance(ev, me.StreamRetry):
            events.retrying(thread, active, ev.attempt, ev.max_attempts, ev.reason)
        return False

    def _item_done(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: Turn,
        sampling: Sampling,
        output: me.ResponseItem,
    ) -> None:
        """A finished output item: shown as a v2 item, or a tool call run once the
        response has streamed (its answer follows it in the history)."""
        call = tool_call(output)
        if call is not None:
            kept = history_item(output)
            thread.history.append(kept)
            raw_items.announce(self.events, thread, active, [kept])
            sampling.records.append(records.response_item(kept))
            sampling.tool_calls.append(call)
            sampling.follow_up = True
            return
        item_id = output.get("id") or ""
        wire = completed_item(output, sampling.text(item_id), sampling.summary(item_id),
                              sampling.content(item_id))
        if wire is None:
            return
        self.events.item(thread, active, wire, done=True)
        turn["items"].append(wire)
        kept = history_item(output)
        thread.history.append(kept)
        raw_items.announce(self.events, thread, active, [kept])
        sampling.records += [records.response_item(kept), records.item_completed(active.id, wire)]

    def _completed(
        self, thread: LoadedThread, active: ActiveTurn, sampling: Sampling, usage: me.TokenUsage
    ) -> None:
        """The request finished: report its usage and the current rate limits."""
        add_usage(thread.tokens, usage)
        self.events.token_usage(thread, active)
        self.events.repeat_limits(thread, active)
        sampling.records.append(records.token_count(thread.tokens.total, thread.tokens.last))
