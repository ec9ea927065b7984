"""thread/compact/start's turn: the history replaced by the model's summary of it.

A compaction is a turn of its own, shown as the reference shows it: no
`turn/started`; a `contextCompaction` item, the token usage and rate limits
of its request, then the usage estimated for the compacted history,
`thread/compacted` and `turn/completed`. Started while a turn runs, it
interrupts that turn first (whose end follows its answer). The model is
asked to summarise the whole history; the thread keeps its opening context
messages and the summary, so later requests carry that instead of the old
history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math

from app_server_protocol.wire_types import Turn
from core_service.account.credentials import Credentials
from core_service.hub import CallInfo
from core_service.model.events import Completed, RateLimits, TextDelta
from core_service.store import records
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.turns.events import TurnEvents
from core_service.turns.instructions import COMPACT_PROMPT, summary_message
from core_service.turns.items import as_history, compaction_item, text_message
from core_service.turns.lifecycle import interrupt, open_turn, run_turn, wait_ended
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
        """Start a compaction turn in the background, interrupting a running turn."""
        interrupted = interrupt(thread, call)
        active, turn = open_turn(thread, call)
        work = self._compact(thread, active, turn, interrupted)
        active.task = asyncio.get_running_loop().create_task(
            run_turn(self.events, thread, active, turn, work, notice_on_interrupt=False)
        )

    async def _compact(
        self, thread: LoadedThread, active: ActiveTurn, turn: Turn, after: ActiveTurn | None
    ) -> None:
        await wait_ended(after)
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
                elif isinstance(ev, RateLimits):
                    self.events.response_limits(thread, active, ev.snapshots)
                elif isinstance(ev, Completed):
                    add_usage(thread.tokens, ev.usage)
                    self.events.token_usage(thread, active)
                    self.events.repeat_limits(thread, active)
        text = "".join(summary)
        keep = [h for h in thread.history[:_KEPT_CONTEXT] if h.get("role") in ("developer", "user")]
        thread.history = [*keep, as_history(summary_message(text))]
        # What the next request will hold, estimated as the reference does it
        # (a token per 4 bytes of the instructions and the history).
        thread.tokens.last = {**dict.fromkeys(thread.tokens.total, 0),
                              "totalTokens": estimated_tokens(req.body.get("instructions"),
                                                              thread.history)}
        self.events.token_usage(thread, active)
        self.events.repeat_limits(thread, active)
        await thread.recorder.append([records.compacted(text, thread.history),
                                      records.item_completed(active.id, item)])
        self.events.item(thread, active, item, done=True)
        turn["items"].append(item)
        self.events.compacted(thread, active)


def estimated_tokens(instructions: object, history: list[dict[str, object]]) -> int:
    """Tokens of a request holding `instructions` and `history`: a token per 4 bytes
    of their compact JSON (the reference's estimate after a compaction lands within
    0.5 % of this on the same history)."""
    size = len(instructions.encode()) if isinstance(instructions, str) else 0
    size += sum(len(json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode())
                for h in history)
    return math.ceil(size / 4)
