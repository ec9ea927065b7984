"""The thread store: rollout files plus the SQLite index, behind one async API.

The thread manager talks only to this module. Rollout writes go through each
thread's `RolloutWriter` (one background writer thread, ordered); the index
is updated when a thread materialises and at every turn boundary; all file
and database work runs off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core_service.store import rollout
from core_service.store.index import ThreadIndex

log = logging.getLogger(__name__)


@dataclass
class StoredThread:
    """A thread as read back from its rollout file."""

    meta: dict[str, Any]
    path: str
    turns: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None
    token_total: dict[str, int] | None = None
    token_last: dict[str, int] | None = None
    last_turn_interrupted: bool = False
    archived: bool = False


class IndexedRecorder:
    """A thread's rollout writer that keeps the index row current at turn boundaries."""

    def __init__(self, writer: rollout.RolloutWriter, store: Store, meta: dict[str, Any]) -> None:
        self.writer = writer
        self.store = store
        self.meta = meta

    @property
    def materialized(self) -> bool:
        """Whether the rollout file exists."""
        return self.writer.materialized

    async def append(self, records: list[dict[str, Any]]) -> None:
        """Append records (the writer materialises the file on the first user message)."""
        await self.writer.append(records)

    async def materialize(self) -> None:
        """Create the file now (forks carry the source's records)."""
        await self.writer.materialize()

    async def flush(self, fsync: bool = True) -> None:
        """Flush the rollout and refresh the index row."""
        await self.writer.flush(fsync=fsync)
        if self.writer.materialized:
            await self.store.index_upsert(self.meta, str(self.writer.path))


class Store:
    """Rollouts under `$CODEX_HOME/sessions` and the thread index."""

    def __init__(self, codex_home: Path) -> None:
        self.codex_home = Path(codex_home)
        self.index: ThreadIndex | None = None

    async def open(self) -> None:
        """Open (or rebuild) the index."""
        self.index = await ThreadIndex.open(self.codex_home)

    async def close(self) -> None:
        """Close the index (idempotent)."""
        if self.index is not None:
            index, self.index = self.index, None
            result = index.close()
            if asyncio.iscoroutine(result):
                await result

    def _index(self) -> ThreadIndex:
        if self.index is None:
            raise RuntimeError("store is not open")
        return self.index

    def planned_path(self, meta: dict[str, Any]) -> str:
        """Where a new thread's rollout will be written."""
        return str(rollout.rollout_path(self.codex_home, meta["id"], meta["created_at"]))

    def recorder(
        self,
        meta: dict[str, Any],
        path: str | None,
        *,
        materialized: bool = False,
        fork_source: str | None = None,
        on_materialize: Callable[[], Awaitable[None]] | None = None,
    ) -> IndexedRecorder:
        """The recorder of a thread (lazily materialised unless `materialized`)."""
        assert path is not None

        async def materialized_cb() -> None:
            await self.index_upsert(meta, path)
            if on_materialize is not None:
                await on_materialize()

        writer = rollout.RolloutWriter(
            path, meta, materialized=materialized, fork_source=fork_source,
            on_materialize=materialized_cb,
        )
        return IndexedRecorder(writer, self, meta)

    async def index_upsert(self, meta: dict[str, Any], path: str) -> None:
        """Insert or refresh a thread's index row."""
        try:
            await self._index().upsert(meta, path)
        except Exception:
            log.exception("index update of %s failed", meta.get("id"))

    async def load(self, thread_id: str, include_archived: bool = False) -> StoredThread | None:
        """Read a thread back from disk (active sessions first, then archived)."""
        path = await asyncio.to_thread(rollout.find_rollout, self.codex_home, thread_id, False)
        archived = False
        if path is None and include_archived:
            path = await asyncio.to_thread(rollout.find_rollout, self.codex_home, thread_id, True)
            archived = path is not None
        if path is None:
            return None
        try:
            loaded = await asyncio.to_thread(rollout.load_rollout, path)
        except (rollout.RolloutError, OSError) as err:
            log.warning("cannot load rollout %s: %s", path, err)
            return None
        return StoredThread(
            meta=loaded.meta,
            path=str(path),
            turns=loaded.turns,
            history=loaded.history,
            name=loaded.name,
            token_total=loaded.token_total,
            token_last=loaded.token_last,
            last_turn_interrupted=loaded.last_turn_interrupted,
            archived=archived,
        )

    async def list(self, **kwargs: Any) -> tuple[list[dict[str, Any]], str | None]:
        """A page of `thread/list` (Thread objects, next cursor)."""
        rows, cursor = await self._index().list(**kwargs)
        return [row.thread_json() for row in rows], cursor

    async def archive(self, thread_id: str) -> bool:
        """Move a thread's rollout to archived_sessions/; False if there is none."""
        path = await asyncio.to_thread(rollout.find_rollout, self.codex_home, thread_id, False)
        if path is None:
            return False
        new = await asyncio.to_thread(rollout.archive, path, self.codex_home)
        await self._index().set_archived(thread_id, True, str(new))
        return True

    async def unarchive(self, thread_id: str) -> StoredThread | None:
        """Move an archived rollout back under sessions/ and read it."""
        path = await asyncio.to_thread(rollout.find_rollout, self.codex_home, thread_id, True)
        if path is None:
            return None
        new = await asyncio.to_thread(rollout.unarchive, path, self.codex_home)
        await self._index().set_archived(thread_id, False, str(new))
        return await self.load(thread_id)

    async def set_name(self, thread_id: str, name: str, recorder: Any = None) -> None:
        """Record a thread's name: rollout, index and session_index.jsonl."""
        record = rollout.name_record(thread_id, name)
        if recorder is not None:
            await recorder.append([record])
            await recorder.flush(fsync=False)
        else:
            path = await asyncio.to_thread(rollout.find_rollout, self.codex_home, thread_id, False)
            if path is not None:
                await asyncio.to_thread(_append_line, Path(path), rollout.make_record(
                    record["type"], record["payload"]))
        await self._index().set_name(thread_id, name)
        entry = {"id": thread_id, "thread_name": name,
                 "updated_at": rollout.format_timestamp(time.time())}
        await asyncio.to_thread(_append_line, self.codex_home / "session_index.jsonl", entry)

    async def record_rollback(self, thread: Any, num_turns: int) -> None:
        """Append the rollback record of a thread already cut in memory."""
        await thread.recorder.append([rollout.rollback_record(num_turns)])
        await thread.recorder.flush(fsync=True)

    async def rollback(self, thread: Any, num_turns: int) -> None:
        """Drop the last turns of a loaded thread (recorded, then replayed from disk)."""
        if thread.materialized and not thread.ephemeral:
            await thread.recorder.append([rollout.rollback_record(num_turns)])
            await thread.recorder.flush(fsync=True)
            loaded = await asyncio.to_thread(rollout.load_rollout, thread.path)
            thread.turns = loaded.turns
            thread.history = loaded.history
            return
        del thread.turns[-num_turns:]


def _append_line(path: Path, obj: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
