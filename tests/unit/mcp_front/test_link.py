"""mcp_front/link.py: core frames to the session, JSON calls, approval answers as frames."""

from __future__ import annotations

import grpc
import grpc.aio
import pytest
from google.protobuf.message import Message

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError
from app_server_protocol.methods import CLIENT_REQUESTS, Method
from app_server_protocol.v2 import service_pb2
from mcp_front.link import CoreBackend, route_frame
from mcp_front.session import Lost, McpSession, Note, Request


class RecordingSession(McpSession):
    """Records what is delivered instead of queueing it."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Note | Request | Lost]] = []

    def deliver(self, connection_id: str, message: Note | Request | Lost) -> None:
        self.got.append((connection_id, message))


class FakeLink:
    """The CoreLink surface CoreBackend uses."""

    def __init__(self, result: Message | None = None, error: grpc.RpcError | None = None) -> None:
        self.frames: list[service_pb2.GatewayFrame] = []
        self.calls: list[tuple[str, Message, str]] = []
        self.metadata: list[tuple[tuple[str, str], ...]] = []
        self._result, self._error = result, error

    async def call(self, method: Method, params: Message, *, connection_id: str,
                   seq: int, extra_metadata: tuple[tuple[str, str], ...] = ()) -> Message:
        self.calls.append((method.name, params, connection_id))
        self.metadata.append(extra_metadata)
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def send_frame(self, frame: service_pb2.GatewayFrame) -> None:
        self.frames.append(frame)


def refused() -> grpc.aio.AioRpcError:
    """A NOT_FOUND status with the JSON-RPC code trailer, as the core sends it."""
    return grpc.aio.AioRpcError(grpc.StatusCode.NOT_FOUND, grpc.aio.Metadata(),
                                grpc.aio.Metadata(("x-jsonrpc-code", "-32600")),
                                "thread not found: x")


def test_frames_are_routed_by_connection() -> None:
    """Events and server requests reach the session under each addressed connection;
    events addressed to every connection (account, config) are not the MCP client's."""
    frame = service_pb2.CoreFrame()
    event = frame.events.add()
    event.to.connection_ids.extend(["m1", "m2"])
    event.notification.turn_diff_updated.CopyFrom(codec.from_json(
        type(event.notification.turn_diff_updated),
        {"threadId": "t", "turnId": "u", "diff": "d"}))
    broadcast = frame.events.add()
    broadcast.to.all_initialized = True
    broadcast.notification.turn_diff_updated.thread_id = "t"
    req = frame.server_requests.add(request_id=9)
    req.to.connection_ids.append("m1")
    req.params.file_change_request_approval.CopyFrom(codec.from_json(
        type(req.params.file_change_request_approval),
        {"threadId": "t", "turnId": "u", "itemId": "i"}))
    session = RecordingSession()
    route_frame(frame, session)
    note = Note("turn/diff/updated", {"threadId": "t", "turnId": "u", "diff": "d"})
    assert session.got[:2] == [("m1", note), ("m2", note)]
    [(cid, request)] = session.got[2:]
    assert cid == "m1" and isinstance(request, Request)
    assert (request.request_id, request.method) == (9, "item/fileChange/requestApproval")


async def test_calls_from_json_and_errors_through_the_table() -> None:
    """A call is made from JSON by method name and answered as JSON (a replay marked as
    the gateway marks it); a core status becomes the ProtocolError of the one error table."""
    models = CLIENT_REQUESTS["model/list"]
    link = FakeLink(result=codec.from_json(models.result, {"data": [], "nextCursor": None}))
    backend = CoreBackend(link)  # type: ignore[arg-type]
    answer = await backend.call("model/list", {"limit": 5}, connection_id="m1")
    assert answer == {"data": [], "nextCursor": None}
    await backend.call("model/list", {}, connection_id="m1", replay=True)
    (name, params, cid), _ = link.calls
    assert (name, codec.to_json(params)["limit"], cid) == ("model/list", 5, "m1")
    assert link.metadata == [(), (("x-reinitialize", "1"),)]
    failing = CoreBackend(FakeLink(error=refused()))  # type: ignore[arg-type]
    with pytest.raises(ProtocolError) as err:
        await failing.call("thread/read", {"threadId": "x"}, connection_id="m1")
    assert (err.value.code, err.value.message) == (-32600, "thread not found: x")


def test_answers_and_closes_are_frames() -> None:
    """An approval decision is a ServerRequestReply in the request's result member; closing
    a connection is a ConnectionClosed frame."""
    link = FakeLink()
    backend = CoreBackend(link)  # type: ignore[arg-type]
    backend.answer("m1", 5, "item/commandExecution/requestApproval", "acceptForSession")
    backend.close_connections(["m1"])
    reply = link.frames[0].reply
    assert (reply.connection_id, reply.request_id) == ("m1", 5)
    assert codec.to_json(reply.result.command_execution_request_approval) == {
        "decision": "acceptForSession"}
    assert link.frames[1].connection_closed.connection_id == "m1"
