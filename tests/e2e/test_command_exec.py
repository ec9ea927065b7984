"""End to end: command/exec runs under the sandbox (real bubblewrap) of the call or of
the config, and a sandboxed command dies with the core."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.multi import ClientPool, Cluster
from tests.support.mock_model import MockModelServer
from tests.unit.core_service.sandbox.leftovers import (
    all_exited,
    fifo_line,
    forking_script,
    marked_pids,
    marker,
)

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="bubblewrap (bwrap) is not installed")
# /tmp (where the test directories are) is writable under workspace-write unless excluded.
NO_SLASH_TMP = "[sandbox_workspace_write]\nexclude_slash_tmp = true\n"


async def test_workspace_write_confines_writes_and_network(launch: Launcher,
                                                           tmp_path: Path) -> None:
    """Under the config's workspace-write a write in the cwd succeeds and one outside it is
    refused; a loopback listener on the host is unreachable without network and reached
    with a policy that allows it; a readOnly policy in the call refuses even the cwd."""
    work, other = tmp_path / "work", tmp_path / "other"
    work.mkdir()
    other.mkdir()
    client = await launch("stdio", sandbox_mode="workspace-write", extra=NO_SLASH_TMP)
    await client.initialize()

    async def sh(script: str, **more: object) -> dict[str, object]:
        out: dict[str, object] = await client.call(
            "command/exec", {"command": ["sh", "-c", script], "cwd": str(work), **more})
        return out

    inside = await sh("echo in > inside.txt")
    assert inside["exitCode"] == 0 and (work / "inside.txt").read_text() == "in\n"
    outside = await sh(f"echo out > {other}/outside.txt")
    assert outside["exitCode"] != 0 and "Read-only file system" in str(outside["stderr"])
    assert not (other / "outside.txt").exists()
    read_only = await sh("echo x > ro.txt",
                         sandboxPolicy={"type": "readOnly", "access": {"type": "fullAccess"}})
    assert read_only["exitCode"] != 0 and not (work / "ro.txt").exists()

    accepted: list[int] = []

    async def on_connect(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        accepted.append(1)
        w.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connect = f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2)\""
    async with server:
        refused = await sh(connect)
        assert refused["exitCode"] != 0 and accepted == []
        allowed = await sh(connect, sandboxPolicy={
            "type": "workspaceWrite", "writableRoots": [], "networkAccess": True,
            "excludeTmpdirEnvVar": False, "excludeSlashTmp": True})
        assert allowed["exitCode"] == 0 and accepted == [1]


async def test_a_sandboxed_command_dies_with_the_core(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """A sandboxed command/exec that forked a grandchild leaves nothing running when the
    core is killed (SIGKILL: no clean-up code runs)."""
    name, value = marker()
    fifo = tmp_path / "up"
    async with Cluster(mock, home, tmp_path / "work") as cluster, ClientPool() as pool:
        await cluster.start_core()
        client = await pool.connect(await cluster.add_gateway())
        await client.request_nowait("command/exec", {"command": [
            "sh", "-c", f"export {name}={value}; {forking_script(fifo)}"]})
        assert await fifo_line(fifo, timeout=15) == "up"
        pids = marked_pids(value)
        assert pids
        await cluster.stop_core(signal.SIGKILL)
        await all_exited(pids, timeout=10)
