"""End to end: the single command serves clients while its core starts, and a core
that fails to start still fails them clearly (exit 1, a reason on stderr, the
connection closed)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

from tests.e2e.conftest import Launcher
from tests.support.client import REPO, ProtocolClient, ServerProcess, server_env
from tests.support.processes import cores_of

EXIT_TIMEOUT = 60.0
CORE_FAILED = "app-server: core exited with status 1 during start-up"
INIT = {"clientInfo": {"name": "cold", "title": None, "version": "3"}}


def _broken_home(tmp_path: Path) -> Path:
    # CODEX_HOME is a regular file: the core cannot create its state and exits.
    home = tmp_path / "not-a-directory"
    home.write_text("")
    return home


async def test_stdio_initialize_is_answered_without_the_core(tmp_path: Path) -> None:
    """Over stdio `initialize` is answered before the core serves (here it never does);
    the failed core then ends the process with status 1, stdout closed, the reason told."""
    proc = await ServerProcess.spawn([], server_env(_broken_home(tmp_path)), stdio=True,
                                     cwd=tmp_path)
    client = await ProtocolClient.over_stdio(proc)
    try:
        result = await client.call("initialize", INIT)
        assert result["userAgent"].startswith("cold/0.104.0 (")
        assert result["userAgent"].endswith(" (cold; 3)")
        assert await asyncio.wait_for(proc.proc.wait(), EXIT_TIMEOUT) == 1
        await asyncio.wait_for(client.closed.wait(), EXIT_TIMEOUT)
        await proc.stop()
        assert CORE_FAILED in proc.stderr_lines
        assert [m.get("id") for m in client.received] == [1]
    finally:
        await client.close()
        await proc.stop()


async def test_stdio_lines_written_before_the_spawn_are_each_answered_once(
    tmp_path: Path,
) -> None:
    """A client that writes `initialize` and a request before the process runs (the
    answer is written before asyncio is imported) gets one answer to each, in
    order, and a second `initialize` is refused: the core recorded the first."""
    home = tmp_path / "home"
    home.mkdir()
    lines = [{"id": 1, "method": "initialize", "params": INIT},
             {"id": 2, "method": "thread/loaded/list", "params": {}}]
    in_r, in_w = os.pipe()
    os.write(in_w, b"".join(json.dumps(m).encode() + b"\n" for m in lines))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app_server", stdin=in_r, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, env=server_env(home), cwd=str(REPO))
    os.close(in_r)
    try:
        assert proc.stdout is not None
        first = json.loads(await asyncio.wait_for(proc.stdout.readline(), EXIT_TIMEOUT))
        assert first["id"] == 1 and first["result"]["userAgent"].endswith(" (cold; 3)")
        second = json.loads(await asyncio.wait_for(proc.stdout.readline(), EXIT_TIMEOUT))
        assert second == {"id": 2, "result": {"data": [], "nextCursor": None}}
        os.write(in_w, b'{"id":3,"method":"initialize","params":{"clientInfo":'
                       b'{"name":"x","title":null,"version":"1"}}}\n')
        third = json.loads(await asyncio.wait_for(proc.stdout.readline(), EXIT_TIMEOUT))
        assert third == {"id": 3, "error": {"code": -32600, "message": "Already initialized"}}
        os.close(in_w)
        in_w = -1
        assert await asyncio.wait_for(proc.stdout.read(), EXIT_TIMEOUT) == b""
        assert await asyncio.wait_for(proc.wait(), EXIT_TIMEOUT) == 0
    finally:
        if in_w >= 0:
            os.close(in_w)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_websocket_accepts_while_the_core_starts(tmp_path: Path) -> None:
    """Over websocket the handshake succeeds before the core serves; a request sent
    meanwhile waits for it, and a core that fails to start closes the connection
    unanswered and ends the process with status 1 and the reason."""
    proc = await ServerProcess.spawn(["--listen", "ws://127.0.0.1:0"],
                                     server_env(_broken_home(tmp_path)), cwd=tmp_path)
    try:
        url = await proc.listening()
        client = await ProtocolClient.over_websocket(url)
        try:
            await client.request_nowait("initialize", INIT)
            await asyncio.wait_for(client.closed.wait(), EXIT_TIMEOUT)
            assert client.received == []
            assert await asyncio.wait_for(proc.proc.wait(), EXIT_TIMEOUT) == 1
            await proc.stop()
            assert CORE_FAILED in proc.stderr_lines
        finally:
            await client.close()
    finally:
        await proc.stop()


async def test_websocket_address_in_use_is_a_usage_error(tmp_path: Path) -> None:
    """An address the early listener cannot bind ends the command with status 2 and
    the reason, before any client could connect."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        home = tmp_path / "home"
        home.mkdir()
        proc = await ServerProcess.spawn(["--listen", f"ws://127.0.0.1:{port}"],
                                         server_env(home), cwd=tmp_path)
        try:
            assert await asyncio.wait_for(proc.proc.wait(), EXIT_TIMEOUT) == 2
            await proc.stop()
            assert any(line.startswith(f"app-server gateway: cannot listen on ws://127.0.0.1:"
                                       f"{port}: ") for line in proc.stderr_lines)
        finally:
            await proc.stop()


async def test_term_right_after_an_early_initialize_stops_in_order(launch: Launcher) -> None:
    """A TERM once `initialize` is answered (the core may still be starting, or not yet
    spawned) ends the single command with status 0 and leaves no core child behind,
    as a TERM while serving does."""
    client = await launch("stdio")
    proc = client.process  # type: ignore[attr-defined]
    await client.call("initialize", INIT)
    assert await proc.stop(signal.SIGTERM, timeout=30) == 0, "\n".join(proc.stderr_lines)
    assert cores_of(proc.proc.pid) == [], "a core outlived the single command"
