"""Planning a parsed patch: every file's content before and after, read but not written.

The reference checks a whole patch against the disk before it shows or
applies anything ("verification"): a file to delete or update must be
readable, and every chunk of an update must be found (context first, then
its old lines). Planning does the same, off the event loop, and yields one
`FileChange` per hunk with both contents, so the item's diffs, the approval
rule and the atomic apply all work from one snapshot. Errors read as the
reference's (`PlanError`); paths in them are the resolved ones.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from core_service.tools.apply_patch.matching import seek_sequence
from core_service.tools.apply_patch.parser import AddFile, Chunk, DeleteFile, Hunk, UpdateFile

ChangeKind: TypeAlias = Literal["add", "delete", "update"]


class PlanError(Exception):
    """A patch that does not fit the files on disk; `str()` is the reference's text."""


@dataclass(frozen=True)
class FileChange:
    """One hunk, planned.

    `path` / `move_to` are resolved against the cwd (an absolute path in the
    patch stays as written); `display` / `move_display` are the paths as the
    patch wrote them (the summary the model reads uses those). `old` is the
    content before (None for an add), `new` the content after (None for a
    delete).
    """

    kind: ChangeKind
    path: str
    display: str
    old: str | None
    new: str | None
    move_to: str | None = None
    move_display: str | None = None

    @property
    def target(self) -> str:
        """Where the file is once the change is applied."""
        return self.move_to or self.path


def resolve(cwd: str, path: str) -> str:
    """`path` joined to `cwd` as the reference joins it (no normalisation)."""
    return os.path.join(cwd, path)


async def plan_patch(cwd: str, hunks: Sequence[Hunk]) -> tuple[FileChange, ...]:
    """Every hunk planned against the files under `cwd`; raises PlanError."""
    return await asyncio.to_thread(_plan, cwd, hunks)


def _plan(cwd: str, hunks: Sequence[Hunk]) -> tuple[FileChange, ...]:
    changes: list[FileChange] = []
    for hunk in hunks:
        path = resolve(cwd, hunk.path)
        if isinstance(hunk, AddFile):
            changes.append(FileChange("add", path, hunk.path, None, hunk.contents))
        elif isinstance(hunk, DeleteFile):
            old = _read(path, f"Failed to read {path}")
            changes.append(FileChange("delete", path, hunk.path, old, None))
        else:
            changes.append(_plan_update(cwd, path, hunk))
    return tuple(changes)


def _plan_update(cwd: str, path: str, hunk: UpdateFile) -> FileChange:
    old = _read(path, f"Failed to read file to update {path}")
    lines = old.split("\n")
    if lines[-1] == "":
        lines.pop()
    new_lines = _replace(lines, _replacements(lines, path, hunk.chunks))
    if not new_lines or new_lines[-1] != "":
        new_lines.append("")
    move_to = resolve(cwd, hunk.move_to) if hunk.move_to is not None else None
    return FileChange("update", path, hunk.path, old, "\n".join(new_lines), move_to, hunk.move_to)


def _read(path: str, context: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as err:
        raise PlanError(f"{context}: {os_error_text(err)}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(f"{context}: stream did not contain valid UTF-8") from None


def os_error_text(err: OSError) -> str:
    """An OS error as Rust's `std::io::Error` displays it ("... (os error N)")."""
    if err.errno is None:
        return str(err)
    return f"{os.strerror(err.errno)} (os error {err.errno})"


Replacement: TypeAlias = tuple[int, int, Sequence[str]]


def _replacements(lines: list[str], path: str, chunks: Sequence[Chunk]) -> list[Replacement]:
    """Where each chunk applies: (start, old line count, new lines), sorted by start."""
    found: list[Replacement] = []
    index = 0
    for chunk in chunks:
        if chunk.context is not None:
            at = seek_sequence(lines, [chunk.context], index, False)
            if at is None:
                raise PlanError(f"Failed to find context '{chunk.context}' in {path}")
            index = at + 1
        if not chunk.old_lines:
            # A pure addition goes at the end (before a final empty line).
            end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
            found.append((end, 0, chunk.new_lines))
            continue
        pattern: Sequence[str] = chunk.old_lines
        new: Sequence[str] = chunk.new_lines
        start = seek_sequence(lines, pattern, index, chunk.end_of_file)
        if start is None and pattern[-1] == "":
            # The empty last line stands for the file's final newline, which
            # the split above dropped: look again without it.
            pattern = pattern[:-1]
            if new and new[-1] == "":
                new = new[:-1]
            start = seek_sequence(lines, pattern, index, chunk.end_of_file)
        if start is None:
            expected = "\n".join(chunk.old_lines)
            raise PlanError(f"Failed to find expected lines in {path}:\n{expected}")
        found.append((start, len(pattern), new))
        index = start + len(pattern)
    return sorted(found, key=lambda replacement: replacement[0])


def _replace(lines: list[str], replacements: Sequence[Replacement]) -> list[str]:
    out = list(lines)
    for start, old_len, new in reversed(replacements):
        del out[start:start + old_len]
        out[start:start] = new
    return out
