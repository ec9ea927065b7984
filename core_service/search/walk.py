"""The files under a root, as the reference's walker lists them.

Hidden files are listed (`.git` included); folders are not. What a
`.gitignore` or `.ignore` file in the root, under it or in a folder above it
excludes is skipped, with or without a git repository (an `.ignore` file
outranks a `.gitignore` in the same folder; a deeper file outranks a higher
one). Symbolic links are not followed. Blocking: run it in a worker thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Container
from pathlib import Path

from core_service.search.ignore import IgnoreFile

IGNORE_FILES = (".ignore", ".gitignore")

# (the folder the file sits in, as an absolute path ending in "/"; its rules)
Scope = tuple[str, IgnoreFile]


def _read_ignores(folder: str, names: Container[str] | None = None) -> list[Scope]:
    """The ignore files of `folder` (only those among `names` when given),
    highest precedence first."""
    found: list[Scope] = []
    for name in IGNORE_FILES:
        if names is not None and name not in names:
            continue
        try:
            text = Path(folder, name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.append((folder.rstrip("/") + "/", IgnoreFile(text)))
    return found


def _parents(root: str) -> list[Scope]:
    """Ignore files above `root`, up to and including the repository's top
    (the first folder with `.git`), or to `/` outside a repository."""
    scopes: list[Scope] = []
    here = root
    if os.path.exists(os.path.join(here, ".git")):
        return scopes
    while True:
        up = os.path.dirname(here)
        if up == here:
            break
        here = up
        scopes = _read_ignores(here) + scopes
        if os.path.exists(os.path.join(here, ".git")):
            break
    return scopes


def _ignored(scopes: list[Scope], path: str, is_dir: bool) -> bool:
    for prefix, rules in reversed(scopes):
        verdict = rules.decide(path[len(prefix):], is_dir)
        if verdict is not None:
            return verdict
    return False


def walk_files(root: str, cancel: threading.Event | None = None) -> list[str]:
    """Paths (relative to `root`, `/`-separated) of the files under `root`; stops
    early, with what it has, when `cancel` is set."""
    base = os.path.abspath(root)
    if not os.path.isdir(base):
        return []
    files: list[str] = []
    # (absolute folder, its path relative to the root with a trailing "/", scopes in force)
    stack: list[tuple[str, str, list[Scope]]] = [(base, "", _parents(base))]
    while stack:
        if cancel is not None and cancel.is_set():
            break
        folder, rel, scopes = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        names = {e.name for e in entries}
        if names.intersection(IGNORE_FILES):
            scopes = scopes + _read_ignores(folder, names)
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if scopes and _ignored(scopes, entry.path, is_dir):
                continue
            if is_dir:
                stack.append((entry.path, rel + entry.name + "/", scopes))
            else:
                files.append(rel + entry.name)
    return files
