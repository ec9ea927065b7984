"""Applying a plan: everything written, or nothing at all; the reference's summary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core_service.tools.apply_patch.applier import ApplyError, apply_changes, summary
from core_service.tools.apply_patch.parser import parse_patch
from core_service.tools.apply_patch.planner import FileChange, plan_patch


def patch(*lines: str) -> str:
    return "\n".join(("*** Begin Patch", *lines, "*** End Patch"))


async def plan(tmp_path: Path, *lines: str) -> tuple[FileChange, ...]:
    return await plan_patch(str(tmp_path), parse_patch(patch(*lines)))


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


async def test_all_kinds_are_written(tmp_path: Path) -> None:
    """Adds (with new parents), deletes, updates and moves land on disk; no temporary
    file is left behind."""
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b.txt").write_text("b\n")
    (tmp_path / "c.txt").write_text("c\n")
    changes = await plan(tmp_path, "*** Add File: new/deep/n.txt", "+n",
                         "*** Delete File: b.txt", "*** Update File: a.txt", "@@", "-a", "+A",
                         "*** Update File: c.txt", "*** Move to: sub/d.txt", "@@", "-c", "+C")
    await apply_changes(changes)
    assert tree(tmp_path) == {"a.txt": "A\n", "new/deep/n.txt": "n\n", "sub/d.txt": "C\n"}


async def test_a_failure_restores_everything(tmp_path: Path) -> None:
    """When a later change cannot be written, earlier ones are undone: replaced files
    come back, created files and directories go away."""
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "gone.txt").write_text("g\n")
    (tmp_path / "blocker").write_text("a file where a directory is needed\n")
    before = tree(tmp_path)
    changes = await plan(tmp_path, "*** Update File: a.txt", "@@", "-a", "+A",
                         "*** Delete File: gone.txt", "*** Add File: fresh/x.txt", "+x",
                         "*** Add File: blocker/y.txt", "+y")
    with pytest.raises(ApplyError) as caught:
        await apply_changes(changes)
    assert str(caught.value) == "Failed to create parent directories for blocker/y.txt"
    assert tree(tmp_path) == before
    assert not (tmp_path / "fresh").exists()
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "blocker", "gone.txt"]


async def test_write_and_delete_failures_name_the_hunk(tmp_path: Path) -> None:
    """A path that cannot be written or removed gives the reference's apply texts."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "d.txt").write_text("d\n")
    changes = await plan(tmp_path, "*** Delete File: d.txt")
    (tmp_path / "d.txt").unlink()
    with pytest.raises(ApplyError, match="^Failed to delete file d.txt$"):
        await apply_changes(changes)
    add_over_dir = (FileChange("add", str(tmp_path / "dir"), "dir", None, "x\n"),)
    with pytest.raises(ApplyError, match="^Failed to write file dir$"):
        await apply_changes(add_over_dir)
    assert (tmp_path / "dir").is_dir()


async def test_modes_and_symlinks_are_kept(tmp_path: Path) -> None:
    """An updated executable stays executable; writing through a symlink changes its
    target and keeps the link."""
    script = tmp_path / "run.sh"
    script.write_text("echo a\n")
    script.chmod(0o755)
    (tmp_path / "real.txt").write_text("r\n")
    (tmp_path / "link.txt").symlink_to("real.txt")
    await apply_changes(await plan(tmp_path, "*** Update File: run.sh", "@@", "-echo a",
                                   "+echo b", "*** Update File: link.txt", "@@", "-r", "+R"))
    assert script.stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text() == "R\n"


def test_summary_groups_added_modified_deleted() -> None:
    """Added, then modified (a move shows its destination), then deleted, as written."""
    changes = (
        FileChange("update", "/w/a.txt", "a.txt", "", ""),
        FileChange("delete", "/w/b.txt", "b.txt", "", None),
        FileChange("update", "/w/c.txt", "c.txt", "", "", "/w/sub/d.txt", "sub/d.txt"),
        FileChange("add", "/w/new.txt", "new.txt", None, ""),
    )
    assert summary(changes) == (
        "Success. Updated the following files:\nA new.txt\nM a.txt\nM sub/d.txt\nD b.txt\n")
