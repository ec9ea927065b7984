"""Rollout files: the append-only JSONL record of one thread.

One file per thread at
``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDTHH-MM-SS-<thread id>.jsonl``
(UTC creation time), moved flat into ``$CODEX_HOME/archived_sessions/`` when
the thread is archived. Each line is
``{"timestamp": "<RFC3339 ms>Z", "type": <kind>, "payload": {...}}`` with kinds

* ``session_meta``  first line: the thread metadata (forks put their own first,
  then a copy of the source's records, including its ``session_meta``);
* ``turn_context``  per turn: turn id, cwd, approval policy, model, effort, ...;
* ``response_item`` a model-visible history item (Responses API input shape);
* ``event_msg``     our own events, told apart by ``payload.type``:
  ``turn_started {turnId}``, ``user_message`` / ``item_completed {turnId, item}``,
  ``turn_completed {turnId, status, error}``,
  ``thread_name_updated {threadId, threadName}``, ``token_count {total, last}``,
  ``rollback {numTurns}``;
* ``compacted``     ``{message, replacement_history}``: the history is replaced.

Rolling back appends a ``rollback`` record instead of rewriting the file, and
:func:`load_rollout` honours it, so the file stays strictly append-only.

Writing goes through :class:`RolloutWriter`, which hands encoded lines to one
background thread (FIFO, so records of a thread land in order even when the
awaiting coroutine is cancelled) and never blocks the event loop. The other
functions here block on file I/O; async callers run them with
``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import calendar
import concurrent.futures
import datetime as dt
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app_server_protocol import codec

log = logging.getLogger(__name__)

SESSIONS_DIR = "sessions"
ARCHIVED_DIR = "archived_sessions"

# Local file I/O has no natural deadline; this one only catches a hung disk.
WRITE_TIMEOUT_SECONDS = 120.0
# Records kept in memory before the first user message (normally two or three).
MAX_PENDING_RECORDS = 1000

_FILENAME_RE = re.compile(
    r"^rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(?P<id>[0-9A-Za-z-]+)\.jsonl$"
)
_THREAD_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$")

# One writer thread for all rollouts: a single FIFO keeps every thread's
# records in order without per-thread OS threads. Its atexit join lets queued
# writes finish when the process exits normally.
_WRITER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollout-writer")


class RolloutError(ValueError):
    """A rollout file that cannot be read back (e.g. it has no session_meta)."""


# -- names, paths and timestamps ------------------------------------------------


def format_timestamp(t: float | None = None) -> str:
    """RFC 3339 UTC timestamp with milliseconds (``2025-01-02T03:04:05.678Z``)."""
    t = time.time() if t is None else t
    moment = dt.datetime.fromtimestamp(t, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: Any) -> float | None:
    """Unix seconds of an RFC 3339 timestamp, or None when it does not parse."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def rollout_filename(thread_id: str, created_at: float) -> str:
    """``rollout-YYYY-MM-DDTHH-MM-SS-<id>.jsonl`` for a thread created at `created_at`."""
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime(int(created_at)))
    return f"rollout-{stamp}-{thread_id}.jsonl"


def _day_dir(codex_home: Path, created_at: float) -> Path:
    y, m, d = time.gmtime(int(created_at))[:3]
    return codex_home / SESSIONS_DIR / f"{y:04d}" / f"{m:02d}" / f"{d:02d}"


def rollout_path(codex_home: str | Path, thread_id: str, created_at: float) -> Path:
    """Where the (unarchived) rollout of a thread created at `created_at` lives."""
    return _day_dir(Path(codex_home), created_at) / rollout_filename(thread_id, created_at)


def thread_id_of(path: str | Path) -> str | None:
    """The thread id encoded in a rollout file name, or None for another name."""
    match = _FILENAME_RE.match(Path(path).name)
    return match.group("id") if match else None


def make_record(kind: str, payload: dict[str, Any], t: float | None = None) -> dict[str, Any]:
    """One rollout record ``{timestamp, type, payload}``."""
    return {"timestamp": format_timestamp(t), "type": kind, "payload": payload}


