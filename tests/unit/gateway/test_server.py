"""Routing through a real gateway (websocket, port 0) and an in-process fake core."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from app_server_protocol import codec
from app_server_protocol.v2 import (
    account_pb2,
    approval_pb2,
    notification_pb2,
    service_pb2,
)
from gateway.connection import Limits
from gateway.server import Gateway
from tests.unit.gateway.harness import WAIT, connection_id, running_stack


def name_event(name: str, *, to: list[str] | None = None, everyone: bool = False
               ) -> service_pb2.Event:
    return service_pb2.Event(
        to=service_pb2.Delivery(connection_ids=to or [], all_initialized=everyone),
        notification=service_pb2.ServerNotification(
            thread_name_updated=notification_pb2.ThreadNameUpdatedNotification(
                thread_id="t", thread_name=name)))


def account_event() -> service_pb2.Event:
    return service_pb2.Event(
        to=service_pb2.Delivery(all_initialized=True),
        notification=service_pb2.ServerNotification(
            account_updated=notification_pb2.AccountUpdatedNotification()))


async def test_metadata_hello_and_initialize_forwarding() -> None:
    """Calls carry x-gateway-session / x-connection-id / x-request-seq; Connect opens with a
    GatewayHello of the same session; initialize is forwarded and answered by the core."""
    async with running_stack() as stack, stack.client() as c:
        hello = await stack.core.next_frame("hello")
        assert hello.hello.gateway_session == "gw-test-session"
        out = await c.initialize("test")
        assert out == {"userAgent": "fake/test"}
        await connection_id(c)
        init, listed = stack.core.calls
        assert init.metadata["x-gateway-session"] == "gw-test-session"
        assert init.metadata["x-connection-id"] == listed.metadata["x-connection-id"]
        assert int(listed.metadata["x-request-seq"]) > int(init.metadata["x-request-seq"])


async def test_request_ids_are_scoped_per_connection() -> None:
    """Two connections both using id 1 at once each get only their own answer."""
    async with running_stack() as stack, stack.client() as a, stack.client() as b:
        await a.initialize("test")
        await b.initialize("test")
        await a.send({"id": 10, "method": "thread/loaded/list", "params": {}})
        await b.send({"id": 10, "method": "thread/loaded/list", "params": {}})
        ra, rb = await a.wait_response(10), await b.wait_response(10)
        assert ra["result"]["data"] != rb["result"]["data"]
        assert {ra["result"]["data"][0], rb["result"]["data"][0]} == {
            c.metadata["x-connection-id"] for c in stack.core.calls[-2:]
        }


async def test_events_reach_only_addressed_connections_and_honour_opt_out() -> None:
    """An event for B is not seen by A; broadcast reaches both; A's opt-out drops its copy."""
    async with running_stack() as stack, stack.client() as a, stack.client() as b:
        await a.initialize("test", optOutNotificationMethods=["account/updated"])
        await b.initialize("test")
        b_id = await connection_id(b)
        stack.core.push(service_pb2.CoreFrame(events=[
            name_event("for-b", to=[b_id]),
            account_event(),
            name_event("everyone", everyone=True),
        ]))
        got_b = [await b.next_message() for _ in range(3)]
        assert [m["method"] for m in got_b] == [
            "thread/name/updated", "account/updated", "thread/name/updated"]
        assert got_b[0]["params"] == {"threadId": "t", "threadName": "for-b"}
        # A's first message is the broadcast: not B's event, not the opted-out one.
        assert await a.next_message() == {
            "method": "thread/name/updated",
            "params": {"threadId": "t", "threadName": "everyone"},
        }


