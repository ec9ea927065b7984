"""The core's error boundary: every exception leaving a handler crosses into
gRPC through the one table, and the gateway's mapping gives the client the
JSON-RPC error (code, message, data) it should see."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf.message import Message

from app_server_protocol.errors import ProtocolError, error_from_message, rpc_error_to_jsonrpc
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE, Method
from app_server_protocol.v2 import notification_pb2, service_pb2
from core_service.hub import CallInfo, ConnKey, GatewayLink, Hub
from core_service.servicer import StreamCalls, unary_handler

LISTED = CLIENT_REQUESTS["thread/loaded/list"]
Fn = Callable[[dict[str, Any], CallInfo | None], Awaitable[dict[str, Any]]]
Invoke = Callable[..., Awaitable[ProtocolError | Any]]
WAIT = 5.0
# Who the calls are for (the session contract; the test's session counts as attached).
CALLER = (("x-gateway-session", "gw"), ("x-connection-id", "c1"))


@pytest.fixture
async def invoke() -> AsyncIterator[Invoke]:
    """Serve one handler on a real grpc.aio server and call it as a gRPC client
    would: the result, or the JSON-RPC error the gateway would make of the status."""
    servers: list[grpc.aio.Server] = []

    async def run(fn: Fn, method: Method = LISTED, request: Message | None = None
                  ) -> ProtocolError | Any:
        assert method.service and method.rpc and method.result
        server = grpc.aio.server()
        servers.append(server)
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
            f"{SERVICE_FILE.package}.{method.service}",
            {method.rpc: unary_handler(method, fn, lambda _: True)})])
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(
                f"/{SERVICE_FILE.package}.{method.service}/{method.rpc}",
                request_serializer=method.params.SerializeToString,
                response_deserializer=method.result.FromString)
            try:
                return await call(request or method.params(), timeout=WAIT, metadata=CALLER)
            except grpc.RpcError as err:
                return rpc_error_to_jsonrpc(err)

    yield run
    for server in servers:
        await server.stop(None)


async def test_unexpected_exception_is_internal_error_and_logged(
    invoke: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    """A KeyError leaving a handler reaches the client as -32603 "Internal error"
    (its text never on the wire); the traceback is logged at error level."""
    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise KeyError("secret-detail")

    with caplog.at_level(logging.ERROR, logger="core_service.servicer"):
        err = await invoke(fn)
    assert err == ProtocolError(-32603, "Internal error")
    [record] = [r for r in caplog.records if r.name == "core_service.servicer"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert isinstance(record.exc_info[1], KeyError)


async def test_any_exception_class_is_internal_error(invoke: Invoke) -> None:
    """Not only the usual suspects: a RuntimeError is -32603 "Internal error" too."""
    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise RuntimeError("boom at /home/user/secret")

    assert await invoke(fn) == ProtocolError(-32603, "Internal error")


async def test_result_that_does_not_encode_is_internal_error(invoke: Invoke) -> None:
    """A handler's result of the wrong shape (a codec DecodeError) is -32603
    "Internal error", without the decoder's message."""
    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        return {"data": "not-a-list"}

    assert await invoke(fn) == ProtocolError(-32603, "Internal error")


async def test_protocol_error_keeps_code_message_and_data(invoke: Invoke) -> None:
    """A ProtocolError crosses with its code, message and structured data."""
    data = {"config_write_error_code": "configVersionConflict", "note": "é\u2028"}

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise ProtocolError(-32600, "Configuration was modified since last read", data)

    err = await invoke(fn)
    assert err == ProtocolError(-32600, "Configuration was modified since last read", data)
    assert err.to_json()["data"] == data


async def test_protocol_error_without_data_has_no_data(invoke: Invoke) -> None:
    """No `data` member unless the domain error set one (like the reference)."""
    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise ProtocolError(-32600, "thread not found: x")

    err = await invoke(fn)
    assert isinstance(err, ProtocolError)
    assert err.to_json() == {"code": -32600, "message": "thread not found: x"}


async def test_success_passes_the_result(invoke: Invoke) -> None:
    """A handler's result is encoded and returned."""
    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        return {"data": ["t1"], "nextCursor": None}

    out = await invoke(fn)
    assert list(out.data) == ["t1"]


def empty_input_item(p: Any) -> None:
    p.input.add()


def empty_sandbox_policy(p: Any) -> None:
    p.input.add().text.text = "hi"
    p.sandbox_policy.SetInParent()


@pytest.mark.parametrize(("request_of", "message"), [
    (empty_input_item, "Invalid request: input[0]: missing field `type`"),
    (empty_sandbox_policy, "Invalid request: sandboxPolicy: missing field `type`"),
])
async def test_request_over_grpc_is_validated_like_json(
    invoke: Invoke, request_of: Callable[[Any], None], message: str
) -> None:
    """A turn/start built by a gRPC client with an unset union (an empty input
    item, `sandboxPolicy: {}`) gets the gateway's invalid-request error for the
    same JSON, and the handler is never called."""
    called: list[dict[str, Any]] = []

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        called.append(params)
        raise AssertionError("handler reached")

    method = CLIENT_REQUESTS["turn/start"]
    request: Any = method.params(thread_id="t")
    request_of(request)
    assert await invoke(fn, method, request) == ProtocolError(-32600, message)
    assert called == []