def name_record(thread_id: str, name: str) -> dict[str, Any]:
    """The record of a thread rename (kept per thread id so forks don't inherit it)."""
    return {
        "type": "event_msg",
        "payload": {"type": "thread_name_updated", "threadId": thread_id, "threadName": name},
    }


def rollback_record(num_turns: int) -> dict[str, Any]:
    """The record that drops the last `num_turns` turns when the rollout is loaded."""
    return {"type": "event_msg", "payload": {"type": "rollback", "numTurns": int(num_turns)}}


def _encode(record: dict[str, Any]) -> bytes:
    # ensure_ascii=False keeps files readable; only "\n" separates records and
    # the encoder escapes it inside strings, so U+2028 etc. are harmless.
    return codec.dumps(record) + b"\n"


def _stamped(record: dict[str, Any]) -> dict[str, Any]:
    if "timestamp" in record:
        return record
    return {"timestamp": format_timestamp(), "type": record["type"], "payload": record["payload"]}


def _is_user_message(record: dict[str, Any]) -> bool:
    if record.get("type") != "event_msg":
        return False
    payload = record.get("payload") or {}
    kind = payload.get("type")
    if kind == "user_message":
        return True
    item = payload.get("item")
    return kind == "item_completed" and isinstance(item, dict) and item.get("type") == (
        "userMessage"
    )


def _preview_of_item(item: dict[str, Any]) -> str:
    content = item.get("content") or []
    return "".join(
        c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text"
    )


# -- reading -----------------------------------------------------------------------