async def test_response_precedes_the_events_it_causes() -> None:
    """Events the core emits while answering a request reach that connection after the
    response, even when they arrive first; other connections get them at once."""
    async with running_stack() as stack, stack.client() as c, stack.client() as other:
        await other.initialize("test")
        core = stack.core
        core.emit_on_initialize.append(service_pb2.ServerNotification(
            config_warning=notification_pb2.ConfigWarningNotification(summary="bad config")))
        core.emit_on_initialize_also_to.append(await connection_id(other))
        hold = core.hold_initialize = asyncio.Event()
        await c.send({"id": 1, "method": "initialize",
                      "params": {"clientInfo": {"name": "x", "version": "1"}}})
        warning = {"method": "configWarning", "params": {"summary": "bad config", "details": None}}
        # The event has been routed (the other connection has it) before the answer exists.
        assert await other.next_message() == warning
        hold.set()
        first, second = await c.next_message(), await c.next_message()
        assert first["id"] == 1 and "result" in first
        assert second == warning


async def test_server_request_round_trip() -> None:
    """A server request reaches the client with the core's id; a result goes back typed,
    an error goes back as ClientError; an unknown id is ignored."""
    async with running_stack() as stack, stack.client() as c:
        await c.initialize("test")
        cid = await connection_id(c)
        approval = approval_pb2.CommandExecutionRequestApprovalParams(
            thread_id="t", turn_id="u", item_id="i")
        refresh = account_pb2.ChatgptAuthTokensRefreshParams(
            reason=account_pb2.CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNAUTHORIZED)
        stack.core.push(service_pb2.CoreFrame(server_requests=[
            service_pb2.ServerRequestOut(
                to=service_pb2.Delivery(connection_ids=[cid]), request_id=7,
                params=service_pb2.ServerRequestParams(
                    command_execution_request_approval=approval)),
            service_pb2.ServerRequestOut(
                to=service_pb2.Delivery(connection_ids=[cid]), request_id=8,
                params=service_pb2.ServerRequestParams(chatgpt_auth_tokens_refresh=refresh)),
        ]))
        req7, req8 = await c.next_message(), await c.next_message()
        assert (req7["id"], req7["method"]) == (7, "item/commandExecution/requestApproval")
        assert req7["params"] == codec.to_json(approval)
        assert (req8["id"], req8["method"]) == (8, "account/chatgptAuthTokens/refresh")
        await c.send({"id": 999, "result": {}})  # unknown: ignored
        await c.send({"id": 7, "result": {"decision": "accept"}})
        await c.send({"id": 8, "error": {"code": -32000, "message": "refresh failed"}})
        r7 = (await stack.core.next_frame("reply")).reply
        assert (r7.connection_id, r7.request_id) == (cid, 7)
        assert codec.to_json(r7.result.command_execution_request_approval) == {
            "decision": "accept"}
        r8 = (await stack.core.next_frame("reply")).reply
        assert r8.request_id == 8 and r8.WhichOneof("outcome") == "error"
        assert (r8.error.code, r8.error.message) == (-32000, "refresh failed")


async def test_overload_answers_32001_at_once() -> None:
    """Beyond the per-connection and gateway-wide in-flight bounds, a request is answered
    -32001 "Server overloaded; retry later." immediately; held ones complete later."""
    limits = Limits(per_connection_in_flight=2, global_in_flight=3, per_connection_backlog=0)
    async with running_stack(limits) as stack, stack.client() as a, stack.client() as b:
        await a.initialize("test")
        await b.initialize("test")
        hold = stack.core.hold_thread_start = asyncio.Event()
        for rid in (11, 12):
            await a.send({"id": rid, "method": "thread/start", "params": {}})
        async with asyncio.timeout(WAIT):
            for _ in range(2):
                await stack.core.thread_start_entered.get()
        overloaded = {"code": -32001, "message": "Server overloaded; retry later."}
        assert (await a.request("thread/start", id=13))["error"] == overloaded
        await b.send({"id": 11, "method": "thread/start", "params": {}})
        async with asyncio.timeout(WAIT):
            await stack.core.thread_start_entered.get()
        # Gateway-wide bound (3) reached: B is refused although B has one only.
        assert (await b.request("thread/start", id=12))["error"] == overloaded
        hold.set()
        for rid in (11, 12):
            assert (await a.wait_response(rid))["result"]["thread"]["id"].startswith("thread-of-")
        assert "result" in await b.wait_response(11)


