"""What the gateway tells operators: its Prometheus metrics and its requests' log context.

The metrics live in the process's default registry (served as `GET
/metrics` on the websocket port, `app_server.exposition`); every label has
a bounded set of values: transports by stream class, methods from the
method table only (anything else is "other"), outcomes and reasons from
the fixed lists below. The connection code calls the small helpers here at
the points where each event happens; nothing here decides anything.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable

import grpc
import grpc.aio
from google.protobuf.message import Message
from prometheus_client import Counter, Gauge, Histogram

from app_server import logs
from app_server_protocol.methods import (
    CLIENT_REQUESTS,
    NOTIFICATION_METHOD_BY_FIELD,
    thread_id_of,
)
from gateway.session import Call
from gateway.transport import MessageStream
from gateway.transport.stdio import StdioStream
from gateway.transport.websocket import WebSocketStream

log = logging.getLogger(__name__)

OTHER = "other"
# Outcomes of a request: answered, answered with an error, the core could not
# be reached in time, cancelled (the client left), refused with -32001.
OUTCOMES = ("ok", "error", "unavailable", "cancelled", "overloaded")
_UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
# Why a client was cut off for being slow.
SLOW_OUTBOUND = "outbound_queue_full"
SLOW_HELD = "held_backlog_full"
# Requests of a turn or a command can be long; the common ones take milliseconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0, 30.0, 60.0)

CONNECTIONS_OPEN = Gauge(
    "app_server_gateway_connections_open", "Client connections open.", ["transport"])
REQUESTS = Counter(
    "app_server_gateway_requests", "Client requests forwarded to the core (or refused "
    "with -32001), by method and outcome.", ["method", "outcome"])
REQUEST_SECONDS = Histogram(
    "app_server_gateway_request_duration_seconds", "Time from forwarding a request to the "
    "core to its answer.", ["method"], buckets=LATENCY_BUCKETS)
REQUESTS_REFUSED = Counter(
    "app_server_gateway_requests_refused", "Messages the gateway answered with an error "
    "itself (parse errors, unknown methods, not initialized, invalid params).")
NOTIFICATIONS_SENT = Counter(
    "app_server_gateway_notifications_sent", "Notifications routed to a client connection.",
    ["method"])
NOTIFICATIONS_DROPPED = Counter(
    "app_server_gateway_notifications_dropped", "Notifications and server requests from the "
    "core discarded because their client was being cut off.")
OVERLOADS = Counter(
    "app_server_gateway_overloads", "Requests refused with -32001 \"Server overloaded\".")
SLOW_CLIENT_DISCONNECTS = Counter(
    "app_server_gateway_slow_client_disconnects", "Clients cut off for not reading.",
    ["reason"])
CORE_RECONNECTS = Counter(
    "app_server_gateway_core_stream_reconnects", "Times the Connect stream to the core "
    "was reopened after breaking.")

_KNOWN_METHODS = frozenset(CLIENT_REQUESTS) | frozenset(NOTIFICATION_METHOD_BY_FIELD.values())


def method_label(name: str) -> str:
    """`name` when the method table knows it, else "other" (bounded label values)."""
    return name if name in _KNOWN_METHODS else OTHER


def transport_label(stream: MessageStream) -> str:
    """"stdio", "websocket" or "other" for a connection's stream."""
    if isinstance(stream, StdioStream):
        return "stdio"
    if isinstance(stream, WebSocketStream):
        return "websocket"
    return OTHER


def connection_opened(connection_id: str, stream: MessageStream) -> Gauge:
    """Count a connection as open and bind its id to the log context of its task
    (and the tasks it starts); returns the gauge to `dec()` when it closes."""
    logs.bind(connection_id=connection_id)
    gauge = CONNECTIONS_OPEN.labels(transport_label(stream))
    gauge.inc()
    return gauge


@functools.cache
def notifications_sent(method: str) -> Counter:
    """The sent-notifications counter of one method (looked up once: `labels()` takes
    a lock and builds a key, a few microseconds on the per-delta path)."""
    return NOTIFICATIONS_SENT.labels(method)


@functools.cache
def _request_metrics(method: str) -> tuple[Histogram, dict[str, Counter]]:
    """The duration histogram and the counter of each outcome for a method label,
    looked up once per label (a lookup takes a lock; label values are bounded)."""
    return REQUEST_SECONDS.labels(method), {o: REQUESTS.labels(method, o) for o in OUTCOMES}


def overloaded(call: Call) -> None:
    """A request refused with -32001."""
    OVERLOADS.inc()
    _request_metrics(method_label(call.method.name))[1]["overloaded"].inc()


def slow_client(reason: str) -> None:
    """A client cut off for not reading (`SLOW_OUTBOUND` or `SLOW_HELD`)."""
    SLOW_CLIENT_DISCONNECTS.labels(reason).inc()


async def timed_call(connection_id: str, call: Call, pending: Awaitable[Message]) -> Message:
    """Await the core's answer to `call`, counted and timed, with its log context bound.

    Errors propagate unchanged; the outcome label says which kind ended it
    (any error but the core's unavailability is "error").
    """
    seconds, outcomes = _request_metrics(method_label(call.method.name))
    with logs.bound(connection_id=connection_id, request_id=call.request_id,
                    request_seq=call.seq, method=call.method.name,
                    thread_id=thread_id_of(call.params)):
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await pending
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except grpc.aio.AioRpcError as err:
            outcome = "unavailable" if err.code() in _UNAVAILABLE else "error"
            raise
        else:
            outcome = "ok"
            return result
        finally:
            elapsed = time.perf_counter() - started
            outcomes[outcome].inc()
            seconds.observe(elapsed)
            log.debug("request %s: %s in %.1f ms", call.method.name, outcome, elapsed * 1000)
