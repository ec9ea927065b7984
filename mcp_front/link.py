"""The MCP front end's side of the core link: JSON calls and frame routing.

The front end is a backend of the core like a gateway: it reuses the
gateway's `CoreLink` (channel, token, TLS, the `Connect` stream with its
reconnects) and adds what differs: calls made from JSON by method name (the
session speaks v2 JSON), the core's frames decoded and handed to the session
by connection id, approval answers sent back as `ServerRequestReply`
frames. A core error crosses the one table of `app_server_protocol.errors`.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import grpc

from app_server_protocol import codec
from app_server_protocol.errors import rpc_error_to_jsonrpc
from app_server_protocol.methods import (
    CLIENT_REQUESTS,
    NOTIFICATION_METHOD_BY_FIELD,
    SERVER_REQUEST_FIELD_BY_METHOD,
    SERVER_REQUESTS,
)
from app_server_protocol.v2 import service_pb2
from gateway.core_link import CoreLink
from mcp_front.session import McpSession, Note, Request

log = logging.getLogger(__name__)

# Marks calls that restore a connection on a new core (as the gateway marks them).
_REPLAY = (("x-reinitialize", "1"),)
_METHOD_BY_REQUEST_FIELD = {f: m for m, f in SERVER_REQUEST_FIELD_BY_METHOD.items()}
# Answers travel in the ServerRequestResult member named like the request's params member.
_RESULT_FIELDS = {f.name for f in service_pb2.ServerRequestResult.DESCRIPTOR.fields}
if not set(_METHOD_BY_REQUEST_FIELD) <= _RESULT_FIELDS:
    raise RuntimeError("ServerRequestResult does not cover every server request")


class CoreBackend:
    """`Backend` of the session over a `CoreLink`."""

    def __init__(self, core: CoreLink) -> None:
        self.core = core
        self._seq = itertools.count(1)

    async def call(self, method: str, params: dict[str, Any], *, connection_id: str,
                   replay: bool = False) -> Any:
        """Call a v2 method; its result as JSON, or `ProtocolError` from the core's status."""
        bound = CLIENT_REQUESTS[method]
        message = codec.from_json(bound.params, params)
        try:
            result = await self.core.call(bound, message, connection_id=connection_id,
                                          seq=next(self._seq),
                                          extra_metadata=_REPLAY if replay else ())
        except grpc.RpcError as err:
            raise rpc_error_to_jsonrpc(err) from None
        return codec.to_json(result)

    async def ready(self) -> None:
        """Wait (bounded) for the Connect stream: a reconnect's restore starts with it."""
        await self.core.wait_ready()

    def answer(self, connection_id: str, request_id: int, method: str, decision: str) -> None:
        """Send the decision of an approval back on the Connect stream."""
        result_cls = SERVER_REQUESTS[method].result
        reply = service_pb2.ServerRequestReply(connection_id=connection_id, request_id=request_id)
        getattr(reply.result, SERVER_REQUEST_FIELD_BY_METHOD[method]).CopyFrom(
            codec.from_json(result_cls, {"decision": decision}))
        self.core.send_frame(service_pb2.GatewayFrame(reply=reply))

    def close_connections(self, connection_ids: list[str]) -> None:
        """Tell the core these connections are gone (their threads lose this subscriber)."""
        for cid in connection_ids:
            self.core.send_frame(service_pb2.GatewayFrame(
                connection_closed=service_pb2.ConnectionClosed(connection_id=cid)))


def route_frame(frame: service_pb2.CoreFrame, session: McpSession) -> None:
    """Hand the events and server requests of one core frame to the session."""
    for event in frame.events:
        which = event.notification.WhichOneof("notification")
        if which is None or not event.to.connection_ids:
            continue
        note = Note(NOTIFICATION_METHOD_BY_FIELD[which],
                    codec.to_json(getattr(event.notification, which)))
        for cid in event.to.connection_ids:
            session.deliver(cid, note)
    for req in frame.server_requests:
        which = req.params.WhichOneof("params")
        if which is None:
            log.warning("server request %s without params from the core", req.request_id)
            continue
        request = Request(req.request_id, _METHOD_BY_REQUEST_FIELD[which],
                          codec.to_json(getattr(req.params, which)))
        for cid in req.to.connection_ids:
            session.deliver(cid, request)
