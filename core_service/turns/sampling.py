"""The state of one model request while its stream is read.

Deltas arrive before the item they belong to is finished; the buffers keep
them so that a bare `output_item.done` still yields the whole text. The
flags say what the turn does next: ask the model again (a tool was called)
and whether a reroute was already announced (once per turn, so it is carried
from one request of the turn to the next).
"""

from __future__ import annotations

from core_service.store.records import RolloutRecord
from core_service.tools.context import ToolCall


class Sampling:
    """Buffers, pending records and flags of one model request of a turn."""

    __slots__ = ("texts", "summaries", "contents", "records", "follow_up", "rerouted",
                 "tool_calls")

    def __init__(self, rerouted: bool = False) -> None:
        self.texts: dict[str, list[str]] = {}
        self.summaries: dict[str, list[list[str]]] = {}
        self.contents: dict[str, list[list[str]]] = {}
        # Rollout records of this request not yet handed to the recorder.
        self.records: list[RolloutRecord] = []
        self.follow_up = False
        self.rerouted = rerouted
        # Tool calls of this response, run once it has streamed.
        self.tool_calls: list[ToolCall] = []

    def open_item(self, item_id: str) -> None:
        """Start an output item with empty buffers."""
        self.texts[item_id] = []
        self.summaries[item_id] = []
        self.contents[item_id] = []

    def add_text(self, item_id: str, delta: str) -> None:
        """Buffer a text delta of an agent message."""
        buf = self.texts.get(item_id)
        if buf is None:
            buf = self.texts[item_id] = []
        buf.append(delta)

    def add_summary_part(self, item_id: str, index: int) -> None:
        """Open summary part `index` of a reasoning item."""
        _part(self.summaries, item_id, index)

    def add_summary(self, item_id: str, index: int, delta: str) -> None:
        """Buffer a delta of summary part `index` of a reasoning item."""
        _part(self.summaries, item_id, index).append(delta)

    def add_content(self, item_id: str, index: int, delta: str) -> None:
        """Buffer a delta of raw content part `index` of a reasoning item."""
        _part(self.contents, item_id, index).append(delta)

    def text(self, item_id: str) -> str:
        """The streamed text of an agent message."""
        return "".join(self.texts.get(item_id, ()))

    def summary(self, item_id: str) -> list[str]:
        """The streamed summary parts of a reasoning item."""
        return ["".join(p) for p in self.summaries.get(item_id, ())]

    def content(self, item_id: str) -> list[str]:
        """The streamed raw content parts of a reasoning item."""
        return ["".join(p) for p in self.contents.get(item_id, ())]

    def take_records(self) -> list[RolloutRecord]:
        """The pending records, handed over once (the buffer starts empty again)."""
        records, self.records = self.records, []
        return records

    def mark_rerouted(self) -> bool:
        """Note a reroute; True only the first time in the turn (it is announced once)."""
        if self.rerouted:
            return False
        self.rerouted = True
        return True


def _part(parts_by_item: dict[str, list[list[str]]], item_id: str, index: int) -> list[str]:
    """The text pieces of part `index` of an item, created (with those before it) on demand."""
    parts = parts_by_item.setdefault(item_id, [])
    while len(parts) <= index:
        parts.append([])
    return parts[index]
