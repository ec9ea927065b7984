"""End to end: calls carried on the Connect stream (contract item 6 of service.proto)
beside the unary rpcs, against a real core.

A backend sends `CallRequests` frames on its stream and gets each `CallResult`
on the same stream, after the events the call caused; a polyglot backend
calling the unary rpcs reaches the same handlers.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc.aio

from app_server_protocol.v2 import service_pb2, thread_pb2
from tests.e2e.backend import CONNECT, WAIT, call
from tests.e2e.multi import Cluster
from tests.support.mock_model import MockModelServer


class StreamBackend:
    """A Connect stream whose frames the test writes and reads one by one."""

    def __init__(self, channel: grpc.aio.Channel, session: str) -> None:
        self.out: asyncio.Queue[service_pb2.GatewayFrame] = asyncio.Queue(100)
        self.out.put_nowait(service_pb2.GatewayFrame(
            hello=service_pb2.GatewayHello(gateway_session=session)))
        connect = channel.stream_stream(
            CONNECT, request_serializer=service_pb2.GatewayFrame.SerializeToString,
            response_deserializer=service_pb2.CoreFrame.FromString)
        self.stream = connect(self._requests())

    async def _requests(self) -> Any:
        while True:
            yield await self.out.get()

    def send_call(self, call_id: int, method: str, params: Any, conn: str, seq: int) -> None:
        """Queue one call of `method` for connection `conn`, its call number `seq`."""
        self.out.put_nowait(service_pb2.GatewayFrame(calls=service_pb2.CallRequests(calls=[
            service_pb2.CallRequest(call_id=call_id, connection_id=conn, request_seq=seq,
                                    method=method, params=params.SerializeToString())])))

    async def until_result(self, call_id: int) -> tuple[list[service_pb2.Event],
                                                         service_pb2.CallResult]:
        """The events read before (or with) the call's result, and the result."""
        events: list[service_pb2.Event] = []
        async with asyncio.timeout(WAIT):
            while True:
                frame = await self.stream.read()
                assert frame is not grpc.aio.EOF
                events.extend(frame.events)
                for result in frame.results:
                    if result.call_id == call_id:
                        return events, result


async def test_stream_call_answered_after_its_events_and_unary_still_served(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """thread/start sent as a stream call is answered on the stream by a `CallResult`
    that comes after the `thread/started` event it caused (which carries the call's
    ordering barrier); the same thread is then read through the unary rpc, as a
    polyglot backend would, and through the stream, with the same answer."""
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel:
            backend = StreamBackend(channel, "stream-backend")
            try:
                async with asyncio.timeout(WAIT):
                    ack = await backend.stream.read()
                assert ack is not grpc.aio.EOF and ack.HasField("attached")
                backend.send_call(1, "thread/start", thread_pb2.ThreadStartParams(), "conn-a", 3)
                events, result = await backend.until_result(1)
                assert result.WhichOneof("outcome") == "result" and not result.more
                started = thread_pb2.ThreadStartResponse.FromString(result.result)
                caused = [e for e in events
                          if e.notification.WhichOneof("notification") == "thread_started"]
                assert [(e.after_connection_id, e.after_request_seq) for e in caused] == [
                    ("conn-a", 3)]
                assert caused[0].notification.thread_started.thread.id == started.thread.id
                read = thread_pb2.ThreadReadParams(thread_id=started.thread.id)
                unary = await call(channel, "thread/read", read)
                backend.send_call(2, "thread/read", read, "conn-a", 4)
                _, streamed = await backend.until_result(2)
                assert thread_pb2.ThreadReadResponse.FromString(streamed.result) == unary
            finally:
                backend.stream.cancel()
