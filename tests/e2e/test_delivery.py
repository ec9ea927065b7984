"""End to end: connection-aware delivery over several websocket connections of one server.

Responses go only to the connection that asked (ids are per connection);
initialize is per connection; thread events reach only the thread's
subscribers (thread/start, thread/resume subscribe; thread/unsubscribe and
disconnecting unsubscribe that connection only); a thread without
subscribers is unloaded after the idle time and `thread/closed` announced;
per-connection capabilities (optOutNotificationMethods, experimentalApi).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.multi import (
    ClientPool,
    deltas,
    fence,
    start_turn,
    thread_events,
    wait_turn_completed,
)
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

IDLE = "0.5"
UNKNOWN_THREAD = "01a2aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa"
EXPERIMENTAL_ERROR = "account/login/start.chatgptAuthTokens requires experimentalApi capability"


async def _url(launch: Launcher, **kw: object) -> tuple[ProtocolClient, str]:
    first = await launch("ws", **kw)  # type: ignore[arg-type]
    return first, first.url  # type: ignore[attr-defined]


def _responses(client: ProtocolClient) -> list[dict[str, object]]:
    return [m for m in client.received if "method" not in m]


async def test_same_request_ids_get_only_their_own_responses(launch: Launcher) -> None:
    """Two connections using the same request ids each get exactly their own answers."""
    _, url = await _url(launch)
    async with ClientPool() as pool:
        a = await pool.connect(url, "first")
        b = await pool.connect(url, "second")
        ids = [100, 101, 102, "x", "7"]
        # Interleave the two connections' requests with identical ids.
        for rid in ids:
            await a.request_nowait("thread/start", {}, id=rid)
            await b.request_nowait("thread/loaded/list", {}, id=rid)
        for rid in ids:
            ra = await a.wait_response(rid)
            rb = await b.wait_response(rid)
            assert "thread" in ra["result"], ra
            assert "data" in rb["result"], rb
            assert type(ra["id"]) is type(rid) and type(rb["id"]) is type(rid)
        await fence(a)
        await fence(b)
        # initialize + 5 + the fence's thread/start: nothing else, nothing twice.
        assert len(_responses(a)) == len(ids) + 2, _responses(a)
        assert len(_responses(b)) == len(ids) + 2, _responses(b)


async def test_initialize_rules_are_per_connection(launch: Launcher) -> None:
    """Each connection must initialize itself, once; another's initialize does not count."""
    first, url = await _url(launch)
    await first.initialize("first-client")
    async with ClientPool() as pool:
        b = await pool.connect(url, None)
        refused = await b.request("thread/loaded/list", {})
        assert refused["error"] == {"code": -32600, "message": "Not initialized"}
        result = await b.initialize("second-client")
        assert result["userAgent"].startswith("second-client/"), result
        assert result["userAgent"].endswith("(second-client; 1.0.0)"), result
        again = await first.request("initialize",
                                    {"clientInfo": {"name": "x", "version": "1"}})
        assert again["error"] == {"code": -32600, "message": "Already initialized"}
        again = await b.request("initialize", {"clientInfo": {"name": "x", "version": "1"}})
        assert again["error"] == {"code": -32600, "message": "Already initialized"}
        # A third connection is again uninitialized.
        c = await pool.connect(url, None)
        refused = await c.request("thread/loaded/list", {})
        assert refused["error"] == {"code": -32600, "message": "Not initialized"}


async def test_thread_events_reach_only_subscribed_connections(launch: Launcher) -> None:
    """A connection that never touched a thread gets its thread/started but no turn events."""
    a, url = await _url(launch)
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await b.wait_notification("thread/started", lambda p: p["thread"]["id"] == tid)
        turn = await start_turn(a, tid, "hello")
        assert (await wait_turn_completed(a, turn))["status"] == "completed"
        assert deltas(a, turn), "the subscriber streams the answer"
        assert any(n["method"] == "item/started" for n in thread_events(a, tid))
        await fence(b)
        assert thread_events(b, tid) == [], [n["method"] for n in thread_events(b, tid)]


