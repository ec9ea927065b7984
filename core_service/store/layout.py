"""Where rollout files live: naming, finding, listing and moving them (blocking).

One file per thread at
``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDTHH-MM-SS-<thread id>.jsonl``
(UTC creation time), moved flat into ``$CODEX_HOME/archived_sessions/`` when
the thread is archived. Async callers run these with ``asyncio.to_thread``.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

from core_service.store.reader import read_rollout_summary

SESSIONS_DIR = "sessions"
ARCHIVED_DIR = "archived_sessions"

_FILENAME_RE = re.compile(
    r"^rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(?P<id>[0-9A-Za-z-]+)\.jsonl$"
)
_THREAD_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def _day_dir(codex_home: Path, created_at: float) -> Path:
    y, m, d = time.gmtime(int(created_at))[:3]
    return codex_home / SESSIONS_DIR / f"{y:04d}" / f"{m:02d}" / f"{d:02d}"


def rollout_path(codex_home: str | Path, thread_id: str, created_at: float) -> Path:
    """Where the (unarchived) rollout of a thread created at `created_at` lives."""
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime(int(created_at)))
    return _day_dir(Path(codex_home), created_at) / f"rollout-{stamp}-{thread_id}.jsonl"


def archive(path: str | Path, codex_home: str | Path) -> Path:
    """Move a rollout into ``$CODEX_HOME/archived_sessions/``; the new path."""
    src = Path(path)
    dest_dir = Path(codex_home) / ARCHIVED_DIR
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    os.replace(src, dest)
    return dest


def unarchive(path: str | Path, codex_home: str | Path) -> Path:
    """Move an archived rollout back under ``sessions/YYYY/MM/DD/``; the new path.

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

    Looks first in the day directory that the UUIDv7 timestamp points at,
    then scans every day directory.
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
    """All rollout files of sessions/ (or archived_sessions/)."""
    home = Path(codex_home)
    if archived:
        return sorted((home / ARCHIVED_DIR).glob("rollout-*.jsonl"))
    return sorted((home / SESSIONS_DIR).glob("*/*/*/rollout-*.jsonl"))
