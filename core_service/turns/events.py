"""The notifications of a turn, each emitted after the call the turn follows.

Every event of a turn goes to the thread's subscribers with
`after=active.after`: turn/start's (or thread/compact/start's) call,
replaced by turn/interrupt's once that interrupts the turn, so that a
response always precedes the events its request caused. The delta events
of the hot path build their protobuf messages directly (no JSON codec).
"""

from __future__ import annotations

from collections.abc import Mapping

from app_server_protocol import codec
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import RateLimitSnapshot, ThreadItem, Turn
from core_service.account.rate_limit_store import RateLimitStore
from core_service.account.rate_limits import DEFAULT_LIMIT_ID, null_snapshot
from core_service.hub import Hub
from core_service.model.catalog import context_window
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.turns.usage import fill_context_window


class TurnEvents:
    """Emits the v2 notifications of the turns of every thread (one per core).

    `limits` is the core's store of the latest rate-limit snapshots, which
    every snapshot a turn reports goes through.
    """

    def __init__(self, hub: Hub, limits: RateLimitStore) -> None:
        self.hub = hub
        self.limits = limits

    def emit_json(
        self, thread: LoadedThread, active: ActiveTurn, cls: type, data: Mapping[str, object]
    ) -> None:
        """Any notification of the turn, from its v2 JSON params (`cls` is its message)."""
        self.hub.emit(codec.from_json(cls, data), thread_id=thread.id, after=active.after)

    def turn_started(
        self, thread: LoadedThread, active: ActiveTurn, turn: Turn
    ) -> None:
        """turn/started (the turn is shown without its items, as the reference does)."""
        self.emit_json(thread, active, N.TurnStartedNotification,
                        {"threadId": thread.id, "turn": {**turn, "items": []}})

    def turn_completed(
        self, thread: LoadedThread, active: ActiveTurn, turn: Turn
    ) -> None:
        """turn/completed, preceded by an `error` notification when the turn failed."""
        if turn["error"] is not None:
            self.emit_json(thread, active, N.ErrorNotification, {
                "error": turn["error"], "willRetry": False, "threadId": thread.id,
                "turnId": active.id})
        self.emit_json(thread, active, N.TurnCompletedNotification,
                        {"threadId": thread.id, "turn": {**turn, "items": []}})

    def item(
        self, thread: LoadedThread, active: ActiveTurn, item: ThreadItem, done: bool
    ) -> None:
        """item/started or item/completed (a reviewer's agent message: started only)."""
        if thread.reviewer and done and item["type"] == "agentMessage":
            return
        cls = N.ItemCompletedNotification if done else N.ItemStartedNotification
        self.emit_json(thread, active, cls,
                        {"item": item, "threadId": thread.id, "turnId": active.id})

    def text_delta(
        self, thread: LoadedThread, active: ActiveTurn, item_id: str, delta: str
    ) -> None:
        """item/agentMessage/delta (none of a reviewer's)."""
        if thread.reviewer:
            return
        self.hub.emit(
            N.AgentMessageDeltaNotification(
                thread_id=thread.id, turn_id=active.id, item_id=item_id, delta=delta),
            thread_id=thread.id, after=active.after)

    def summary_part_added(
        self, thread: LoadedThread, active: ActiveTurn, item_id: str, index: int
    ) -> None:
        """item/reasoning/summaryPartAdded."""
        self.hub.emit(
            N.ReasoningSummaryPartAddedNotification(
                thread_id=thread.id, turn_id=active.id, item_id=item_id, summary_index=index),
            thread_id=thread.id, after=active.after)

    def summary_delta(
        self, thread: LoadedThread, active: ActiveTurn, item_id: str, index: int, delta: str
    ) -> None:
        """item/reasoning/summaryTextDelta."""
        self.hub.emit(
            N.ReasoningSummaryTextDeltaNotification(
                thread_id=thread.id, turn_id=active.id, item_id=item_id, delta=delta,
                summary_index=index),
            thread_id=thread.id, after=active.after)

    def content_delta(
        self, thread: LoadedThread, active: ActiveTurn, item_id: str, index: int, delta: str
    ) -> None:
        """item/reasoning/textDelta."""
        self.hub.emit(
            N.ReasoningTextDeltaNotification(
                thread_id=thread.id, turn_id=active.id, item_id=item_id, delta=delta,
                content_index=index),
            thread_id=thread.id, after=active.after)

    def token_usage(self, thread: LoadedThread, active: ActiveTurn) -> None:
        """thread/tokenUsage/updated with the thread's totals and its last request's usage
        (not for a reviewer's requests)."""
        if thread.reviewer:
            return
        last = thread.tokens.last or dict(thread.tokens.total)
        self.emit_json(thread, active, N.ThreadTokenUsageUpdatedNotification, {
            "threadId": thread.id,
            "turnId": active.id,
            "tokenUsage": {
                "total": thread.tokens.total,
                "last": last,
                "modelContextWindow": context_window(thread.config.model),
            },
        })

    def rate_limits(
        self, thread: LoadedThread, active: ActiveTurn, snapshot: RateLimitSnapshot
    ) -> None:
        """account/rateLimits/updated: to the turn's subscribers every time (the
        reference's per-turn sequence), to every initialized connection when
        it changed its bucket's latest snapshot in the store (a broadcast per
        turn would make each turn cost O(connections) writes)."""
        msg = codec.from_json(N.AccountRateLimitsUpdatedNotification, {"rateLimits": snapshot})
        if thread.reviewer:
            self.limits.update(snapshot)  # kept for account/rateLimits/read, not sent
        elif self.limits.update(snapshot):
            self.hub.emit(msg, broadcast=True, after=active.after)
        else:
            self.hub.emit(msg, thread_id=thread.id, after=active.after)

    def response_limits(
        self, thread: LoadedThread, active: ActiveTurn, snapshots: list[RateLimitSnapshot]
    ) -> None:
        """The rate limits of one model response, as the reference reports them.

        Each snapshot (the all-null `codex` one when the response had no
        headers) keeps its bucket's last known credits when it carries none,
        and is preceded by thread/tokenUsage/updated once the thread has
        token usage (the reference sends both from one token-count event).
        """
        for snapshot in snapshots or [null_snapshot()]:
            snapshot = self.limits.with_credits(snapshot)
            if thread.tokens.last is not None:
                self.token_usage(thread, active)
            self.rate_limits(thread, active, snapshot)
            thread.last_limit_id = snapshot["limitId"]

    def repeat_limits(self, thread: LoadedThread, active: ActiveTurn) -> None:
        """After a token-usage update: the latest snapshot of the bucket the
        thread's last response reported last, as the reference repeats it."""
        limit_id = thread.last_limit_id or DEFAULT_LIMIT_ID
        self.rate_limits(thread, active, self.limits.latest(limit_id) or null_snapshot(limit_id))

    def context_window_full(self, thread: LoadedThread, active: ActiveTurn) -> None:
        """The model refused the request as too long: the window is reported full (token
        usage, then the latest snapshot again), as the reference does before the error."""
        fill_context_window(thread.tokens, context_window(thread.config.model))
        self.token_usage(thread, active)
        self.repeat_limits(thread, active)

    def rerouted(
        self, thread: LoadedThread, active: ActiveTurn, from_model: str, to_model: str
    ) -> None:
        """model/rerouted."""
        self.emit_json(thread, active, N.ModelReroutedNotification, {
            "threadId": thread.id, "turnId": active.id, "fromModel": from_model,
            "toModel": to_model, "reason": "highRiskCyberActivity"})

    def retrying(
        self, thread: LoadedThread, active: ActiveTurn, attempt: int, max_attempts: int, reason: str
    ) -> None:
        """`error` with willRetry: the stream broke and is being retried."""
        self.emit_json(thread, active, N.ErrorNotification, {
            "error": {
                "message": f"Reconnecting... {attempt}/{max_attempts}",
                "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
                "additionalDetails": reason,
            },
            "willRetry": True, "threadId": thread.id, "turnId": active.id})

    def compacted(self, thread: LoadedThread, active: ActiveTurn) -> None:
        """thread/compacted."""
        self.emit_json(thread, active, N.ContextCompactedNotification,
                        {"threadId": thread.id, "turnId": active.id})