async def test_resume_subscribes_the_caller(launch: Launcher) -> None:
    """After thread/resume on connection B, B receives the thread's next turn events too."""
    a, url = await _url(launch)
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await wait_turn_completed(a, await start_turn(a, tid, "one"))
        resumed = await b.call("thread/resume", {"threadId": tid})
        assert [t["status"] for t in resumed["thread"]["turns"]] == ["completed"]
        since = len(b.notifications)
        turn = await start_turn(a, tid, "two")
        done_b = await wait_turn_completed(b, turn)
        done_a = await wait_turn_completed(a, turn)
        assert done_a == done_b and done_b["status"] == "completed"
        assert "".join(deltas(b, turn)) == "".join(deltas(a, turn)) == "Default mock answer."
        # ...and a turn started by B reaches A.
        turn = await start_turn(b, tid, "three")
        await wait_turn_completed(a, turn)
        assert any(n["method"] == "item/started" for n in thread_events(b, tid, since))


async def test_resume_during_a_running_turn_gets_the_rest_of_it(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A connection that resumes while a turn streams receives the rest of that turn."""
    text = "".join(f"chunk{i:02d} " for i in range(20))
    mock.enqueue({"kind": "text", "text": text, "deltas": 20, "delay_ms": 60})
    a, url = await _url(launch)
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        turn = await start_turn(a, tid, "stream slowly")
        await a.wait_notification("item/agentMessage/delta")
        resumed = await b.call("thread/resume", {"threadId": tid})
        assert resumed["thread"]["turns"][-1]["status"] == "inProgress", resumed
        done = await wait_turn_completed(b, turn)
        assert done["status"] == "completed"
        got = deltas(b, turn)
        assert got, "B received none of the running turn's deltas"
        assert text.endswith("".join(got)), got
        agent = [n for n in thread_events(b, tid) if n["method"] == "item/completed"
                 and n["params"]["item"]["type"] == "agentMessage"]
        assert agent and agent[0]["params"]["item"]["text"] == text


async def test_unsubscribe_stops_delivery_to_that_connection_only(launch: Launcher) -> None:
    """thread/unsubscribe answers unsubscribed / notSubscribed / notLoaded; only B stops."""
    a, url = await _url(launch)
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await b.call("thread/resume", {"threadId": tid})
        assert await b.call("thread/unsubscribe", {"threadId": tid}) == {
            "status": "unsubscribed"}
        assert await b.call("thread/unsubscribe", {"threadId": tid}) == {
            "status": "notSubscribed"}
        assert await b.call("thread/unsubscribe", {"threadId": UNKNOWN_THREAD}) == {
            "status": "notLoaded"}
        since = len(b.notifications)
        turn = await start_turn(a, tid, "only for a")
        assert (await wait_turn_completed(a, turn))["status"] == "completed"
        assert deltas(a, turn)
        await fence(b)
        assert thread_events(b, tid, since) == [], b.methods(since)
        # A is still subscribed: the thread stays loaded.
        assert tid in (await a.call("thread/loaded/list", {}))["data"]


async def test_disconnect_stops_delivery_to_that_connection_only(launch: Launcher) -> None:
    """A subscriber that disconnects loses its subscription; the others keep theirs."""
    a, url = await _url(launch, env={"APP_SERVER_THREAD_IDLE_TIMEOUT": IDLE})
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        watcher = await pool.connect(url, "watcher")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await b.call("thread/resume", {"threadId": tid})
        await b.close()
        turn = await start_turn(a, tid, "after b left")
        assert (await wait_turn_completed(a, turn))["status"] == "completed"
        # A still subscribed: no thread/closed within several idle times.
        with pytest.raises(TimeoutError):
            await watcher.wait_notification("thread/closed", timeout=4 * float(IDLE))
        assert tid in (await watcher.call("thread/loaded/list", {}))["data"]
        # A leaves too: now the thread is unloaded.
        await a.close()
        closed = await watcher.wait_notification("thread/closed", timeout=10)
        assert closed["params"] == {"threadId": tid}
        assert tid not in (await watcher.call("thread/loaded/list", {}))["data"]


async def test_last_unsubscribe_unloads_after_idle_time(launch: Launcher) -> None:
    """When the last subscriber unsubscribes, the thread is unloaded and thread/closed sent."""
    a, url = await _url(launch, env={"APP_SERVER_THREAD_IDLE_TIMEOUT": IDLE})
    await a.initialize("a")
    async with ClientPool() as pool:
        watcher = await pool.connect(url, "watcher")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await wait_turn_completed(a, await start_turn(a, tid, "persist me"))
        assert tid in (await watcher.call("thread/loaded/list", {}))["data"]
        loop = asyncio.get_running_loop()
        left = loop.time()
        assert await a.call("thread/unsubscribe", {"threadId": tid}) == {
            "status": "unsubscribed"}
        closed = await watcher.wait_notification("thread/closed", timeout=10)
        assert closed["params"] == {"threadId": tid}
        assert loop.time() - left >= float(IDLE) * 0.9, "unloaded before the idle time"
        assert (await watcher.call("thread/loaded/list", {}))["data"] == []
        assert await a.call("thread/unsubscribe", {"threadId": tid}) == {"status": "notLoaded"}
        # Unloaded, not lost: resuming loads it from disk with its turn.
        resumed = await watcher.call("thread/resume", {"threadId": tid})
        assert [t["status"] for t in resumed["thread"]["turns"]] == ["completed"]


async def test_turn_keeps_running_when_its_subscribers_leave(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A turn whose only subscriber disconnects still completes; its items are in the rollout."""
    text = "".join(f"part{i:02d} " for i in range(12))
    mock.enqueue({"kind": "text", "text": text, "deltas": 12, "delay_ms": 80})
    a, url = await _url(launch)
    await a.initialize("a")
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        turn = await start_turn(a, tid, "keep going")
        await a.wait_notification("item/agentMessage/delta")
        await a.close()
        resumed = await b.call("thread/resume", {"threadId": tid})
        if resumed["thread"]["turns"][-1]["status"] == "inProgress":
            await wait_turn_completed(b, turn)
        read = await b.call("thread/read", {"threadId": tid, "includeTurns": True})
        last = read["thread"]["turns"][-1]
        assert last["status"] == "completed", last
        assert [i["type"] for i in last["items"]] == ["userMessage", "agentMessage"]
        assert last["items"][1]["text"] == text


async def test_opt_out_notification_methods_is_per_connection(launch: Launcher) -> None:
    """Opting out of item/agentMessage/delta removes the deltas for that connection only."""
    a, url = await _url(launch)
    await a.initialize("a", optOutNotificationMethods=["item/agentMessage/delta",
                                                       "no/such/method"])
    async with ClientPool() as pool:
        b = await pool.connect(url, "b")
        tid = (await a.call("thread/start", {}))["thread"]["id"]
        await b.call("thread/resume", {"threadId": tid})
        turn = await start_turn(a, tid, "hello")
        await wait_turn_completed(a, turn)
        await wait_turn_completed(b, turn)
        await fence(a)
        methods_a = [n["method"] for n in thread_events(a, tid)]
        assert "item/agentMessage/delta" not in methods_a, methods_a
        assert "item/started" in methods_a and "item/completed" in methods_a
        agent = [n for n in thread_events(a, tid) if n["method"] == "item/completed"
                 and n["params"]["item"]["type"] == "agentMessage"]
        assert agent[0]["params"]["item"]["text"] == "Default mock answer."
        assert "".join(deltas(b, turn)) == "Default mock answer."


async def test_experimental_api_gating_is_per_connection(launch: Launcher) -> None:
    """Experimental params are refused without the capability, accepted with it."""
    a, url = await _url(launch)
    await a.initialize("a")
    params = {"type": "chatgptAuthTokens", "accessToken": "not-a-jwt",
              "chatgptAccountId": "acct_1", "chatgptPlanType": None}
    refused = await a.request("account/login/start", params)
    assert refused["error"] == {"code": -32600, "message": EXPERIMENTAL_ERROR}
    async with ClientPool() as pool:
        b = await pool.connect(url, "b", experimentalApi=True)
        passed = await b.request("account/login/start", params)
        # Past the gate: a non-JWT token fails further on, not on the capability.
        assert passed.get("error", {}).get("message") != EXPERIMENTAL_ERROR, passed
        c = await pool.connect(url, "c", experimentalApi=False)
        refused = await c.request("account/login/start", params)
        assert refused["error"] == {"code": -32600, "message": EXPERIMENTAL_ERROR}
