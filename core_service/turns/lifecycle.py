"""A turn from its start to its one end, whatever ends it.

Both kinds of turn (a regular one and a compaction) open the same way and
end through `run_turn`: completed when their work returns, `interrupted`
when it is cancelled (turn/interrupt, shutdown), `failed` with a v2
TurnError when the model fails (a usage-limit failure announcing the
exhausted limit first) or anything else goes wrong. A bug in a turn
ends that turn, never the core.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import cast

from app_server_protocol.wire_types import CodexErrorInfo, Turn, TurnError, TurnStatus
from core_service import telemetry
from core_service.hub import CallInfo
from core_service.ids import uuid7
from core_service.model.errors import ModelError
from core_service.store import records
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.context import TurnCancelled
from core_service.turns.events import TurnEvents

log = logging.getLogger(__name__)


def open_turn(thread: LoadedThread, call: CallInfo | None) -> tuple[ActiveTurn, Turn]:
    """Make a new turn the thread's active one; its events follow `call`'s response."""
    active = ActiveTurn(id=uuid7(), after=call)
    thread.active = active
    thread.idle_since = None
    turn: Turn = {"id": active.id, "items": [], "status": "inProgress", "error": None}
    if len(thread.history_marks) == len(thread.turns):
        thread.history_marks.append(len(thread.history))
    thread.turns.append(turn)
    return active, turn


# How long a turn started over a running one waits for that one to end.
INTERRUPTED_TURN_END_S = 30.0


def interrupt(thread: LoadedThread, call: CallInfo | None) -> ActiveTurn | None:
    """Cancel the thread's running turn, if any (returned); its last events follow
    `call`'s response (turn/interrupt, or what takes the thread over)."""
    active = thread.active
    if active is not None:
        active.after = call
        if active.task is not None:
            active.task.cancel()
    return active


async def wait_ended(interrupted: ActiveTurn | None) -> None:
    """Wait (bounded) for a turn `interrupt` cancelled to end: its events and rollout
    records come before those of the turn that took its place."""
    if interrupted is not None and interrupted.task is not None:
        await asyncio.wait({interrupted.task}, timeout=INTERRUPTED_TURN_END_S)


def turn_error(err: Exception) -> TurnError:
    """The v2 TurnError of a failed turn: the model's own, or an internal one."""
    if isinstance(err, ModelError):
        # The model package writes codexErrorInfo values in their wire form.
        info = cast(CodexErrorInfo, err.info)
        return {"message": err.message, "codexErrorInfo": info,
                "additionalDetails": err.additional_details}
    return {"message": f"internal error: {err}", "codexErrorInfo": "other",
            "additionalDetails": None}


async def run_turn(
    events: TurnEvents,
    thread: LoadedThread,
    active: ActiveTurn,
    turn: Turn,
    work: Awaitable[None],
    *,
    notice_on_interrupt: bool,
) -> None:
    """Run a turn's `work` and end the turn as its outcome says.

    `notice_on_interrupt` makes the thread's next user message tell the
    model that the user interrupted this turn on purpose.
    """
    telemetry.bind_turn(thread.id, active.id)
    status: TurnStatus = "completed"
    error: TurnError | None = None
    try:
        await work
    except (asyncio.CancelledError, TurnCancelled):
        # turn/interrupt, or the user answered an approval with `cancel`.
        status = "interrupted"
        if notice_on_interrupt:
            thread.abort_notice = True
    except Exception as err:
        if not isinstance(err, ModelError):
            log.exception("turn %s failed", active.id)
        elif err.rate_limits is not None:
            # A usage-limit error reports the exhausted limit before the error (with the
            # token usage, once there is some), as the reference does.
            events.response_limits(thread, active, [err.rate_limits])
        elif err.info == "contextWindowExceeded":
            events.context_window_full(thread, active)
        status, error = "failed", turn_error(err)
    finally:
        await _finish(events, thread, active, turn, status, error)


async def _finish(
    events: TurnEvents,
    thread: LoadedThread,
    active: ActiveTurn,
    turn: Turn,
    status: TurnStatus,
    error: TurnError | None,
) -> None:
    turn["status"] = status
    turn["error"] = error
    telemetry.turn_ended(status)
    events.turn_completed(thread, active, turn)
    if thread.active is active:  # a review may have taken the thread over already
        thread.active = None
        thread.idle_since = time.monotonic()
    thread.meta["updated_at"] = int(time.time())
    active.done.set()
    try:
        # Shielded: an interrupt arriving now must not lose the end of the turn.
        await asyncio.shield(_persist_end(thread, active.id, status, error))
    except Exception:
        log.exception("could not persist the end of turn %s", active.id)


async def _persist_end(
    thread: LoadedThread, turn_id: str, status: TurnStatus, error: TurnError | None
) -> None:
    await thread.recorder.append([records.turn_completed(turn_id, status, error)])
    await thread.recorder.flush(fsync=True)
