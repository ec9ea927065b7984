"""Event hub of the core: gateways, connections, subscriptions, targeted delivery.

The core is the single owner of subscription state: per thread, the set of
subscribed connections (gateway session + connection id). Every event the
core emits names its recipients; the hub groups them per gateway and queues
them on that gateway's Connect stream, where the writer batches whatever is
pending into one frame (with the results of calls made on the stream).
Server->client requests travel the same way and are
awaited here: a client's JSON-RPC error reaches the waiter as that error, a
vanished connection as "channel closed", silence as a timeout, a result that
does not decode as the decoder's message.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from google.protobuf.message import Message

from app_server_protocol import codec, jsonrpc_pb2
from app_server_protocol.methods import NOTIFICATION_FIELD_BY_TYPE, SERVER_REQUEST_FIELD_BY_METHOD
from app_server_protocol.v2 import notification_pb2, service_pb2
from app_server_protocol.wire_types import ClientInfo

log = logging.getLogger(__name__)

# Bound of a gateway's outbound queue (events + server requests). A gateway
# that falls this far behind is cut off (it reconnects); the core never blocks.
GATEWAY_QUEUE_BOUND = 200_000
# Call results above this size are sent in pieces of it, one per frame, so
# that a 10 MB `thread/read` does not hold up other connections' events.
RESULT_PIECE_BYTES = 256 * 1024


@dataclass(frozen=True, order=True)
class ConnKey:
    """A client connection: gateway session id + connection id within it."""

    gateway: str
    conn: str


@dataclass(frozen=True)
class CallInfo:
    """Who is calling: the connection and the per-connection sequence number of
    its call. Handlers receive it as an argument and pass it as `after=` to
    the events that must follow the call's response (the ordering barrier)."""

    key: ConnKey
    seq: int
    # The gateway replays `initialize` after reconnecting to a restarted core.
    replay: bool = False


class SessionBusy(Exception):
    """A Connect stream is attached for the session already (and no takeover asked)."""


