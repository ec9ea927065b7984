"""The gateway's link to the core: the Connect stream, and calls made on it.

Calls are made from the method table alone (the method's name, params and
result classes): the gateway has no per-method code. Each client request is
a `CallRequest` frame on the Connect stream naming its connection and
sequence number, answered by a `CallResult` frame (contract item 6 of
`service.proto`): one message on an open stream costs about half a unary
call (measured: 126 us against 267 us wall per call). A call has a deadline
(`call_timeout`); when it passes, or the waiting task is cancelled (its
client left), a `CallCancel` frame cancels the handler in the core. The
stream carries the core's token when it has one (`authorization: Bearer
<token>`). With a CA certificate the channel speaks TLS (grpc's own
credentials) and checks the core's certificate against that CA and the
host name of the address.

The gateway is a backend like any other and follows the session contract
of `service.proto`. The Connect stream (one per gateway process) starts with
a `GatewayHello` naming the session (with `takeover`: the session id is this
process's own, and a reconnect may reach the core before it noticed the old
stream broke), is up once the core's first frame acknowledges the attach,
and then carries calls, connection-closed notices and server-request replies
to the core, and call results, events and server requests back. When it breaks (the core
restarted, or was replaced by another process serving the same address),
it is reopened with exponential backoff and jitter for as long as the
gateway runs; `on_reconnect` then lets the gateway restore what the core
forgot; calls in flight when it broke fail with "core unavailable; retry
later". Calls wait (bounded) for the attach, so a call never reaches a core
that has not attached this gateway's session.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import grpc
import grpc.aio
from google.protobuf.message import Message

from app_server_protocol.errors import error_from_message, rpc_error_to_jsonrpc, transport_error
from app_server_protocol.methods import SERVICE_FILE, Method
from app_server_protocol.v2 import service_pb2

log = logging.getLogger(__name__)

DEFAULT_CALL_TIMEOUT = 60.0
DEFAULT_READY_TIMEOUT = 5.0
DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024
# Frames waiting to go to the core on the Connect stream.
OUTBOUND_FRAME_LIMIT = 10_000

# Items taken from that queue per write round (calls among them go as one frame).
OUTBOUND_BATCH = 512

CONNECT_PATH = f"/{SERVICE_FILE.package}.SessionService/Connect"

# Stream statuses that mean the core refuses this gateway (not that it is away).
_REFUSALS = frozenset({grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED})

# What waits to go to the core: a frame, or a call to batch with its neighbours.
Outbound = service_pb2.GatewayFrame | service_pb2.CallRequest


def coalesce(items: list[Outbound]) -> Iterator[service_pb2.GatewayFrame]:
    """The frames that carry `items` in order: neighbouring calls share one
    `CallRequests` frame (one stream message instead of one each)."""
    batch: list[service_pb2.CallRequest] = []
    for item in items:
        if isinstance(item, service_pb2.CallRequest):
            batch.append(item)
            continue
        if batch:
            yield service_pb2.GatewayFrame(calls=service_pb2.CallRequests(calls=batch))
            batch = []
        yield item
    if batch:
        yield service_pb2.GatewayFrame(calls=service_pb2.CallRequests(calls=batch))


def channel_options(max_message_size: int) -> list[tuple[str, Any]]:
    """Channel options: message limits, keepalive, and a fast reconnect backoff."""
    return [
        ("grpc.max_send_message_length", max_message_size),
        ("grpc.max_receive_message_length", max_message_size),
        ("grpc.keepalive_time_ms", 20_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
        # The channel's own reconnect backoff (default 1 s .. 120 s) would
        # leave clients facing "core unavailable" long after a core restart.
        ("grpc.initial_reconnect_backoff_ms", 50),
        ("grpc.min_reconnect_backoff_ms", 50),
        ("grpc.max_reconnect_backoff_ms", 2_000),
        # A core replaced by a new container comes back under its name at a
        # new address; gRPC re-resolves at most every 30 s by default, which
        # kept gateways on the old address ~40 s (measured, docker/smoke.sh).
        ("grpc.dns_min_time_between_resolutions_ms", 500),
    ]


class CoreLink:
    """The channel to the core, its unary calls and its Connect stream.

    `on_frame` is called for every `CoreFrame` (it must not block or
    raise); `on_reconnect` after the stream has been reopened (not on the
    first connection).
    """

    def __init__(
        self,
        target: str,
        session_id: str,
        *,
        on_frame: Callable[[service_pb2.CoreFrame], None],
        on_reconnect: Callable[[], None] | None = None,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        backoff_initial: float = 0.05,
        backoff_max: float = 2.0,
        token: str | None = None,
        tls: grpc.ChannelCredentials | None = None,
    ) -> None:
        self.target = target
        self.session_id = session_id
        self._on_frame = on_frame
        self._on_reconnect = on_reconnect
        self.call_timeout = call_timeout
        self.ready_timeout = ready_timeout
        self._max_message_size = max_message_size
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._authorization = f"Bearer {token}" if token is not None else None
        self._tls = tls
        self._channel: grpc.aio.Channel | None = None
        self._call_ids = itertools.count(1)
        # call id -> the answer's future and the pieces of a large result so far
        self._calls: dict[int, tuple[asyncio.Future[bytes], list[bytes]]] = {}
        self._out: asyncio.Queue[Outbound] | None = None
        self._stream_task: asyncio.Task[None] | None = None
        self._closing = False
        # Number of times the Connect stream came up (tests and logs).
        self.streams_connected = 0
        # Why the core refused the stream (credentials), told to callers meanwhile.
        self._refusal: grpc.aio.AioRpcError | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        """Open the channel and start the Connect stream (does not wait for the core)."""
        if self._channel is not None:
            return
        options = channel_options(self._max_message_size)
        if self._tls is not None:
            self._channel = grpc.aio.secure_channel(self.target, self._tls, options=options)
        else:
            self._channel = grpc.aio.insecure_channel(self.target, options=options)
        # Looked up once: get_running_loop() is a getpid() system call on 3.11.
        self._loop = asyncio.get_running_loop()
        self._stream_task = self._loop.create_task(
            self._stream_loop(), name="core-connect"
        )

    def _metadata(self) -> grpc.aio.Metadata:
        md = grpc.aio.Metadata(("x-gateway-session", self.session_id))
        if self._authorization is not None:
            md.add("authorization", self._authorization)
        return md

    async def wait_ready(self) -> None:
        """Give a (re)connecting link a bounded moment before calling.

        Waits for the Connect stream, not only the channel: a new core must
        have heard the hello (and `on_reconnect` have started) before it
        gets this gateway's calls.
        """
        if self.connected.is_set():
            return
        try:
            await asyncio.wait_for(self.connected.wait(), self.ready_timeout)
        except TimeoutError:
            # The call below then fails fast with UNAVAILABLE, which the
            # client sees as "core unavailable; retry later".
            pass

    async def call(
        self,
        method: Method,
        params: Message,
        *,
        connection_id: str,
        seq: int,
        extra_metadata: tuple[tuple[str, str], ...] = (),
    ) -> Message:
        """Call the core for one client request on the Connect stream.

        Raises `ProtocolError`: the core's answer, or "core unavailable" /
        "core did not answer in time" when the stream is down, breaks or
        the deadline passes. Cancelling the caller cancels the call.
        """
        if self._channel is None:
            raise RuntimeError("core link not started")
        await self.wait_ready()
        out = self._out
        if out is None:
            if self._refusal is not None:
                raise rpc_error_to_jsonrpc(self._refusal)
            raise transport_error(grpc.StatusCode.UNAVAILABLE)
        call_id = next(self._call_ids)
        loop = self._loop
        answer: asyncio.Future[bytes] = loop.create_future()
        request = service_pb2.CallRequest(
            call_id=call_id, connection_id=connection_id, request_seq=seq,
            method=method.name, params=params.SerializeToString(),
            metadata=dict(extra_metadata), timeout_ms=int(self.call_timeout * 1000))
        try:
            out.put_nowait(request)
        except asyncio.QueueFull:
            raise transport_error(grpc.StatusCode.UNAVAILABLE) from None
        self._calls[call_id] = (answer, [])
        # A bare timer, not asyncio.timeout: a third of the cost, per request.
        expiry = loop.call_later(self.call_timeout, self._expire, call_id)
        try:
            data = await answer
        except asyncio.CancelledError:
            self._cancel(call_id)
            raise
        finally:
            expiry.cancel()
            self._calls.pop(call_id, None)
        assert method.result is not None
        result: Message = method.result.FromString(data)
        return result

    def _expire(self, call_id: int) -> None:
        """The deadline of a call passed: the core is told to give it up."""
        entry = self._calls.get(call_id)
        if entry is not None and not entry[0].done():
            self._cancel(call_id)
            entry[0].set_exception(transport_error(grpc.StatusCode.DEADLINE_EXCEEDED))

    def _cancel(self, call_id: int) -> None:
        if call_id in self._calls:
            self.send_frame(service_pb2.GatewayFrame(
                cancel=service_pb2.CallCancel(call_id=call_id)))

    def _answered(self, results: Iterable[service_pb2.CallResult]) -> None:
        """Hand each `CallResult` to its waiting call (pieces are joined first)."""
        for res in results:
            entry = self._calls.get(res.call_id)
            if entry is None or entry[0].done():
                continue  # given up (cancelled or timed out) already
            answer, pieces = entry
            if res.WhichOneof("outcome") == "error":
                answer.set_exception(error_from_message(res.error))
            elif res.more:
                pieces.append(res.result)
                if sum(map(len, pieces)) > self._max_message_size:
                    answer.set_exception(transport_error(grpc.StatusCode.RESOURCE_EXHAUSTED))
            elif pieces:
                pieces.append(res.result)
                answer.set_result(b"".join(pieces))
            else:
                answer.set_result(res.result)

    def _fail_calls(self) -> None:
        """The stream broke: no answer will come to the calls in flight."""
        for answer, _ in self._calls.values():
            if not answer.done():
                answer.set_exception(transport_error(grpc.StatusCode.UNAVAILABLE))

    def send_frame(self, frame: service_pb2.GatewayFrame) -> None:
        """Queue a frame for the core without blocking.

        While the stream is down the frame is dropped: the core it was
        meant for is gone, and the new one never saw what it refers to.
        """
        out = self._out
        if out is None:
            log.info("core stream down; dropping %s frame", frame.WhichOneof("frame"))
            return
        try:
            out.put_nowait(frame)
        except asyncio.QueueFull:
            log.error("core is not reading the Connect stream; dropping %s frame",
                      frame.WhichOneof("frame"))

    async def _requests(
        self, out: asyncio.Queue[Outbound]
    ) -> AsyncIterator[service_pb2.GatewayFrame]:
        yield service_pb2.GatewayFrame(
            hello=service_pb2.GatewayHello(gateway_session=self.session_id, takeover=True)
        )
        while True:
            pending = [await out.get()]
            while len(pending) < OUTBOUND_BATCH:
                try:
                    pending.append(out.get_nowait())
                except asyncio.QueueEmpty:
                    break
            for frame in coalesce(pending):
                yield frame

    async def _stream_loop(self) -> None:
        assert self._channel is not None
        connect = self._channel.stream_stream(
            CONNECT_PATH,
            request_serializer=service_pb2.GatewayFrame.SerializeToString,
            response_deserializer=service_pb2.CoreFrame.FromString,
        )
        loop = asyncio.get_running_loop()
        delay = self._backoff_initial
        while not self._closing:
            out: asyncio.Queue[Outbound] = asyncio.Queue(OUTBOUND_FRAME_LIMIT)
            # wait_for_ready: while the core is down the call waits for the
            # channel (which retries with the short backoff above) instead
            # of failing in a tight loop; shutdown cancels it.
            call = connect(self._requests(out), metadata=self._metadata(), wait_for_ready=True)
            started = loop.time()
            got_frame = False
            try:
                async for frame in call:
                    got_frame = True
                    if frame.HasField("attached"):
                        self._attached(out)
                        continue
                    # Answers first: the events of this frame that follow a
                    # response are held by the session until it is written.
                    if frame.results:
                        self._answered(frame.results)
                        if not frame.events and not frame.server_requests:
                            continue
                    try:
                        self._on_frame(frame)
                    except Exception:  # a routing bug must not kill the link
                        log.exception("failed to route a frame from the core")
                log.warning("core ended the Connect stream")
            except grpc.aio.AioRpcError as err:
                if self._closing:
                    break
                # Refused credentials will not heal by retrying: say it loudly
                # (and tell callers, rather than "core unavailable"). The
                # refusal stands until the core attaches this gateway: a later
                # attempt may end otherwise (a refusal racing the hello's write
                # surfaces as the write's failure) without the token having
                # become right.
                refused = err.code() in _REFUSALS
                if refused:
                    self._refusal = err
                level = logging.ERROR if refused else logging.WARNING
                log.log(level, "core stream broke: %s %s", err.code().name, err.details())
            finally:
                self._out = None
                self.connected.clear()
                self._fail_calls()
                call.cancel()
            if self._closing:
                break
            if got_frame or loop.time() - started > 1.0:
                delay = self._backoff_initial
            # Jitter: many gateways must not hammer a restarted core in step.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self._backoff_max)

    def _attached(self, out: asyncio.Queue[Outbound]) -> None:
        """The core acknowledged the session: frames and calls may go to it now."""
        self._out = out
        self._refusal = None
        self.streams_connected += 1
        self.connected.set()
        log.info("connected to core at %s", self.target)
        if self.streams_connected > 1 and self._on_reconnect is not None:
            self._on_reconnect()

    async def close(self) -> None:
        """Stop the stream and close the channel (idempotent)."""
        self._closing = True
        task, self._stream_task = self._stream_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close(grace=None)
