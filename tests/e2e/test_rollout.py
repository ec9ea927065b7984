"""End to end: rolling restarts.

SIGTERM on a gateway writes the answer of a request still in flight, then
closes the websocket with 1001 (going away). SIGTERM on a core lets a
running turn finish within the turn grace period (its client sees it
complete), interrupts a turn that outlives the grace (its client sees it
interrupted, and the rollout keeps it), and exits 0; a new core process on
the same address over the same CODEX_HOME then serves the old thread to the
same websocket connection, which never resumed it: its gateway restored the
subscription, loading the thread from its rollout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.multi import (
    ClientPool,
    Cluster,
    RawWebSocket,
    deltas,
    start_turn,
    wait_turn_completed,
)
from tests.support.client import ProtocolClient, ServerProcess
from tests.support.mock_model import MockModelServer

WAIT = 15.0


@pytest.fixture
async def cluster(mock: MockModelServer, home: Path, tmp_path: Path) -> AsyncIterator[Cluster]:
    """A core (turn grace 10 s) and one websocket gateway logging at INFO."""
    async with Cluster(mock, home, tmp_path / "work", core_args=["--turn-grace", "10"]) as c:
        c.env["APP_SERVER_LOG"] = "INFO"
        await c.start_core()
        await c.add_gateway()
        yield c


async def said(proc: ServerProcess, text: str, timeout: float = WAIT) -> None:
    """Wait until `proc` has written a stderr line containing `text`."""
    async def wait() -> None:
        async with proc._changed:
            while not any(text in line for line in proc.stderr_lines):
                await proc._changed.wait()

    await asyncio.wait_for(wait(), timeout)


@contextlib.contextmanager
def fifos(folder: Path) -> Iterator[tuple[Path, Path]]:
    """Two named pipes (started, release); at the end, their far ends are
    opened non-blocking, so no thread of the test stays blocked on them."""
    started, release = folder / "started", folder / "release"
    os.mkfifo(started)
    os.mkfifo(release)
    try:
        yield started, release
    finally:
        for path, flags in ((started, os.O_WRONLY), (release, os.O_RDONLY)):
            with contextlib.suppress(OSError):
                os.close(os.open(path, flags | os.O_NONBLOCK))


async def test_gateway_sigterm_writes_the_answer_in_flight_then_closes_1001(
    cluster: Cluster, tmp_path: Path
) -> None:
    """A command/exec still running when the gateway gets SIGTERM is answered
    on the websocket, and only then is the connection closed with 1001."""
    gateway = cluster.gateways[0]
    raw = await RawWebSocket.connect(cluster.urls[0], rcvbuf=None)
    try:
        await raw.initialize("raw")
        with fifos(tmp_path) as (started, release):
            script = f"echo go > {started}; read x < {release}; echo finished"
            await raw.send_json({"id": "slow", "method": "command/exec",
                                 "params": {"command": ["sh", "-c", script]}})
            await asyncio.wait_for(asyncio.to_thread(started.read_text), WAIT)
            os.kill(gateway.proc.pid, signal.SIGTERM)
            await said(gateway, "shutting down")
            await asyncio.wait_for(asyncio.to_thread(release.write_text, "\n"), WAIT)
            answer = await asyncio.wait_for(raw.read_json(), WAIT)
        assert answer["id"] == "slow" and answer["result"]["stdout"] == "finished\n", answer
        frame = await asyncio.wait_for(raw.read_frame(), WAIT)
        assert frame is not None and frame[0] == 0x8
        assert raw.close_frame == (1001, "server shutting down")
    finally:
        raw.abort()
    assert await asyncio.wait_for(gateway.proc.wait(), WAIT) == 0


async def _streaming(client: ProtocolClient, mock: MockModelServer, tid: str,
                     words: int) -> str:
    """Start a turn whose answer streams `words` deltas 100 ms apart; returns
    its id once the first delta has arrived (the turn is running)."""
    text = "".join(f"w{i:02d} " for i in range(words))
    mock.enqueue({"kind": "text", "text": text, "deltas": words, "delay_ms": 100})
    turn = await start_turn(client, tid, "a long answer please")
    await client.wait_notification("item/agentMessage/delta",
                                   lambda p: p["turnId"] == turn, timeout=WAIT)
    return turn


async def test_core_sigterm_drains_turns_and_a_replacement_serves_the_old_thread(
    cluster: Cluster, mock: MockModelServer
) -> None:
    """SIGTERM mid-turn: the turn completes (all deltas) and the core exits 0;
    a new core on the same socket and CODEX_HOME then runs a turn on that
    thread for the same connection, with no thread/resume from the client."""
    async with ClientPool() as pool:
        client = await pool.connect(cluster.urls[0], "a")
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        turn = await _streaming(client, mock, tid, 20)
        core = cluster.core
        assert core is not None
        os.kill(core.proc.pid, signal.SIGTERM)
        done = await wait_turn_completed(client, turn, timeout=WAIT)
        assert done["status"] == "completed"
        assert "".join(deltas(client, turn)) == "".join(f"w{i:02d} " for i in range(20))
        assert await asyncio.wait_for(core.proc.wait(), WAIT) == 0

        await cluster.start_core()
        after = await start_turn(client, tid, "after the replacement")
        assert (await wait_turn_completed(client, after))["status"] == "completed"
        assert "".join(deltas(client, after)) == "Default mock answer."
        read = await client.call("thread/read", {"threadId": tid, "includeTurns": True})
        assert [t["id"] for t in read["thread"]["turns"]] == [turn, after]


async def test_core_sigterm_interrupts_a_turn_past_the_grace(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """A turn still running when the turn grace ends is interrupted: its client
    gets turn/completed "interrupted" before the core exits 0, and the
    replacement core reads it back from the rollout as interrupted."""
    async with Cluster(mock, home, tmp_path / "work",
                       core_args=["--turn-grace", "0.3"]) as cluster, ClientPool() as pool:
        await cluster.start_core()
        url = await cluster.add_gateway()
        client = await pool.connect(url, "a")
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        turn = await _streaming(client, mock, tid, 100)
        assert await cluster.stop_core() == 0
        done = await wait_turn_completed(client, turn, timeout=WAIT)
        assert done["status"] == "interrupted"

        await cluster.start_core()
        read = await client.call("thread/read", {"threadId": tid, "includeTurns": True},
                                 timeout=30)
        assert [(t["id"], t["status"]) for t in read["thread"]["turns"]] == [
            (turn, "interrupted")]
