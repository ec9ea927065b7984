"""Finding a test command's processes by an environment marker, and waiting for them to end.

A command run with `MARK=<token>` in its environment passes it to every
descendant, inside a PID namespace or not, so scanning `/proc/*/environ`
finds them all by their host pids; a pidfd per pid tells when each has
exited, without polling.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

WAIT = 5.0


def marker() -> tuple[str, str]:
    """A fresh (name, value) environment marker."""
    return "H2_TEST_MARK", secrets.token_hex(8)


def forking_script(fifo: Path) -> str:
    """A shell script that forks a background `sleep 100`, writes "up" to `fifo` once
    that grandchild has exec'd (a process in the middle of execve can show an empty
    environment and hide its marker) and then waits in a foreground sleep: when "up"
    is read, the shell and the grandchild are both there to be found."""
    return (f"sleep 100 & p=$!; until [ \"$(cat /proc/$p/comm 2>/dev/null)\" = sleep ]; "
            f"do :; done; echo up > {fifo}; sleep 101")


def marked_pids(value: str) -> list[int]:
    """Host pids of the live processes whose environment carries `value`."""
    needle = f"H2_TEST_MARK={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


async def all_exited(pids: list[int], timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Return once every pid has exited; TimeoutError after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    waits = []
    fds = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        fds.append(fd)
        done: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, _settle, done)
        waits.append(done)
    try:
        await asyncio.wait_for(asyncio.gather(*waits), timeout)
    finally:
        for fd in fds:
            loop.remove_reader(fd)
            os.close(fd)


def _settle(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


async def fifo_line(path: Path, timeout: float = WAIT) -> str:  # noqa: ASYNC109
    """The first line a command writes to the FIFO at `path` (created here), bounded."""
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    loop = asyncio.get_running_loop()
    got: asyncio.Future[bytes] = loop.create_future()

    def readable() -> None:
        data = os.read(fd, 256)
        if data and not got.done():
            got.set_result(data)

    loop.add_reader(fd, readable)
    try:
        return (await asyncio.wait_for(got, timeout)).decode().strip()
    finally:
        loop.remove_reader(fd)
        os.close(fd)
