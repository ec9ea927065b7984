"""gateway.telemetry: bounded labels, request outcomes and timing, the request's log context."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import json
import logging

import grpc
import grpc.aio
import pytest
from google.protobuf.message import Message
from prometheus_client import REGISTRY

from app_server import logs
from app_server_protocol.errors import ProtocolError
from app_server_protocol.methods import CLIENT_REQUESTS
from app_server_protocol.v2 import service_pb2
from gateway import telemetry
from gateway.connection import Limits
from gateway.session import Call
from gateway.transport.stdio import StdioStream
from tests.unit.gateway.harness import WAIT, running_stack
from tests.unit.gateway.test_server import StuckStream, name_event

READ = CLIENT_REQUESTS["thread/read"]
ANSWER: Message = READ.params()


def sample(name: str, **labels: str) -> float:
    """The current value of one sample of the default registry (0 when absent)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def read_call(seq: int = 3) -> Call:
    """A thread/read call naming thread "thr-1"."""
    return Call("req-7", READ, READ.params(thread_id="thr-1"), seq)


def rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    """An error as the core link raises it."""
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "details")


def test_method_labels_are_bounded() -> None:
    """Method names outside the method table are "other"."""
    assert telemetry.method_label("thread/read") == "thread/read"
    assert telemetry.method_label("turn/completed") == "turn/completed"
    assert telemetry.method_label("no/such/method") == "other"


def test_transport_labels() -> None:
    """Streams are labelled by their transport; an unknown stream is "other"."""
    stdio = StdioStream.__new__(StdioStream)
    assert telemetry.transport_label(stdio) == "stdio"

    class Fake:
        peer = "fake"

    assert telemetry.transport_label(Fake()) == "other"  # type: ignore[arg-type]


def test_connection_gauge_moves() -> None:
    """An opened connection raises the gauge of its transport; dec() lowers it again."""
    stdio = StdioStream.__new__(StdioStream)
    before = sample("app_server_gateway_connections_open", transport="stdio")
    # In a context of its own: the connection id it binds must not outlive the test.
    gauge = contextvars.Context().run(telemetry.connection_opened, "c1", stdio)
    assert sample("app_server_gateway_connections_open", transport="stdio") == before + 1
    gauge.dec()
    assert sample("app_server_gateway_connections_open", transport="stdio") == before


async def _outcome(error: BaseException | None) -> str:
    """Run timed_call once; the outcome label whose counter moved."""
    before = {o: sample("app_server_gateway_requests_total", method="thread/read", outcome=o)
              for o in telemetry.OUTCOMES}

    async def answer() -> Message:
        if error is not None:
            raise error
        return ANSWER

    with contextlib.suppress(BaseException):
        await telemetry.timed_call("c1", read_call(), answer())
    moved = [o for o in telemetry.OUTCOMES
             if sample("app_server_gateway_requests_total", method="thread/read", outcome=o)
             == before[o] + 1]
    assert len(moved) == 1
    return moved[0]


async def test_request_outcomes() -> None:
    """ok, error (a JSON-RPC error or any failure), unavailable (the core could
    not be reached or timed out) and cancelled are told apart."""
    assert await _outcome(None) == "ok"
    assert await _outcome(ProtocolError(-32600, "bad")) == "error"
    assert await _outcome(rpc_error(grpc.StatusCode.INVALID_ARGUMENT)) == "error"
    assert await _outcome(rpc_error(grpc.StatusCode.UNAVAILABLE)) == "unavailable"
    assert await _outcome(rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED)) == "unavailable"
    assert await _outcome(asyncio.CancelledError()) == "cancelled"


async def test_errors_propagate_unchanged() -> None:
    """timed_call re-raises what the call raised, and returns its result."""
    err = rpc_error(grpc.StatusCode.NOT_FOUND)

    async def fail() -> Message:
        raise err

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await telemetry.timed_call("c1", read_call(), fail())
    assert caught.value is err
    result: Message = READ.params(thread_id="x")

    async def ok() -> Message:
        return result

    assert await telemetry.timed_call("c1", read_call(), ok()) is result


async def test_latency_is_observed_per_method() -> None:
    """Each forwarded request adds one observation to its method's histogram."""
    before = sample("app_server_gateway_request_duration_seconds_count", method="thread/read")

    async def ok() -> Message:
        return ANSWER

    await telemetry.timed_call("c1", read_call(), ok())
    after = sample("app_server_gateway_request_duration_seconds_count", method="thread/read")
    assert after == before + 1


async def test_the_call_runs_with_its_log_context() -> None:
    """Lines logged while the core answers carry the connection, the client's
    request id, the sequence number, the method and the thread; after it, none."""
    buffer = io.StringIO()
    handler = logs.make_handler("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    logger = logging.getLogger("test.gateway.telemetry")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        async def answer() -> Message:
            logger.info("answering")
            return ANSWER

        await telemetry.timed_call("c4", read_call(seq=9), answer())
        logger.info("after")
    finally:
        logger.removeHandler(handler)
    during, after = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert (during["connection_id"], during["request_id"], during["request_seq"]) == (
        "c4", "req-7", 9)
    assert (during["method"], during["thread_id"]) == ("thread/read", "thr-1")
    assert "request_id" not in after


def test_overload_and_slow_client_counters() -> None:
    """overloaded() counts -32001 and the request's "overloaded" outcome;
    slow_client() counts by reason."""
    overloads = sample("app_server_gateway_overloads_total")
    refused = sample("app_server_gateway_requests_total", method="thread/read",
                     outcome="overloaded")
    telemetry.overloaded(read_call())
    assert sample("app_server_gateway_overloads_total") == overloads + 1
    assert sample("app_server_gateway_requests_total", method="thread/read",
                  outcome="overloaded") == refused + 1
    slow = sample("app_server_gateway_slow_client_disconnects_total", reason=telemetry.SLOW_HELD)
    telemetry.slow_client(telemetry.SLOW_HELD)
    assert sample("app_server_gateway_slow_client_disconnects_total",
                  reason=telemetry.SLOW_HELD) == slow + 1


async def test_a_slow_client_is_counted_with_the_notifications_it_loses() -> None:
    """Through a real gateway: notifications routed to a client that stops reading
    count as sent; its cut-off counts once as a slow-client disconnect (outbound
    queue full), and what could no longer be queued for it as dropped."""
    def counts() -> tuple[float, float, float]:
        return (sample("app_server_gateway_notifications_sent_total",
                       method="thread/name/updated"),
                sample("app_server_gateway_slow_client_disconnects_total",
                       reason=telemetry.SLOW_OUTBOUND),
                sample("app_server_gateway_notifications_dropped_total"))

    sent, slow, dropped = counts()
    async with running_stack(Limits(outbound_queue=8)) as stack:
        stuck = StuckStream()
        serving = asyncio.ensure_future(stack.gateway.serve(stuck, drain_on_eof=False))
        stuck.inbox.put_nowait(json.dumps({
            "id": 1, "method": "initialize",
            "params": {"clientInfo": {"name": "slow", "version": "1"}}}).encode())
        async with asyncio.timeout(WAIT):
            await stuck.first_sent.wait()
        for n in range(4):
            stack.core.push(service_pb2.CoreFrame(
                events=[name_event(f"{n}-{i}", everyone=True) for i in range(5)]))
        async with asyncio.timeout(WAIT):
            await stuck.aborted
            await serving
    sent_after, slow_after, dropped_after = counts()
    assert slow_after == slow + 1
    assert dropped_after > dropped
    assert sent < sent_after <= sent + 20
