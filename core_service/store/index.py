"""SQLite index of threads for thread/list, rebuildable from the rollout files.

The rollouts are the truth; this index (``$CODEX_HOME/state/threads.sqlite``,
WAL mode) only makes listing, filtering and paging cheap. When the database
is missing, unreadable or of another schema version it is rebuilt from the
rollout files of ``sessions/`` and ``archived_sessions/``.

Paging is keyset paging, newest first, on (sort key, id): the cursor
``"<YYYY-MM-DDTHH-MM-SS>|<thread id>"`` names the last row returned, so
threads sharing one second are neither skipped nor repeated.

All database work runs on one dedicated worker thread holding the only
connection; the public methods are coroutines.
"""

from __future__ import annotations

import asyncio
import calendar
import concurrent.futures
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from app_server_protocol.wire_types import GitInfo
from core_service.store.layout import list_rollouts
from core_service.store.reader import read_rollout_summary
from core_service.store.records import SessionMeta

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Local database calls have no natural deadline; this one only catches a hang.
DB_TIMEOUT_SECONDS = 120.0
SORT_KEYS = ("created_at", "updated_at")
# Source kinds listed when the client names none: the interactive ones.
DEFAULT_SOURCE_KINDS = ("cli", "vscode")
_SUBAGENT_KINDS = ("subAgentReview", "subAgentCompact", "subAgentThreadSpawn", "subAgentOther")
_CURSOR_TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"

_SCHEMA = """
CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    cwd TEXT NOT NULL DEFAULT '',
    model_provider TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '"vscode"',
    source_kind TEXT NOT NULL DEFAULT 'vscode',
    preview TEXT NOT NULL DEFAULT '',
    name TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    cli_version TEXT NOT NULL DEFAULT '',
    git_info TEXT,
    forked_from_id TEXT
);
CREATE INDEX threads_by_created ON threads (archived, created_at DESC, id DESC);
CREATE INDEX threads_by_updated ON threads (archived, updated_at DESC, id DESC);
"""

_COLUMNS = (
    "id, path, created_at, updated_at, cwd, model_provider, source, preview, name, "
    "archived, cli_version, git_info, forked_from_id"
)

T = TypeVar("T")


class InvalidCursor(ValueError):
    """A thread/list cursor that does not parse (message ``invalid cursor: <cursor>``)."""

    def __init__(self, cursor: str) -> None:
        super().__init__(f"invalid cursor: {cursor}")
        self.cursor = cursor


def source_kind(source: Any) -> str:
    """The ThreadSourceKind wire string of a SessionSource value."""
    if source in ("cli", "vscode", "exec", "unknown"):
        return str(source)
    if source == "mcp":
        return "appServer"
    if isinstance(source, dict) and "subagent" in source:
        sub = source["subagent"]
        if sub == "review":
            return "subAgentReview"
        if sub == "compact":
            return "subAgentCompact"
        if isinstance(sub, dict) and "thread_spawn" in sub:
            return "subAgentThreadSpawn"
        return "subAgentOther"
    return "unknown"


def _expand_kinds(kinds: list[str] | None) -> list[str]:
    if not kinds:
        return list(DEFAULT_SOURCE_KINDS)
    out: list[str] = []
    for kind in kinds:
        out.extend(_SUBAGENT_KINDS if kind == "subAgent" else (kind,))
    return list(dict.fromkeys(out))


def format_cursor(ts: int, thread_id: str) -> str:
    """The cursor naming the row (`ts` in the sort key, `thread_id`)."""
    return f"{time.strftime(_CURSOR_TIME_FORMAT, time.gmtime(ts))}|{thread_id}"


def parse_cursor(cursor: str) -> tuple[int, str]:
    """(unix seconds, thread id) of a cursor; raises :class:`InvalidCursor`."""
    stamp, sep, thread_id = cursor.partition("|")
    if not sep:
        raise InvalidCursor(cursor)
    try:
        ts = calendar.timegm(time.strptime(stamp, _CURSOR_TIME_FORMAT))
        uuid.UUID(thread_id)
    except ValueError:
        raise InvalidCursor(cursor) from None
    return ts, thread_id


@dataclass(frozen=True)
class ThreadRow:
    """One indexed thread (what thread/list shows without opening the rollout)."""

    id: str
    path: str
    created_at: int
    updated_at: int
    cwd: str
    model_provider: str
    source: Any
    preview: str
    name: str | None
    archived: bool
    cli_version: str = ""
    git_info: GitInfo | None = None
    forked_from_id: str | None = None

    def session_meta(self) -> SessionMeta:
        """The session metadata this row holds (what a v2 ``Thread`` is built from)."""
        meta: SessionMeta = {
            "id": self.id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "cwd": self.cwd,
            "model_provider": self.model_provider,
            "cli_version": self.cli_version,
            "source": self.source,
            "preview": self.preview,
            "git_info": self.git_info,
        }
        if self.forked_from_id is not None:
            meta["forked_from_id"] = self.forked_from_id
        return meta


