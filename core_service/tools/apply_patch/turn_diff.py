"""The cumulative diff of a turn: every file its patches touched, against the turn's start.

The reference tracks each file a turn's patches touch from the first touch
(content and mode as they were then; a move carries the file to its new
name) and shows `turn/diff/updated` with a git-style diff of all of them
against the disk as it is now: `diff --git a/X b/Y`, `new file mode` /
`deleted file mode` lines, `index <blob>..<blob>` with git blob ids (zeros
for a missing side), `---`/`+++` (`/dev/null` for a missing side) and hunks
with three lines of context, files sorted by their current path. A path
inside a git work tree is shown relative to its root, any other path
absolute (so `a/` is followed by `/`). Files back to their first content are
left out; an empty diff is not shown at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field

from core_service.tools.apply_patch.planner import FileChange
from core_service.tools.apply_patch.textdiff import unified_hunks

ZERO_OID = "0" * 40


@dataclass
class _Tracked:
    """A file as it was at the turn's first touch, and where it is now."""

    first_path: str
    path: str
    content: bytes | None
    mode: str


@dataclass(frozen=True)
class _Side:
    display: str
    content: bytes | None
    mode: str


@dataclass
class TurnDiff:
    """The files one turn's patches touched, with their content before the turn."""

    _files: dict[str, _Tracked] = field(default_factory=dict)

    async def snapshot(self, changes: Sequence[FileChange]) -> None:
        """Remember, before `changes` are applied, the files they touch not yet tracked."""
        await asyncio.to_thread(self._snapshot, changes)

    def _snapshot(self, changes: Sequence[FileChange]) -> None:
        for change in changes:
            if change.path not in self._files:
                content, mode = _read(change.path)
                self._files[change.path] = _Tracked(change.path, change.path, content, mode)

    def moved(self, changes: Sequence[FileChange]) -> None:
        """Follow the moves of `changes`, once they are applied."""
        for change in changes:
            tracked = self._files.get(change.path)
            if change.move_to is None or tracked is None or change.move_to == change.path:
                continue
            del self._files[change.path]
            tracked.path = change.move_to
            self._files[change.move_to] = tracked

    async def render(self) -> str:
        """The turn's diff against the disk now; "" when nothing differs."""
        return await asyncio.to_thread(self._render)

    def _render(self) -> str:
        roots: dict[str, str | None] = {}
        blocks: list[tuple[str, str]] = []
        for tracked in self._files.values():
            content, mode = _read(tracked.path)
            if tracked.first_path == tracked.path and content == tracked.content:
                continue
            if tracked.content is None and content is None:
                continue
            left = _Side(_display(tracked.first_path, roots), tracked.content, tracked.mode)
            right = _Side(_display(tracked.path, roots), content, mode)
            blocks.append((right.display, _file_diff(left, right)))
        return "".join(text for _, text in sorted(blocks, key=lambda block: block[0]))


def _file_diff(left: _Side, right: _Side) -> str:
    out = [f"diff --git a/{left.display} b/{right.display}\n"]
    if left.content is None:
        out.append(f"new file mode {right.mode}\n")
    elif right.content is None:
        out.append(f"deleted file mode {left.mode}\n")
    out.append(f"index {_oid(left.content)}..{_oid(right.content)}\n")
    out.append("--- /dev/null\n" if left.content is None else f"--- a/{left.display}\n")
    out.append("+++ /dev/null\n" if right.content is None else f"+++ b/{right.display}\n")
    out.append(unified_hunks(_text(left.content), _text(right.content), 3))
    return "".join(out)


def _read(path: str) -> tuple[bytes | None, str]:
    """A file's bytes (None when missing) and its git mode."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return os.readlink(path).encode(), "120000"
        with open(path, "rb") as file:
            content = file.read()
    except OSError:
        return None, "100644"
    return content, "100755" if info.st_mode & stat.S_IXUSR else "100644"


def _oid(content: bytes | None) -> str:
    """The git blob id of `content` (zeros for a missing file)."""
    if content is None:
        return ZERO_OID
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def _text(content: bytes | None) -> str:
    return "" if content is None else content.decode("utf-8", errors="replace")


def _display(path: str, roots: dict[str, str | None]) -> str:
    """`path` relative to its git work tree's root, or as it is outside one."""
    directory = os.path.dirname(path)
    root = _git_root(directory, roots)
    return os.path.relpath(path, root) if root is not None else path


def _git_root(directory: str, roots: dict[str, str | None]) -> str | None:
    if directory in roots:
        return roots[directory]
    parent = os.path.dirname(directory)
    if os.path.exists(os.path.join(directory, ".git")):
        root: str | None = directory
    elif parent == directory or not parent:
        root = None
    else:
        root = _git_root(parent, roots)
    roots[directory] = root
    return root
