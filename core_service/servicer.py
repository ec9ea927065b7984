"""The core's gRPC servicers: one generic unary handler per method of the
table, the `Connect` stream, and the one boundary where exceptions become
gRPC statuses.

A unary call says who it is for in metadata, checked against the session
contract of `service.proto` (`session/contract.py`); it is validated like a
JSON request (`codec.validate_request`; a failure gets the gateway's
invalid-request error), converted to wire-shaped data, handed to its domain
handler with the calling connection, and its result encoded. `Connect`
attaches the session its hello names and acknowledges it in its first frame.

Every exception leaving a handler crosses into gRPC here, through the one
table of `app_server_protocol.errors`: a `ProtocolError` with its stable
message, JSON-RPC code and data; anything else (a result that does not
encode included) as -32603 "Internal error" with the traceback logged on
stderr, never sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
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
from core_service.hub import ConnKey, GatewayLink, Hub, SessionBusy
from core_service.rate_limit_stream import RateLimitStream
from core_service.session import contract
from core_service.wiring import Handler

log = logging.getLogger(__name__)


def metadata_of(context: grpc.aio.ServicerContext) -> dict[str, str]:
    """The call's text metadata as a dict (binary `-bin` values are not identity)."""
    return {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}


def unary_handler(
    method: Method, fn: Handler, attached: Callable[[str], bool]
) -> grpc.RpcMethodHandler:
    """The generic gRPC handler of one client request; `attached` tells whether
    a session named by a call has its Connect stream (the session contract)."""
    result_cls = method.result
    assert result_cls is not None

    async def handle(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            call = contract.caller(method, metadata_of(context), attached)
        except contract.ContractError as err:
            await context.abort(err.status, err.message)
        telemetry.bind_call(method.name, request, call)
        try:
            # A gRPC client builds the message itself: refuse what JSON could not
            # have produced (a union with no variant, ...) as the gateway would.
            codec.validate_request(request)
        except codec.DecodeError as err:
            await abort(context, bad_input(err))
        try:
            result = await fn(codec.to_json(request), call)
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
        """Serve one backend's stream until either side closes it: attach the
        session its hello names, acknowledge, then events out, frames in."""
        frames = aiter(requests)
        try:
            hello = contract.hello_of(metadata_of(context), await self._first(frames))
            replacing = self.hub.attached(hello.session)
            link = self.hub.attach(hello.session, takeover=hello.takeover)
        except contract.ContractError as err:
            await context.abort(err.status, err.message)
        except SessionBusy:
            busy = contract.already_attached(hello.session)
            await context.abort(busy.status, busy.message)
        session = hello.session
        log.info("session %s attached", session)
        reader = asyncio.get_running_loop().create_task(self._read(session, frames, link))
        try:
            yield service_pb2.CoreFrame(attached=service_pb2.SessionAttached(
                gateway_session=session, took_over=replacing))
            while (frame := await link.next_frame()) is not None:
                yield frame
            if link.taken_over:
                gone = contract.taken_over(session)
                await context.abort(gone.status, gone.message)
        finally:
            reader.cancel()
            self.hub.detach(link)
            log.info("session %s detached", session)

    @staticmethod
    async def _first(
        frames: AsyncIterator[service_pb2.GatewayFrame],
    ) -> service_pb2.GatewayFrame | None:
        """The stream's first frame (None if it ended first), within the hello timeout."""
        try:
            return await asyncio.wait_for(anext(frames), contract.HELLO_TIMEOUT)
        except StopAsyncIteration:
            return None
        except TimeoutError:
            raise contract.no_hello() from None

    async def _read(
        self, session: str, frames: AsyncIterator[service_pb2.GatewayFrame], link: GatewayLink
    ) -> None:
        try:
            async for frame in frames:
                which = frame.WhichOneof("frame")
                if which == "connection_closed":
                    self.hub.connection_closed(
                        ConnKey(session, frame.connection_closed.connection_id))
                elif which == "reply":
                    self.hub.reply(session, frame.reply)
        finally:
            link.closed.set()


def generic_handlers(
    handlers: dict[str, Handler], hub: Hub, limits: RateLimitStore
) -> list[grpc.GenericRpcHandler]:
    """One generic handler per service of the method table (plus Connect and
    WatchRateLimits, the streams outside it)."""
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for method in CLIENT_REQUESTS.values():
        assert method.service and method.rpc
        by_service.setdefault(method.service, {})[method.rpc] = unary_handler(
            method, handlers[method.name], hub.attached
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
