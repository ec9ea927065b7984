"""End to end: many connections at once, a client that stops reading, ingress overload.

50 websocket connections each run a streaming turn at the same time and
finish without deadlock or cross-talk; a client that never reads is
disconnected once its outbound queue is full while another connection keeps
working; a flood of 1,000 requests written without reading, far beyond the
per-connection in-flight bound, waits in the connection's backlog and gets
every answer with no -32001 "Server overloaded; retry later." (the
reference refuses about 100 to 170 of them).
"""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import Launcher
from tests.e2e.multi import (
    ClientPool,
    RawWebSocket,
    deltas,
    start_turn,
    thread_events,
    wait_turn_completed,
)
from tests.support.client import ProtocolClient
from tests.support.conformance import reference_available
from tests.support.mock_model import MockModelServer

CONNECTIONS = 50
# Requests written without reading: beyond the gateway's per-connection in-flight
# bound (64) but within it plus the backlog (1,024) (gateway.connection.Limits defaults).
FLOOD = 1000
# Well beyond the per-connection outbound queue (4096 messages) plus what the
# kernel socket buffers hold (at most 4 MiB here: ~15,000 of these 270-byte messages).
HOG_DELTAS = 20_000
HOG_CHUNK = "x" * 199 + " "


async def _one_connection(url: str, pool: ClientPool, index: int) -> tuple[
        ProtocolClient, str, str]:
    client = await pool.connect(url, f"client-{index}")
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    turn = await start_turn(client, tid, f"question from connection {index}")
    await wait_turn_completed(client, turn, timeout=60)
    return client, tid, turn


async def test_fifty_concurrent_turns_complete_without_cross_talk(
    launch: Launcher, mock: MockModelServer
) -> None:
    """50 connections each stream a turn at once; each sees only its own thread's events."""
    answer = "one two three four five six"
    mock.set_script([], default={"kind": "text", "text": answer, "deltas": 6, "delay_ms": 20})
    first = await launch("ws")
    url = first.url  # type: ignore[attr-defined]
    async with ClientPool() as pool, asyncio.timeout(90):
        results = await asyncio.gather(
            *(_one_connection(url, pool, i) for i in range(CONNECTIONS)))
    assert len(mock.responses_requests) == CONNECTIONS
    own = {tid for _, tid, _ in results}
    assert len(own) == CONNECTIONS
    for index, (client, tid, turn) in enumerate(results):
        foreign = [n for n in client.notifications if n["method"] != "thread/started"
                   and (n["params"] or {}).get("threadId") not in (None, tid)]
        assert foreign == [], (index, [n["method"] for n in foreign])
        assert "".join(deltas(client, turn)) == answer
        completed = [n for n in client.notifications if n["method"] == "turn/completed"]
        assert len(completed) == 1 and completed[0]["params"]["turn"]["id"] == turn
        users = [n["params"]["item"] for n in thread_events(client, tid)
                 if n["method"] == "item/started" and n["params"]["item"]["type"] == "userMessage"]
        assert users[0]["content"][0]["text"] == f"question from connection {index}"
        assert client.validated > 0 or not reference_available()


async def test_client_that_never_reads_is_disconnected_while_others_proceed(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A client that stops reading is dropped when its queue is full; others keep working."""
    mock.enqueue({"kind": "text", "text": HOG_CHUNK * HOG_DELTAS, "deltas": HOG_DELTAS})
    first = await launch("ws")
    url = first.url  # type: ignore[attr-defined]
    hog = await RawWebSocket.connect(url)
    watcher = await RawWebSocket.connect(url, rcvbuf=None)
    try:
        async with asyncio.timeout(15):
            await hog.initialize("hog")
            tid = (await hog.call("start", "thread/start", {}))["result"]["thread"]["id"]
            # The watcher subscribes before the flood starts (with a fast
            # model stream, subscribing after the request could miss it all).
            await watcher.initialize("watcher")
            await watcher.call("resume", "thread/resume", {"threadId": tid})
            await hog.send_json({"id": "turn", "method": "turn/start", "params": {
                "threadId": tid, "input": [{"type": "text", "text": "flood me"}]}})
            await mock.wait_requests(1, timeout=15)
            # From now on the hog reads nothing until the end of the turn.

        async def watch() -> int:
            """Read the flood on a connection that keeps up, until turn/completed."""
            seen = 0
            while True:
                msg = await watcher.read_json()
                if msg.get("method") == "item/agentMessage/delta":
                    seen += 1
                elif msg.get("method") == "turn/completed":
                    return seen

        # Reading starts now, not after `other` connects: the flood is already
        # streaming, and a watcher that lags by its socket buffers plus the
        # gateway's outbound queue is (rightly) dropped as a slow client.
        watching = asyncio.ensure_future(watch())
        async with ClientPool() as pool:
            other = await pool.connect(url, "other")

            async def work() -> None:
                """Another connection runs its own turns meanwhile."""
                otid = (await other.call("thread/start", {}))["thread"]["id"]
                for text in ("hello", "again"):
                    turn = await start_turn(other, otid, text)
                    assert (await wait_turn_completed(other, turn, timeout=60))[
                        "status"] == "completed"
                    assert "".join(deltas(other, turn)) == "Default mock answer."

            try:
                async with asyncio.timeout(90):
                    seen, _ = await asyncio.gather(watching, work())
            finally:
                watching.cancel()
            assert seen > 0
            # The whole turn was routed to the hog by now: its stream must end
            # (close frame or cut connection) well before the whole answer.
            texts = 0
            completed = False
            async with asyncio.timeout(30):
                while (frame := await hog.read_frame()) is not None and frame[0] != 0x8:
                    if frame[0] == 0x1:
                        texts += 1
                        completed = completed or b'"turn/completed"' in frame[1]
            assert not completed, "the non-reading client got the whole turn"
            assert texts < HOG_DELTAS, texts
            if hog.close_frame is not None:
                assert hog.close_frame[0] == 1008, hog.close_frame
            # The server is still healthy for everyone else.
            assert "result" in await other.request("thread/loaded/list", {})
    finally:
        hog.abort()
        watcher.abort()


async def test_flood_of_unread_requests_is_answered_without_refusals(
        launch: Launcher) -> None:
    """1,000 requests written on a websocket before any answer is read: each is answered
    once, in full and none -32001 (they wait behind the in-flight bound); the
    connection is still usable afterwards."""
    client = await launch("ws")
    await client.initialize()
    ids = [await client.request_nowait("thread/loaded/list", {}) for _ in range(FLOOD)]
    answers = [await client.wait_response(rid, timeout=60) for rid in ids]
    errors = [a["error"] for a in answers if "error" in a]
    assert not errors, (len(errors), errors[:3])
    assert all(a["result"] == {"data": [], "nextCursor": None} for a in answers)
    responses = [m for m in client.received if "method" not in m]
    assert len(responses) == FLOOD + 1  # + initialize
    assert "result" in await client.request("thread/loaded/list", {})
