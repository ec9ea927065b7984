"""Tests for core_service.store.writer: records appended in order, lazily, durably."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import threading
from pathlib import Path

import pytest

from core_service.store import records, writer
from core_service.store.layout import rollout_path
from core_service.store.reader import load_rollout
from core_service.store.writer import RolloutWriter, append_to_rollout, fork_rollout
from tests.unit.core_service.store.sample import (
    CREATED,
    answer,
    end,
    meta,
    simple_turn,
    start,
    user,
)


async def test_file_layout_and_record_format(tmp_path: Path) -> None:
    """Lines are ``{timestamp, type, payload}`` records, session_meta first, timestamp first."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "hi", "hello")
    await w.flush()
    records_ = [json.loads(line) for line in path.read_text().splitlines()]
    assert records_[0]["type"] == "session_meta" and records_[0]["payload"] == m
    assert [r["type"] for r in records_[1:3]] == ["turn_context", "event_msg"]
    for rec in records_:
        assert list(rec) == ["timestamp", "type", "payload"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["timestamp"])


async def test_materialised_only_on_first_user_message(tmp_path: Path) -> None:
    """No file exists until the first user message; then the held records come first."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    materialised = asyncio.Event()

    async def on_materialize() -> None:
        materialised.set()

    w = RolloutWriter(path, m, on_materialize=on_materialize)
    await w.append(start("t1"))
    await w.flush()
    assert not w.materialized and not path.exists() and not materialised.is_set()
    m["preview"] = "hello"  # set by the turn before recording the message
    await w.append(user("t1", "hello"))
    assert w.materialized and path.exists() and materialised.is_set()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in lines] == [
        "session_meta", "turn_context", "event_msg", "response_item", "event_msg"]
    assert lines[0]["payload"]["preview"] == "hello"


async def test_appending_after_a_torn_last_line_starts_a_fresh_line(tmp_path: Path) -> None:
    """A resumed thread's first write after a crash mid-line stays readable."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "one", "first answer")
    await w.flush()
    with path.open("ab") as f:
        f.write(b'{"timestamp":"2025-01-02T03:04:06.000Z","type":"event_msg","payl')
    resumed = RolloutWriter(path, m, materialized=True)
    await simple_turn(resumed, "t2", "two", "second answer")
    await resumed.flush()
    again = load_rollout(path)
    assert [t["id"] for t in again.turns] == ["t1", "t2"]
    assert again.turns[1]["items"][1]["text"] == "second answer"  # type: ignore[typeddict-item]


async def test_fork_copies_source_records_after_its_own_meta(tmp_path: Path) -> None:
    """A fork's file starts with its session_meta (forked_from_id), then the source's records.

    It reads back as the new thread with the source's turns (same turn ids) and
    history, without the source's name.
    """
    src_meta = meta()
    src = rollout_path(tmp_path, src_meta["id"], CREATED)
    w = RolloutWriter(src, src_meta)
    await simple_turn(w, "t1", "one", "a")
    await w.append([records.thread_name(src_meta["id"], "source name")])
    await w.flush()

    fork_meta = meta(created_at=CREATED + 86400, forked_from_id=src_meta["id"], preview="one")
    dest = rollout_path(tmp_path, fork_meta["id"], fork_meta["created_at"])
    fw = RolloutWriter(dest, fork_meta, fork_source=src)
    await fw.materialize()
    await simple_turn(fw, "t2", "two", "b")
    await fw.append([records.thread_name(fork_meta["id"], "fork name")])
    await fw.flush()

    lines = [json.loads(line) for line in dest.read_text().splitlines()]
    assert lines[0]["type"] == "session_meta"
    assert lines[0]["payload"]["id"] == fork_meta["id"]
    assert lines[0]["payload"]["forked_from_id"] == src_meta["id"]
    assert lines[1]["payload"] == src_meta
    fork = load_rollout(dest)
    assert fork.meta["id"] == fork_meta["id"]
    assert [t["id"] for t in fork.turns] == ["t1", "t2"]
    assert len(fork.history) == 4
    assert fork.name == "fork name"
    assert load_rollout(src).name == "source name"


def test_fork_rollout_function_skips_unreadable_source_lines(tmp_path: Path) -> None:
    """fork_rollout writes the new meta, then only the readable source records."""
    src = tmp_path / "src.jsonl"
    good = records.stamped(records.session_meta(meta("s")))
    src.write_bytes(json.dumps(good).encode() + b"\n" + b'{"torn')
    dest = tmp_path / "sessions" / "d.jsonl"
    fork_rollout(src, meta("f", forked_from_id="s"), dest)
    lines = [json.loads(line) for line in dest.read_text().splitlines()]
    assert [r["payload"]["id"] for r in lines] == ["f", "s"]
    with pytest.raises(FileExistsError):
        fork_rollout(src, meta("f"), dest)


async def test_append_to_rollout_of_a_thread_not_loaded(tmp_path: Path) -> None:
    """Records appended outside a writer are stamped and read back like the others."""
    m = meta()
    path = rollout_path(tmp_path, m["id"], CREATED)
    w = RolloutWriter(path, m)
    await simple_turn(w, "t1", "q", "a")
    await w.flush()
    append_to_rollout(path, [records.thread_name(m["id"], "later")])
    assert json.loads(path.read_text().splitlines()[-1])["timestamp"].endswith("Z")
    assert load_rollout(path).name == "later"


async def test_append_is_queued_in_order_and_flush_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """append returns while the writer is busy (never blocks the turn); flush waits; order kept."""
    spy = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(writer, "_WRITER", spy)
    try:
        m = meta()
        path = rollout_path(tmp_path, m["id"], CREATED)
        w = RolloutWriter(path, m)
        await w.append(start("t1") + user("t1", "q"))
        await w.flush()
        gate = threading.Event()
        spy.submit(gate.wait, 5)  # hold the writer thread
        await asyncio.wait_for(w.append(answer("t1", "a")), 2)
        await asyncio.wait_for(w.append(end("t1")), 2)
        assert [i["type"] for i in load_rollout(path).turns[0]["items"]] == ["userMessage"]
        flushed = asyncio.ensure_future(w.flush())
        gate.set()
        await asyncio.wait_for(flushed, 5)
        loaded = load_rollout(path)
        assert [i["type"] for i in loaded.turns[0]["items"]] == ["userMessage", "agentMessage"]
        assert loaded.turns[0]["status"] == "completed"
    finally:
        spy.shutdown(wait=True)
