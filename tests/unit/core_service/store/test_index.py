"""Tests for core_service.store.index: listing, paging, filters and rebuild from rollouts."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core_service.ids import uuid7
from core_service.store import records
from core_service.store.index import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursor,
    ThreadIndex,
    ThreadRow,
    format_cursor,
    parse_cursor,
    source_kind,
)
from core_service.store.layout import archive, rollout_path
from core_service.store.writer import RolloutWriter
from tests.unit.core_service.store import sample

T0 = sample.CREATED  # 2025-01-02T03:04:05Z


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[ThreadIndex]:
    idx = await ThreadIndex.open(tmp_path)
    try:
        yield idx
    finally:
        await idx.close()


async def _add(idx: ThreadIndex, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    meta = sample.meta(**extra)
    await idx.upsert(meta, tmp_path / f"{meta['id']}.jsonl")
    return meta


async def _row(idx: ThreadIndex, thread_id: str, archived: bool = False) -> ThreadRow | None:
    rows, _ = await idx.list(limit=MAX_PAGE_SIZE, archived=archived)
    return next((r for r in rows if r.id == thread_id), None)


async def _all_pages(idx: ThreadIndex, **kwargs: Any) -> tuple[list[str], list[int]]:
    ids: list[str] = []
    sizes: list[int] = []
    cursor = None
    for _ in range(50):
        rows, cursor = await idx.list(cursor=cursor, **kwargs)
        ids += [r.id for r in rows]
        sizes.append(len(rows))
        if cursor is None:
            return ids, sizes
    raise AssertionError("paging did not end")


async def test_paging_with_identical_seconds_has_no_gaps_or_duplicates(
    index: ThreadIndex, tmp_path: Path
) -> None:
    """Seven threads created in the same second page 2+2+2+1, each exactly once, newest first."""
    metas = [await _add(index, tmp_path) for _ in range(7)]
    rows, cursor = await index.list(limit=2)
    assert cursor is not None
    assert re.fullmatch(r"2025-01-02T03-04-05\|[0-9a-f-]{36}", cursor)
    assert cursor.endswith(rows[-1].id)
    ids, sizes = await _all_pages(index, limit=2)
    assert sizes == [2, 2, 2, 1]
    assert ids == sorted((m["id"] for m in metas), reverse=True)


async def test_newest_first_by_created_at_then_updated_at(
    index: ThreadIndex, tmp_path: Path
) -> None:
    """Default order is created_at descending; sortKey updated_at orders by last activity."""
    old = await _add(index, tmp_path, created_at=T0)
    mid = await _add(index, tmp_path, created_at=T0 + 10)
    new = await _add(index, tmp_path, created_at=T0 + 20)
    for m, updated in ((old, T0 + 100), (mid, T0 + 50), (mid, T0 + 40)):  # never backwards
        await index.upsert({**m, "updated_at": updated}, tmp_path / f"{m['id']}.jsonl")
    rows, cursor = await index.list()
    assert [r.id for r in rows] == [new["id"], mid["id"], old["id"]] and cursor is None
    ids, _ = await _all_pages(index, sort_key="updated_at", limit=1)
    assert ids == [old["id"], mid["id"], new["id"]]
    rows, cursor = await index.list(sort_key="updated_at", limit=1)
    assert cursor is not None and cursor.startswith("2025-01-02T03-05-45|")
    assert (await _row(index, mid["id"])).updated_at == T0 + 50  # type: ignore[union-attr]


async def test_filters(index: ThreadIndex, tmp_path: Path) -> None:
    """modelProviders, sourceKinds (default: interactive), archived and cwd filter the list."""
    vscode = await _add(index, tmp_path)
    cli = await _add(index, tmp_path, source="cli", model_provider="openai")
    exe = await _add(index, tmp_path, source="exec")
    sub = await _add(index, tmp_path, source={"subagent": "review"})
    other_cwd = await _add(index, tmp_path, cwd="/elsewhere")
    gone = await _add(index, tmp_path)
    await index.set_archived(gone["id"], True, tmp_path / "archived_sessions" / "x.jsonl")

    async def ids(**kwargs: Any) -> set[str]:
        rows, _ = await index.list(**kwargs)
        return {r.id for r in rows}

    interactive = {vscode["id"], cli["id"], other_cwd["id"]}
    assert await ids() == interactive
    assert await ids(source_kinds=[]) == interactive
    assert await ids(source_kinds=["exec"]) == {exe["id"]}
    assert await ids(source_kinds=["subAgent"]) == {sub["id"]}
    assert await ids(source_kinds=["subAgentReview", "cli"]) == {sub["id"], cli["id"]}
    assert await ids(model_providers=["openai"]) == {cli["id"]}
    assert await ids(model_providers=[]) == interactive
    assert await ids(cwd="/elsewhere") == {other_cwd["id"]}
    assert await ids(archived=True) == {gone["id"]}
    row = await _row(index, gone["id"], archived=True)
    assert row is not None and row.archived and row.path.endswith("archived_sessions/x.jsonl")


async def test_invalid_cursor_and_sort_key(index: ThreadIndex) -> None:
    """A cursor that does not parse is InvalidCursor('invalid cursor: <cursor>')."""
    for bad in ("garbage-cursor", "2025-13-01T00-00-00|" + uuid7(), "2025-01-02T03-04-05|nope"):
        with pytest.raises(InvalidCursor) as err:
            await index.list(cursor=bad)
        assert str(err.value) == f"invalid cursor: {bad}"
        assert isinstance(err.value, ValueError)
    with pytest.raises(ValueError):
        await index.list(sort_key="name")


def test_cursor_round_trip() -> None:
    """format_cursor and parse_cursor are inverse (UTC, second resolution)."""
    tid = uuid7()
    assert format_cursor(T0, tid) == f"2025-01-02T03-04-05|{tid}"
    assert parse_cursor(format_cursor(T0, tid)) == (T0, tid)


async def test_page_size_default_and_maximum(index: ThreadIndex, tmp_path: Path) -> None:
    """Without a limit a page has 25 threads; a larger limit is capped at 100."""
    for n in range(MAX_PAGE_SIZE + 1):
        await index.upsert(sample.meta(created_at=T0 + n), tmp_path / f"{n}.jsonl")
    rows, cursor = await index.list()
    assert len(rows) == DEFAULT_PAGE_SIZE == 25 and cursor is not None
    rows, cursor = await index.list(limit=1000)
    assert len(rows) == MAX_PAGE_SIZE == 100 and cursor is not None


async def test_upsert_keeps_name_and_preview_and_row_shape(
    index: ThreadIndex, tmp_path: Path
) -> None:
    """Re-upserting metadata keeps a known name/preview; a row gives back the metadata."""
    meta = sample.meta(preview="first question", git_info={"sha": "abc", "branch": "main",
                                                     "originUrl": None})
    path = tmp_path / "r.jsonl"
    await index.upsert(meta, path)
    await index.set_name(meta["id"], "my thread")
    await index.upsert({**meta, "preview": ""}, path)
    row = await _row(index, meta["id"])
    assert row is not None
    assert row.name == "my thread" and row.preview == "first question"
    assert row.path == str(path)
    assert row.session_meta() == {
        "id": meta["id"], "created_at": T0, "updated_at": T0, "cwd": "/work",
        "model_provider": "mock", "cli_version": "0.104.0", "source": "vscode",
        "preview": "first question",
        "git_info": {"sha": "abc", "branch": "main", "originUrl": None},
    }


def test_source_kinds_of_session_sources() -> None:
    """SessionSource values map to their ThreadSourceKind wire strings."""
    assert source_kind("vscode") == "vscode"
    assert source_kind("mcp") == "appServer"
    assert source_kind({"subagent": "compact"}) == "subAgentCompact"
    assert source_kind({"subagent": {"thread_spawn": {"parent_thread_id": "x", "depth": 1}}}) \
        == "subAgentThreadSpawn"
    assert source_kind({"subagent": {"other": "x"}}) == "subAgentOther"
    assert source_kind(None) == "unknown"


async def _write_thread(home: Path, text: str, created_at: int,
                        name: str | None = None) -> tuple[dict[str, Any], Path]:
    meta = sample.meta(created_at=created_at)
    path = rollout_path(home, meta["id"], created_at)
    w = RolloutWriter(path, meta)
    item = {"type": "userMessage", "id": "u", "content": [{"type": "text", "text": text}]}
    await w.append([
        records.turn_context("t", cwd=None, approval_policy=None, model=None, effort=None,
                             summary=None),
        records.item_completed("t", item),
        records.turn_completed("t", "completed", None),
    ])
    if name is not None:
        await w.append([records.thread_name(meta["id"], name)])
    await w.flush()
    return meta, path


async def test_rebuilt_from_rollouts_when_db_deleted(tmp_path: Path) -> None:
    """Opening with no database indexes every rollout: preview, name, archived, activity."""
    live, live_path = await _write_thread(tmp_path, "live question", T0, name="named")
    gone, gone_path = await _write_thread(tmp_path, "old question", T0 - 10)
    gone_path = archive(gone_path, tmp_path)
    (tmp_path / "sessions" / "stray.jsonl").write_text("not a rollout")

    for _ in range(2):  # fresh home, then again after deleting the db
        idx = await ThreadIndex.open(tmp_path)
        try:
            rows, _ = await idx.list()
            assert [r.id for r in rows] == [live["id"]]
            row = rows[0]
            assert row.preview == "live question" and row.name == "named"
            assert row.path == str(live_path) and not row.archived
            assert row.updated_at >= T0
            rows, _ = await idx.list(archived=True)
            assert [(r.id, r.path, r.preview) for r in rows] == [
                (gone["id"], str(gone_path), "old question")]
        finally:
            await idx.close()
        db = ThreadIndex.default_path(tmp_path)
        assert db.exists()
        db.unlink()


def _clobber(db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not sqlite" * 100)


async def test_rebuilt_on_schema_change_or_corruption(tmp_path: Path) -> None:
    """A database of another schema version, or not a database at all, is rebuilt."""
    meta, _ = await _write_thread(tmp_path, "q", T0)
    idx = await ThreadIndex.open(tmp_path)
    await idx.set_name(meta["id"], "only in the index")  # disagrees with the files
    await idx.close()
    db = ThreadIndex.default_path(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version=999")
    conn.close()
    idx = await ThreadIndex.open(tmp_path)
    try:
        assert [(r.id, r.name) for r in (await idx.list())[0]] == [(meta["id"], None)]
    finally:
        await idx.close()

    _clobber(db)
    idx = await ThreadIndex.open(tmp_path)
    try:
        assert [r.id for r in (await idx.list())[0]] == [meta["id"]]
    finally:
        await idx.close()


async def test_kept_when_schema_matches(tmp_path: Path) -> None:
    """An up-to-date database is used as is (no rebuild on every start)."""
    meta, _ = await _write_thread(tmp_path, "q", T0)
    idx = await ThreadIndex.open(tmp_path)
    await idx.set_name(meta["id"], "only in the index")
    await idx.close()
    await idx.close()  # idempotent
    idx = await ThreadIndex.open(tmp_path)
    try:
        row = await _row(idx, meta["id"])
        assert row is not None and row.name == "only in the index"
    finally:
        await idx.close()
    with pytest.raises(RuntimeError):
        await idx.list()