def _row(values: tuple[Any, ...]) -> ThreadRow:
    (tid, path, created, updated, cwd, provider, source, preview, name, archived,
     cli_version, git_info, forked) = values
    return ThreadRow(
        id=tid, path=path, created_at=created, updated_at=updated, cwd=cwd,
        model_provider=provider, source=json.loads(source), preview=preview, name=name,
        archived=bool(archived), cli_version=cli_version,
        git_info=json.loads(git_info) if git_info else None, forked_from_id=forked,
    )


def _meta_values(
    meta: SessionMeta, path: str, archived: bool, name: str | None, updated_at: int | None
) -> dict[str, Any]:
    created = int(meta.get("created_at") or 0)
    source = meta.get("source", "vscode")
    git = meta.get("git_info")
    return {
        "id": str(meta["id"]),
        "path": path,
        "created_at": created,
        "updated_at": int(updated_at if updated_at is not None
                          else meta.get("updated_at") or created),
        "cwd": str(meta.get("cwd") or ""),
        "model_provider": str(meta.get("model_provider") or ""),
        "source": json.dumps(source),
        "source_kind": source_kind(source),
        "preview": str(meta.get("preview") or ""),
        "name": name,
        "archived": int(archived),
        "cli_version": str(meta.get("cli_version") or ""),
        "git_info": json.dumps(git) if git is not None else None,
        "forked_from_id": meta.get("forked_from_id"),
    }


_UPSERT = """
INSERT INTO threads (id, path, created_at, updated_at, cwd, model_provider, source, source_kind,
                     preview, name, archived, cli_version, git_info, forked_from_id)
VALUES (:id, :path, :created_at, :updated_at, :cwd, :model_provider, :source, :source_kind,
        :preview, :name, :archived, :cli_version, :git_info, :forked_from_id)
ON CONFLICT(id) DO UPDATE SET
    path = excluded.path, created_at = excluded.created_at,
    updated_at = MAX(threads.updated_at, excluded.updated_at),
    cwd = excluded.cwd, model_provider = excluded.model_provider, source = excluded.source,
    source_kind = excluded.source_kind,
    preview = CASE WHEN excluded.preview != '' THEN excluded.preview ELSE threads.preview END,
    name = COALESCE(excluded.name, threads.name), archived = excluded.archived,
    cli_version = excluded.cli_version, git_info = excluded.git_info,
    forked_from_id = excluded.forked_from_id
"""