class ServerRequestError(Exception):
    """A server->client request failed: client error, channel closed or timeout."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ServerRequestClosed(ServerRequestError):
    """Every connection the request went to is gone ("channel closed")."""


class ServerRequestTimeout(ServerRequestError):
    """No connection answered the request in time."""


class ServerRequestMalformed(ServerRequestError):
    """The client's result does not decode as the method's result (the decoder's text)."""


@dataclass
class _Pending:
    future: asyncio.Future[Any]
    targets: set[ConnKey]
    thread_id: str | None
    # A sticky request (an approval) outlives its connections: it waits for a
    # connection that subscribes to its thread later and is sent to it then.
    sticky: bool = False
    field_name: str = ""
    params: Message | None = None


class _Pieces:
    """A large call result on its way out, one piece per frame."""

    def __init__(self, call_id: int, data: bytes) -> None:
        self.call_id = call_id
        self._data = memoryview(data)
        self._offset = 0

    def next(self) -> service_pb2.CallResult:
        """The next piece (`more` set unless it is the last)."""
        end = self._offset + RESULT_PIECE_BYTES
        piece = service_pb2.CallResult(
            call_id=self.call_id, result=bytes(self._data[self._offset:end]),
            more=end < len(self._data))
        self._offset = end
        return piece

    @property
    def done(self) -> bool:
        """Whether every piece was taken."""
        return self._offset >= len(self._data)


@dataclass
class GatewayLink:
    """The Connect stream of one gateway process."""

    session: str
    queue: asyncio.Queue[tuple[str, Message | _Pieces]] = field(
        default_factory=lambda: asyncio.Queue(GATEWAY_QUEUE_BOUND)
    )
    # Set by `close()` (never directly: the stream's writer would not wake).
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    # A newer Connect took the session over (see `Hub.attach`).
    taken_over: bool = False
    # The stream's writer, waiting for an item (see `_wait_item`).
    _waiter: asyncio.Future[None] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Close the link: its stream ends once the writer wakes (idempotent)."""
        self.closed.set()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def push(self, kind: str, msg: Message | _Pieces) -> bool:
        """Queue without blocking; False (and the link is closed) when full."""
        if self.closed.is_set():
            return False
        try:
            self.queue.put_nowait((kind, msg))
        except asyncio.QueueFull:
            log.warning("gateway %s is not draining its stream; disconnecting it", self.session)
            self.close()
            return False
        self._wake()
        return True

    def push_result(self, call_id: int, data: bytes) -> bool:
        """Queue a call's serialized result: whole, or above `RESULT_PIECE_BYTES`
        in pieces that take turns with the other items (see `next_frame`)."""
        if len(data) <= RESULT_PIECE_BYTES:
            return self.push("result", service_pb2.CallResult(call_id=call_id, result=data))
        return self.push("pieces", _Pieces(call_id, data))

    async def _wait_item(self) -> tuple[str, Message | _Pieces] | None:
        """The next queued item once there is one; None if the link closes first.

        One future, woken by `push` and `close`: a stream serving one request
        at a time waits here for every frame, and a queue getter raced
        against the closed event cost two tasks and two more loop turns.
        """
        while self.queue.empty():
            if self.closed.is_set():
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self.queue.get_nowait()

    async def next_frame(self, max_batch: int = 512) -> service_pb2.CoreFrame | None:
        """Wait for the next batch of pending items; None once closed.

        A large result gives one piece per frame and goes back to the end of
        the queue: what was queued behind it goes out in between.
        """
        first = await self._wait_item()
        if first is None:
            return None
        frame = service_pb2.CoreFrame()
        items = [first]
        while len(items) < max_batch:
            try:
                items.append(self.queue.get_nowait())
            except asyncio.QueueEmpty:
                break
        unfinished: list[_Pieces] = []
        for kind, msg in items:
            if kind == "event":
                frame.events.append(msg)  # type: ignore[arg-type]
            elif kind == "request":
                frame.server_requests.append(msg)  # type: ignore[arg-type]
            elif isinstance(msg, _Pieces):
                frame.results.append(msg.next())
                if not msg.done:
                    unfinished.append(msg)
            else:
                frame.results.append(msg)  # type: ignore[arg-type]
        for pieces in unfinished:
            self.push("pieces", pieces)
        return frame


class Hub:
    """Connections, subscriptions and delivery of events and server requests."""

    def __init__(self, server_request_timeout: float | None = None) -> None:
        self.gateways: dict[str, GatewayLink] = {}
        self.subscriptions: dict[str, set[ConnKey]] = {}
        self.initialized: dict[ConnKey, ClientInfo] = {}
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(0)
        self.server_request_timeout = server_request_timeout
        self._listeners: list[Callable[[], None]] = []
        # thread id -> {gateway session: [connection ids]}; dropped whenever
        # subscriptions or gateways change (emit is on the per-delta hot path).
        self._thread_targets: dict[str, dict[str, list[str]]] = {}
        # False once the core is stopping: calls on Connect streams are refused
        # like new unary calls (the streams stay up to deliver the last events).
        self.serving_calls = True

    # -- gateways and connections ----------------------------------------
    def attach(self, session: str, *, takeover: bool = False) -> GatewayLink:
        """Register the Connect stream of a session; `SessionBusy` when the
        session is attached already and `takeover` is not asked. A takeover ends the old
        stream (its link marked `taken_over`) and keeps the session's
        connections, subscriptions and pending requests for the new one."""
        old = self.gateways.get(session)
        if old is not None:
            if not takeover:
                raise SessionBusy(session)
            old.taken_over = True
            old.close()
        link = GatewayLink(session)
        self.gateways[session] = link
        self._thread_targets.clear()
        return link

    def detach(self, link: GatewayLink) -> None:
        """A gateway's stream ended: it loses every subscription and pending request."""
        link.close()
        if self.gateways.get(link.session) is not link:
            return
        del self.gateways[link.session]
        gone = [k for k in self.initialized if k.gateway == link.session]
        for key in gone:
            self.connection_closed(key)
        for subs in self.subscriptions.values():
            for key in [k for k in subs if k.gateway == link.session]:
                subs.discard(key)
        self._notify_listeners()

    def attached(self, session: str) -> bool:
        """Whether a Connect stream is attached for `session`."""
        return session in self.gateways

    def connection_initialized(self, key: ConnKey, client_info: ClientInfo) -> None:
        """Record the clientInfo of a connection that completed `initialize`."""
        self.initialized[key] = client_info

    def client_info(self, key: ConnKey | None) -> ClientInfo | None:
        """The clientInfo a connection sent in `initialize`, if known."""
        return self.initialized.get(key) if key is not None else None

    def connection_closed(self, key: ConnKey) -> None:
        """Forget a connection: unsubscribe it everywhere, fail its server requests."""
        self.initialized.pop(key, None)
        for subs in self.subscriptions.values():
            subs.discard(key)
        for rid, pending in list(self._pending.items()):
            pending.targets.discard(key)
            if not pending.targets and not pending.sticky and not pending.future.done():
                pending.future.set_exception(ServerRequestClosed("channel closed"))
                self._pending.pop(rid, None)
        self._notify_listeners()

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback()` whenever subscriptions may have shrunk."""
        self._listeners.append(callback)

    def _notify_listeners(self) -> None:
        self._thread_targets.clear()
        for cb in self._listeners:
            try:
                cb()
            except Exception:  # a listener must not break delivery
                log.exception("subscription listener failed")

    # -- subscriptions ------------------------------------------------------
    def subscribe(self, thread_id: str, key: ConnKey, after: CallInfo | None = None) -> None:
        """Subscribe a connection to a thread's events.

        The thread's pending sticky requests (approvals) not yet sent to this
        connection are sent to it now, after the response of `after` (the
        resume that subscribed it): a client that reconnects and resumes a
        thread sees the approvals it would otherwise have lost.
        """
        self.subscriptions.setdefault(thread_id, set()).add(key)
        self._thread_targets.pop(thread_id, None)
        for rid, pending in self._pending.items():
            if (pending.sticky and pending.thread_id == thread_id and key not in pending.targets
                    and not pending.future.done()):
                pending.targets.add(key)
                self._send_request(rid, pending, {key.gateway: ([key.conn], False)}, after)

    def unsubscribe(self, thread_id: str, key: ConnKey) -> bool:
        """Remove one connection from a thread; True if it was subscribed."""
        subs = self.subscriptions.get(thread_id)
        if not subs or key not in subs:
            return False
        subs.discard(key)
        self._notify_listeners()
        return True

    def subscribers(self, thread_id: str) -> set[ConnKey]:
        """Connections currently subscribed to a thread."""
        return self.subscriptions.get(thread_id, set())

    def drop_thread(self, thread_id: str) -> None:
        """Forget a thread's subscriptions (thread unloaded)."""
        self.subscriptions.pop(thread_id, None)
        self._thread_targets.pop(thread_id, None)

    # -- delivery -----------------------------------------------------------
    def _recipients(
        self, thread_id: str | None, to: Iterable[ConnKey] | None, broadcast: bool
    ) -> dict[str, tuple[list[str], bool]]:
        by_gw: dict[str, tuple[list[str], bool]] = {}
        if broadcast:
            for session in self.gateways:
                by_gw[session] = ([], True)
            return by_gw
        keys: set[ConnKey] = set(to or ())
        if thread_id is not None:
            keys |= self.subscribers(thread_id)
        for key in sorted(keys):
            by_gw.setdefault(key.gateway, ([], False))[0].append(key.conn)
        return by_gw

    def emit(
        self,
        msg: Message,
        *,
        thread_id: str | None = None,
        to: Iterable[ConnKey] | None = None,
        broadcast: bool = False,
        after: CallInfo | None = None,
    ) -> None:
        """Send a notification to a thread's subscribers, to connections, or to all.

        `after` is the call whose response this event must follow on the
        calling connection (the gateway holds the event until then).
        """
        field_name = NOTIFICATION_FIELD_BY_TYPE[msg.DESCRIPTOR.full_name]
        call = after
        if thread_id is not None and to is None and not broadcast:
            targets = self._thread_targets.get(thread_id)
            if targets is None:
                targets = {s: c for s, (c, _) in self._recipients(thread_id, None, False).items()}
                self._thread_targets[thread_id] = targets
            groups: Iterable[tuple[str, list[str], bool]] = (
                (s, c, False) for s, c in targets.items())
        else:
            groups = ((s, c, e) for s, (c, e) in self._recipients(thread_id, to, broadcast).items())
        for session, conns, everyone in groups:
            link = self.gateways.get(session)
            if link is None:
                continue
            event = service_pb2.Event()
            getattr(event.notification, field_name).CopyFrom(msg)
            if everyone:
                event.to.all_initialized = True
            else:
                event.to.connection_ids.extend(conns)
            if call is not None and call.key.gateway == session:
                event.after_connection_id = call.key.conn
                event.after_request_seq = call.seq
            link.push("event", event)

    async def request(
        self,
        method: str,
        params: Message,
        *,
        thread_id: str | None = None,
        to: Iterable[ConnKey] | None = None,
        broadcast: bool = False,
        wait_seconds: float | None = None,
        after: CallInfo | None = None,
        about_thread: str | None = None,
        sticky: bool = False,
    ) -> Message:
        """Send a server->client request and wait for the first answer.

        Returns the typed result message; raises ServerRequestError on a
        client error (with its code), when every target connection is gone
        ("channel closed"), or on timeout. A `sticky` request addressed by
        `thread_id` (an approval) is never "channel closed": it waits for
        the thread's next subscriber and is sent to each connection that
        subscribes while it is pending (see `subscribe`). Once it is
        resolved, `serverRequest/resolved` tells the thread's subscribers (a
        request addressed by `thread_id`) or, for a request addressed
        otherwise that concerns `about_thread`, every connection it was sent to.
        """
        field_name = SERVER_REQUEST_FIELD_BY_METHOD[method]
        rid = next(self._ids)
        recipients = self._recipients(thread_id, to, broadcast)
        targets: set[ConnKey] = set()
        for session, (conns, everyone) in recipients.items():
            if everyone:
                targets |= {k for k in self.initialized if k.gateway == session}
            else:
                targets |= {ConnKey(session, c) for c in conns}
        sticky = sticky and thread_id is not None
        if not targets and not sticky:
            raise ServerRequestClosed("channel closed")
        loop = asyncio.get_running_loop()
        pending = _Pending(loop.create_future(), targets, thread_id, sticky, field_name, params)
        self._pending[rid] = pending
        self._send_request(rid, pending, recipients, after)
        wait = wait_seconds if wait_seconds is not None else self.server_request_timeout
        try:
            result = await asyncio.wait_for(pending.future, wait)
        except TimeoutError:
            raise ServerRequestTimeout(
                f"request timed out after {wait:g}s" if wait else "request timed out"
            ) from None
        finally:
            self._pending.pop(rid, None)
            resolved_thread = thread_id if thread_id is not None else about_thread
            if resolved_thread is not None:
                self.emit(
                    notification_pb2.ServerRequestResolvedNotification(
                        thread_id=resolved_thread, request_id=jsonrpc_pb2.RequestId(integer=rid)
                    ),
                    thread_id=thread_id,
                    to=None if thread_id is not None else targets,
                )
        return result  # type: ignore[no-any-return]

    def _send_request(
        self,
        rid: int,
        pending: _Pending,
        recipients: dict[str, tuple[list[str], bool]],
        after: CallInfo | None,
    ) -> None:
        for session, (conns, everyone) in recipients.items():
            link = self.gateways.get(session)
            if link is None:
                continue
            out = service_pb2.ServerRequestOut(
                to=service_pb2.Delivery(connection_ids=conns, all_initialized=everyone),
                request_id=rid,
                params=service_pb2.ServerRequestParams(
                    **{pending.field_name: cast(Any, pending.params)}),
            )
            if after is not None and after.key.gateway == session:
                out.after_connection_id = after.key.conn
                out.after_request_seq = after.seq
            link.push("request", out)

    def reply(self, session: str, reply: service_pb2.ServerRequestReply) -> None:
        """A client answered a server request (the first answer wins)."""
        pending = self._pending.get(reply.request_id)
        if pending is None or pending.future.done():
            log.info("answer to unknown or resolved server request %s", reply.request_id)
            return
        if ConnKey(session, reply.connection_id) not in pending.targets:
            log.warning("answer to server request %s from a non-target", reply.request_id)
            return
        outcome = reply.WhichOneof("outcome")
        if outcome == "error":
            pending.future.set_exception(
                ServerRequestError(reply.error.message, code=reply.error.code)
            )
        elif outcome == "malformed_result":
            pending.future.set_exception(ServerRequestMalformed(reply.malformed_result))
        else:
            which = reply.result.WhichOneof("result")
            if which is None:
                pending.future.set_exception(ServerRequestError("empty result"))
                return
            result = getattr(reply.result, which)
            try:
                # A backend builds the result itself: refuse what the gateway's JSON
                # decoder would (an unset decision must not read as its first value).
                codec.validate_request(result)
            except codec.DecodeError as err:
                pending.future.set_exception(ServerRequestMalformed(str(err)))
            else:
                pending.future.set_result(result)
