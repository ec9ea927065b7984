"""End to end: many connections at once, a client that stops reading, ingress overload.

50 websocket connections each run a streaming turn at the same time and
finish without deadlock or cross-talk; a client that never reads is
disconnected once its outbound queue is full while another connection keeps
working; a burst of requests beyond the per-connection in-flight bound gets
-32001 "Server overloaded; retry later." for the excess, every request
answered once.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import Launcher
from tests.e2e.multi import ClientPool, deltas, start_turn, thread_events, wait_turn_completed
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

CONNECTIONS = 50
OVERLOADED = {"code": -32001, "message": "Server overloaded; retry later."}
# The gateway's per-connection bounds (gateway.connection.Limits defaults).
OUTBOUND_QUEUE = 4096
IN_FLIGHT = 64
HOG_DELTAS = 20_000


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
        assert client.validated > 0


async def _non_reading_client(url: str) -> Any:
    """A websocket client with a tiny receive window that reads nothing by itself."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Small kernel receive buffer: the server's writes back up quickly.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    # max_queue=1: the library stops reading the socket after one unread frame.
    return await websockets.connect(url, sock=sock, max_queue=1, max_size=None,
                                    ping_interval=None, open_timeout=10)


async def test_client_that_never_reads_is_disconnected_while_others_proceed(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A client that stops reading is dropped when its queue is full; others keep working."""
    chunk = "x" * 399 + " "
    mock.enqueue({"kind": "text", "text": chunk * HOG_DELTAS, "deltas": HOG_DELTAS})
    first = await launch("ws")
    url = first.url  # type: ignore[attr-defined]
    hog = await _non_reading_client(url)
    try:
        for i, msg in enumerate([
            {"id": 1, "method": "initialize",
             "params": {"clientInfo": {"name": "hog", "title": None, "version": "1"}}},
            {"method": "initialized"},
            {"id": 2, "method": "thread/start", "params": {}},
        ]):
            await hog.send(json.dumps(msg))
            if i == 0:
                assert json.loads(await hog.recv())["id"] == 1
        tid = None
        while tid is None:  # the thread/start answer (thread/started may come first)
            msg = json.loads(await asyncio.wait_for(hog.recv(), 15))
            if msg.get("id") == 2:
                tid = msg["result"]["thread"]["id"]
        await hog.send(json.dumps({"id": 3, "method": "turn/start", "params": {
            "threadId": tid, "input": [{"type": "text", "text": "flood me"}]}}))
        await mock.wait_requests(1, timeout=15)

        # Another connection works normally meanwhile.
        async with ClientPool() as pool:
            other = await pool.connect(url, "other")
            otid = (await other.call("thread/start", {}))["thread"]["id"]
            turn = await start_turn(other, otid, "hello")
            assert (await wait_turn_completed(other, turn, timeout=30))["status"] == "completed"
            assert "".join(deltas(other, turn)) == "Default mock answer."

            # Now read what the hog was sent: it ends with a disconnect, well
            # before the whole answer (HOG_DELTAS deltas + turn/completed).
            received = 0
            completed = False
            async with asyncio.timeout(30):
                try:
                    while True:
                        raw = await hog.recv()
                        received += 1
                        completed = completed or '"turn/completed"' in str(raw)
                except ConnectionClosed:
                    pass
            assert not completed, "the non-reading client got the whole turn"
            assert received < HOG_DELTAS, received
            # The server is still healthy for everyone else.
            assert "result" in await other.request("thread/loaded/list", {})
    finally:
        hog.transport.abort()


async def test_burst_beyond_in_flight_bound_gets_overloaded_error(launch: Launcher) -> None:
    """200 requests fired at once: the excess gets -32001; every request answered once."""
    client = await launch("ws")
    await client.initialize()
    total = 200
    ids = [await client.request_nowait("thread/start", {}) for _ in range(total)]
    answers = [await client.wait_response(rid, timeout=60) for rid in ids]
    errors = [a["error"] for a in answers if "error" in a]
    ok = [a for a in answers if "result" in a]
    assert errors, "no request was refused"
    assert all(e == OVERLOADED for e in errors), errors[:3]
    assert len(ok) >= IN_FLIGHT, len(ok)
    assert len(ok) + len(errors) == total
    responses = [m for m in client.received if "method" not in m]
    assert len(responses) == total + 1  # + initialize
    # The connection is still usable afterwards.
    assert "result" in await client.request("thread/loaded/list", {})
