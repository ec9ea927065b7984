"""The review turn: a reviewer model run on the side, its result kept by the thread.

The turn shows the review's hint as its user message, then
`enteredReviewMode`, the reviewer's prompt as a `userMessage`, the
reviewer's own stream, `exitedReviewMode` with the result and the result as
an agent message (`review_rollout_assistant`), as the reference sends them.
The reviewer runs on a side copy of the thread: same id (its events reach
the thread's subscribers, its tool calls ask them), the review instructions
instead of the base ones, `review_model` (when configured) as its model, a
history of the opening context and the prompt only, and nothing written to
the rollout. The thread itself then keeps the
result (see `prompts.user_action`). An interrupted review still shows
`exitedReviewMode` (without a result) and the notice to run it again before
its turn ends `interrupted`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import cast

from app_server_protocol import wire_types as W
from app_server_protocol.v2 import notification_pb2 as N
from core_service.hub import CallInfo
from core_service.model.events import ResponseItem
from core_service.review.prompts import (
    INTERRUPTED,
    NO_OUTPUT,
    REVIEW_INSTRUCTIONS,
    ReviewRequest,
    interrupted_action,
    result_text,
    user_action,
)
from core_service.store import records
from core_service.store.store import NullRecorder
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.context import TurnCancelled
from core_service.turns.instructions import initial_context
from core_service.turns.items import as_history, text_message, user_message_item
from core_service.turns.lifecycle import open_turn, run_turn, wait_ended
from core_service.turns.runner import TurnRunner

# The id of the agent message that carries the result (the reference's).
RESULT_ITEM_ID = "review_rollout_assistant"


def _text_input(text: str) -> W.UserInput:
    return {"type": "text", "text": text, "text_elements": []}


class ReviewTurns:
    """Starts review turns on loaded threads (one instance per core)."""

    def __init__(self, runner: TurnRunner) -> None:
        self.runner = runner

    def start(self, thread: LoadedThread, request: ReviewRequest,
              originator: W.ClientInfo | None, call: CallInfo | None,
              *, after: ActiveTurn | None = None) -> W.Turn:
        """Start the review turn in the background; returns the turn as answered.

        `after`: a turn being interrupted for this review; the review is
        announced at once and goes on once that turn has ended.
        """
        active, turn = open_turn(thread, call)
        shown: W.Turn = {**turn, "items": [
            {"type": "userMessage", "id": active.id, "content": [_text_input(request.hint)]}]}
        # Announced here, not in the task: before the end of a turn it interrupts.
        self.runner.events.emit_json(thread, active, N.TurnStartedNotification,
                                     {"threadId": thread.id, "turn": shown})
        work = self._review(thread, active, turn, request, originator, after)
        active.task = asyncio.get_running_loop().create_task(
            run_turn(self.runner.events, thread, active, turn, work, notice_on_interrupt=True))
        return shown

    async def _review(self, thread: LoadedThread, active: ActiveTurn, turn: W.Turn,
                      request: ReviewRequest, originator: W.ClientInfo | None,
                      after: ActiveTurn | None) -> None:
        events = self.runner.events
        await wait_ended(after)
        await thread.recorder.append([records.turn_started(active.id)])
        entered: W.ThreadItem = {"type": "enteredReviewMode", "id": active.id,
                                 "review": request.hint}
        prompt = user_message_item([_text_input(request.prompt)])
        for item in (entered, prompt):
            events.item(thread, active, item, done=False)
            events.item(thread, active, item, done=True)
            turn["items"].append(item)
        try:
            answer = await self._ask_reviewer(thread, active, request, originator)
        except (asyncio.CancelledError, TurnCancelled):
            # turn/interrupt: the review ends without a result, as the reference's does.
            await self._finish(thread, active, turn, [entered, prompt], NO_OUTPUT,
                               INTERRUPTED, interrupted_action())
            raise
        result = result_text(answer)
        await self._finish(thread, active, turn, [entered, prompt], result, result,
                           user_action(result))

    async def _finish(self, thread: LoadedThread, active: ActiveTurn, turn: W.Turn,
                      shown: list[W.ThreadItem], review: str, message_text: str,
                      action: str) -> None:
        """exitedReviewMode and the result message; the thread keeps the outcome."""
        events = self.runner.events
        exited: W.ThreadItem = {"type": "exitedReviewMode", "id": active.id, "review": review}
        message: W.ThreadItem = {"type": "agentMessage", "id": RESULT_ITEM_ID,
                                 "text": message_text}
        for item in (exited, message):
            events.item(thread, active, item, done=False)
            events.item(thread, active, item, done=True)
            turn["items"].append(item)
        await self._keep_result(thread, active, [*shown, exited, message], message_text,
                                action)

    async def _ask_reviewer(self, thread: LoadedThread, active: ActiveTurn,
                            request: ReviewRequest, originator: W.ClientInfo | None) -> str:
        """Run the reviewer until it answers; its last agent message."""
        cwd = thread.meta.get("cwd", "")
        # `review_model` (when set) reviews instead of the thread's model.
        config = dataclasses.replace(thread.config, base_instructions=REVIEW_INSTRUCTIONS,
                                     model=thread.config.review_model or thread.config.model)
        history = [*initial_context(config, cwd), text_message("user", request.prompt)]
        side = dataclasses.replace(
            thread, config=config, recorder=NullRecorder(), turns=[], history_marks=[],
            history=[as_history(m) for m in history], active=active, reviewer=True)
        side_turn: W.Turn = {"id": active.id, "items": [], "status": "inProgress",
                             "error": None}
        await self.runner.sample(side, active, side_turn, originator)
        answers = [i["text"] for i in side_turn["items"] if i["type"] == "agentMessage"]
        return answers[-1] if answers else ""

    async def _keep_result(self, thread: LoadedThread, active: ActiveTurn,
                           items: list[W.ThreadItem], result: str, action: str) -> None:
        """The thread's history and rollout keep the review's outcome."""
        kept: list[ResponseItem] = []
        if not thread.history:
            kept += [as_history(m) for m in initial_context(thread.config,
                                                            thread.meta.get("cwd", ""))]
        kept.append(as_history(text_message("user", action)))
        kept.append(cast(ResponseItem, {
            "type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": result}]}))
        thread.history.extend(kept)
        if not thread.meta.get("preview"):
            thread.meta["preview"] = action
        await thread.recorder.append([
            *(records.response_item(k) for k in kept),
            *(records.item_completed(active.id, i) for i in items),
        ])
