"""Tests for core_service.store.reader: rollouts replayed into turns, history and summaries."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core_service.store import records
from core_service.store.layout import rollout_path
from core_service.store.reader import RolloutError, load_rollout, read_rollout_summary
from core_service.store.writer import RolloutWriter
from tests.unit.core_service.store.sample import (
    CREATED,
    answer,
    end,
    meta,
    simple_turn,
    start,
    user,
    user_text,
)


async def test_round_trip_with_reasoning_failed_and_interrupted_turns(tmp_path: Path) -> None:
    """Turns, items, model history (incl. encrypted reasoning) and usage survive a reload.

    Items keep the ids they were recorded with (read-back numbering is the
    Thread builder's job), turn ids are kept, reasoning loses its raw content
    but keeps its summary, and failed / interrupted turns keep their status,
    error and only the items completed.
    """
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    reasoning = {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thinking"}],
                 "encrypted_content": "gAAAA-secret"}
    usage = {"totalTokens": 107, "inputTokens": 100, "cachedInputTokens": 20,
             "outputTokens": 7, "reasoningOutputTokens": 3}
    await w.append(start("t1"))
    await w.append(user("t1", "message number 1", "live-user-id"))
    await w.append([
        records.response_item(reasoning),
        records.item_completed("t1", {
            "type": "reasoning", "id": "rs_1", "summary": ["thinking"], "content": ["raw"]}),
        *answer("t1", "Default mock answer.", "msg_a1"),
        records.token_count(usage, usage),
    ])
    await w.append([
        records.response_item(
            {"type": "function_call", "name": "shell", "call_id": "c1", "arguments": "{}"}),
        records.response_item({"type": "function_call_output", "call_id": "c1", "output": "ok"}),
    ])
    await w.append(end("t1"))
    await w.append(start("t2") + user("t2", "second"))
    error = {"message": "boom", "codexErrorInfo": "other", "additionalDetails": None}
    await w.append(end("t2", "failed", error))
    await w.append(start("t3") + user("t3", "third"))
    await w.append(end("t3", "interrupted"))
    await w.flush()

    loaded = load_rollout(path)
    assert loaded.meta["id"] == m["id"]
    assert loaded.meta["preview"] == "message number 1"
    assert [t["id"] for t in loaded.turns] == ["t1", "t2", "t3"]
    assert [t["status"] for t in loaded.turns] == ["completed", "failed", "interrupted"]
    assert loaded.turns[1]["error"] == error
    assert loaded.turns[0]["error"] is None
    assert loaded.turns[0]["items"] == [
        {"type": "userMessage", "id": "live-user-id",
         "content": [{"type": "text", "text": "message number 1", "text_elements": []}]},
        {"type": "reasoning", "id": "rs_1", "summary": ["thinking"], "content": []},
        {"type": "agentMessage", "id": "msg_a1", "text": "Default mock answer."},
    ]
    assert [i["type"] for i in loaded.turns[2]["items"]] == ["userMessage"]
    assert loaded.history[1] == reasoning
    assert [h["type"] for h in loaded.history] == [
        "message", "reasoning", "message", "function_call", "function_call_output",
        "message", "message"]
    assert loaded.token_total == usage and loaded.token_last == usage
    assert loaded.last_turn_interrupted


async def test_torn_last_line_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A half-written last line is skipped with a warning, the rest reads back."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "one", "first answer")
    await w.flush()
    with path.open("ab") as f:
        f.write(b'{"timestamp":"2025-01-02T03:04:06.000Z","type":"event_msg","payl')
    with caplog.at_level(logging.WARNING, logger="core_service.store.reader"):
        loaded = load_rollout(path)
    assert "torn last" in caplog.text
    assert [t["id"] for t in loaded.turns] == ["t1"]


async def test_in_progress_turn_reads_back_interrupted(tmp_path: Path) -> None:
    """A turn the core never finished (crash) reads back as interrupted, items kept."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "one", "a")
    await w.append(start("t2") + user("t2", "two"))
    await w.flush()
    loaded = load_rollout(path)
    assert [t["status"] for t in loaded.turns] == ["completed", "interrupted"]
    assert [i["type"] for i in loaded.turns[1]["items"]] == ["userMessage"]
    assert loaded.last_turn_interrupted


async def test_rollback_drops_turns_and_their_history(tmp_path: Path) -> None:
    """A rollback record removes the last N turns and the model history they added."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    for n in (1, 2, 3):
        await simple_turn(w, f"t{n}", f"q{n}", f"a{n}")
    await w.append([records.rollback(2)])
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1"]
    assert loaded.history == [user_text("q1"), answer("t1", "a1")[0]["payload"]]

    await simple_turn(w, "t4", "q4", "a4")
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1", "t4"]
    assert [h["content"][0]["text"] for h in loaded.history] == ["q1", "a1", "q4", "a4"]


async def test_compaction_replaces_history_and_rollback_can_cross_it(tmp_path: Path) -> None:
    """A compacted record replaces the history; rolling back past it restores the old one."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "q1", "a1")
    await simple_turn(w, "t2", "q2", "a2")
    summary = user_text("<conversation_summary>\nS\n</conversation_summary>")
    await w.append(start("t3") + [
        records.compacted("S", [summary]),
        records.item_completed("t3", {"type": "contextCompaction", "id": "c"}),
    ] + end("t3"))
    await simple_turn(w, "t4", "q4", "a4")
    await w.flush()
    loaded = load_rollout(path)
    assert [h["content"][0]["text"] for h in loaded.history] == [
        summary["content"][0]["text"], "q4", "a4"]

    await w.append([records.rollback(3)])
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1"]
    assert [h["content"][0]["text"] for h in loaded.history] == ["q1", "a1"]


async def test_a_name_applies_only_to_the_thread_it_names(tmp_path: Path) -> None:
    """The last rename of this thread wins; a rename of another thread (a fork's source) not."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "q", "a")
    await w.append([records.thread_name(m["id"], "first"), records.thread_name("other", "x"),
                    records.thread_name(m["id"], "second")])
    await w.flush()
    assert load_rollout(path).name == "second"


async def test_summary_reads_meta_preview_name_and_last_activity(tmp_path: Path) -> None:
    """read_rollout_summary gives what the index needs without replaying the thread."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "the question", "a")
    await w.append([records.thread_name(m["id"], "named")])
    await w.flush()
    summary = read_rollout_summary(path)
    assert summary is not None
    assert summary.meta["id"] == m["id"]
    assert summary.preview == "the question"
    assert summary.name == "named"
    assert summary.updated_at > CREATED
    assert read_rollout_summary(tmp_path / "missing.jsonl") is None


async def test_load_without_session_meta_fails(tmp_path: Path) -> None:
    """A file with no readable session_meta is an error, not an empty thread."""
    path = tmp_path / "rollout-2025-01-02T03-04-05-x.jsonl"
    path.write_text('{"torn\n')
    with pytest.raises(RolloutError):
        load_rollout(path)


def test_an_item_completed_twice_is_kept_once() -> None:
    """A second completion of the same item id (a declined patch is reported twice)
    replaces the first instead of listing the item twice; other items keep their place."""
    from core_service.store.reader import replace_or_append

    items: list[dict[str, object]] = [{"id": "a", "status": "failed"}, {"id": "b"}]
    replace_or_append(items, {"id": "a", "status": "declined"})
    replace_or_append(items, {"id": "c"})
    assert items == [{"id": "a", "status": "declined"}, {"id": "b"}, {"id": "c"}]
