"""Tests for core_service.store.rollout: rollout files written, read back, forked, moved."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from core_service.ids import uuid7
from core_service.store import rollout
from core_service.store.rollout import (
    RolloutWriter,
    archive,
    find_rollout,
    fork_rollout,
    load_rollout,
    name_record,
    read_rollout_summary,
    rollback_record,
    rollout_path,
    unarchive,
)

CREATED = 1_735_787_045  # 2025-01-02T03:04:05Z


def _meta(thread_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": thread_id or uuid7(),
        "created_at": CREATED,
        "updated_at": CREATED,
        "cwd": "/work",
        "model_provider": "mock",
        "model": "gpt-5.1-codex",
        "cli_version": "0.104.0",
        "source": "vscode",
        "preview": "",
        "git_info": None,
        **extra,
    }


def _ev(payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event_msg", "payload": payload}


def _ri(payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response_item", "payload": payload}


def _user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def _start(turn_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "turn_context", "payload": {"turn_id": turn_id, "cwd": "/work",
                                             "approval_policy": "never", "model": "m",
                                             "effort": "high", "summary": "auto"}},
        _ev({"type": "turn_started", "turnId": turn_id}),
    ]


def _user(turn_id: str, text: str, item_id: str = "u") -> list[dict[str, Any]]:
    item = {"type": "userMessage", "id": item_id,
            "content": [{"type": "text", "text": text, "text_elements": []}]}
    return [_ri(_user_text(text)),
            _ev({"type": "item_completed", "turnId": turn_id, "item": item})]


def _answer(turn_id: str, text: str, item_id: str = "msg_1") -> list[dict[str, Any]]:
    return [
        _ri({"type": "message", "role": "assistant",
             "content": [{"type": "output_text", "text": text}]}),
        _ev({"type": "item_completed", "turnId": turn_id,
             "item": {"type": "agentMessage", "id": item_id, "text": text}}),
    ]


def _end(turn_id: str, status: str = "completed",
         error: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [_ev({"type": "turn_completed", "turnId": turn_id, "status": status, "error": error})]


async def _simple_turn(w: RolloutWriter, turn_id: str, text: str, answer: str) -> None:
    await w.append(_start(turn_id))
    await w.append(_user(turn_id, text, f"u-{turn_id}"))
    await w.append(_answer(turn_id, answer, f"msg-{turn_id}"))
    await w.append(_end(turn_id))


async def test_round_trip_with_reasoning_failed_and_interrupted_turns(tmp_path: Path) -> None:
    """Turns, items, model history (incl. encrypted reasoning) and usage survive a reload.

    Items read back with synthetic ids item-1.. across the thread, turn ids are
    kept, reasoning loses its raw content but keeps its summary, and failed /
    interrupted turns keep their status, error and only the items completed.
    """
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    reasoning = {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thinking"}],
                 "encrypted_content": "gAAAA-secret"}
    usage = {"totalTokens": 107, "inputTokens": 100, "cachedInputTokens": 20,
             "outputTokens": 7, "reasoningOutputTokens": 3}
    await w.append(_start("t1"))
    await w.append(_user("t1", "message number 1", "live-user-id"))
    await w.append([
        _ri(reasoning),
        _ev({"type": "item_completed", "turnId": "t1", "item": {
            "type": "reasoning", "id": "rs_1", "summary": ["thinking"], "content": ["raw"]}}),
        *_answer("t1", "Default mock answer.", "msg_a1"),
        _ev({"type": "token_count", "total": usage, "last": usage}),
    ])
    await w.append([
        _ri({"type": "function_call", "name": "shell", "call_id": "c1", "arguments": "{}"}),
        _ri({"type": "function_call_output", "call_id": "c1", "output": "ok"}),
    ])
    await w.append(_end("t1"))
    await w.append(_start("t2") + _user("t2", "second"))
    error = {"message": "boom", "codexErrorInfo": "other", "additionalDetails": None}
    await w.append(_end("t2", "failed", error))
    await w.append(_start("t3") + _user("t3", "third"))
    await w.append(_end("t3", "interrupted"))
    await w.flush()

    loaded = load_rollout(path)
    assert loaded.id == meta["id"]
    assert loaded.meta["preview"] == "message number 1"
    assert [t["id"] for t in loaded.turns] == ["t1", "t2", "t3"]
    assert [t["status"] for t in loaded.turns] == ["completed", "failed", "interrupted"]
    assert loaded.turns[1]["error"] == error
    assert loaded.turns[0]["error"] is None
    assert loaded.turns[0]["items"] == [
        {"type": "userMessage", "id": "item-1",
         "content": [{"type": "text", "text": "message number 1", "text_elements": []}]},
        {"type": "reasoning", "id": "item-2", "summary": ["thinking"], "content": []},
        {"type": "agentMessage", "id": "item-3", "text": "Default mock answer."},
    ]
    assert [i["id"] for i in loaded.turns[2]["items"]] == ["item-5"]
    assert [i["type"] for i in loaded.turns[2]["items"]] == ["userMessage"]
    assert loaded.history[1] == reasoning
    assert [h["type"] for h in loaded.history] == [
        "message", "reasoning", "message", "function_call", "function_call_output",
        "message", "message"]
    assert loaded.token_total == usage and loaded.token_last == usage
    assert loaded.last_turn_interrupted
    assert loaded.last_turn_context is not None and loaded.last_turn_context["turn_id"] == "t3"
    assert loaded.skipped_lines == 0 and not loaded.archived


async def test_file_layout_and_record_format(tmp_path: Path) -> None:
    """The file sits at sessions/YYYY/MM/DD/rollout-<UTC time>-<id>.jsonl; lines are records."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    assert path == (tmp_path / "sessions/2025/01/02"
                    / f"rollout-2025-01-02T03-04-05-{meta['id']}.jsonl")
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "hi", "hello")
    await w.close()
    lines = path.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "session_meta" and records[0]["payload"] == meta
    assert [r["type"] for r in records[1:3]] == ["turn_context", "event_msg"]
    for rec in records:
        assert set(rec) == {"timestamp", "type", "payload"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["timestamp"])
    assert list(records[0]) == ["timestamp", "type", "payload"]