# -- calls on the Connect stream (CallRequest frames) ---------------------------


def _stream_call(call_id: int, conn: str = "c1", *, method: str = LISTED.name,
                 params: bytes = b"", timeout_ms: int = 0) -> service_pb2.CallRequest:
    return service_pb2.CallRequest(call_id=call_id, connection_id=conn, request_seq=4,
                                   method=method, params=params, timeout_ms=timeout_ms)


async def _results(link: GatewayLink) -> tuple[service_pb2.CoreFrame, list[Any]]:
    """The next frame and the outcome of each result in it (bytes or ProtocolError)."""
    frame = await asyncio.wait_for(link.next_frame(), WAIT)
    assert frame is not None
    return frame, [error_from_message(r.error) if r.WhichOneof("outcome") == "error"
                   else r.result for r in frame.results]


async def test_a_stream_call_is_answered_after_the_events_it_caused() -> None:
    """A call on Connect is served by the method's handler with its connection and
    sequence number; its result follows, on the same stream, the event the handler
    emitted (which carries the call as its ordering barrier)."""
    hub = Hub()
    link = hub.attach("gw")
    seen: list[CallInfo | None] = []

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        seen.append(call)
        hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t"),
                 to=[ConnKey("gw", "c1")], after=call)
        return {"data": ["t"], "nextCursor": None}

    StreamCalls("gw", link, {LISTED.name: fn}, hub).start(_stream_call(1))
    frame, outcomes = await _results(link)
    assert seen == [CallInfo(ConnKey("gw", "c1"), 4)]
    assert [(e.after_connection_id, e.after_request_seq) for e in frame.events] == [("c1", 4)]
    assert outcomes == [LISTED.result(data=["t"]).SerializeToString()]


async def test_a_stream_call_past_its_deadline_is_cancelled_and_answered() -> None:
    """A call whose `timeout_ms` passes has its handler cancelled and is answered
    -32603 "core did not answer in time" (what a unary call's deadline gives)."""
    hub = Hub()
    link = hub.attach("gw")
    cancelled = asyncio.Event()

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()
        raise AssertionError("unreachable")

    StreamCalls("gw", link, {LISTED.name: fn}, hub).start(_stream_call(1, timeout_ms=20))
    _, outcomes = await _results(link)
    assert outcomes == [ProtocolError(-32603, "core did not answer in time")]
    assert cancelled.is_set()


async def test_cancel_frame_and_closed_connection_cancel_the_handler() -> None:
    """`CallCancel` cancels its call's handler and no answer follows; a closed
    connection cancels its own calls only, the other connection's is answered."""
    hub = Hub()
    link = hub.attach("gw")
    entered: asyncio.Queue[str] = asyncio.Queue(10)
    cancelled: list[str] = []
    release = asyncio.Event()

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        assert call is not None
        entered.put_nowait(call.key.conn)
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.append(call.key.conn)
            raise
        return {"data": [], "nextCursor": None}

    calls = StreamCalls("gw", link, {LISTED.name: fn}, hub)
    for call_id, conn in ((1, "c1"), (2, "c2"), (3, "c3")):
        calls.start(_stream_call(call_id, conn))
    async with asyncio.timeout(WAIT):
        assert {await entered.get() for _ in range(3)} == {"c1", "c2", "c3"}
    calls.cancel(1)
    calls.connection_closed("c2")
    release.set()
    frame, outcomes = await _results(link)
    assert [r.call_id for r in frame.results] == [3]
    assert sorted(cancelled) == ["c1", "c2"]
    assert link.queue.empty()


async def test_a_stream_call_is_refused_like_a_unary_one() -> None:
    """An unknown method is -32601; params that do not decode, or that JSON could not
    have produced, are -32600 "Invalid request: ..."; a negative sequence number is
    refused by the session contract."""
    hub = Hub()
    link = hub.attach("gw")

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise AssertionError("not reached")

    calls = StreamCalls("gw", link, {LISTED.name: fn}, hub)
    calls.start(_stream_call(1, method="no/such"))
    calls.start(_stream_call(2, params=b"\xff\xff"))
    bad_seq = _stream_call(3)
    bad_seq.request_seq = -1
    calls.start(bad_seq)
    outcomes: list[Any] = []
    while len(outcomes) < 3:
        outcomes += (await _results(link))[1]
    assert [(e.code, e.message.split(":")[0]) for e in outcomes] == [
        (-32601, "method not found"), (-32600, "Invalid request"),
        (-32600, "metadata `x-request-seq` must be a decimal integer >= 0, got '-1'")]


async def test_a_stopping_core_refuses_new_stream_calls() -> None:
    """Once the core is stopping, a call on the stream is answered "core unavailable;
    retry later" without running its handler (as a new unary call is refused)."""
    hub = Hub()
    link = hub.attach("gw")
    hub.serving_calls = False

    async def fn(params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        raise AssertionError("not reached")

    StreamCalls("gw", link, {LISTED.name: fn}, hub).start(_stream_call(1))
    _, outcomes = await _results(link)
    assert outcomes == [ProtocolError(-32603, "core unavailable; retry later")]
