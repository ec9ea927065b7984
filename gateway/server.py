"""The gateway's registry of connections and its side of the Connect stream.

`Gateway` mints connection ids, runs each accepted `MessageStream` as a
`Connection`, routes every frame from the core to the addressed connections
and tells the core when a connection closes. It knows no transport: the
stdio and websocket transports hand it streams.

When the core link comes back (a restarted core, or a new core process
serving the same address over the same CODEX_HOME), the gateway restores
what that core does not know: each connection's `initialize` and its thread
subscriptions (a `thread/resume` each, which loads the thread from its
rollout). Client requests wait (bounded) for that restore, so a turn on an
old thread finds it loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

import grpc
from google.protobuf.message import Message

from app_server_protocol.errors import ProtocolError
from app_server_protocol.methods import CLIENT_REQUESTS, RESUME_METHOD, Method
from app_server_protocol.v2 import service_pb2
from gateway import telemetry
from gateway.connection import CLOSE_GOING_AWAY, CLOSE_POLICY, Connection, IngressLimit, Limits
from gateway.core_link import CoreLink
from gateway.routing import route_frame
from gateway.session import INITIALIZE, Session
from gateway.transport import MessageStream

log = logging.getLogger(__name__)


class Gateway:
    """Connections of one gateway process and the routing between them and the core."""

    def __init__(self, core: CoreLink | None = None, limits: Limits | None = None) -> None:
        self.core = core
        self.limits = limits or Limits()
        self.ingress = IngressLimit(self.limits.global_in_flight)
        self.connections: dict[str, Connection] = {}
        self.sessions: dict[str, Session] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self._background: set[asyncio.Task[None]] = set()
        # The restore after the latest reconnect (None before any).
        self._restore: asyncio.Task[None] | None = None
        self._no_connections = asyncio.Event()
        self._no_connections.set()

    # -- Backend (what connections call) --------------------------------------
    async def call(
        self, method: Method, params: Message, *, connection_id: str, seq: int
    ) -> Message:
        """Forward one request to the core."""
        if self.core is None:
            raise ProtocolError(-32603, "core unavailable; retry later")
        await self.core.wait_ready()
        restore = self._restore
        if restore is not None and not restore.done():
            # Bounded: a slow restore delays requests, it never blocks them.
            await asyncio.wait({restore}, timeout=self.core.ready_timeout)
        return await self.core.call(method, params, connection_id=connection_id, seq=seq)

    def send_frame(self, frame: service_pb2.GatewayFrame) -> None:
        """Queue a frame for the core's Connect stream."""
        if self.core is not None:
            self.core.send_frame(frame)

    # -- connections -----------------------------------------------------------
    async def serve(self, stream: MessageStream, *, drain_on_eof: bool = True) -> Connection:
        """Run one client connection to its end; returns it (see `Connection.dropped`)."""
        cid = f"c{next(self._ids)}"
        conn = Connection(cid, stream, self, self.ingress, self.limits, drain_on_eof=drain_on_eof)
        self.connections[cid] = conn
        self.sessions[cid] = conn.session
        self._no_connections.clear()
        log.info("connection %s opened (%s)", cid, stream.peer)
        try:
            if self._closing:
                conn.drop(CLOSE_GOING_AWAY, "server shutting down")
            await conn.run()
        finally:
            del self.connections[cid]
            del self.sessions[cid]
            if not self.connections:
                self._no_connections.set()
            self.send_frame(service_pb2.GatewayFrame(
                connection_closed=service_pb2.ConnectionClosed(connection_id=cid)
            ))
            log.info("connection %s closed", cid)
        return conn

    # -- from the core ---------------------------------------------------------
    def on_core_frame(self, frame: service_pb2.CoreFrame) -> None:
        """Deliver one frame from the core (called by the core link; never blocks)."""
        routed = route_frame(frame, self.sessions)
        for cid, messages in routed.out.items():
            conn = self.connections.get(cid)
            if conn is not None and not conn.enqueue(messages):
                telemetry.NOTIFICATIONS_DROPPED.inc(len(messages))
        for cid in routed.overflowed:
            conn = self.connections.get(cid)
            if conn is not None:
                telemetry.slow_client(telemetry.SLOW_HELD)
                conn.drop(CLOSE_POLICY, "too many messages held for the client")

    def on_core_reconnect(self) -> None:
        """The Connect stream was reopened: tell the core again who is initialized.

        A restarted core (or one that saw our stream end) forgot every
        connection; replaying each accepted `initialize` restores the client
        info it uses (user agent, originator) and its set of initialized
        connections. Marked with `x-reinitialize: 1`; answers are discarded.
        """
        telemetry.CORE_RECONNECTS.inc()
        if self.core is None:
            return
        task = asyncio.get_running_loop().create_task(self._restore_all())
        self._restore = task
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _restore_all(self) -> None:
        await asyncio.gather(*(
            self._replay_initialize(cid, session.init_params, sorted(session.subscribed_threads))
            for cid, session in list(self.sessions.items())
            if session.initialized and session.init_params is not None
        ))

    async def _replay_initialize(self, cid: str, params: Message, threads: list[str]) -> None:
        """Replay `initialize`, then re-subscribe the connection to its threads
        (a `thread/resume` each, which loads them from disk on the new core)."""
        assert self.core is not None
        replay = (("x-reinitialize", "1"),)
        try:
            await self.core.call(
                CLIENT_REQUESTS[INITIALIZE], params, connection_id=cid, seq=0,
                extra_metadata=replay,
            )
        except (grpc.RpcError, ProtocolError) as err:
            log.warning("could not restore connection %s on the core: %s", cid, err)
            return
        resume = CLIENT_REQUESTS[RESUME_METHOD]
        for thread_id in threads:
            try:
                await self.core.call(resume, resume.params(thread_id=thread_id),
                                     connection_id=cid, seq=0, extra_metadata=replay)
            except (grpc.RpcError, ProtocolError) as err:
                log.info("subscription of %s to %s not restored: %s", cid, thread_id, err)
                session = self.sessions.get(cid)
                if session is not None:
                    session.subscribed_threads.discard(thread_id)

    # -- shutdown --------------------------------------------------------------
    async def close(self, grace: float = 5.0) -> None:
        """Close every connection politely (`Connection.go_away`: requests in
        flight answered and written, then close 1001) and wait for them to
        end, all within `grace` seconds (idempotent)."""
        self._closing = True
        for task in list(self._background):
            task.cancel()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        leaving = [conn.go_away(grace) for conn in list(self.connections.values())]
        if leaving:
            await asyncio.gather(*leaving)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._no_connections.wait(),
                                   max(0.0, deadline - loop.time()))
