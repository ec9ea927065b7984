"""What a spawned single command left running, read from /proc."""

from __future__ import annotations

from pathlib import Path

# The single command names itself to its core child in this variable (the
# core stops when that process dies); it is how the core is recognised even
# when the command was stopped before its core had started.
_WATCH_VAR = "APP_SERVER_CORE_WATCH_PARENT"


def cores_of(pid: int) -> list[int]:
    """Live processes started as the core child of the single command `pid`."""
    mark = f"{_WATCH_VAR}={pid}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if mark in environ and state != "Z":
            found.append(int(entry.name))
    return found
