"""Tests for core_service.threads.gitinfo: git metadata read from the .git files."""

from __future__ import annotations

from pathlib import Path

from core_service.threads.gitinfo import git_info

SHA = "0123456789abcdef0123456789abcdef01234567"


def _repo(root: Path) -> Path:
    git = root / ".git"
    (git / "refs/heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "config").write_text('[remote "origin"]\n\turl = https://example.com/r.git\n')
    return git


def test_branch_sha_and_origin_from_a_subdirectory(tmp_path: Path) -> None:
    """A loose ref gives the sha; the origin URL comes from .git/config; parents are searched."""
    git = _repo(tmp_path)
    (git / "refs/heads/main").write_text(SHA + "\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert git_info(str(sub)) == {
        "sha": SHA, "branch": "main", "originUrl": "https://example.com/r.git"}


def test_packed_ref_detached_head_and_gitdir_file(tmp_path: Path) -> None:
    """packed-refs resolve a branch; a detached HEAD has no branch; a .git file points elsewhere."""
    real = tmp_path / "real"
    git = _repo(real)
    (git / "packed-refs").write_text(f"# pack-refs\n{SHA} refs/heads/main\n")
    assert git_info(str(real))["sha"] == SHA  # type: ignore[index]
    (git / "HEAD").write_text(SHA + "\n")
    assert git_info(str(real)) == {
        "sha": SHA, "branch": None, "originUrl": "https://example.com/r.git"}
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {git}\n")
    assert git_info(str(worktree))["sha"] == SHA  # type: ignore[index]


def test_outside_a_repository(tmp_path: Path) -> None:
    """No .git anywhere above: None."""
    assert git_info(str(tmp_path)) is None