def _iter_records(
    path: Path, skipped: list[int] | None = None
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Parsed records of a rollout with their raw line; unreadable lines are skipped.

    Only ``\\n`` separates records. A torn last line (crash mid-write) or a
    corrupt line elsewhere is logged, counted in ``skipped[0]`` and skipped,
    never fatal.
    """
    with path.open("rb") as f:
        lineno = 0
        for raw in f:
            lineno += 1
            line = raw.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                torn = not raw.endswith(b"\n")
                log.warning(
                    "%s:%d: skipping %s rollout line", path, lineno,
                    "torn last" if torn else "corrupt",
                )
                if skipped is not None:
                    skipped[0] += 1
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("payload"), dict):
                log.warning("%s:%d: skipping malformed rollout record", path, lineno)
                if skipped is not None:
                    skipped[0] += 1
                continue
            yield rec, raw


@dataclass
class LoadedRollout:
    """A thread reconstructed from its rollout file.

    `meta` is the first session_meta payload with ``preview`` (first user
    message) and ``updated_at`` (last record) filled in. `turns` are v2 Turn
    dicts whose items carry the synthetic read-back ids ``item-1``, ``item-2``,
    ... (turn ids are kept); a turn still ``inProgress`` (the core died
    mid-turn) reads back as ``interrupted``. `history` is the model-visible
    input list (compactions and rollbacks applied).
    """

    path: Path
    meta: dict[str, Any]
    turns: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None
    token_total: dict[str, int] | None = None
    token_last: dict[str, int] | None = None
    last_turn_context: dict[str, Any] | None = None
    # The last turn was interrupted: the next model request should carry the
    # turn-aborted notice, as it would have without the restart.
    last_turn_interrupted: bool = False
    archived: bool = False
    skipped_lines: int = 0

    @property
    def id(self) -> str:
        """The thread id."""
        return str(self.meta.get("id", ""))


# The brief's name for it; thread_state.LoadedThread is the in-memory thread.
LoadedThread = LoadedRollout


class _Rebuilder:
    """Replays records into turns + history (see :func:`load_rollout`)."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] | None = None
        self.turns: list[dict[str, Any]] = []
        # Per turn: the history list and its length when the turn began. Lists
        # are only ever appended to until replaced (compaction, rollback), so
        # the pair stays a valid snapshot of the history before that turn.
        self.starts: list[tuple[list[dict[str, Any]], int]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.current: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        self.name: str | None = None
        self.token_total: dict[str, int] | None = None
        self.token_last: dict[str, int] | None = None
        self.contexts: dict[str, dict[str, Any]] = {}
        self.last_context: dict[str, Any] | None = None
        self.first_user_preview: str | None = None

    def start_turn(self, turn_id: Any) -> dict[str, Any]:
        if isinstance(turn_id, str) and turn_id in self.by_id:
            self.current = self.by_id[turn_id]
            return self.current
        tid = turn_id if isinstance(turn_id, str) and turn_id else str(uuid.uuid4())
        turn: dict[str, Any] = {"id": tid, "items": [], "status": "inProgress", "error": None}
        self.turns.append(turn)
        self.starts.append((self.history, len(self.history)))
        self.by_id[tid] = turn
        self.current = turn
        return turn

    def turn_for(self, turn_id: Any) -> dict[str, Any]:
        if isinstance(turn_id, str) and turn_id in self.by_id:
            return self.by_id[turn_id]
        if turn_id is None and self.current is not None:
            return self.current
        return self.start_turn(turn_id)

    def add_item(self, turn_id: Any, item: Any) -> None:
        if not isinstance(item, dict):
            return
        turn = self.turn_for(turn_id)
        item_id = item.get("id")
        if item_id is not None and any(i.get("id") == item_id for i in turn["items"]):
            return  # the same item recorded twice (user_message + item_completed)
        if item.get("type") == "reasoning":
            # Raw reasoning text is not kept on read-back, only the summary.
            item = {**item, "content": []}
        if item.get("type") == "userMessage" and self.first_user_preview is None:
            self.first_user_preview = _preview_of_item(item)
        turn["items"].append(item)

    def rollback(self, num_turns: Any) -> None:
        try:
            n = int(num_turns)
        except (TypeError, ValueError):
            return
        n = min(max(n, 0), len(self.turns))
        if n == 0:
            return
        keep = len(self.turns) - n
        hist, length = self.starts[keep]
        self.history = list(hist[:length])
        for turn in self.turns[keep:]:
            self.by_id.pop(turn["id"], None)
        del self.turns[keep:]
        del self.starts[keep:]
        self.current = None

    def feed(self, rec: dict[str, Any]) -> None:
        kind, payload = rec.get("type"), rec["payload"]
        if kind == "session_meta":
            # Later session_meta records are a fork's copy of its source.
            if self.meta is None:
                self.meta = dict(payload)
        elif kind == "turn_context":
            turn_id = payload.get("turn_id", payload.get("turnId"))
            self.start_turn(turn_id)
            self.last_context = dict(payload)
        elif kind == "response_item":
            self.history.append(payload)
        elif kind == "compacted":
            replacement = payload.get("replacement_history")
            if isinstance(replacement, list):
                self.history = [h for h in replacement if isinstance(h, dict)]
            else:
                summary = str(payload.get("message", ""))
                self.history = [{"type": "message", "role": "user",
                                 "content": [{"type": "input_text", "text": summary}]}]
        elif kind == "event_msg":
            self.feed_event(payload)

    def feed_event(self, payload: dict[str, Any]) -> None:
        kind = payload.get("type")
        turn_id = payload.get("turnId", payload.get("turn_id"))
        if kind == "turn_started":
            self.start_turn(turn_id)
        elif kind in ("item_completed", "user_message"):
            if "item" in payload:
                self.add_item(turn_id, payload.get("item"))
            elif kind == "user_message" and self.first_user_preview is None:
                self.first_user_preview = str(payload.get("message", ""))
        elif kind == "turn_completed":
            turn = self.turn_for(turn_id)
            turn["status"] = payload.get("status") or "completed"
            turn["error"] = payload.get("error")
            if self.current is turn:
                self.current = None
        elif kind == "thread_name_updated":
            owner = payload.get("threadId", payload.get("thread_id"))
            if owner is None or self.meta is None or owner == self.meta.get("id"):
                name = payload.get("threadName", payload.get("thread_name"))
                self.name = name if isinstance(name, str) and name else None
        elif kind == "token_count":
            total, last = payload.get("total"), payload.get("last")
            if isinstance(total, dict):
                self.token_total = dict(total)
            if isinstance(last, dict) or last is None:
                self.token_last = dict(last) if last else None
        elif kind in ("rollback", "thread_rolled_back"):
            self.rollback(payload.get("numTurns", payload.get("num_turns")))


def load_rollout(path: str | Path) -> LoadedRollout:
    """Reconstruct a thread from its rollout file (blocking).

    Raises FileNotFoundError when the file is missing and :class:`RolloutError`
    when it holds no session_meta. Unreadable lines are skipped with a warning.
    """
    path = Path(path)
    rb = _Rebuilder()
    last_ts: float | None = None
    skipped = [0]
    for rec, _raw in _iter_records(path, skipped):
        rb.feed(rec)
        ts = parse_timestamp(rec.get("timestamp"))
        if ts is not None:
            last_ts = ts if last_ts is None else max(last_ts, ts)
    if rb.meta is None:
        raise RolloutError(f"rollout has no session_meta: {path}")
    meta = rb.meta
    if not meta.get("preview") and rb.first_user_preview:
        meta["preview"] = rb.first_user_preview
    created = meta.get("created_at") or 0
    updated = max(int(meta.get("updated_at") or created), int(last_ts or 0))
    meta["updated_at"] = updated
    n = 0
    for turn in rb.turns:
        if turn["status"] == "inProgress":
            turn["status"] = "interrupted"
        for i, item in enumerate(turn["items"]):
            n += 1
            turn["items"][i] = {**item, "id": f"item-{n}"}
    return LoadedRollout(
        path=path,
        meta=meta,
        turns=rb.turns,
        history=rb.history,
        name=rb.name,
        token_total=rb.token_total,
        token_last=rb.token_last,
        last_turn_context=rb.last_context,
        last_turn_interrupted=bool(rb.turns) and rb.turns[-1]["status"] == "interrupted",
        archived=path.parent.name == ARCHIVED_DIR,
        skipped_lines=skipped[0],
    )


@dataclass
class RolloutSummary:
    """What the thread index needs of a rollout, read cheaply (no full replay)."""

    path: Path
    meta: dict[str, Any]
    preview: str
    updated_at: int
    name: str | None
    archived: bool


def read_rollout_summary(path: str | Path) -> RolloutSummary | None:
    """Metadata, preview, name and last activity of a rollout (blocking).

    Only the session_meta, the first user message and rename records are
    parsed as JSON; other lines are looked at just for their timestamp
    prefix. Returns None for a file without a readable session_meta.
    """
    path = Path(path)
    meta: dict[str, Any] | None = None
    preview: str | None = None
    name: str | None = None
    last_ts: float | None = None
    try:
        f = path.open("rb")
    except OSError:
        return None
    with f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            interesting = meta is None or b"thread_name_updated" in line or (
                preview is None and (b"userMessage" in line or b"user_message" in line)
            )
            if not interesting:
                ts = _leading_timestamp(line)
                if ts is not None:
                    last_ts = ts
                continue
            try:
                rec = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("payload"), dict):
                continue
            ts = parse_timestamp(rec.get("timestamp"))
            if ts is not None:
                last_ts = ts
            payload = rec["payload"]
            if meta is None:
                if rec.get("type") == "session_meta":
                    meta = dict(payload)
                continue
            if _is_user_message(rec) and preview is None:
                item = payload.get("item")
                preview = (
                    _preview_of_item(item) if isinstance(item, dict)
                    else str(payload.get("message", ""))
                )
            elif payload.get("type") == "thread_name_updated":
                owner = payload.get("threadId", payload.get("thread_id"))
                if owner is None or owner == meta.get("id"):
                    value = payload.get("threadName", payload.get("thread_name"))
                    name = value if isinstance(value, str) and value else None
    if meta is None:
        return None
    created = int(meta.get("created_at") or 0)
    return RolloutSummary(
        path=path,
        meta=meta,
        preview=str(meta.get("preview") or preview or ""),
        updated_at=max(int(meta.get("updated_at") or created), int(last_ts or 0)),
        name=name,
        archived=path.parent.name == ARCHIVED_DIR,
    )


def _leading_timestamp(line: bytes) -> float | None:
    # Our writer always puts the timestamp first: {"timestamp":"...Z",...}
    prefix = b'{"timestamp":"'
    if not line.startswith(prefix):
        return None
    end = line.find(b'"', len(prefix))
    if end < 0:
        return None
    return parse_timestamp(line[len(prefix) : end].decode("ascii", "replace"))


# -- fork, archive, lookup ---------------------------------------------------------


def fork_rollout(src_path: str | Path, new_meta: dict[str, Any], dest_path: str | Path) -> None:
    """Create a fork's rollout (blocking): its session_meta, then the source's records.

    `new_meta` should carry ``forked_from_id``. Unreadable source lines are
    not copied. The file is created exclusively: an existing one is an error.
    """
    src, dest = Path(src_path), Path(dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("xb") as out:
        out.write(_encode(make_record("session_meta", dict(new_meta))))
        for _rec, raw in _iter_records(src):
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")


def archive(path: str | Path, codex_home: str | Path) -> Path:
    """Move a rollout into ``$CODEX_HOME/archived_sessions/`` (blocking); the new path."""
    src = Path(path)
    dest_dir = Path(codex_home) / ARCHIVED_DIR
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    os.replace(src, dest)
    return dest


def unarchive(path: str | Path, codex_home: str | Path) -> Path:
    """Move an archived rollout back under ``sessions/YYYY/MM/DD/`` (blocking).

    The day comes from the creation time in the file name, or from the
    session_meta when the name does not carry it.
    """
    src = Path(path)
    match = _FILENAME_RE.match(src.name)
    if match:
        y, m, d = match.group(1), match.group(2), match.group(3)
        dest_dir = Path(codex_home) / SESSIONS_DIR / y / m / d
    else:
        summary = read_rollout_summary(src)
        created = int(summary.meta.get("created_at") or 0) if summary else int(time.time())
        dest_dir = _day_dir(Path(codex_home), created)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    os.replace(src, dest)
    return dest


def _uuid7_seconds(thread_id: str) -> float | None:
    try:
        value = uuid.UUID(thread_id)
    except ValueError:
        return None
    if value.version != 7:
        return None
    return (value.int >> 80) / 1000.0


def find_rollout(codex_home: str | Path, thread_id: str, archived: bool = False) -> Path | None:
    """The rollout file of a thread, in sessions/ or (archived) archived_sessions/.

    Blocking. Looks first in the day directory that the UUIDv7 timestamp
    points at, then scans every day directory.
    """
    if not _THREAD_ID_RE.match(thread_id):
        return None  # also keeps glob metacharacters out of the pattern
    home = Path(codex_home)
    pattern = f"rollout-*-{thread_id}.jsonl"
    if archived:
        return next(iter(sorted((home / ARCHIVED_DIR).glob(pattern))), None)
    minted = _uuid7_seconds(thread_id)
    if minted is not None:
        # created_at is taken just after the id is minted: maybe the next day.
        for day in dict.fromkeys((_day_dir(home, minted), _day_dir(home, minted + 5))):
            found = sorted(day.glob(pattern))
            if found:
                return found[0]
    return next(iter(sorted((home / SESSIONS_DIR).glob(f"*/*/*/{pattern}"))), None)


def list_rollouts(codex_home: str | Path, archived: bool = False) -> list[Path]:
    """All rollout files of sessions/ (or archived_sessions/), blocking."""
    home = Path(codex_home)
    if archived:
        return sorted((home / ARCHIVED_DIR).glob("rollout-*.jsonl"))
    return sorted((home / SESSIONS_DIR).glob("*/*/*/rollout-*.jsonl"))


# -- writing -----------------------------------------------------------------------


class RolloutWriter:
    """Appends a thread's records to its rollout without blocking the event loop.

    Lazy: until the first user message (an ``event_msg`` ``user_message`` or
    an ``item_completed`` of a ``userMessage``) records are held in memory and
    no file exists; that record materialises the file (session_meta from the
    then-current `meta`, the held records, the new ones). :meth:`materialize`
    does it explicitly (forks). ``materialized=True`` appends to an existing
    file (a resumed thread). ``ephemeral=True`` writes nothing, ever.

    `on_materialize` is awaited once the file exists (e.g. to index it).
    """

    def __init__(
        self,
        path: str | Path,
        meta: dict[str, Any],
        *,
        materialized: bool = False,
        fork_source: str | Path | None = None,
        ephemeral: bool = False,
        on_materialize: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._path = Path(path)
        self._meta = meta
        self._materialized = materialized
        self._fork_source = Path(fork_source) if fork_source is not None else None
        self._ephemeral = ephemeral
        self._on_materialize = on_materialize
        self._pending: list[dict[str, Any]] = []
        self._closed = False
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

    @property
    def ephemeral(self) -> bool:
        """Whether this writer discards everything."""
        return self._ephemeral

    async def _run(self, fn: Callable[..., None], *args: Any) -> None:
        fut = asyncio.get_running_loop().run_in_executor(_WRITER, fn, *args)
        # shield: a cancelled caller must not cancel a queued write, or a
        # hole would open in the file while later records still land.
        await asyncio.wait_for(asyncio.shield(fut), WRITE_TIMEOUT_SECONDS)

    async def append(self, records: list[dict[str, Any]]) -> None:
        """Append records (``{"type", "payload"}``; a timestamp is added) in order."""
        if self._ephemeral or not records:
            return
        if self._closed:
            log.warning("rollout %s is closed; dropping %d records", self._path, len(records))
            return
        stamped = [_stamped(r) for r in records]
        if not self._materialized:
            self._pending.extend(stamped)
            if len(self._pending) > MAX_PENDING_RECORDS:
                dropped = len(self._pending) - MAX_PENDING_RECORDS
                log.warning("rollout %s: dropping %d unmaterialised records", self._path, dropped)
                del self._pending[:dropped]
            if any(_is_user_message(r) for r in stamped):
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
        if self._ephemeral or self._materialized:
            return
        pending, self._pending = self._pending, []
        head = _encode(make_record("session_meta", dict(self._meta)))
        body = b"".join(_encode(r) for r in pending)
        # Flip before awaiting: appends racing with us queue behind the create.
        self._materialized = True
        try:
            await self._run(self._create, head, body)
        except BaseException:
            self._materialized = False
            self._pending = pending + self._pending
            raise
        if self._on_materialize is not None:
            await self._on_materialize()

    async def flush(self, fsync: bool = True) -> None:
        """Wait for queued writes; with `fsync`, make them durable (turn boundaries)."""
        if self._ephemeral or not self._materialized:
            return
        await self._run(self._sync, fsync)

    async def close(self) -> None:
        """Flush with fsync and refuse further records. Idempotent."""
        if self._closed:
            return
        await self.flush(fsync=True)
        self._closed = True

    # -- writer thread side --------------------------------------------------------
    def _create(self, head: bytes, body: bytes) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._fork_source is not None:
            fork_rollout(self._fork_source, json.loads(head)["payload"], self._path)
            with self._path.open("ab") as f:
                f.write(body)
        else:
            with self._path.open("xb") as f:
                f.write(head + body)

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


def created_at_of(path: str | Path) -> int | None:
    """Creation time (unix s, UTC) encoded in a rollout file name, if any."""
    match = _FILENAME_RE.match(Path(path).name)
    if not match:
        return None
    parts = tuple(int(match.group(i)) for i in range(1, 7))
    try:
        return calendar.timegm((*parts, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
