"""The core's gRPC servicers: one generic unary handler per method of the
table, the `Connect` stream, and the one boundary where exceptions become
gRPC statuses.

A unary call says who it is for in metadata, checked against the session
contract of `service.proto` (`session/contract.py`); it is validated like a
JSON request (`codec.validate_request`; a failure gets the gateway's
invalid-request error), converted to wire-shaped data, handed to its domain
handler with the calling connection, and its result encoded. `Connect`
attaches the session its hello names and acknowledges it in its first frame;
it then also carries calls (`CallRequest` frames, the gateway's way: half the
cost of a unary call), served by the same `serve_call` and answered on the
stream after the events they caused (contract item 6).

Every exception leaving a handler crosses into gRPC here, through the one
table of `app_server_protocol.errors`: a `ProtocolError` with its stable
message, JSON-RPC code and data (a status, or a `CallResult.error`);
anything else (a result that does not encode included) as -32603 "Internal
error" with the traceback logged on stderr, never sent.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message

from app_server_protocol import codec
from app_server_protocol.errors import (
    METHOD_NOT_FOUND,
    ProtocolError,
    bad_input,
    error_message,
    grpc_status_for,
    invalid_request,
    transport_error,
    unexpected_error,
)
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE, Method
from app_server_protocol.v2 import service_pb2
from core_service import telemetry
from core_service.account.rate_limit_store import RateLimitStore
from core_service.hub import CallInfo, ConnKey, GatewayLink, Hub, SessionBusy
from core_service.rate_limit_stream import RateLimitStream
from core_service.session import contract
from core_service.wiring import Handler

log = logging.getLogger(__name__)


def metadata_of(context: grpc.aio.ServicerContext) -> dict[str, str]:
    """The call's text metadata as a dict (binary `-bin` values are not identity)."""
    return {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}


async def serve_call(
    method: Method, fn: Handler, request: Message, call: CallInfo | None
) -> Message:
    """Serve one client request, however it came (a unary rpc or a `CallRequest`
    on Connect): validate it, run its handler, encode its result. Raises
    `ProtocolError` only: a handler's own, or "Internal error" for anything
    else (logged)."""
    result_cls = method.result
    assert result_cls is not None
    telemetry.bind_call(method.name, request, call)
    try:
        # A gRPC client builds the message itself: refuse what JSON could not
        # have produced (a union with no variant, ...) as the gateway would.
        codec.validate_request(request)
    except codec.DecodeError as err:
        raise bad_input(err) from None
    try:
        result = await fn(codec.to_json(request), call)
        encoded: Message = codec.from_json(result_cls, result)
        return encoded
    except ProtocolError:
        raise
    except Exception:
        log.exception("%s failed", method.name)
        raise unexpected_error() from None


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
        try:
            return await serve_call(method, fn, request, call)
        except ProtocolError as err:
            await abort(context, err)

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


