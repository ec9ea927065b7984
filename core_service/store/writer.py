"""Writing rollouts: the ordered background writer, lazy creation, forks and fsync.

Every rollout write goes through one background thread (FIFO, so records of
a thread land in order even when the awaiting coroutine is cancelled) and
never blocks the event loop. The file is strictly append-only: rolling back
appends a ``rollback`` record that the reader honours.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from app_server_protocol import codec
from core_service.store import records
from core_service.store.reader import iter_records
from core_service.store.records import RolloutRecord, SessionMeta

log = logging.getLogger(__name__)

# Local file I/O has no natural deadline; this one only catches a hung disk.
WRITE_TIMEOUT_SECONDS = 120.0
# Records kept in memory before the first user message (normally two or three).
MAX_PENDING_RECORDS = 1000

# One writer thread for all rollouts: a single FIFO keeps every thread's
# records in order without per-thread OS threads. Its atexit join lets queued
# writes finish when the process exits normally.
_WRITER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollout-writer")


def _encode(record: RolloutRecord) -> bytes:
    # Only "\n" separates records and the encoder escapes it inside strings,
    # so U+2028 etc. are harmless and the files stay readable.
    return codec.dumps(record) + b"\n"


def fork_rollout(src_path: str | Path, new_meta: SessionMeta, dest_path: str | Path) -> None:
    """Create a fork's rollout (blocking): its session_meta, then the source's records.

    `new_meta` should carry ``forked_from_id``. Unreadable source lines are
    not copied. The file is created exclusively: an existing one is an error.
    """
    src, dest = Path(src_path), Path(dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("xb") as out:
        out.write(_encode(records.stamped(records.session_meta(new_meta))))
        for _rec, raw in iter_records(src):
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")


def append_to_rollout(path: str | Path, batch: Sequence[RolloutRecord]) -> None:
    """Append records to the rollout of a thread that is not loaded (blocking)."""
    with Path(path).open("ab") as f:
        f.write(b"".join(_encode(records.stamped(r)) for r in batch))


class RolloutWriter:
    """Appends a thread's records to its rollout without blocking the event loop.

    Lazy: until the first user message (an ``item_completed`` of a
    ``userMessage``) records are held in memory and no file exists; that
    record materialises the file (session_meta from the then-current `meta`,
    the held records, the new ones). :meth:`materialize` does it explicitly
    (forks). ``materialized=True`` appends to an existing file (a resumed
    thread). Ephemeral threads have no writer at all.

    `on_materialize` is awaited once the file exists (e.g. to index it).
    """

    def __init__(
        self,
        path: str | Path,
        meta: SessionMeta,
        *,
        materialized: bool = False,
        fork_source: str | Path | None = None,
        on_materialize: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._path = Path(path)
        self._meta = meta
        self._materialized = materialized
        self._fork_source = Path(fork_source) if fork_source is not None else None
        self._on_materialize = on_materialize
        self._pending: list[RolloutRecord] = []
        # An existing file may end in a torn line; the first write after
        # opening it starts on a fresh line so the new record stays readable.
        self._tail_checked = not materialized
        self._dir_synced = materialized

    @property
    def path(self) -> Path:
        """The rollout file (which may not exist yet)."""
        return self._path

    @property
    def materialized(self) -> bool:
        """Whether the file has been created."""
        return self._materialized

    async def _run(self, fn: Callable[..., None], *args: Any) -> None:
        fut = asyncio.get_running_loop().run_in_executor(_WRITER, fn, *args)
        # shield: a cancelled caller must not cancel a queued write, or a
        # hole would open in the file while later records still land.
        await asyncio.wait_for(asyncio.shield(fut), WRITE_TIMEOUT_SECONDS)

    async def append(self, batch: Sequence[RolloutRecord]) -> None:
        """Append records (built by :mod:`records`; a timestamp is added) in order."""
        if not batch:
            return
        stamped = [records.stamped(r) for r in batch]
        if not self._materialized:
            self._pending.extend(stamped)
            if len(self._pending) > MAX_PENDING_RECORDS:
                dropped = len(self._pending) - MAX_PENDING_RECORDS
                log.warning("rollout %s: dropping %d unmaterialised records", self._path, dropped)
                del self._pending[:dropped]
            if any(records.is_user_message(r) for r in stamped):
                await self.materialize()
            return
        # Queued, not awaited: the single writer thread keeps order, and
        # `flush` (turn boundaries) waits for everything queued before it.
        fut = asyncio.get_running_loop().run_in_executor(
            _WRITER, self._write, b"".join(_encode(r) for r in stamped))
        fut.add_done_callback(self._log_write_failure)

    def _log_write_failure(self, fut: asyncio.Future[None]) -> None:
        if not fut.cancelled() and fut.exception() is not None:
            log.error("rollout %s: write failed: %s", self._path, fut.exception())

    async def materialize(self) -> None:
        """Create the file now: session_meta (or fork copy), then held records."""
        if self._materialized:
            return
        pending, self._pending = self._pending, []
        meta = self._meta.copy()
        body = b"".join(_encode(r) for r in pending)
        # Flip before awaiting: appends racing with us queue behind the create.
        self._materialized = True
        try:
            await self._run(self._create, meta, body)
        except BaseException:
            self._materialized = False
            self._pending = pending + self._pending
            raise
        if self._on_materialize is not None:
            await self._on_materialize()

    async def flush(self, fsync: bool = True) -> None:
        """Wait for queued writes; with `fsync`, make them durable (turn boundaries)."""
        if not self._materialized:
            return
        await self._run(self._sync, fsync)

    # -- writer thread side --------------------------------------------------------
    def _create(self, meta: SessionMeta, body: bytes) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._fork_source is not None:
            fork_rollout(self._fork_source, meta, self._path)
            with self._path.open("ab") as f:
                f.write(body)
        else:
            with self._path.open("xb") as f:
                f.write(_encode(records.stamped(records.session_meta(meta))) + body)

    def _write(self, data: bytes) -> None:
        # Opened per batch: nothing to leak, and a moved file is never
        # written through a stale handle.
        with self._path.open("a+b") as f:
            if not self._tail_checked:
                self._tail_checked = True
                size = f.seek(0, os.SEEK_END)
                if size > 0:
                    f.seek(size - 1)
                    if f.read(1) != b"\n":
                        data = b"\n" + data
            f.write(data)

    def _sync(self, fsync: bool) -> None:
        if not fsync:
            return  # reaching here means every earlier write is done
        try:
            fd = os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            return  # archived or removed meanwhile: nothing left to sync here
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if not self._dir_synced:
            self._dir_synced = True
            dir_fd = os.open(self._path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
