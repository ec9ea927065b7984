"""The core link: calls on the Connect stream (deadlines, cancellation, results in
pieces), failure mapping and reconnecting after a core restart."""

from __future__ import annotations

import asyncio

from app_server_protocol.v2 import notification_pb2, service_pb2
from gateway.core_link import coalesce
from tests.unit.gateway.harness import WAIT, connection_id, running_stack


async def test_reconnects_after_core_restart() -> None:
    """When the core goes away, a request in flight fails with "core unavailable; retry
    later"; the stream is reopened with a new GatewayHello once the core is back, the
    initialized connection is restored on it (replayed initialize) and works again."""
    async with running_stack() as stack, stack.client() as c:
        core = stack.core
        await core.next_frame("hello")
        await c.initialize("test")
        cid = await connection_id(c)
        core.hold_thread_start = asyncio.Event()
        await c.send({"id": 5, "method": "thread/start", "params": {}})
        async with asyncio.timeout(WAIT):
            await core.thread_start_entered.get()
        await core.stop()
        out = await c.wait_response(5)
        assert out["error"] == {"code": -32603, "message": "core unavailable; retry later"}

        core.hold_thread_start = None
        core.calls.clear()
        await core.start()
        async with asyncio.timeout(WAIT):
            md = await core.stream_opened.get()
        assert md["x-gateway-session"] == "gw-test-session"
        hello = (await core.next_frame("hello")).hello
        assert (hello.gateway_session, hello.takeover) == ("gw-test-session", True)
        # Up once the core's first frame acknowledged the attach.
        async with asyncio.timeout(WAIT):
            await stack.link.connected.wait()
        assert stack.link.streams_connected == 2
        # Replayed initialize: the restarted core learns the connection again.
        # (The replay may already be queued behind the original: skip to it.)
        async with asyncio.timeout(WAIT):
            replay = await core.initialize_seen.get()
            while replay.get("x-reinitialize") != "1":
                replay = await core.initialize_seen.get()
        assert (replay["x-reinitialize"], replay["x-connection-id"]) == ("1", cid)
        assert core.calls[0].request.client_info.name == "test"
        out = await c.request("thread/start", id=6)
        assert out["result"]["thread"]["id"] == f"thread-of-{cid}"
        # Events flow on the new stream.
        core.push(service_pb2.CoreFrame(events=[service_pb2.Event(
            to=service_pb2.Delivery(connection_ids=[cid]),
            notification=service_pb2.ServerNotification(
                account_updated=notification_pb2.AccountUpdatedNotification()))]))
        assert (await c.next_message())["method"] == "account/updated"


async def test_a_client_that_leaves_cancels_its_calls_in_the_core() -> None:
    """When a client disconnects with a request in flight, the gateway sends the
    core a `CallCancel` for that call (the core cancels its handler)."""
    async with running_stack() as stack:
        stack.core.hold_thread_start = asyncio.Event()
        async with stack.client() as c:
            await c.initialize("test")
            await c.send({"id": 5, "method": "thread/start", "params": {}})
            async with asyncio.timeout(WAIT):
                await stack.core.thread_start_entered.get()
        cancel = await stack.core.next_frame("cancel")
        # The link's second call (initialize was its first): the held thread/start.
        assert cancel.cancel.call_id == 2


async def test_a_call_past_the_gateway_deadline_is_answered_and_cancelled() -> None:
    """A call the core does not answer within `call_timeout` is answered -32603
    "core did not answer in time" and cancelled in the core; the connection goes on."""
    async with running_stack() as stack, stack.client() as c:
        await c.initialize("test")
        stack.link.call_timeout = 0.05
        stack.core.hold_thread_start = asyncio.Event()
        answer = await c.request("thread/start", {}, id=9, timeout=WAIT)
        assert answer["error"] == {"code": -32603, "message": "core did not answer in time"}
        await stack.core.next_frame("cancel")
        stack.link.call_timeout = WAIT
        assert "result" in await c.request("thread/loaded/list", {}, id=10, timeout=WAIT)


async def test_a_result_in_pieces_is_joined() -> None:
    """A result the core sends in pieces (`CallResult.more`) reaches the client whole."""
    async with running_stack() as stack, stack.client() as c:
        stack.core.result_piece_bytes = 3
        name = "a-client-name-longer-than-one-piece"
        assert (await c.initialize(name))["userAgent"] == f"fake/{name}"
        assert (await connection_id(c)).startswith("c")


def test_neighbouring_calls_share_one_frame_and_order_is_kept() -> None:
    """Calls queued together go as one `CallRequests` frame; a frame between them
    (a connection closed) splits them, and everything keeps its order."""
    def call(call_id: int) -> service_pb2.CallRequest:
        return service_pb2.CallRequest(call_id=call_id, connection_id="c1")

    closed = service_pb2.GatewayFrame(
        connection_closed=service_pb2.ConnectionClosed(connection_id="c1"))
    frames = list(coalesce([call(1), call(2), closed, call(3)]))
    assert [f.WhichOneof("frame") for f in frames] == ["calls", "connection_closed", "calls"]
    assert [[c.call_id for c in f.calls.calls] for f in frames] == [[1, 2], [], [3]]
