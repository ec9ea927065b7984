"""The thread store: rollout files plus the SQLite index, behind one async API.

The thread manager talks only to this module (and builds records with
:mod:`core_service.store.records`). Rollout writes go through each thread's
recorder (one background writer thread, ordered); the index is updated when
a thread materialises and at every turn boundary; all file and database work
runs off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from core_service.store import layout, records
from core_service.store.index import ThreadIndex, ThreadRow
from core_service.store.reader import RolloutError, StoredThread, load_rollout
from core_service.store.records import RolloutRecord, SessionMeta
from core_service.store.writer import RolloutWriter, append_to_rollout

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """Where a thread's records go (its rollout, or nowhere for an ephemeral thread)."""

    async def append(self, batch: Sequence[RolloutRecord]) -> None:
        """Append records in order."""

    async def flush(self, fsync: bool = True) -> None:
        """Make appended records durable (called at turn boundaries)."""


class NullRecorder:
    """Recorder of ephemeral threads: writes nothing."""

    async def append(self, batch: Sequence[RolloutRecord]) -> None:
        """Discard records."""

    async def flush(self, fsync: bool = True) -> None:
        """Nothing to flush."""


class IndexedRecorder:
    """A thread's rollout writer that keeps the index row current at turn boundaries."""

    def __init__(self, writer: RolloutWriter, store: Store, meta: SessionMeta) -> None:
        self.writer = writer
        self.store = store
        self.meta = meta

    async def append(self, batch: Sequence[RolloutRecord]) -> None:
        """Append records (the writer materialises the file on the first user message)."""
        await self.writer.append(batch)

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
            await index.close()

    def _index(self) -> ThreadIndex:
        if self.index is None:
            raise RuntimeError("store is not open")
        return self.index

    def planned_path(self, meta: SessionMeta) -> str:
        """Where a new thread's rollout will be written."""
        return str(layout.rollout_path(self.codex_home, meta["id"], meta["created_at"]))

    def recorder(
        self,
        meta: SessionMeta,
        path: str,
        *,
        materialized: bool = False,
        fork_source: str | None = None,
        on_materialize: Callable[[], Awaitable[None]] | None = None,
    ) -> IndexedRecorder:
        """The recorder of a thread (lazily materialised unless `materialized`)."""

        async def materialized_cb() -> None:
            await self.index_upsert(meta, path)
            if on_materialize is not None:
                await on_materialize()

        writer = RolloutWriter(
            path, meta, materialized=materialized, fork_source=fork_source,
            on_materialize=materialized_cb,
        )
        return IndexedRecorder(writer, self, meta)

    async def index_upsert(self, meta: SessionMeta, path: str) -> None:
        """Insert or refresh a thread's index row."""
        try:
            await self._index().upsert(meta, path)
        except Exception:
            log.exception("index update of %s failed", meta.get("id"))

    async def load(self, thread_id: str, include_archived: bool = False) -> StoredThread | None:
        """Read a thread back from disk (active sessions first, then archived)."""
        path = await asyncio.to_thread(layout.find_rollout, self.codex_home, thread_id, False)
        if path is None and include_archived:
            path = await asyncio.to_thread(layout.find_rollout, self.codex_home, thread_id, True)
        if path is None:
            return None
        try:
            return await self.reload(str(path))
        except (RolloutError, OSError) as err:
            log.warning("cannot load rollout %s: %s", path, err)
            return None

    async def reload(self, path: str) -> StoredThread:
        """Replay the rollout at `path` (raises OSError or RolloutError)."""
        return await asyncio.to_thread(load_rollout, path)

    async def list(
        self,
        *,
        cursor: str | None,
        limit: int | None,
        sort_key: str,
        model_providers: list[str] | None,
        source_kinds: list[str] | None,
        archived: bool,
        cwd: str | None,
    ) -> tuple[list[ThreadRow], str | None]:
        """A page of `thread/list` (index rows, next cursor); see :meth:`ThreadIndex.list`."""
        return await self._index().list(
            cursor=cursor, limit=limit, sort_key=sort_key, model_providers=model_providers,
            source_kinds=source_kinds, archived=archived, cwd=cwd,
        )

    async def archive(self, thread_id: str) -> bool:
        """Move a thread's rollout to archived_sessions/; False if there is none."""
        path = await asyncio.to_thread(layout.find_rollout, self.codex_home, thread_id, False)
        if path is None:
            return False
        new = await asyncio.to_thread(layout.archive, path, self.codex_home)
        await self._index().set_archived(thread_id, True, str(new))
        return True

    async def unarchive(self, thread_id: str) -> StoredThread | None:
        """Move an archived rollout back under sessions/ and read it."""
        path = await asyncio.to_thread(layout.find_rollout, self.codex_home, thread_id, True)
        if path is None:
            return None
        new = await asyncio.to_thread(layout.unarchive, path, self.codex_home)
        await self._index().set_archived(thread_id, False, str(new))
        return await self.load(thread_id)

    async def set_name(self, thread_id: str, name: str, recorder: Recorder | None) -> None:
        """Record a thread's name: rollout, index and session_index.jsonl.

        A loaded, materialised thread passes its `recorder` so the record
        queues behind its others; otherwise the record is appended to the
        rollout found on disk.
        """
        record = records.thread_name(thread_id, name)
        if recorder is not None:
            await recorder.append([record])
            await recorder.flush(fsync=False)
        else:
            path = await asyncio.to_thread(layout.find_rollout, self.codex_home, thread_id, False)
            if path is not None:
                await asyncio.to_thread(append_to_rollout, path, [record])
        await self._index().set_name(thread_id, name)
        entry = {"id": thread_id, "thread_name": name,
                 "updated_at": records.format_timestamp(time.time())}
        await asyncio.to_thread(_append_line, self.codex_home / "session_index.jsonl", entry)


def _append_line(path: Path, obj: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
