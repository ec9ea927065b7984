"""thread/compact/start's turn: the history replaced by the model's summary of it.

A compaction is a turn of its own: `turn/started`, a `contextCompaction`
item, `thread/compacted`, then `turn/completed`. The model is asked to
summarise the whole history; the thread keeps its opening context messages
and the summary, so later requests carry that instead of the old history.
"""

from __future__ import annotations

import asyncio
import contextlib

from app_server_protocol.errors import invalid_request
from app_server_protocol.wire_types import Turn
from core_service.account.credentials import Credentials
from core_service.hub import CallInfo
from core_service.model.events import Completed, TextDelta
from core_service.store import records
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.turns.events import TurnEvents
from core_service.turns.instructions import COMPACT_PROMPT, summary_message
from core_service.turns.items import as_history, compaction_item, text_message
from core_service.turns.lifecycle import open_turn, run_turn
from core_service.turns.request import ModelStream, build_request
from core_service.turns.usage import add_usage

# The history items a compaction keeps: of the first two, those that are
# developer or user messages (the thread's opening context), not model output.
_KEPT_CONTEXT = 2


class Compactor:
    """Runs compaction turns (one instance per core, owned by the turn runner)."""

    def __init__(self, events: TurnEvents, client: ModelStream, credentials: Credentials) -> None:
        self.events = events
        self.client = client
        self.credentials = credentials

    def start(self, thread: LoadedThread, call: CallInfo | None) -> None:
        """Start a compaction turn in the background; refused while a turn runs."""
        if thread.active is not None:
            raise invalid_request(f"a turn is already in progress on thread {thread.id}")
        active, turn = open_turn(thread, call)
        work = self._compact(thread, active, turn)
        active.task = asyncio.get_running_loop().create_task(
            run_turn(self.events, thread, active, turn, work, notice_on_interrupt=False)
        )

    async def _compact(
        self, thread: LoadedThread, active: ActiveTurn, turn: Turn
    ) -> None:
        self.events.turn_started(thread, active, turn)
        # Recorded like any turn, so that reading the rollout back (and rolling
        # the compaction back) gives what this process holds in memory.
        await thread.recorder.append([records.turn_started(active.id)])
        item = compaction_item()
        self.events.item(thread, active, item, done=False)
        auth = self.credentials.request_auth(thread.config, thread.id)
        prompt = text_message("user", COMPACT_PROMPT)
        history = [*thread.history, as_history(prompt)]
        req = build_request(thread, active.id, auth, history=history)
        summary: list[str] = []
        async with contextlib.aclosing(self.client.stream(req)) as events:
            async for ev in events:
                if isinstance(ev, TextDelta):
                    summary.append(ev.delta)
                elif isinstance(ev, Completed):
                    add_usage(thread.tokens, ev.usage)
        text = "".join(summary)
        keep = [h for h in thread.history[:_KEPT_CONTEXT] if h.get("role") in ("developer", "user")]
        thread.history = [*keep, as_history(summary_message(text))]
        await thread.recorder.append([records.compacted(text, thread.history),
                                      records.item_completed(active.id, item)])
        self.events.item(thread, active, item, done=True)
        turn["items"].append(item)
        self.events.compacted(thread, active)
