"""The walk: files only, hidden ones too, ignore files honoured at every level."""

from __future__ import annotations

import threading
from pathlib import Path

from core_service.search.walk import walk_files


def _touch(root: Path, *rels: str) -> None:
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")


def test_ignore_files_without_a_repository(tmp_path: Path) -> None:
    """.gitignore and .ignore apply without git; a nested .gitignore re-includes what a
    higher one excludes; folders are not listed; hidden files are."""
    _touch(tmp_path, "a.py", "x.txt", "out/o.bin", "sub/keep.log", "sub/drop.log", ".h/f")
    (tmp_path / ".gitignore").write_text("out/\n*.log\n")
    (tmp_path / ".ignore").write_text("x.txt\n")
    (tmp_path / "sub" / ".gitignore").write_text("!keep.log\n")
    assert sorted(walk_files(str(tmp_path))) == [
        ".gitignore", ".h/f", ".ignore", "a.py", "sub/.gitignore", "sub/keep.log"]


def test_parent_ignore_file_applies_and_missing_root_is_empty(tmp_path: Path) -> None:
    """An ignore file above the root applies to it (up to the repository's top); a
    root that does not exist lists nothing; a set cancel stops the walk."""
    _touch(tmp_path, "root/a.py", "root/b.tmp")
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    assert walk_files(str(tmp_path / "root")) == ["a.py"]
    assert walk_files(str(tmp_path / "nope")) == []
    cancel = threading.Event()
    cancel.set()
    assert walk_files(str(tmp_path / "root"), cancel) == []