async def test_materialised_only_on_first_user_message(tmp_path: Path) -> None:
    """No file exists until the first user message; then the held records come first."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    materialised = asyncio.Event()

    async def on_materialize() -> None:
        materialised.set()

    w = RolloutWriter(path, meta, on_materialize=on_materialize)
    await w.append(_start("t1"))
    await w.flush()
    assert not w.materialized and not path.exists() and not materialised.is_set()
    meta["preview"] = "hello"  # set by the turn before recording the message
    await w.append(_user("t1", "hello"))
    assert w.materialized and path.exists() and materialised.is_set()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in records] == [
        "session_meta", "turn_context", "event_msg", "response_item", "event_msg"]
    assert records[0]["payload"]["preview"] == "hello"


async def test_user_message_event_also_materialises(tmp_path: Path) -> None:
    """A `user_message` event counts as the first user message too."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await w.append([_ev({"type": "user_message", "message": "plain text"})])
    assert path.exists()
    assert load_rollout(path).meta["preview"] == "plain text"


async def test_ephemeral_writes_nothing(tmp_path: Path) -> None:
    """An ephemeral thread's writer creates no file or directory, even when asked to."""
    meta = _meta()
    w = RolloutWriter(rollout_path(tmp_path, meta["id"], CREATED), meta, ephemeral=True)
    await _simple_turn(w, "t1", "hi", "hello")
    await w.materialize()
    await w.flush()
    await w.close()
    assert not w.materialized
    assert os.listdir(tmp_path) == []