class ThreadIndex:
    """The thread index of one CODEX_HOME. Create with :meth:`open`."""

    def __init__(self, codex_home: Path, db_path: Path) -> None:
        self.codex_home = codex_home
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None
        # One worker thread owns the connection: no locking, no cross-thread use.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="thread-index"
        )
        self._closed = False

    @classmethod
    def default_path(cls, codex_home: str | Path) -> Path:
        """Where the index of `codex_home` lives."""
        return Path(codex_home) / "state" / "threads.sqlite"

    @classmethod
    async def open(
        cls, codex_home: str | Path, db_path: str | Path | None = None
    ) -> ThreadIndex:
        """Open (creating or rebuilding from the rollouts as needed) the index."""
        home = Path(codex_home)
        index = cls(home, Path(db_path) if db_path is not None else cls.default_path(home))
        try:
            await index._call(index._open_sync)
        except BaseException:
            await index.close()
            raise
        return index

    async def close(self) -> None:
        """Close the connection and stop the worker. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._call(self._close_sync, allow_closed=True)
        finally:
            self._executor.shutdown(wait=False)

    async def _call(self, fn: Callable[..., T], *args: Any, allow_closed: bool = False) -> T:
        if self._closed and not allow_closed:
            raise RuntimeError("thread index is closed")
        fut = asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        # shield: a cancelled caller must not drop a queued write.
        return await asyncio.wait_for(asyncio.shield(fut), DB_TIMEOUT_SECONDS)

    # -- worker-thread side ----------------------------------------------------------
    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("thread index is not open")
        return self._conn

    def _connect(self) -> sqlite3.Connection:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable enough in WAL mode, and the rollouts can rebuild us.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    def _open_sync(self) -> None:
        existed = self.db_path.exists()
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if existed and version == SCHEMA_VERSION:
                conn.execute("SELECT count(*) FROM threads").fetchone()
        except sqlite3.DatabaseError as err:
            log.warning("thread index %s unreadable (%s); rebuilding", self.db_path, err)
            if conn is not None:
                conn.close()
            self._remove_db_files()
            conn = self._connect()
            existed, version = False, -1
        self._conn = conn
        if existed and version == SCHEMA_VERSION:
            return
        if existed:
            log.info("thread index schema %s != %s; rebuilding", version, SCHEMA_VERSION)
        self._rebuild_sync()

    def _remove_db_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)

    def _close_sync(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _rebuild_sync(self) -> int:
        db = self._db
        count = 0
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DROP TABLE IF EXISTS threads")
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            # Archived first: should a thread exist in both places, the live one wins.
            for archived in (True, False):
                for path in list_rollouts(self.codex_home, archived=archived):
                    summary = read_rollout_summary(path)
                    if summary is None:
                        log.warning("not indexing unreadable rollout %s", path)
                        continue
                    meta: SessionMeta = {**summary.meta, "preview": summary.preview}
                    db.execute(_UPSERT, _meta_values(meta, str(path), archived, summary.name,
                                                     summary.updated_at))
                    count += 1
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return count

    def _upsert_sync(self, values: dict[str, Any]) -> None:
        self._db.execute(_UPSERT, values)

    def _exec_sync(self, sql: str, args: tuple[Any, ...]) -> None:
        self._db.execute(sql, args)

    def _list_sync(self, sql: str, args: list[Any]) -> list[ThreadRow]:
        return [_row(r) for r in self._db.execute(sql, args).fetchall()]

    # -- public API ----------------------------------------------------------------------
    async def upsert(self, meta: SessionMeta, path: str | Path) -> None:
        """Insert or update a thread from its session metadata.

        An empty preview keeps the stored one, and so does the name (set only
        by :meth:`set_name`); `updated_at` never goes backwards.
        """
        values = _meta_values(meta, str(path), False, None, None)
        await self._call(self._upsert_sync, values)

    async def set_archived(self, thread_id: str, archived: bool, path: str | Path) -> None:
        """Mark a thread (un)archived and record where its rollout moved."""
        await self._call(
            self._exec_sync, "UPDATE threads SET archived = ?, path = ? WHERE id = ?",
            (int(archived), str(path), thread_id),
        )

    async def set_name(self, thread_id: str, name: str | None) -> None:
        """Set (or clear, with None) a thread's name."""
        await self._call(
            self._exec_sync, "UPDATE threads SET name = ? WHERE id = ?", (name, thread_id)
        )

    async def list(
        self,
        cursor: str | None = None,
        limit: int | None = None,
        sort_key: str = "created_at",
        model_providers: list[str] | None = None,
        source_kinds: list[str] | None = None,
        archived: bool = False,
        cwd: str | None = None,
    ) -> tuple[list[ThreadRow], str | None]:
        """A page of threads, newest first, and the cursor of the next page (or None).

        Empty `model_providers` means every provider; empty or missing
        `source_kinds` means the interactive kinds (cli, vscode); ``subAgent``
        stands for every sub-agent kind. Raises :class:`InvalidCursor` for a
        cursor that does not parse and ValueError for an unknown sort key.
        """
        if sort_key not in SORT_KEYS:
            raise ValueError(f"invalid sort key: {sort_key}")
        size = DEFAULT_PAGE_SIZE if limit is None else min(max(int(limit), 1), MAX_PAGE_SIZE)
        where = ["archived = ?"]
        args: list[Any] = [int(archived)]
        if cursor:
            ts, after_id = parse_cursor(cursor)
            where.append(f"({sort_key} < ? OR ({sort_key} = ? AND id < ?))")
            args += [ts, ts, after_id]
        if model_providers:
            where.append(f"model_provider IN ({','.join('?' * len(model_providers))})")
            args += list(model_providers)
        kinds = _expand_kinds(source_kinds)
        where.append(f"source_kind IN ({','.join('?' * len(kinds))})")
        args += kinds
        if cwd is not None:
            where.append("cwd = ?")
            args.append(cwd)
        # sort_key is one of SORT_KEYS, so interpolating it is safe.
        sql = (
            f"SELECT {_COLUMNS} FROM threads WHERE {' AND '.join(where)} "
            f"ORDER BY {sort_key} DESC, id DESC LIMIT ?"
        )
        args.append(size + 1)
        rows = await self._call(self._list_sync, sql, args)
        if len(rows) <= size:
            return rows, None
        rows = rows[:size]
        last = rows[-1]
        stamp = last.created_at if sort_key == "created_at" else last.updated_at
        return rows, format_cursor(stamp, last.id)
