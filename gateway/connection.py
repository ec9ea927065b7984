"""One client connection at run time: a reader, a writer, bounded work.

The reader takes whole messages from the transport and lets the `Session`
decide; each request is then handled as its own task, bounded per
connection and gateway-wide. A request beyond those bounds waits in the
connection's backlog (bounded in count per connection and in bytes
gateway-wide) and starts, in arrival order, when a slot is given back;
only past the backlog's bounds is it answered -32001 "Server overloaded;
retry later." at once. The reader keeps reading meanwhile, so a client's
answers to server requests are never stuck behind a full window, and a
client writing 1,000 requests without reading gets every one answered.
The writer drains a bounded outbound queue; a client that lets it fill up
is disconnected, so a slow reader never blocks the core stream or other
connections. `initialize` is handled inline: nothing is read until it is
answered, as on the reference, so a client may pipeline requests after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import grpc
from google.protobuf.message import Message

from app_server_protocol.errors import (
    OVERLOADED_MESSAGE,
    SERVER_OVERLOADED,
    ProtocolError,
    internal_error,
    rpc_error_to_jsonrpc,
    unexpected_error,
)
from app_server_protocol.methods import Method
from app_server_protocol.v2 import service_pb2
from gateway import telemetry
from gateway.session import Call, ClientReply, Ignored, Reply, Session, error_bytes
from gateway.transport import MessageStream

log = logging.getLogger(__name__)

# Websocket close codes used when the gateway drops a client.
CLOSE_POLICY = 1008
CLOSE_GOING_AWAY = 1001


@dataclass(frozen=True)
class Limits:
    """Bounds of the gateway (every queue a bound)."""

    # Outgoing messages queued for one client before it is disconnected.
    outbound_queue: int = 4096
    # Requests of one connection awaiting the core.
    per_connection_in_flight: int = 64
    # Requests of all connections awaiting the core.
    global_in_flight: int = 1024
    # Requests of one connection queued behind those bounds before -32001.
    per_connection_backlog: int = 1024
    # Outgoing messages held behind an unanswered request (ordering barrier).
    max_held: int = 4096
    # How long a connection whose input ended may finish its requests.
    drain_timeout: float = 10.0


class Backend(Protocol):
    """What a connection needs from the core link."""

    async def call(
        self, method: Method, params: Message, *, connection_id: str, seq: int
    ) -> Message:
        """Forward one request; raises `grpc.RpcError` or `ProtocolError`."""
        ...

    def send_frame(self, frame: service_pb2.GatewayFrame) -> None:
        """Queue a frame on the Connect stream without blocking."""
        ...


# Bytes of queued requests, all connections together, before -32001.
BACKLOG_BYTES = 64 * 1024 * 1024
# What a queued request is counted beyond its message size: its parsed form.
QUEUED_OVERHEAD = 1024


class IngressLimit:
    """Gateway-wide bounds: requests in flight (a hard bound, with connections
    waiting for a slot woken in turn when one is given back) and the bytes of
    the requests queued in all connections' backlogs."""

    def __init__(self, limit: int, backlog_bytes: int = BACKLOG_BYTES) -> None:
        self.limit = limit
        self.in_flight = 0
        self.backlog_bytes = backlog_bytes
        self.queued_bytes = 0
        # Connections waiting for a slot, oldest first: id -> wake-up.
        self._waiting: dict[str, Callable[[], None]] = {}

    def try_acquire(self) -> bool:
        """Take a slot; False when saturated."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def release(self) -> None:
        """Give a slot back, and wake the connections waiting for one while slots last."""
        self.in_flight -= 1
        while self._waiting and self.in_flight < self.limit:
            key = next(iter(self._waiting))
            self._waiting.pop(key)()

    def wait_for_slot(self, key: str, wake: Callable[[], None]) -> None:
        """Have `wake` called (once) when a slot is given back."""
        self._waiting.setdefault(key, wake)

    def forget(self, key: str) -> None:
        """Stop waiting for a slot (the connection is going)."""
        self._waiting.pop(key, None)

    def reserve_bytes(self, size: int) -> bool:
        """Count `size` queued bytes; False (nothing counted) past the bound."""
        if self.queued_bytes + size > self.backlog_bytes:
            return False
        self.queued_bytes += size
        return True

    def free_bytes(self, size: int) -> None:
        """Uncount queued bytes."""
        self.queued_bytes -= size


class Backlog:
    """The requests of one connection waiting for an in-flight slot, oldest first.

    Bounded twice: `limit` requests on this connection, and the ingress's
    byte bound over every connection's backlog (a request counts its
    message size plus `QUEUED_OVERHEAD`). `offer` says False past either:
    the request is then refused -32001.
    """

    def __init__(self, limit: int, ingress: IngressLimit) -> None:
        self._limit = limit
        self._ingress = ingress
        self._queue: deque[tuple[Call, int]] = deque()

    def __len__(self) -> int:
        return len(self._queue)

    def offer(self, call: Call, size: int) -> bool:
        """Queue `call` (its message was `size` bytes); False when it does not fit."""
        cost = size + QUEUED_OVERHEAD
        if len(self._queue) >= self._limit or not self._ingress.reserve_bytes(cost):
            return False
        self._queue.append((call, cost))
        return True

    def peek(self) -> Call:
        """The oldest queued request (the backlog must not be empty)."""
        return self._queue[0][0]

    def pop(self) -> Call:
        """Take the oldest queued request out, uncounting its bytes."""
        call, cost = self._queue.popleft()
        self._ingress.free_bytes(cost)
        return call

    def clear(self) -> list[Call]:
        """Take every queued request out, oldest first."""
        return [self.pop() for _ in range(len(self._queue))]


def overloaded() -> ProtocolError:
    """The -32001 error answered when ingress is saturated."""
    return ProtocolError(SERVER_OVERLOADED, OVERLOADED_MESSAGE)


class Connection:
    """The run-time side of one client connection (see the module docstring)."""

    def __init__(
        self,
        connection_id: str,
        stream: MessageStream,
        backend: Backend,
        ingress: IngressLimit,
        limits: Limits | None = None,
        *,
        drain_on_eof: bool = True,
    ) -> None:
        self.id = connection_id
        self.stream = stream
        limits = limits or Limits()
        self.session = Session(connection_id, max_held=limits.max_held)
        self._backend = backend
        self._ingress = ingress
        self._limits = limits
        self._drain_on_eof = drain_on_eof
        self._out: asyncio.Queue[bytes] = asyncio.Queue(limits.outbound_queue)
        self._tasks: set[asyncio.Task[None]] = set()
        self._backlog = Backlog(limits.per_connection_backlog, ingress)
        # Set whenever a request starts (a queued one may wait for another
        # connection's slot while none of this one's is in flight).
        self._started = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._abort: asyncio.Task[None] | None = None
        # Looked up once: get_running_loop() is a getpid() system call on 3.11.
        self._loop = asyncio.get_running_loop()
        # Why the gateway dropped this client (None: it left by itself).
        self.dropped: str | None = None
        # Going away: nothing more is queued for the client.
        self._sealed = False

    # -- output --------------------------------------------------------------
    def enqueue(self, messages: list[bytes]) -> bool:
        """Queue messages for the client; False (and the client is dropped) if full."""
        if self.dropped is not None or self._sealed:
            return False
        for m in messages:
            try:
                self._out.put_nowait(m)
            except asyncio.QueueFull:
                telemetry.slow_client(telemetry.SLOW_OUTBOUND)
                self.drop(CLOSE_POLICY, "outbound queue full: client is not reading")
                return False
        return True

    async def go_away(self, grace: float) -> None:
        """Shut down politely: the requests in flight are answered and what is
        queued is written (both within `grace` seconds), then the client is dropped
        with 1001 (going away). Messages arriving meanwhile are not sent."""
        if self.dropped is not None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        await self._settle(grace)
        self._sealed = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._out.join(), max(0.0, deadline - loop.time()))
        self.drop(CLOSE_GOING_AWAY, "server shutting down")

    def drop(self, code: int, reason: str) -> None:
        """Disconnect the client now, without waiting for it."""
        if self.dropped is not None:
            return
        self.dropped = reason
        log.warning("dropping connection %s (%s): %s", self.id, self.stream.peer, reason)
        if self._writer is not None:
            self._writer.cancel()
        self._abandon_backlog()
        for task in self._tasks:
            task.cancel()
        self._abort = asyncio.get_running_loop().create_task(self.stream.abort(code, reason))

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._out.get()]
            while len(batch) < 256:
                try:
                    batch.append(self._out.get_nowait())
                except asyncio.QueueEmpty:
                    break
            try:
                await self.stream.send(batch)
            except ConnectionError as err:
                log.info("connection %s: write failed: %s", self.id, err)
                return
            finally:
                for _ in range(len(batch)):
                    self._out.task_done()
                # Nothing sent stays referenced while the writer waits for the
                # next message: an idle connection held its last answer
                # (4 KiB: orjson's buffer is not shrunk to the 80 bytes).
                batch.clear()

    # -- input ---------------------------------------------------------------
    async def run(self) -> None:
        """Serve the connection until the client leaves or is dropped."""
        open_gauge = telemetry.connection_opened(self.id, self.stream)
        self._writer = self._loop.create_task(self._write_loop())
        try:
            while self.dropped is None:
                data = await self.stream.receive()
                if data is None or self.dropped is not None:
                    break
                await self._handle(data)
        finally:
            open_gauge.dec()
            await self._finish()

    async def _settle(self, within: float) -> None:
        """Wait, at most `within` seconds, until no request is in flight or queued."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (self._tasks or self._backlog) and (left := deadline - loop.time()) > 0:
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=left,
                                   return_when=asyncio.FIRST_COMPLETED)
            else:
                self._started.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._started.wait(), left)

    def _abandon_backlog(self) -> None:
        self._ingress.forget(self.id)
        for call in self._backlog.clear():
            self.session.call_failed(call, internal_error("request cancelled"))

    async def _finish(self) -> None:
        if self._drain_on_eof and self.dropped is None:
            # The client closed its input but may still read the answers.
            await self._settle(self._limits.drain_timeout)
        self._abandon_backlog()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        writer = self._writer
        if (
            self._drain_on_eof
            and writer is not None
            and not writer.done()
            and self.dropped is None
        ):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._out.join(), self._limits.drain_timeout)
        if writer is not None:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        if self._abort is not None:
            await asyncio.gather(self._abort, return_exceptions=True)

    async def _handle(self, data: bytes | str) -> None:
        try:
            action = self.session.handle_message(data)
        except Exception:  # a bug here must not end the connection
            log.exception("connection %s: cannot handle a message", self.id)
            self.enqueue([error_bytes(None, unexpected_error())])
            return
        if isinstance(action, Reply):
            telemetry.REQUESTS_REFUSED.inc()
            self.enqueue([action.message])
        elif isinstance(action, Call):
            if action.is_initialize:
                await self._run_call(action, slot=False)
            elif not (not self._backlog and self._start(action)
                      or self._backlog.offer(action, len(data))):
                telemetry.overloaded(action)
                self.enqueue(self.session.call_failed(action, overloaded()))
        elif isinstance(action, ClientReply):
            self._backend.send_frame(service_pb2.GatewayFrame(reply=action.reply))
        elif isinstance(action, Ignored):
            log.info("connection %s: ignored %s", self.id, action.reason)

    def _start(self, call: Call) -> bool:
        """Run `call` as a task if both in-flight bounds allow it; False otherwise
        (waiting for a gateway-wide slot if that is the one missing)."""
        if len(self._tasks) >= self._limits.per_connection_in_flight:
            return False
        if not self._ingress.try_acquire():
            self._ingress.wait_for_slot(self.id, self._pump)
            return False
        task = self._loop.create_task(self._run_call(call, slot=True))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        self._started.set()
        return True

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._pump()

    def _pump(self) -> None:
        """Start queued requests, oldest first, while slots allow."""
        while self._backlog and self.dropped is None and self._start(self._backlog.peek()):
            self._backlog.pop()

    async def _run_call(self, call: Call, *, slot: bool) -> None:
        try:
            result = await telemetry.timed_call(self.id, call, self._backend.call(
                call.method, call.params, connection_id=self.id, seq=call.seq
            ))
        except grpc.RpcError as err:
            messages = self.session.call_failed(call, rpc_error_to_jsonrpc(err))
        except ProtocolError as err:
            messages = self.session.call_failed(call, err)
        except asyncio.CancelledError:
            self.session.call_failed(call, internal_error("request cancelled"))
            raise
        except Exception:
            log.exception("connection %s: %s failed", self.id, call.method.name)
            messages = self.session.call_failed(call, unexpected_error())
        else:
            messages = self.session.call_succeeded(call, result)
        finally:
            if slot:
                self._ingress.release()
        self.enqueue(messages)
