"""One client connection at run time, driven through an in-memory message
stream against the in-process fake core: every request answered, in-flight
work bounded per connection and gateway-wide (-32001 at once beyond it), a
client that stops reading dropped rather than waited for."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app_server_protocol.addresses import grpc_target
from gateway.connection import (
    CLOSE_GOING_AWAY,
    CLOSE_POLICY,
    Connection,
    IngressLimit,
    Limits,
    overloaded,
)
from gateway.core_link import CoreLink
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


async def test_per_connection_bound_answers_32001_at_once() -> None:
    """With `per_connection_in_flight` requests awaiting the core, the next one is
    answered -32001 before they complete; the held ones are answered afterwards and
    their slots are given back."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        stream, ingress = MemoryStream(), IngressLimit(8)
        async with running(link, stream, ingress, Limits(per_connection_in_flight=2)):
            await initialized(stream)
            for rid in (1, 2):
                stream.feed({"id": rid, "method": "thread/start", "params": {}})
            for _ in range(2):
                await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            stream.feed({"id": 3, "method": "thread/start", "params": {}})
            assert await stream.next() == {"id": 3, "error": OVERLOADED}
            hold.set()
            answered = {(m := await stream.next())["id"]: m for _ in range(2)}
            assert sorted(answered) == [1, 2] and all("result" in m for m in answered.values())
            assert ingress.in_flight == 0


async def test_gateway_wide_bound_is_shared_and_initialize_takes_no_slot() -> None:
    """Two connections share one ingress bound: while one holds the only slot the other's
    request is answered -32001 (its initialize is still answered: it takes no slot)."""
    async with core_link() as (core, link):
        hold = core.hold_thread_start = asyncio.Event()
        ingress = IngressLimit(1)
        a, b = MemoryStream(), MemoryStream()
        async with running(link, a, ingress, name="a"), running(link, b, ingress, name="b"):
            await initialized(a)
            a.feed({"id": 1, "method": "thread/start", "params": {}})
            await asyncio.wait_for(core.thread_start_entered.get(), WAIT)
            await initialized(b)
            b.feed({"id": 1, "method": "thread/loaded/list", "params": {}})
            assert await b.next() == {"id": 1, "error": OVERLOADED}
            hold.set()
            assert (await a.next())["result"]["thread"]["id"] == "thread-of-a"
            b.feed({"id": 2, "method": "thread/loaded/list", "params": {}})
            assert (await b.next())["result"]["data"] == ["b"]


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
