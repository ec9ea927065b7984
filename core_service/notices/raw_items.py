"""`rawResponseItem/completed`: the model history of a thread, item by item.

Sent only for a thread started with the experimental
`thread/start.experimentalRawEvents: true`, to its subscribers, as the
reference sends them (probed on 0.104): the thread's opening context right
after `thread/started` (with the turn id `auto-compact-0`, the reference's),
then within each turn every item the history gains: the user's message (after
its `userMessage` item, where the reference sends it just before), each model
output item once it is done, each tool call's output once it ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app_server_protocol import codec
from app_server_protocol.v2 import raw_events_pb2
from core_service.hub import CallInfo, Hub
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.turns.events import TurnEvents

# The turn id the reference gives the opening context's items.
CONTEXT_TURN_ID = "auto-compact-0"


def _payload(thread: LoadedThread, turn_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {"threadId": thread.id, "turnId": turn_id, "item": dict(item)}


def announce(events: TurnEvents, thread: LoadedThread, active: ActiveTurn,
             items: Iterable[Mapping[str, Any]]) -> None:
    """Items the history of `active`'s thread just gained (nothing unless opted in)."""
    if not thread.raw_events:
        return
    for item in items:
        events.emit_json(thread, active, raw_events_pb2.RawResponseItemCompletedNotification,
                         _payload(thread, active.id, item))


def announce_context(hub: Hub, thread: LoadedThread, items: Iterable[Mapping[str, Any]],
                     call: CallInfo | None) -> None:
    """The opening context of a thread just started (after its `thread/started`)."""
    if not thread.raw_events:
        return
    for item in items:
        hub.emit(codec.from_json(raw_events_pb2.RawResponseItemCompletedNotification,
                                 _payload(thread, CONTEXT_TURN_ID, item)),
                 thread_id=thread.id, after=call)
