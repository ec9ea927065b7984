"""Tests for core_service.store.store: the Store facade over rollouts and the index."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core_service.store.layout import rollout_path
from core_service.store.store import Store
from tests.unit.core_service.store.sample import CREATED, meta, simple_turn


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = Store(tmp_path)
    await s.open()
    try:
        yield s
    finally:
        await s.close()
        await s.close()  # idempotent


async def _recorded(store: Store) -> str:
    m = meta(preview="q1")
    recorder = store.recorder(m, str(rollout_path(store.codex_home, m["id"], CREATED)))
    await simple_turn(recorder, "t1", "q1", "a1")  # type: ignore[arg-type]
    await recorder.flush()
    return m["id"]


async def _rows(store: Store, archived: bool = False) -> list[tuple[str, str | None]]:
    rows, _ = await store.list(cursor=None, limit=None, sort_key="created_at",
                               model_providers=None, source_kinds=None, archived=archived,
                               cwd=None)
    return [(r.id, r.name) for r in rows]


async def test_a_recorded_thread_is_indexed_and_loads_back(store: Store) -> None:
    """Materialising indexes the thread; load replays it; unknown ids load as None."""
    tid = await _recorded(store)
    assert await _rows(store) == [(tid, None)]
    stored = await store.load(tid)
    assert stored is not None and [t["id"] for t in stored.turns] == ["t1"]
    assert await store.load(meta()["id"]) is None


async def test_archived_threads_load_only_when_asked(store: Store) -> None:
    """Archive moves the rollout and flags the row; unarchive reverses both."""
    tid = await _recorded(store)
    assert await store.archive(tid)
    assert await store.load(tid) is None
    assert await store.load(tid, include_archived=True) is not None
    assert await _rows(store) == [] and await _rows(store, archived=True) == [(tid, None)]
    back = await store.unarchive(tid)
    assert back is not None and await _rows(store) == [(tid, None)]
    assert not await store.archive(meta()["id"])


async def test_naming_a_thread_not_loaded(store: Store) -> None:
    """The name goes to its rollout, the index and session_index.jsonl."""
    tid = await _recorded(store)
    await store.set_name(tid, "named", recorder=None)
    stored = await store.load(tid)
    assert stored is not None and stored.name == "named"
    assert await _rows(store) == [(tid, "named")]
    entry = json.loads((store.codex_home / "session_index.jsonl").read_text())
    assert entry["id"] == tid and entry["thread_name"] == "named"
