"""Tests for core_service.store.layout: where rollouts live, and moving them."""

from __future__ import annotations

from pathlib import Path

from core_service.ids import uuid7
from core_service.store.layout import (
    archive,
    find_rollout,
    list_rollouts,
    rollout_path,
    unarchive,
)
from tests.unit.core_service.store.sample import CREATED


def test_rollout_path_is_the_utc_creation_day() -> None:
    """sessions/YYYY/MM/DD/rollout-<UTC time>-<id>.jsonl."""
    assert rollout_path(Path("/h"), "abc", CREATED) == Path(
        "/h/sessions/2025/01/02/rollout-2025-01-02T03-04-05-abc.jsonl")


def test_archive_unarchive_find_and_list(tmp_path: Path) -> None:
    """Archiving moves the file flat into archived_sessions/; unarchiving puts it back by date."""
    tid = uuid7()
    path = rollout_path(tmp_path, tid, CREATED)
    path.parent.mkdir(parents=True)
    path.write_text("{}\n")
    assert find_rollout(tmp_path, tid) == path
    assert find_rollout(tmp_path, tid, archived=True) is None
    assert list_rollouts(tmp_path) == [path]

    archived = archive(path, tmp_path)
    assert archived == tmp_path / "archived_sessions" / path.name
    assert archived.exists() and not path.exists()
    assert find_rollout(tmp_path, tid) is None
    assert find_rollout(tmp_path, tid, archived=True) == archived
    assert list_rollouts(tmp_path) == [] and list_rollouts(tmp_path, archived=True) == [archived]

    back = unarchive(archived, tmp_path)
    assert back == path and path.exists() and not archived.exists()


def test_find_rollout_rejects_patterns_and_scans_other_days(tmp_path: Path) -> None:
    """Glob characters never match files; a file on an unexpected day is still found."""
    other = tmp_path / "sessions/2020/05/06"
    other.mkdir(parents=True)
    tid = uuid7()
    target = other / f"rollout-2020-05-06T00-00-00-{tid}.jsonl"
    target.write_text("")
    assert find_rollout(tmp_path, tid) == target
    assert find_rollout(tmp_path, "*") is None
    assert find_rollout(tmp_path, "../x") is None
