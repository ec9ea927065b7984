"""Writing a planned patch all at once, or not at all.

The reference applies hunk after hunk and leaves a half-applied patch when
one fails; we promise more: every new content is first written to a
temporary file beside its target (parents created as needed), then the
targets are swapped in by renames, each replaced or removed file kept aside
until the end. Any failure renames everything back and removes what was
created, so a patch that does not apply touches nothing. The text the model
reads on success is the reference's summary (`summary`); a failure reads as
the reference's apply error for the hunk that failed (`ApplyError`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core_service.tools.apply_patch.planner import FileChange

SUCCESS_HEADER = "Success. Updated the following files:\n"


class ApplyError(Exception):
    """A planned patch that could not be written; `str()` is the reference's text."""


def summary(changes: Sequence[FileChange]) -> str:
    """What the reference prints after applying: added, then modified, then deleted paths."""
    added = [f"A {c.display}\n" for c in changes if c.kind == "add"]
    modified = [f"M {c.move_display or c.display}\n" for c in changes if c.kind == "update"]
    deleted = [f"D {c.display}\n" for c in changes if c.kind == "delete"]
    return SUCCESS_HEADER + "".join(added + modified + deleted)


async def apply_changes(changes: Sequence[FileChange]) -> None:
    """Write every change or none of them; raises ApplyError."""
    await asyncio.to_thread(_apply, changes)


@dataclass
class _Journal:
    """What has been done so far, to be undone in reverse order on failure."""

    undo: list[Callable[[], None]] = field(default_factory=list)
    # Files kept aside (replaced or removed targets), deleted once all is done.
    kept: list[str] = field(default_factory=list)

    def rollback(self) -> None:
        for step in reversed(self.undo):
            with contextlib.suppress(OSError):
                step()
        self.undo.clear()

    def commit(self) -> None:
        for path in self.kept:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _apply(changes: Sequence[FileChange]) -> None:
    journal = _Journal()
    try:
        for change in changes:
            _apply_one(change, journal)
    except BaseException:
        journal.rollback()
        raise
    journal.commit()


def _apply_one(change: FileChange, journal: _Journal) -> None:
    if change.kind == "delete":
        try:
            _set_aside(change.path, journal, must_exist=True)
        except OSError:
            raise ApplyError(f"Failed to delete file {change.display}") from None
        return
    assert change.new is not None
    display = change.move_display or change.display
    target = _write_target(change.target)
    try:
        _make_parents(target, journal)
    except OSError:
        raise ApplyError(f"Failed to create parent directories for {display}") from None
    try:
        temp = _write_temp(target, change.new, _mode_for(change, target))
        try:
            _set_aside(target, journal, must_exist=False)
            os.rename(temp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        journal.undo.append(lambda: os.unlink(target))
    except OSError:
        raise ApplyError(f"Failed to write file {display}") from None
    if change.move_to is not None and change.move_to != change.path:
        try:
            _set_aside(change.path, journal, must_exist=True)
        except OSError:
            raise ApplyError(f"Failed to remove original {change.display}") from None


def _write_target(path: str) -> str:
    """Where writing `path` lands: a symlink's destination, as a plain write would."""
    return os.path.realpath(path) if os.path.islink(path) else path


def _mode_for(change: FileChange, target: str) -> int | None:
    """Permission bits for the new content: those of the file it replaces, if any."""
    for existing in (target, change.path):
        with contextlib.suppress(OSError):
            return stat.S_IMODE(os.stat(existing).st_mode)
    return None


def _make_parents(path: str, journal: _Journal) -> None:
    missing: list[str] = []
    parent = os.path.dirname(path)
    while parent and not os.path.isdir(parent):
        missing.append(parent)
        parent = os.path.dirname(parent)
    for directory in reversed(missing):
        os.mkdir(directory)
        journal.undo.append(functools.partial(os.rmdir, directory))


def _write_temp(target: str, content: str, mode: int | None) -> str:
    directory, name = os.path.split(target)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".patch-tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content.encode("utf-8"))
        os.chmod(temp, mode if mode is not None else 0o666 & ~_UMASK)
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _set_aside(path: str, journal: _Journal, must_exist: bool) -> None:
    """Rename `path` to a hidden name beside it, to be restored on rollback."""
    if not must_exist and not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        raise IsADirectoryError(path)
    directory, name = os.path.split(path)
    fd, aside = tempfile.mkstemp(prefix=f".{name}.", suffix=".patch-old", dir=directory or ".")
    os.close(fd)
    try:
        os.rename(path, aside)
    except OSError:
        os.unlink(aside)
        raise
    journal.undo.append(lambda: os.rename(aside, path))
    journal.kept.append(aside)


def _read_umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


# New files get the mode a plain create would give them.
_UMASK = _read_umask()
