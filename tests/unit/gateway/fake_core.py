"""An in-process fake core for gateway tests (grpc.aio, generic handlers).

It serves SessionService.Initialize and .Connect and ThreadService
.ThreadStart and .ThreadLoadedList (as unary rpcs and as `CallRequest`
frames on Connect, the gateway's way), records the metadata of every call
(a stream call's identity as the metadata a unary call would carry) and
every other frame the gateway sends, and lets a test push CoreFrames to the
connected gateway. `ThreadStart` can be held on an event to keep requests in
flight (overload tests). It can be stopped and restarted on the same port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import grpc.aio

from app_server_protocol import initialize_pb2
from app_server_protocol.errors import METHOD_NOT_FOUND, ProtocolError, error_message
from app_server_protocol.methods import SERVICE_FILE
from app_server_protocol.v2 import service_pb2, thread_pb2

PKG = SERVICE_FILE.package


@dataclass
class Recorded:
    """One unary call the fake received."""

    method: str
    metadata: dict[str, str]
    request: Any


class _StreamCallContext:
    """What the handlers below read of a unary call's context, for a stream call."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


@dataclass
class FakeCore:
    """See the module docstring. Use `await start()`, `await stop()`."""

    port: int = 0
    calls: list[Recorded] = field(default_factory=list)
    frames: asyncio.Queue[service_pb2.GatewayFrame] = field(
        default_factory=lambda: asyncio.Queue(1000)
    )
    hold_thread_start: asyncio.Event | None = None
    thread_start_entered: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(1000))
    initialize_seen: asyncio.Queue[dict[str, str]] = field(
        default_factory=lambda: asyncio.Queue(1000)
    )
    # Events emitted by Initialize to the calling connection (like configWarning).
    emit_on_initialize: list[service_pb2.ServerNotification] = field(default_factory=list)
    # ...also addressed to these connections; and the answer held on this event.
    emit_on_initialize_also_to: list[str] = field(default_factory=list)
    hold_initialize: asyncio.Event | None = None
    # Answer stream calls in pieces of this many bytes (0: whole), as a core does
    # with a large result.
    result_piece_bytes: int = 0
    _server: grpc.aio.Server | None = None
    _streams: list[asyncio.Queue[service_pb2.CoreFrame | None]] = field(default_factory=list)
    stream_opened: asyncio.Queue[dict[str, str]] = field(
        default_factory=lambda: asyncio.Queue(100)
    )

    @property
    def target(self) -> str:
        """The core address in the gateway's `--core` syntax."""
        return f"tcp://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Serve (on the same port again after a stop)."""
        server = grpc.aio.server()
        server.add_generic_rpc_handlers(self._handlers())
        self.port = server.add_insecure_port(f"127.0.0.1:{self.port}")
        await server.start()
        self._server = server

    async def stop(self) -> None:
        """Stop at once, breaking the Connect stream."""
        for q in self._streams:
            q.put_nowait(None)
        self._streams.clear()
        if self._server is not None:
            await self._server.stop(grace=None)
            self._server = None

    def push(self, frame: service_pb2.CoreFrame) -> None:
        """Send a frame on every open Connect stream."""
        assert self._streams, "no gateway connected"
        for q in self._streams:
            q.put_nowait(frame)

    async def next_frame(self, kind: str) -> service_pb2.GatewayFrame:
        """The next frame of the given oneof kind the gateway sent (others skipped; 5 s max)."""
        async with asyncio.timeout(5):
            while True:
                frame = await self.frames.get()
                if frame.WhichOneof("frame") == kind:
                    return frame

    # -- handlers ------------------------------------------------------------
    def _record(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> dict[str, str]:
        md = {k: str(v) for k, v in context.invocation_metadata() or ()}
        self.calls.append(Recorded(method, md, request))
        return md

    async def _initialize(
        self, request: initialize_pb2.InitializeParams, context: grpc.aio.ServicerContext
    ) -> initialize_pb2.InitializeResponse:
        md = self._record("initialize", request, context)
        self.initialize_seen.put_nowait(md)
        for note in self.emit_on_initialize:
            # Sent before the response, carrying the ordering barrier.
            self.push(service_pb2.CoreFrame(events=[service_pb2.Event(
                to=service_pb2.Delivery(
                    connection_ids=[md["x-connection-id"], *self.emit_on_initialize_also_to]),
                notification=note,
                after_connection_id=md["x-connection-id"],
                after_request_seq=int(md["x-request-seq"]),
            )]))
        if self.hold_initialize is not None:
            await self.hold_initialize.wait()
        return initialize_pb2.InitializeResponse(user_agent=f"fake/{request.client_info.name}")

    async def _thread_start(
        self, request: thread_pb2.ThreadStartParams, context: grpc.aio.ServicerContext
    ) -> thread_pb2.ThreadStartResponse:
        md = self._record("thread/start", request, context)
        self.thread_start_entered.put_nowait(md["x-connection-id"])
        if self.hold_thread_start is not None:
            await self.hold_thread_start.wait()
        resp = thread_pb2.ThreadStartResponse()
        resp.thread.id = f"thread-of-{md['x-connection-id']}"
        # Required enums and unions have no value when unset (never written).
        resp.thread.source.unit = thread_pb2.SessionSource.SESSION_SOURCE_UNIT_APP_SERVER
        resp.approval_policy = thread_pb2.ASK_FOR_APPROVAL_NEVER
        resp.sandbox.read_only.SetInParent()
        return resp

    async def _loaded_list(
        self, request: thread_pb2.ThreadLoadedListParams, context: grpc.aio.ServicerContext
    ) -> thread_pb2.ThreadLoadedListResponse:
        md = self._record("thread/loaded/list", request, context)
        # Echo the caller in the data so a test can tell answers apart.
        return thread_pb2.ThreadLoadedListResponse(data=[md["x-connection-id"]])

    async def _connect(
        self, requests: AsyncIterator[service_pb2.GatewayFrame], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[service_pb2.CoreFrame]:
        md = {k: str(v) for k, v in context.invocation_metadata() or ()}
        out: asyncio.Queue[service_pb2.CoreFrame | None] = asyncio.Queue(1000)
        self._streams.append(out)

        calls: dict[int, asyncio.Task[None]] = {}

        async def read() -> None:
            async for frame in requests:
                which = frame.WhichOneof("frame")
                if which == "calls":
                    for req in frame.calls.calls:
                        calls[req.call_id] = asyncio.get_running_loop().create_task(
                            self._stream_call(req, md.get("x-gateway-session", ""), out))
                    continue
                if which == "cancel" and frame.cancel.call_id in calls:
                    calls.pop(frame.cancel.call_id).cancel()
                self.frames.put_nowait(frame)

        reader = asyncio.get_running_loop().create_task(read())
        self.stream_opened.put_nowait(md)
        try:
            # The session contract: the first frame acknowledges the attach.
            yield service_pb2.CoreFrame(attached=service_pb2.SessionAttached(
                gateway_session=md.get("x-gateway-session", "")))
            while True:
                frame = await out.get()
                if frame is None:
                    return
                yield frame
        finally:
            reader.cancel()
            for task in calls.values():
                task.cancel()
            if out in self._streams:
                self._streams.remove(out)

    async def _stream_call(
        self,
        req: service_pb2.CallRequest,
        session: str,
        out: asyncio.Queue[service_pb2.CoreFrame | None],
    ) -> None:
        served = {
            "initialize": (self._initialize, initialize_pb2.InitializeParams),
            "thread/start": (self._thread_start, thread_pb2.ThreadStartParams),
            "thread/loaded/list": (self._loaded_list, thread_pb2.ThreadLoadedListParams),
        }
        if req.method not in served:
            # What a core that does not serve the method answers (UNIMPLEMENTED).
            out.put_nowait(service_pb2.CoreFrame(results=[service_pb2.CallResult(
                call_id=req.call_id, error=error_message(
                    ProtocolError(METHOD_NOT_FOUND, "Method not found!")))]))
            return
        handler, params_cls = served[req.method]
        context = _StreamCallContext((
            ("x-gateway-session", session), ("x-connection-id", req.connection_id),
            ("x-request-seq", str(req.request_seq)), *req.metadata.items()))
        result = await handler(params_cls.FromString(req.params), context)  # type: ignore[operator,attr-defined]
        data = result.SerializeToString()
        step = self.result_piece_bytes or max(len(data), 1)
        for at in range(0, max(len(data), 1), step):
            out.put_nowait(service_pb2.CoreFrame(results=[service_pb2.CallResult(
                call_id=req.call_id, result=data[at:at + step], more=at + step < len(data))]))

    def _handlers(self) -> list[grpc.GenericRpcHandler]:
        session = {
            "Initialize": grpc.unary_unary_rpc_method_handler(
                self._initialize,
                request_deserializer=initialize_pb2.InitializeParams.FromString,
                response_serializer=initialize_pb2.InitializeResponse.SerializeToString,
            ),
            "Connect": grpc.stream_stream_rpc_method_handler(
                self._connect,
                request_deserializer=service_pb2.GatewayFrame.FromString,
                response_serializer=service_pb2.CoreFrame.SerializeToString,
            ),
        }
        threads = {
            "ThreadStart": grpc.unary_unary_rpc_method_handler(
                self._thread_start,
                request_deserializer=thread_pb2.ThreadStartParams.FromString,
                response_serializer=thread_pb2.ThreadStartResponse.SerializeToString,
            ),
            "ThreadLoadedList": grpc.unary_unary_rpc_method_handler(
                self._loaded_list,
                request_deserializer=thread_pb2.ThreadLoadedListParams.FromString,
                response_serializer=thread_pb2.ThreadLoadedListResponse.SerializeToString,
            ),
        }
        return [
            grpc.method_handlers_generic_handler(f"{PKG}.SessionService", session),
            grpc.method_handlers_generic_handler(f"{PKG}.ThreadService", threads),
        ]
