"""One client connection at run time, driven through an in-memory message
stream against the in-process fake core: every request answered, in-flight
work bounded per connection and gateway-wide, requests beyond those bounds
queued in a bounded backlog (-32001 at once beyond it), a client that stops
reading dropped rather than waited for."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app_server_protocol.addresses import grpc_target
from app_server_protocol.methods import CLIENT_REQUESTS
from gateway.connection import (
    CLOSE_GOING_AWAY,
    CLOSE_POLICY,
    QUEUED_OVERHEAD,
    Backlog,
    Connection,
    IngressLimit,
    Limits,
    overloaded,
)
from gateway.core_link import CoreLink
from gateway.session import Call
from tests.unit.gateway.fake_core import FakeCore

WAIT = 5.0
OVERLOADED = {"code": -32001, "message": "Server overloaded; retry later."}
INITIALIZE = {"id": 0, "method": "initialize",
              "params": {"clientInfo": {"name": "unit", "version": "1"}}}


class MemoryStream:
    """A client as a `MessageStream`: the test feeds its input and reads what it got.
    While `reading` is clear, `send` blocks like a peer that stopped reading."""

    peer = "memory"

    def __init__(self, *, reading: bool = True) -> None:
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reading = asyncio.Event()
        if reading:
            self.reading.set()
        self.aborted: asyncio.Future[tuple[int, str]] = (
            asyncio.get_running_loop().create_future())
        # Set when the connection has read the end of the input.
        self.eof_read = asyncio.Event()

    def feed(self, message: dict[str, Any] | None) -> None:
        """Give the connection one message (None: the client closed its input)."""
        self.inbox.put_nowait(None if message is None else json.dumps(message).encode())

    async def next(self) -> dict[str, Any]:
        """The next message the client received (bounded wait)."""
        return await asyncio.wait_for(self.got.get(), WAIT)

    async def receive(self) -> bytes | None:
        message = await self.inbox.get()
        if message is None:
            self.eof_read.set()
        return message

    async def send(self, messages: list[bytes]) -> None:
        await self.reading.wait()
        for m in messages:
            self.got.put_nowait(json.loads(m))

    async def abort(self, code: int, reason: str) -> None:
        if not self.aborted.done():
            self.aborted.set_result((code, reason))
        self.inbox.put_nowait(None)


@asynccontextmanager
async def core_link() -> AsyncIterator[tuple[FakeCore, CoreLink]]:
    """The fake core and a core link to it (the connection's backend)."""
    core = FakeCore()
    await core.start()
    link = CoreLink(grpc_target(core.target), "gw-unit", on_frame=lambda _: None,
                    call_timeout=WAIT, ready_timeout=2.0)
    await link.start()
    try:
        yield core, link
    finally:
        await link.close()
        await core.stop()


@asynccontextmanager
async def running(
    link: CoreLink, stream: MemoryStream, ingress: IngressLimit, limits: Limits | None = None,
    *, name: str = "c1", drain_on_eof: bool = True,
) -> AsyncIterator[tuple[Connection, asyncio.Task[None]]]:
    """A connection served on `stream` until the block ends (then its input is closed and
    `run` must return in time)."""
    conn = Connection(name, stream, link, ingress, limits, drain_on_eof=drain_on_eof)
    task = asyncio.ensure_future(conn.run())
    try:
        yield conn, task
    finally:
        stream.feed(None)
        await asyncio.wait_for(task, WAIT)


async def initialized(stream: MemoryStream) -> None:
    """Send initialize and check it is answered."""
    stream.feed(INITIALIZE)
    assert (await stream.next())["result"] == {"userAgent": "fake/unit"}


def test_ingress_limit_is_a_hard_bound() -> None:
    """Slots are granted up to the limit, refused beyond it, and usable again once
    released; `overloaded()` is -32001 "Server overloaded; retry later."."""
    ingress = IngressLimit(2)
    assert [ingress.try_acquire() for _ in range(3)] == [True, True, False]
    ingress.release()
    assert ingress.try_acquire() and ingress.in_flight == 2
    assert overloaded().to_json() == OVERLOADED


async def test_requests_are_answered_and_run_ends_with_the_input() -> None:
    """A request is forwarded to the core as this connection and its answer sent back
    with the client's id; `run` returns when the client closes its input."""
    async with core_link() as (_, link):
        stream = MemoryStream()
        async with running(link, stream, IngressLimit(8)) as (conn, task):
            await initialized(stream)
            stream.feed({"id": "a", "method": "thread/loaded/list", "params": {}})
            assert await stream.next() == {"id": "a", "result": {"data": ["c1"],
                                                                 "nextCursor": None}}
        assert task.done() and conn.dropped is None


def _call(seq: int) -> Call:
    method = CLIENT_REQUESTS["thread/loaded/list"]
    return Call(seq, method, method.params(), seq)


def test_ingress_wakes_waiting_connections_in_turn() -> None:
    """A connection that found no gateway-wide slot is woken once when one is given
    back, oldest waiter first, and only while slots last; a forgotten one is not."""
    ingress, woken = IngressLimit(1), list[str]()

    def waker(key: str) -> Callable[[], None]:
        def wake() -> None:
            woken.append(key)
            assert ingress.try_acquire()
        return wake

    assert ingress.try_acquire()
    for key in ("a", "b", "c"):
        ingress.wait_for_slot(key, waker(key))
    ingress.wait_for_slot("a", waker("a again"))
    ingress.forget("b")
    ingress.release()
    assert woken == ["a"] and ingress.in_flight == 1
    ingress.release()
    assert woken == ["a", "c"]
    ingress.release()
    assert woken == ["a", "c"] and ingress.in_flight == 0


def test_backlog_is_bounded_per_connection_and_in_bytes_gateway_wide() -> None:
    """A backlog takes requests up to its count, and all backlogs together up to the
    ingress's byte bound (message size plus the parsed form's overhead); it gives them
    back oldest first, uncounting their bytes."""
    ingress = IngressLimit(8, backlog_bytes=3 * (100 + QUEUED_OVERHEAD))
    mine, other = Backlog(2, ingress), Backlog(8, ingress)
    assert [mine.offer(_call(i), 100) for i in (1, 2, 3)] == [True, True, False]
    assert other.offer(_call(4), 100) and not other.offer(_call(5), 100)
    assert ingress.queued_bytes == ingress.backlog_bytes
    assert mine.peek().seq == 1 and mine.pop().seq == 1 and len(mine) == 1
    assert other.offer(_call(6), 100)
    assert [c.seq for c in other.clear()] == [4, 6] and [c.seq for c in mine.clear()] == [2]
    assert ingress.queued_bytes == 0 and not mine and not other


async def test_requests_beyond_the_bound_wait_in_the_backlog_then_32001() -> None:
    """With `per_connection_in_flight` requests awaiting the core, the next ones wait
    in the backlog (not sent to the core yet) and the one beyond the backlog is
    answered -32001 at once; the queued one starts when a slot is given back and every
    request is answered; the slots are given back."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        stream, ingress = MemoryStream(), IngressLimit(8)
        limits = Limits(per_connection_in_flight=2, per_connection_backlog=1)
        async with running(link, stream, ingress, limits):
            await initialized(stream)
            for rid in (1, 2):
                stream.feed({"id": rid, "method": "thread/start", "params": {}})
            for _ in range(2):
                await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            stream.feed({"id": 3, "method": "thread/start", "params": {}})
            stream.feed({"id": 4, "method": "thread/start", "params": {}})
            assert await stream.next() == {"id": 4, "error": OVERLOADED}
            assert core.thread_start_entered.empty() and ingress.queued_bytes > 0
            hold.set()
            answered = {(m := await stream.next())["id"]: m for _ in range(3)}
            assert sorted(answered) == [1, 2, 3] and all("result" in m for m in answered.values())
            assert ingress.in_flight == 0 and ingress.queued_bytes == 0


async def test_gateway_wide_bound_is_shared_and_a_queued_request_waits_for_it() -> None:
    """Two connections share one ingress bound: while one holds the only slot the other's
    request waits (its initialize is still answered: it takes no slot) and is served
    once the slot is given back; without a backlog it is answered -32001 at once."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        ingress = IngressLimit(1)
        a, b, c = MemoryStream(), MemoryStream(), MemoryStream()
        async with running(link, a, ingress, name="a"), running(link, b, ingress, name="b"), \
                running(link, c, ingress, Limits(per_connection_backlog=0), name="c"):
            await initialized(a)
            a.feed({"id": 1, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            await initialized(b)
            await initialized(c)
            b.feed({"id": 1, "method": "thread/loaded/list", "params": {}})
            c.feed({"id": 1, "method": "thread/loaded/list", "params": {}})
            assert await c.next() == {"id": 1, "error": OVERLOADED}
            assert b.got.empty()
            hold.set()
            assert (await a.next())["result"]["thread"]["id"] == "thread-of-a"
            assert (await b.next())["result"]["data"] == ["b"]
            assert ingress.in_flight == 0


async def test_drop_abandons_the_backlog() -> None:
    """Dropping a connection answers nothing more: its queued requests are discarded
    with their bytes uncounted, and it no longer waits for a gateway-wide slot."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        ingress = IngressLimit(1)
        a, b = MemoryStream(), MemoryStream()
        async with running(link, a, ingress, name="a"), \
                running(link, b, ingress, name="b") as (conn_b, task_b):
            await initialized(a)
            await initialized(b)
            a.feed({"id": 1, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            b.feed({"id": 1, "method": "thread/start", "params": {}})
            b.feed({"id": 2, "method": "thread/loaded/list", "params": {}})
            # Answered at once, so read after the two above: they are queued by now.
            b.feed(INITIALIZE)
            assert (await b.next())["error"]["message"] == "Already initialized"
            assert ingress.queued_bytes >= 2 * QUEUED_OVERHEAD
            conn_b.drop(CLOSE_GOING_AWAY, "server shutting down")
            await asyncio.wait_for(asyncio.shield(task_b), WAIT)
            assert ingress.queued_bytes == 0 and b.got.empty()
            hold.set()
            assert "result" in await a.next()
            assert core.thread_start_entered.empty() and ingress.in_flight == 0


async def test_client_that_stops_reading_is_dropped() -> None:
    """Once a client's outbound queue is full it is dropped (close 1008 "...not reading")
    instead of being waited for: `enqueue` says False, `run` returns, later messages are
    refused."""
    async with core_link() as (_, link):
        stream = MemoryStream(reading=False)
        async with running(link, stream, IngressLimit(8), Limits(outbound_queue=4)) as (
                conn, task):
            assert conn.enqueue([b'{"method":"n"}'] * 4)
            assert not conn.enqueue([b'{"method":"n"}'] * 2)
            code, reason = await asyncio.wait_for(stream.aborted, WAIT)
            assert code == CLOSE_POLICY and "not reading" in reason
            await asyncio.wait_for(asyncio.shield(task), WAIT)
            assert conn.dropped is not None and not conn.enqueue([b"{}"])


async def test_drop_cancels_requests_in_flight() -> None:
    """Dropping a connection does not wait for its requests: the held one is cancelled,
    its slot given back, nothing more is sent and `run` returns."""
    async with core_link() as (core, link):
        core.hold_thread_start = asyncio.Event()
        stream, ingress = MemoryStream(), IngressLimit(8)
        async with running(link, stream, ingress) as (conn, task):
            await initialized(stream)
            stream.feed({"id": 1, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            conn.drop(CLOSE_GOING_AWAY, "server shutting down")
            await asyncio.wait_for(asyncio.shield(task), WAIT)
            assert await stream.aborted == (CLOSE_GOING_AWAY, "server shutting down")
            assert ingress.in_flight == 0 and stream.got.empty()


@pytest.mark.parametrize("drain", [True, False])
async def test_input_end_with_a_request_in_flight(drain: bool) -> None:
    """When the client closes its input with a request in flight, `drain_on_eof` lets
    the request finish and its answer go out; without it the request is abandoned."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        stream = MemoryStream()
        async with running(link, stream, IngressLimit(8), drain_on_eof=drain) as (_, task):
            await initialized(stream)
            stream.feed({"id": 1, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            stream.feed(None)
            await asyncio.wait_for(stream.eof_read.wait(), WAIT)
            if drain:
                hold.set()
                assert (await stream.next())["id"] == 1
            await asyncio.wait_for(asyncio.shield(task), WAIT)
            assert stream.got.empty()


async def test_input_end_with_requests_queued_drains_them_too() -> None:
    """When the client closes its input with requests still in the backlog, they are
    started and answered in turn before `run` returns (within the drain timeout)."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        stream, ingress = MemoryStream(), IngressLimit(8)
        async with running(link, stream, ingress, Limits(per_connection_in_flight=1)) as (
                _, task):
            await initialized(stream)
            for rid in (1, 2, 3):
                stream.feed({"id": rid, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            stream.feed(None)
            await asyncio.wait_for(stream.eof_read.wait(), WAIT)
            hold.set()
            answers = {(m := await stream.next())["id"]: m for _ in range(3)}
            assert sorted(answers) == [1, 2, 3] and all("result" in m for m in answers.values())
            await asyncio.wait_for(asyncio.shield(task), WAIT)
            assert ingress.in_flight == 0 and ingress.queued_bytes == 0


async def test_core_errors_are_answered_and_the_connection_goes_on() -> None:
    """A method the core does not serve comes back as the mapped JSON-RPC error
    (-32601) for that id; the next request is served normally."""
    async with core_link() as (_, link):
        stream = MemoryStream()
        async with running(link, stream, IngressLimit(8)):
            await initialized(stream)
            stream.feed({"id": 1, "method": "thread/list", "params": {}})
            assert (await stream.next())["error"]["code"] == -32601
            stream.feed({"id": 2, "method": "thread/loaded/list", "params": {}})
            assert "result" in await stream.next()


async def test_a_bug_handling_a_message_is_internal_error_not_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If deciding on a message raises (our bug), the client gets -32603 "Internal error"
    without detail and the connection keeps serving."""
    async with core_link() as (_, link):
        stream = MemoryStream()
        async with running(link, stream, IngressLimit(8)) as (conn, _):
            await initialized(stream)
            handle = conn.session.handle_message

            def broken_once(data: bytes | str) -> object:
                monkeypatch.setattr(conn.session, "handle_message", handle)
                raise KeyError("bug")

            monkeypatch.setattr(conn.session, "handle_message", broken_once)
            stream.feed({"id": 1, "method": "thread/loaded/list", "params": {}})
            assert await stream.next() == {
                "id": None, "error": {"code": -32603, "message": "Internal error"}}
            stream.feed({"id": 2, "method": "thread/loaded/list", "params": {}})
            assert "result" in await stream.next()
