"""A backend's side of the session contract (service.proto), for end-to-end tests
that call the core over gRPC directly, as a backend in any language would.

`Attached` opens `SessionService.Connect`, sends the hello, and waits for the
core's `attached` frame; the events that follow are queued for the test. Its
`metadata(conn, seq)` names a connection of the session in a unary call.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import grpc
import grpc.aio

from app_server_protocol.methods import CLIENT_REQUESTS
from app_server_protocol.v2 import service_pb2

CONNECT = "/app_server_protocol.v2.SessionService/Connect"
WAIT = 15.0


class Attached:
    """An attached session: its Connect stream, its first frame, and what came after."""

    def __init__(self, channel: grpc.aio.Channel, session: str, *, takeover: bool = False
                 ) -> None:
        self.session = session
        self.events: asyncio.Queue[service_pb2.Event] = asyncio.Queue(10_000)
        self._out: asyncio.Queue[service_pb2.GatewayFrame | None] = asyncio.Queue(100)
        self._out.put_nowait(service_pb2.GatewayFrame(hello=service_pb2.GatewayHello(
            gateway_session=session, takeover=takeover)))
        connect = channel.stream_stream(
            CONNECT, request_serializer=service_pb2.GatewayFrame.SerializeToString,
            response_deserializer=service_pb2.CoreFrame.FromString)
        self.call = connect(self._requests())
        self.ack: service_pb2.CoreFrame | None = None
        self._reader: asyncio.Task[None] | None = None

    async def _requests(self) -> Any:
        while (frame := await self._out.get()) is not None:
            yield frame

    async def __aenter__(self) -> Attached:
        async with asyncio.timeout(WAIT):
            self.ack = await self.call.read()
        assert self.ack is not grpc.aio.EOF and self.ack.HasField("attached"), self.ack
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self) -> None:
        while (frame := await self.call.read()) is not grpc.aio.EOF:
            for event in frame.events:
                self.events.put_nowait(event)

    async def ended(self) -> grpc.StatusCode:
        """The status the core ended the stream with."""
        async with asyncio.timeout(WAIT):
            return await self.call.code()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.call.cancel()
        if self._reader is not None:
            self._reader.cancel()

    def metadata(self, conn: str = "c1", seq: int = 1) -> tuple[tuple[str, str], ...]:
        """Call metadata naming connection `conn` of this session, call number `seq`."""
        return (("x-gateway-session", self.session), ("x-connection-id", conn),
                ("x-request-seq", str(seq)))

    async def next_event(self, method_field: str) -> service_pb2.Event:
        """The next event whose notification is `method_field` (a ServerNotification member)."""
        async with asyncio.timeout(WAIT):
            while True:
                event = await self.events.get()
                if event.notification.WhichOneof("notification") == method_field:
                    return event


async def call(channel: grpc.aio.Channel, method: str, request: Any,
               metadata: tuple[tuple[str, str], ...] = ()) -> Any:
    """Call the core's rpc of JSON-RPC `method` with a request message, as a backend would."""
    m = CLIENT_REQUESTS[method]
    rpc = channel.unary_unary(m.grpc_path, request_serializer=m.params.SerializeToString,
                              response_deserializer=m.result.FromString)
    return await rpc(request, timeout=WAIT, metadata=metadata)