async def test_torn_last_line_is_skipped_and_appending_continues(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A half-written last line is skipped with a warning; later records stay readable."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "one", "first answer")
    await w.flush()
    with path.open("ab") as f:
        f.write(b'{"timestamp":"2025-01-02T03:04:06.000Z","type":"event_msg","payl')
    with caplog.at_level(logging.WARNING, logger="core_service.store.rollout"):
        loaded = load_rollout(path)
    assert loaded.skipped_lines == 1
    assert "torn last" in caplog.text
    assert [t["id"] for t in loaded.turns] == ["t1"]

    resumed = RolloutWriter(path, loaded.meta, materialized=True)
    await _simple_turn(resumed, "t2", "two", "second answer")
    await resumed.flush()
    again = load_rollout(path)
    assert [t["id"] for t in again.turns] == ["t1", "t2"]
    assert again.turns[1]["items"][1]["text"] == "second answer"
    assert again.last_turn_context is not None and again.last_turn_context["turn_id"] == "t2"
    assert again.skipped_lines == 1


async def test_in_progress_turn_reads_back_interrupted(tmp_path: Path) -> None:
    """A turn the core never finished (crash) reads back as interrupted, items kept."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "one", "a")
    await w.append(_start("t2") + _user("t2", "two"))
    await w.flush()
    loaded = load_rollout(path)
    assert [t["status"] for t in loaded.turns] == ["completed", "interrupted"]
    assert [i["type"] for i in loaded.turns[1]["items"]] == ["userMessage"]
    assert loaded.last_turn_interrupted


async def test_fork_copies_source_records_after_its_own_meta(tmp_path: Path) -> None:
    """A fork's file starts with its session_meta (forked_from_id), then the source's records.

    It reads back as the new thread with the source's turns (same turn ids) and
    history, without the source's name.
    """
    src_meta = _meta()
    src = rollout_path(tmp_path, src_meta["id"], CREATED)
    w = RolloutWriter(src, src_meta)
    await _simple_turn(w, "t1", "one", "a")
    await w.append([name_record(src_meta["id"], "source name")])
    await w.flush()

    fork_meta = _meta(created_at=CREATED + 86400, forked_from_id=src_meta["id"],
                      preview="one")
    dest = rollout_path(tmp_path, fork_meta["id"], fork_meta["created_at"])
    fw = RolloutWriter(dest, fork_meta, fork_source=src)
    await fw.materialize()
    await _simple_turn(fw, "t2", "two", "b")
    await fw.append([name_record(fork_meta["id"], "fork name")])
    await fw.flush()

    records = [json.loads(line) for line in dest.read_text().splitlines()]
    assert records[0]["type"] == "session_meta"
    assert records[0]["payload"]["id"] == fork_meta["id"]
    assert records[0]["payload"]["forked_from_id"] == src_meta["id"]
    assert records[1]["payload"] == src_meta
    fork = load_rollout(dest)
    assert fork.id == fork_meta["id"]
    assert [t["id"] for t in fork.turns] == ["t1", "t2"]
    assert [i["id"] for t in fork.turns for i in t["items"]] == [
        "item-1", "item-2", "item-3", "item-4"]
    assert len(fork.history) == 4
    assert fork.name == "fork name"
    assert load_rollout(src).name == "source name"


def test_fork_rollout_function_skips_unreadable_source_lines(tmp_path: Path) -> None:
    """fork_rollout writes the new meta, then only the readable source records."""
    src = tmp_path / "src.jsonl"
    good = rollout.make_record("session_meta", _meta("s"))
    src.write_bytes(json.dumps(good).encode() + b"\n" + b'{"torn')
    dest = tmp_path / "sessions" / "d.jsonl"
    fork_rollout(src, _meta("f", forked_from_id="s"), dest)
    lines = [json.loads(line) for line in dest.read_text().splitlines()]
    assert [r["payload"]["id"] for r in lines] == ["f", "s"]
    with pytest.raises(FileExistsError):
        fork_rollout(src, _meta("f"), dest)


async def test_rollback_drops_turns_and_their_history(tmp_path: Path) -> None:
    """A rollback record removes the last N turns and the model history they added."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    for n in (1, 2, 3):
        await _simple_turn(w, f"t{n}", f"q{n}", f"a{n}")
    await w.append([rollback_record(2)])
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1"]
    assert loaded.history == [_user_text("q1"), _answer("t1", "a1")[0]["payload"]]

    await _simple_turn(w, "t4", "q4", "a4")
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1", "t4"]
    assert [i["id"] for t in loaded.turns for i in t["items"]] == [
        "item-1", "item-2", "item-3", "item-4"]
    assert [h["content"][0]["text"] for h in loaded.history] == ["q1", "a1", "q4", "a4"]


async def test_compaction_replaces_history_and_rollback_can_cross_it(tmp_path: Path) -> None:
    """A compacted record replaces the history; rolling back past it restores the old one."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "q1", "a1")
    await _simple_turn(w, "t2", "q2", "a2")
    summary = _user_text("<conversation_summary>\nS\n</conversation_summary>")
    await w.append(_start("t3") + [
        {"type": "compacted", "payload": {"message": "S", "replacement_history": [summary]}},
        _ev({"type": "item_completed", "turnId": "t3",
             "item": {"type": "contextCompaction", "id": "c"}}),
    ] + _end("t3"))
    await _simple_turn(w, "t4", "q4", "a4")
    await w.flush()
    loaded = load_rollout(path)
    assert [h["content"][0]["text"] for h in loaded.history] == [
        summary["content"][0]["text"], "q4", "a4"]

    await w.append([rollback_record(3)])
    await w.flush()
    loaded = load_rollout(path)
    assert [t["id"] for t in loaded.turns] == ["t1"]
    assert [h["content"][0]["text"] for h in loaded.history] == ["q1", "a1"]


async def test_archive_unarchive_and_find(tmp_path: Path) -> None:
    """Archiving moves the file flat into archived_sessions/; unarchiving puts it back by date."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "q", "a")
    await w.close()
    assert find_rollout(tmp_path, meta["id"]) == path
    assert find_rollout(tmp_path, meta["id"], archived=True) is None

    archived = archive(path, tmp_path)
    assert archived == tmp_path / "archived_sessions" / path.name
    assert archived.exists() and not path.exists()
    assert find_rollout(tmp_path, meta["id"]) is None
    assert find_rollout(tmp_path, meta["id"], archived=True) == archived
    assert load_rollout(archived).archived

    back = unarchive(archived, tmp_path)
    assert back == path and path.exists() and not archived.exists()
    assert find_rollout(tmp_path, meta["id"]) == path


def test_find_rollout_rejects_patterns_and_scans_other_days(tmp_path: Path) -> None:
    """Glob characters never match files; a file on an unexpected day is still found."""
    other = tmp_path / "sessions/2020/05/06"
    other.mkdir(parents=True)
    tid = uuid7()
    target = other / f"rollout-2020-05-06T00-00-00-{tid}.jsonl"
    target.write_text("")
    assert find_rollout(tmp_path, tid) == target
    assert find_rollout(tmp_path, "*") is None
    assert find_rollout(tmp_path, "../x") is None


async def test_summary_reads_meta_preview_name_and_last_activity(tmp_path: Path) -> None:
    """read_rollout_summary gives what the index needs without replaying the thread."""
    meta = _meta()
    path = rollout_path(tmp_path, meta["id"], CREATED)
    w = RolloutWriter(path, meta)
    await _simple_turn(w, "t1", "the question", "a")
    await w.append([name_record(meta["id"], "named")])
    await w.flush()
    summary = read_rollout_summary(path)
    assert summary is not None
    assert summary.meta["id"] == meta["id"]
    assert summary.preview == "the question"
    assert summary.name == "named"
    assert summary.updated_at > CREATED and not summary.archived
    assert read_rollout_summary(tmp_path / "missing.jsonl") is None


async def test_append_is_queued_in_order_and_flush_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """append returns while the writer is busy (never blocks the turn); flush waits; order kept."""
    spy = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(rollout, "_WRITER", spy)
    try:
        meta = _meta()
        path = rollout_path(tmp_path, meta["id"], CREATED)
        w = RolloutWriter(path, meta)
        await w.append(_start("t1") + _user("t1", "q"))
        await w.flush()
        gate = threading.Event()
        spy.submit(gate.wait, 5)  # hold the writer thread
        await asyncio.wait_for(w.append(_answer("t1", "a")), 2)
        await asyncio.wait_for(w.append(_end("t1")), 2)
        assert [i["type"] for i in load_rollout(path).turns[0]["items"]] == ["userMessage"]
        flushed = asyncio.ensure_future(w.flush())
        gate.set()
        await asyncio.wait_for(flushed, 5)
        loaded = load_rollout(path)
        assert [i["type"] for i in loaded.turns[0]["items"]] == ["userMessage", "agentMessage"]
        assert loaded.turns[0]["status"] == "completed"
    finally:
        spy.shutdown(wait=True)


async def test_load_without_session_meta_fails(tmp_path: Path) -> None:
    """A file with no readable session_meta is an error, not an empty thread."""
    path = tmp_path / "rollout-2025-01-02T03-04-05-x.jsonl"
    path.write_text('{"torn\n')
    with pytest.raises(rollout.RolloutError):
        load_rollout(path)
