"""One client connection at run time: a reader, a writer, bounded work.

The reader takes whole messages from the transport and lets the `Session`
decide; each request is then handled as its own task (bounded per
connection and gateway-wide: beyond the bound the request is answered
-32001 "Server overloaded; retry later." at once, never queued). The
writer drains a bounded outbound queue; a client that lets it fill up is
disconnected, so a slow reader never blocks the core stream or other
connections. `initialize` is handled inline: nothing is read until it is
answered, as on the reference, so a client may pipeline requests after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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


class IngressLimit:
    """A gateway-wide count of requests in flight, with a hard bound."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    def try_acquire(self) -> bool:
        """Take a slot; False when saturated."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def release(self) -> None:
        """Give a slot back."""
        self.in_flight -= 1


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
        self._writer: asyncio.Task[None] | None = None
        self._abort: asyncio.Task[None] | None = None
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
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
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
                for _ in batch:
                    self._out.task_done()

    # -- input ---------------------------------------------------------------
    async def run(self) -> None:
        """Serve the connection until the client leaves or is dropped."""
        open_gauge = telemetry.connection_opened(self.id, self.stream)
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())
        try:
            while self.dropped is None:
                data = await self.stream.receive()
                if data is None or self.dropped is not None:
                    break
                await self._handle(data)
        finally:
            open_gauge.dec()
            await self._finish()

    async def _finish(self) -> None:
        if self._drain_on_eof and self.dropped is None and self._tasks:
            # The client closed its input but may still read the answers.
            await asyncio.wait(set(self._tasks), timeout=self._limits.drain_timeout)
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
            elif (
                len(self._tasks) >= self._limits.per_connection_in_flight
                or not self._ingress.try_acquire()
            ):
                telemetry.overloaded(action)
                self.enqueue(self.session.call_failed(action, overloaded()))
            else:
                task = asyncio.get_running_loop().create_task(self._run_call(action, slot=True))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        elif isinstance(action, ClientReply):
            self._backend.send_frame(service_pb2.GatewayFrame(reply=action.reply))
        elif isinstance(action, Ignored):
            log.info("connection %s: ignored %s", self.id, action.reason)

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
