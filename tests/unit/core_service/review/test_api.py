"""review/start's handler pieces: the merge base from git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core_service.review.api import merge_base


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


async def test_merge_base_of_head_and_a_branch(tmp_path: Path) -> None:
    """The merge base of HEAD and the branch; None for an unknown branch or no repo."""
    plain = tmp_path / "plain"
    plain.mkdir()
    tmp_path = tmp_path / "repo"
    tmp_path.mkdir()
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "-c", "user.email=a@b.c", "-c", "user.name=T", "commit", "-q",
         "--allow-empty", "-m", "one")
    base = _git(tmp_path, "rev-parse", "HEAD")
    _git(tmp_path, "checkout", "-qb", "feature")
    _git(tmp_path, "-c", "user.email=a@b.c", "-c", "user.name=T", "commit", "-q",
         "--allow-empty", "-m", "two")
    assert await merge_base(str(tmp_path), "main") == base
    assert await merge_base(str(tmp_path), "nosuch") is None
    assert await merge_base(str(plain), "main") is None
