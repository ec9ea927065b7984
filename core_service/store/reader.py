"""Reading rollouts back: a whole thread (turns, model history, usage) or a cheap summary.

The functions here block on file I/O; async callers run them with
``asyncio.to_thread``. A torn last line (crash mid-write) or a corrupt line
elsewhere is logged and skipped, never fatal.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app_server_protocol.wire_types import Turn
from core_service.store.records import (
    SessionMeta,
    is_user_message,
    parse_timestamp,
    user_message_text,
)

log = logging.getLogger(__name__)


class RolloutError(ValueError):
    """A rollout file that cannot be read back (e.g. it has no session_meta)."""


def replace_or_append(items: list[Any], item: dict[str, Any]) -> None:
    """Add a completed item to a turn's items; one completed again (a declined patch
    is reported twice, as the reference does) replaces its earlier self."""
    item_id = item.get("id")
    if item_id:
        for index in range(len(items) - 1, -1, -1):
            if items[index].get("id") == item_id:
                items[index] = item
                return
    items.append(item)


def iter_records(path: Path) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Parsed records of a rollout with their raw line; unreadable lines are skipped.

    Only ``\\n`` separates records. The records are untrusted JSON: each is a
    dict with a dict ``payload``, nothing more is checked here.
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
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("payload"), dict):
                log.warning("%s:%d: skipping malformed rollout record", path, lineno)
                continue
            yield rec, raw


@dataclass
class StoredThread:
    """A thread reconstructed from its rollout file at `path`.

    `meta` is the first session_meta payload with ``preview`` (first user
    message) and ``updated_at`` (last record) filled in. `turns` are v2 Turn
    dicts with the items as recorded (turn ids kept); a turn still
    ``inProgress`` (the core died mid-turn) reads back as ``interrupted``.
    `history` is the model-visible input list (compactions and rollbacks
    applied).
    """

    path: str
    meta: SessionMeta
    turns: list[Turn] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None
    token_total: dict[str, int] | None = None
    token_last: dict[str, int] | None = None
    # The last turn was interrupted: the next model request should carry the
    # turn-aborted notice, as it would have without the restart.
    last_turn_interrupted: bool = False


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
        self.first_user_preview: str | None = None

    def start_turn(self, turn_id: object) -> dict[str, Any]:
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

    def turn_for(self, turn_id: object) -> dict[str, Any]:
        if isinstance(turn_id, str) and turn_id in self.by_id:
            return self.by_id[turn_id]
        return self.start_turn(turn_id)

    def add_item(self, turn_id: object, item: object) -> None:
        if not isinstance(item, dict):
            return
        if item.get("type") == "reasoning":
            # Raw reasoning text is not kept on read-back, only the summary.
            item = {**item, "content": []}
        elif item.get("type") == "userMessage" and self.first_user_preview is None:
            self.first_user_preview = user_message_text(item)
        replace_or_append(self.turn_for(turn_id)["items"], item)

    def rollback(self, num_turns: object) -> None:
        if not isinstance(num_turns, int):
            return
        n = min(max(num_turns, 0), len(self.turns))
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
            self.start_turn(payload.get("turn_id"))
        elif kind == "response_item":
            self.history.append(payload)
        elif kind == "compacted":
            replacement = payload.get("replacement_history")
            if isinstance(replacement, list):
                self.history = [h for h in replacement if isinstance(h, dict)]
        elif kind == "event_msg":
            self.feed_event(payload)

    def feed_event(self, payload: dict[str, Any]) -> None:
        kind = payload.get("type")
        turn_id = payload.get("turnId")
        if kind == "turn_started":
            self.start_turn(turn_id)
        elif kind == "item_completed":
            self.add_item(turn_id, payload.get("item"))
        elif kind == "turn_completed":
            turn = self.turn_for(turn_id)
            turn["status"] = payload.get("status") or "completed"
            turn["error"] = payload.get("error")
            if self.current is turn:
                self.current = None
        elif kind == "thread_name_updated":
            if self.meta is None or payload.get("threadId") == self.meta.get("id"):
                name = payload.get("threadName")
                self.name = name if isinstance(name, str) and name else None
        elif kind == "token_count":
            total, last = payload.get("total"), payload.get("last")
            if isinstance(total, dict):
                self.token_total = dict(total)
            self.token_last = dict(last) if isinstance(last, dict) and last else None
        elif kind == "rollback":
            self.rollback(payload.get("numTurns"))


def load_rollout(path: str | Path) -> StoredThread:
    """Reconstruct a thread from its rollout file (blocking).

    Raises FileNotFoundError when the file is missing and :class:`RolloutError`
    when it holds no session_meta. Unreadable lines are skipped with a warning.
    """
    path = Path(path)
    rb = _Rebuilder()
    last_ts: float | None = None
    for rec, _raw in iter_records(path):
        rb.feed(rec)
        ts = parse_timestamp(rec.get("timestamp"))
        if ts is not None:
            last_ts = ts if last_ts is None else max(last_ts, ts)
    if rb.meta is None or not isinstance(rb.meta.get("id"), str):
        raise RolloutError(f"rollout has no session_meta: {path}")
    meta = cast(SessionMeta, rb.meta)
    if not meta.get("preview") and rb.first_user_preview:
        meta["preview"] = rb.first_user_preview
    created = meta.get("created_at") or 0
    meta["updated_at"] = max(int(meta.get("updated_at") or created), int(last_ts or 0))
    for turn in rb.turns:
        if turn["status"] == "inProgress":
            turn["status"] = "interrupted"
    return StoredThread(
        path=str(path),
        meta=meta,
        # Untrusted JSON: the codec checks the wire shape when it is sent.
        turns=cast("list[Turn]", rb.turns),
        history=rb.history,
        name=rb.name,
        token_total=rb.token_total,
        token_last=rb.token_last,
        last_turn_interrupted=bool(rb.turns) and rb.turns[-1]["status"] == "interrupted",
    )


@dataclass
class RolloutSummary:
    """What the thread index needs of a rollout, read cheaply (no full replay)."""

    meta: SessionMeta
    preview: str
    updated_at: int
    name: str | None


def read_rollout_summary(path: str | Path) -> RolloutSummary | None:
    """Metadata, preview, name and last activity of a rollout (blocking).

    Only the session_meta, the first user message and rename records are
    parsed as JSON; other lines are looked at just for their timestamp
    prefix. Returns None for a file without a readable session_meta.
    """
    meta: dict[str, Any] | None = None
    preview: str | None = None
    name: str | None = None
    last_ts: float | None = None
    try:
        f = Path(path).open("rb")
    except OSError:
        return None
    with f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            interesting = meta is None or b"thread_name_updated" in line or (
                preview is None and b"userMessage" in line
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
            if preview is None and is_user_message(rec):
                preview = user_message_text(payload["item"])
            elif payload.get("type") == "thread_name_updated":
                if payload.get("threadId") == meta.get("id"):
                    value = payload.get("threadName")
                    name = value if isinstance(value, str) and value else None
    if meta is None or not isinstance(meta.get("id"), str):
        return None
    created = int(meta.get("created_at") or 0)
    return RolloutSummary(
        meta=cast(SessionMeta, meta),
        preview=str(meta.get("preview") or preview or ""),
        updated_at=max(int(meta.get("updated_at") or created), int(last_ts or 0)),
        name=name,
    )


def _leading_timestamp(line: bytes) -> float | None:
    # The writer always puts the timestamp first: {"timestamp":"...Z",...}
    prefix = b'{"timestamp":"'
    if not line.startswith(prefix):
        return None
    end = line.find(b'"', len(prefix))
    if end < 0:
        return None
    return parse_timestamp(line[len(prefix) : end].decode("ascii", "replace"))
