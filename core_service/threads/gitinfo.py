"""Git metadata of a thread's working directory, read from the .git files.

No subprocess: the branch, head commit and origin URL are read directly so
thread/start stays cheap. Anything unreadable yields None fields.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from app_server_protocol.wire_types import GitInfo


def _git_dir(cwd: Path) -> Path | None:
    for d in (cwd, *cwd.parents):
        candidate = d / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                return (d / text[len("gitdir:") :].strip()).resolve()
    return None


def _resolve_ref(git: Path, ref: str) -> str | None:
    loose = git / ref
    if loose.is_file():
        return loose.read_text(encoding="utf-8").strip() or None
    packed = git / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref:
                return parts[0]
    return None


def git_info(cwd: str) -> GitInfo | None:
    """`{sha, branch, originUrl}` for `cwd`, or None outside a repository."""
    try:
        git = _git_dir(Path(cwd))
        if git is None:
            return None
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        branch: str | None = None
        sha: str | None
        if head.startswith("ref:"):
            ref = head[4:].strip()
            branch = ref.removeprefix("refs/heads/")
            sha = _resolve_ref(git, ref)
        else:
            sha = head or None
        origin: str | None = None
        cfg = git / "config"
        if cfg.is_file():
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            parser.read(cfg, encoding="utf-8")
            section = 'remote "origin"'
            if parser.has_section(section):
                origin = parser.get(section, "url", fallback=None)
        return {"sha": sha, "branch": branch, "originUrl": origin}
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