class StuckStream:
    """A client that sends initialize and then never reads: send() blocks after the
    first batch."""

    peer = "stuck"

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue(10)
        self.sent: list[bytes] = []
        self.aborted: asyncio.Future[tuple[int, str]] = asyncio.Future()
        self._never = asyncio.Event()
        self.first_sent = asyncio.Event()

    async def receive(self) -> bytes | None:
        return await self.inbox.get()

    async def send(self, messages: list[bytes]) -> None:
        if self.sent:
            await self._never.wait()
        self.sent.extend(messages)
        self.first_sent.set()

    async def abort(self, code: int, reason: str) -> None:
        if not self.aborted.done():
            self.aborted.set_result((code, reason))
        self.inbox.put_nowait(None)


async def test_slow_reader_is_disconnected_others_keep_working() -> None:
    """A client that stops reading is dropped (1008) once its outbound queue is full;
    another connection keeps receiving every event and answer."""
    limits = Limits(outbound_queue=8)
    async with running_stack(limits) as stack, stack.client() as fast:
        await fast.initialize("test")
        gateway: Gateway = stack.gateway
        stuck = StuckStream()
        serving = asyncio.ensure_future(gateway.serve(stuck, drain_on_eof=False))
        stuck.inbox.put_nowait(json.dumps({
            "id": 1, "method": "initialize",
            "params": {"clientInfo": {"name": "slow", "version": "1"}}}).encode())
        async with asyncio.timeout(WAIT):
            await stuck.first_sent.wait()  # the initialize answer went out
        for n in range(4):
            stack.core.push(service_pb2.CoreFrame(
                events=[name_event(f"{n}-{i}", everyone=True) for i in range(5)]))
        async with asyncio.timeout(WAIT):
            code, reason = await stuck.aborted
            conn = await serving
        assert code == 1008 and "not reading" in reason and conn.dropped
        names = [(await fast.next_message())["params"]["threadName"] for _ in range(20)]
        assert names == [f"{n}-{i}" for n in range(4) for i in range(5)]
        assert "result" in await fast.request("thread/loaded/list", id=9)
        closed = await stack.core.next_frame("connection_closed")
        assert closed.connection_closed.connection_id == conn.id


async def test_bad_input_is_answered_without_an_error_log(
    caplog: pytest.LogCaptureFixture
) -> None:
    """A client's malformed params (JSON text in a string) are answered -32600 and
    leave nothing at error level in the log: a traceback is for our own bugs."""
    async with running_stack() as stack, stack.client() as c:
        await c.initialize("test")
        with caplog.at_level(logging.DEBUG):
            resp = await c.request("thread/start", '{"cwd":')
            assert "result" in await c.request("thread/loaded/list", {})
        assert resp["error"]["code"] == -32600
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_close_answers_requests_in_flight_then_goes_away_1001() -> None:
    """Gateway.close waits for a request the core is still answering, writes
    its answer, then closes the websocket with 1001."""
    async with running_stack() as stack:
        stack.core.hold_thread_start = asyncio.Event()
        async with websockets.connect(stack.url, open_timeout=WAIT) as ws:
            await ws.send(json.dumps({"id": 1, "method": "initialize", "params": {
                "clientInfo": {"name": "t", "title": None, "version": "1"}}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["id"] == 1
            await ws.send(json.dumps({"id": 2, "method": "thread/start", "params": {}}))
            async with asyncio.timeout(WAIT):
                await stack.core.thread_start_entered.get()
            closing = asyncio.ensure_future(stack.gateway.close(grace=WAIT))
            stack.core.hold_thread_start.set()
            answer = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert answer["id"] == 2 and "result" in answer
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), WAIT)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
            await asyncio.wait_for(closing, WAIT)