class StreamCalls:
    """The calls one Connect stream carries (`CallRequest` frames): each runs
    as its own task, answered on the stream, cancellable by `CallCancel`, by
    its timeout, or when its connection closes or the stream ends."""

    def __init__(
        self, session: str, link: GatewayLink, handlers: dict[str, Handler], hub: Hub
    ) -> None:
        self.session = session
        self.link = link
        self._hub = hub
        self._handlers = handlers
        # call id -> (connection id, task)
        self._tasks: dict[int, tuple[str, asyncio.Task[None]]] = {}
        # Calls whose deadline cancelled them (answered DEADLINE_EXCEEDED).
        self._expired: set[int] = set()
        # Looked up once: get_running_loop() is a getpid() system call on 3.11.
        self._loop = asyncio.get_running_loop()

    def start(self, req: service_pb2.CallRequest) -> None:
        """Serve one call in a task of its own, cancelled when its deadline passes.

        The deadline is a bare timer, not asyncio.timeout around the handler:
        a third of the cost, per request.
        """
        task = self._loop.create_task(self._serve(req))
        expiry = (self._loop.call_later(req.timeout_ms / 1000, self._expire, req.call_id, task)
                  if req.timeout_ms else None)
        self._tasks[req.call_id] = (req.connection_id, task)
        task.add_done_callback(functools.partial(self._finished, req.call_id, expiry))

    def _finished(self, call_id: int, expiry: asyncio.TimerHandle | None,
                  task: asyncio.Task[None]) -> None:
        self._tasks.pop(call_id, None)
        if expiry is not None:
            expiry.cancel()
            self._expired.discard(call_id)

    def cancel(self, call_id: int) -> None:
        """The backend gave the call up: no answer follows."""
        entry = self._tasks.pop(call_id, None)
        if entry is not None:
            entry[1].cancel()

    def connection_closed(self, conn: str) -> None:
        """Cancel every call of a connection that is gone."""
        for call_id in [c for c, (cid, _) in self._tasks.items() if cid == conn]:
            self.cancel(call_id)

    def close(self) -> None:
        """The stream ended: nobody will read an answer."""
        for call_id in list(self._tasks):
            self.cancel(call_id)

    def _expire(self, call_id: int, task: asyncio.Task[None]) -> None:
        self._expired.add(call_id)
        task.cancel()

    async def _serve(self, req: service_pb2.CallRequest) -> None:
        try:
            data = await self._result(req)
        except asyncio.CancelledError:
            if req.call_id not in self._expired:
                raise  # given up by the gateway, or the stream ended: no answer
            task = asyncio.current_task()
            assert task is not None
            task.uncancel()
            self._push_error(req.call_id, transport_error(grpc.StatusCode.DEADLINE_EXCEEDED))
        except ProtocolError as err:
            self._push_error(req.call_id, err)
        else:
            self.link.push_result(req.call_id, data)

    def _push_error(self, call_id: int, err: ProtocolError) -> None:
        self.link.push("result", service_pb2.CallResult(call_id=call_id, error=error_message(err)))

    async def _result(self, req: service_pb2.CallRequest) -> bytes:
        if not self._hub.serving_calls:
            raise transport_error(grpc.StatusCode.UNAVAILABLE)
        method = CLIENT_REQUESTS.get(req.method)
        if method is None or method.result is None:
            raise ProtocolError(METHOD_NOT_FOUND, f"method not found: {req.method}")
        metadata = dict(req.metadata)
        metadata[contract.SESSION_KEY] = self.session
        metadata[contract.CONNECTION_KEY] = req.connection_id
        metadata[contract.SEQ_KEY] = str(req.request_seq)
        try:
            call = contract.caller(method, metadata, lambda s: s == self.session)
            params = method.params.FromString(req.params)
        except contract.ContractError as err:
            raise invalid_request(err.message) from None
        except DecodeError as err:
            raise bad_input(err) from None
        result = await serve_call(method, self._handlers[method.name], params, call)
        return result.SerializeToString()


class SessionStream:
    """The `Connect` stream of each gateway: events and call results out;
    calls, replies and closes in."""

    def __init__(self, hub: Hub, handlers: dict[str, Handler]) -> None:
        self.hub = hub
        self.handlers = handlers

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
        calls = StreamCalls(session, link, self.handlers, self.hub)
        reader = asyncio.get_running_loop().create_task(self._read(session, frames, link, calls))
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
            calls.close()
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
        self,
        session: str,
        frames: AsyncIterator[service_pb2.GatewayFrame],
        link: GatewayLink,
        calls: StreamCalls,
    ) -> None:
        try:
            async for frame in frames:
                which = frame.WhichOneof("frame")
                if which == "calls":
                    for req in frame.calls.calls:
                        calls.start(req)
                elif which == "cancel":
                    calls.cancel(frame.cancel.call_id)
                elif which == "connection_closed":
                    conn = frame.connection_closed.connection_id
                    calls.connection_closed(conn)
                    self.hub.connection_closed(ConnKey(session, conn))
                elif which == "reply":
                    self.hub.reply(session, frame.reply)
        finally:
            link.close()


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
        SessionStream(hub, handlers).connect,
        request_deserializer=service_pb2.GatewayFrame.FromString,
        response_serializer=service_pb2.CoreFrame.SerializeToString,
    )
    by_service.setdefault("AccountService", {})["WatchRateLimits"] = \
        RateLimitStream(limits).handler()
    return [
        grpc.method_handlers_generic_handler(f"{SERVICE_FILE.package}.{svc}", by_svc)
        for svc, by_svc in by_service.items()
    ]
