"""The core's gRPC servicers: one generic unary handler per method of the
table, the `Connect` stream, and the one boundary where exceptions become
gRPC statuses.

A unary call is validated like a JSON request (`codec.validate_request`; a
failure gets the gateway's invalid-request error), converted to wire-shaped
data, handed to its domain handler with the calling connection (from call
metadata), and its result encoded.

Every exception leaving a handler crosses into gRPC here, through the one
table of `app_server_protocol.errors`: a `ProtocolError` with its stable
message, JSON-RPC code and data; anything else (a result that does not
encode included) as -32603 "Internal error" with the traceback logged on
stderr, never sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc

from app_server_protocol import codec
from app_server_protocol.errors import (
    ProtocolError,
    bad_input,
    grpc_status_for,
    unexpected_error,
)
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE, Method
from app_server_protocol.v2 import service_pb2
from core_service import telemetry
from core_service.account.rate_limit_store import RateLimitStore
from core_service.hub import CallInfo, ConnKey, Hub
from core_service.rate_limit_stream import RateLimitStream
from core_service.wiring import Handler

log = logging.getLogger(__name__)


def caller_of(context: grpc.aio.ServicerContext) -> CallInfo | None:
    """The calling connection named in the call's metadata, if any."""
    md = {k: v for k, v in context.invocation_metadata() or ()}
    gw, conn = md.get("x-gateway-session"), md.get("x-connection-id")
    if not gw or not conn:
        return None
    try:
        seq = int(md.get("x-request-seq", "0"))
    except ValueError:
        seq = 0
    return CallInfo(ConnKey(str(gw), str(conn)), seq, replay=md.get("x-reinitialize") == "1")


def unary_handler(method: Method, fn: Handler) -> grpc.RpcMethodHandler:
    """The generic gRPC handler of one client request."""
    result_cls = method.result
    assert result_cls is not None

    async def handle(request: Any, context: grpc.aio.ServicerContext) -> Any:
        telemetry.bind_call(method.name, request, caller_of(context))
        try:
            # A gRPC client builds the message itself: refuse what JSON could not
            # have produced (a union with no variant, ...) as the gateway would.
            codec.validate_request(request)
        except codec.DecodeError as err:
            await abort(context, bad_input(err))
        try:
            result = await fn(codec.to_json(request), caller_of(context))
            return codec.from_json(result_cls, result)
        except ProtocolError as err:
            await abort(context, err)
        except Exception:
            log.exception("%s failed", method.name)
            await abort(context, unexpected_error())

    return grpc.unary_unary_rpc_method_handler(
        handle,
        request_deserializer=method.params.FromString,
        response_serializer=result_cls.SerializeToString,
    )


async def abort(context: grpc.aio.ServicerContext, err: ProtocolError) -> None:
    """End the call with `err` as the gRPC status of the one table (never returns)."""
    status, details, trailing = grpc_status_for(err)
    context.set_trailing_metadata(trailing)
    await context.abort(status, details)


class SessionStream:
    """The `Connect` stream of each gateway: events out, replies and closes in."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def connect(
        self, requests: AsyncIterator[service_pb2.GatewayFrame], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[service_pb2.CoreFrame]:
        """Serve one gateway's stream until either side closes it."""
        md = {k: v for k, v in context.invocation_metadata() or ()}
        session = str(md.get("x-gateway-session") or "")
        link = self.hub.attach(session)
        log.info("gateway %s connected", session)

        async def read() -> None:
            try:
                async for frame in requests:
                    which = frame.WhichOneof("frame")
                    if which == "connection_closed":
                        self.hub.connection_closed(
                            ConnKey(session, frame.connection_closed.connection_id)
                        )
                    elif which == "reply":
                        self.hub.reply(session, frame.reply)
            finally:
                link.closed.set()

        reader = asyncio.get_running_loop().create_task(read())
        try:
            while True:
                frame = await link.next_frame()
                if frame is None:
                    break
                yield frame
        finally:
            reader.cancel()
            self.hub.detach(link)
            log.info("gateway %s disconnected", session)


def generic_handlers(
    handlers: dict[str, Handler], hub: Hub, limits: RateLimitStore
) -> list[grpc.GenericRpcHandler]:
    """One generic handler per service of the method table (plus Connect and
    WatchRateLimits, the streams outside it)."""
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for method in CLIENT_REQUESTS.values():
        assert method.service and method.rpc
        by_service.setdefault(method.service, {})[method.rpc] = unary_handler(
            method, handlers[method.name]
        )
    by_service.setdefault("SessionService", {})["Connect"] = grpc.stream_stream_rpc_method_handler(
        SessionStream(hub).connect,
        request_deserializer=service_pb2.GatewayFrame.FromString,
        response_serializer=service_pb2.CoreFrame.SerializeToString,
    )
    by_service.setdefault("AccountService", {})["WatchRateLimits"] = \
        RateLimitStream(limits).handler()
    return [
        grpc.method_handlers_generic_handler(f"{SERVICE_FILE.package}.{svc}", by_svc)
        for svc, by_svc in by_service.items()
    ]
