"""End to end: several gateway processes on one core.

`app-server core` on a unix socket, two `app-server gateway` processes in
front of it. A thread started through gateway 1 and resumed through gateway
2 streams to both; killing gateway 1 leaves gateway 2's streams intact and
drops gateway 1's subscriptions; restarting the core: the gateways reconnect,
requests made meanwhile get a clear error, threads resume from disk, and the
subscriptions of still-open connections are restored.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.multi import (
    ClientPool,
    Cluster,
    deltas,
    fence,
    start_turn,
    thread_events,
    wait_turn_completed,
)
from tests.support.mock_model import MockModelServer

IDLE = "0.5"
CORE_UNAVAILABLE = {"code": -32603, "message": "core unavailable; retry later"}


@pytest.fixture
async def cluster(mock: MockModelServer, home: Path, tmp_path: Path) -> AsyncIterator[Cluster]:
    """A core (idle unload after 0.5 s) with two websocket gateways."""
    async with Cluster(mock, home, tmp_path / "work",
                       core_args=["--thread-idle-timeout", IDLE]) as c:
        await c.start_core()
        await c.add_gateway()
        await c.add_gateway()
        yield c


async def test_thread_resumed_through_another_gateway_streams_to_both(
    cluster: Cluster,
) -> None:
    """Started through gateway 1, resumed through gateway 2: both connections get its events."""
    g1, g2 = cluster.urls
    async with ClientPool() as pool:
        a = await pool.connect(g1, "a")
        b = await pool.connect(g2, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await b.wait_notification("thread/started", lambda p: p["thread"]["id"] == tid)
        first = await start_turn(a, tid, "one")
        await wait_turn_completed(a, first)
        await fence(b)
        assert thread_events(b, tid) == [], "b is not subscribed yet"

        resumed = await b.call("thread/resume", {"threadId": tid})
        assert [t["id"] for t in resumed["thread"]["turns"]] == [first]
        turn = await start_turn(a, tid, "two")
        assert (await wait_turn_completed(b, turn))["status"] == "completed"
        await wait_turn_completed(a, turn)
        assert "".join(deltas(b, turn)) == "".join(deltas(a, turn)) == "Default mock answer."
        turn = await start_turn(b, tid, "three")
        await wait_turn_completed(a, turn)
        await wait_turn_completed(b, turn)


async def test_killed_gateway_leaves_the_other_gateway_intact(
    cluster: Cluster, mock: MockModelServer
) -> None:
    """SIGKILL of gateway 1: gateway 2 keeps streaming; gateway 1's subscriptions are gone."""
    text = "".join(f"piece{i:02d} " for i in range(10))
    mock.enqueue({"kind": "text", "text": text, "deltas": 10, "delay_ms": 80})
    g1, g2 = cluster.urls
    async with ClientPool() as pool:
        a = await pool.connect(g1, "a")
        b = await pool.connect(g2, "b")
        shared = (await a.call("thread/start", {}))["thread"]["id"]
        await b.call("thread/resume", {"threadId": shared})
        only_a = (await a.call("thread/start", {}))["thread"]["id"]
        own = (await b.call("thread/start", {}))["thread"]["id"]

        streaming = await start_turn(b, own, "stream while gateway 1 dies")
        await b.wait_notification("item/agentMessage/delta")
        assert await cluster.gateways[0].stop(signal.SIGKILL) == -signal.SIGKILL
        await a.closed.wait()

        # Gateway 2's stream is intact: the running turn streams to its end.
        done = await wait_turn_completed(b, streaming)
        assert done["status"] == "completed"
        assert "".join(deltas(b, streaming)) == text
        # The core dropped gateway 1's subscriptions: its thread is unloaded...
        closed = await b.wait_notification("thread/closed", timeout=15)
        assert closed["params"] == {"threadId": only_a}
        loaded = (await b.call("thread/loaded/list", {}))["data"]
        assert only_a not in loaded and shared in loaded and own in loaded
        # ...and new turns through gateway 2 keep working and streaming.
        turn = await start_turn(b, shared, "still here")
        assert (await wait_turn_completed(b, turn))["status"] == "completed"
        assert "".join(deltas(b, turn)) == "Default mock answer."


async def test_core_restart_gateways_reconnect_and_threads_resume_from_disk(
    cluster: Cluster,
) -> None:
    """Core restarted on the same socket: clear error meanwhile, then everything works again."""
    g1, g2 = cluster.urls
    async with ClientPool() as pool:
        a = await pool.connect(g1, "a")
        b = await pool.connect(g2, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        first = await start_turn(a, tid, "before the restart")
        await wait_turn_completed(a, first)

        assert await cluster.stop_core() == 0
        down = await a.request("thread/loaded/list", {}, timeout=30)
        assert down["error"] == CORE_UNAVAILABLE, down
        await cluster.start_core()

        # Both gateways reconnect; their connections stay initialized.
        assert "result" in await a.request("thread/loaded/list", {}, timeout=30)
        assert "result" in await b.request("thread/loaded/list", {}, timeout=30)
        resumed = await b.call("thread/resume", {"threadId": tid})
        turns = resumed["thread"]["turns"]
        assert [t["id"] for t in turns] == [first]
        assert turns[0]["items"][0]["content"][0]["text"] == "before the restart"
        turn = await start_turn(b, tid, "after the restart")
        assert (await wait_turn_completed(b, turn))["status"] == "completed"
        assert "".join(deltas(b, turn)) == "Default mock answer."
        resumed = await a.call("thread/resume", {"threadId": tid})
        assert [t["id"] for t in resumed["thread"]["turns"]] == [first, turn]


async def test_subscriptions_of_open_connections_are_restored_after_core_restart(
    cluster: Cluster, mock: MockModelServer
) -> None:
    """After a core restart, a connection subscribed before it gets the thread's events again."""
    g1, g2 = cluster.urls
    text = "".join(f"word{i:02d} " for i in range(20))
    mock.enqueue({"kind": "text", "text": "first answer"},
                 {"kind": "text", "text": text, "deltas": 20, "delay_ms": 100})
    async with ClientPool() as pool:
        a = await pool.connect(g1, "a")
        b = await pool.connect(g2, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await wait_turn_completed(a, await start_turn(a, tid, "before the restart"))

        assert await cluster.stop_core() == 0
        await cluster.start_core()
        assert "result" in await a.request("thread/loaded/list", {}, timeout=30)
        await b.call("thread/resume", {"threadId": tid}, timeout=30)
        # A streaming turn: A's gateway has the time to restore A's subscription.
        turn = await start_turn(b, tid, "after the restart")
        await wait_turn_completed(b, turn)
        # A never resumed again, yet it is still subscribed.
        done = await wait_turn_completed(a, turn)
        assert done["status"] == "completed"
        assert deltas(a, turn) and text.endswith("".join(deltas(a, turn)))
