"""Per-request sampling state: delta buffers, pending records and the turn's flags."""

from __future__ import annotations

from core_service.store import records
from core_service.turns.sampling import Sampling


def test_text_deltas_are_joined_per_item() -> None:
    """Text deltas accumulate per item; an unknown item has no text."""
    s = Sampling()
    s.add_text("a", "Hel")
    s.add_text("b", "x")
    s.add_text("a", "lo")
    assert (s.text("a"), s.text("b"), s.text("c")) == ("Hello", "x", "")


def test_reasoning_parts_are_created_on_demand() -> None:
    """A delta for part 2 creates the parts before it; opened parts start empty."""
    s = Sampling()
    s.add_summary_part("r", 0)
    s.add_summary("r", 2, "late")
    s.add_content("r", 0, "c0")
    s.add_content("r", 0, "+")
    assert s.summary("r") == ["", "", "late"]
    assert s.content("r") == ["c0+"]
    assert s.summary("other") == []


def test_open_item_starts_with_empty_buffers() -> None:
    """Opening an item drops whatever was buffered under its id before."""
    s = Sampling()
    s.add_text("a", "stale")
    s.add_summary("a", 0, "stale")
    s.open_item("a")
    assert (s.text("a"), s.summary("a"), s.content("a")) == ("", [], [])


def test_records_are_handed_over_once() -> None:
    """take_records returns the pending records and leaves none behind."""
    s = Sampling()
    s.records.append(records.turn_started("t1"))
    assert s.take_records() == [records.turn_started("t1")]
    assert s.take_records() == []


def test_a_reroute_is_new_only_once_per_turn() -> None:
    """mark_rerouted is True the first time only, including across requests."""
    s = Sampling()
    assert s.mark_rerouted() is True
    assert s.mark_rerouted() is False
    assert Sampling(rerouted=s.rerouted).mark_rerouted() is False
    assert not s.follow_up
