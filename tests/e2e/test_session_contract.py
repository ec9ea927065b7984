"""End to end: the session contract of service.proto, enforced by a real core.

A backend attaches with Connect (the hello alone names the session; the core's
first frame acknowledges it), names the connection of each call in metadata,
and gets its events on the stream. What used to fail silently is now a clear
status: a thread call without identity, a session not attached, a non-numeric
`x-request-seq`, a second Connect for the same session (unless it takes over).
"""

from __future__ import annotations

from pathlib import Path

import grpc
import grpc.aio
import pytest

from app_server_protocol.v2 import thread_pb2, turn_pb2
from tests.e2e.backend import Attached, call
from tests.e2e.multi import Cluster
from tests.support.mock_model import MockModelServer


async def refused(coro: object) -> tuple[grpc.StatusCode, str]:
    """The status code and details a call fails with."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await coro  # type: ignore[misc]
    return info.value.code(), info.value.details() or ""


async def test_attach_call_and_events(mock: MockModelServer, home: Path, tmp_path: Path
                                      ) -> None:
    """A Connect naming its session only in the hello is acknowledged with that session;
    a thread started for one of its connections gets the turn's events on the stream,
    each carrying the ordering barrier of the call that caused it."""
    mock.enqueue({"kind": "text", "text": "hello there"})
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel, \
                Attached(channel, "backend-1") as backend:
            assert backend.ack is not None
            assert backend.ack.attached.gateway_session == "backend-1"
            assert not backend.ack.attached.took_over
            started = await call(channel, "thread/start", thread_pb2.ThreadStartParams(),
                                 backend.metadata("conn-a", 1))
            turn = turn_pb2.TurnStartParams(thread_id=started.thread.id)
            turn.input.add().text.text = "hi"
            await call(channel, "turn/start", turn, backend.metadata("conn-a", 2))
            delta = await backend.next_event("agent_message_delta")
            assert delta.notification.agent_message_delta.thread_id == started.thread.id
            assert list(delta.to.connection_ids) == ["conn-a"]
            assert (delta.after_connection_id, delta.after_request_seq) == ("conn-a", 2)
            completed = (await backend.next_event("turn_completed")).notification.turn_completed
            assert completed.turn.id and completed.thread_id == started.thread.id
            # A read needs no identity.
            listed = await call(channel, "thread/list", thread_pb2.ThreadListParams())
            assert started.thread.id in [t.id for t in listed.data]


async def test_silent_failures_are_refused(mock: MockModelServer, home: Path, tmp_path: Path
                                           ) -> None:
    """thread/start without identity: INVALID_ARGUMENT naming the keys; for a session
    that is not attached: FAILED_PRECONDITION; with `x-request-seq: x`: INVALID_ARGUMENT
    naming the key. A second Connect for an attached session: ALREADY_EXISTS."""
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel, \
                Attached(channel, "backend-1") as backend:
            start = thread_pb2.ThreadStartParams()
            code, details = await refused(call(channel, "thread/start", start))
            assert code == grpc.StatusCode.INVALID_ARGUMENT
            assert "`x-gateway-session`" in details and "`x-connection-id`" in details
            ghost = (("x-gateway-session", "nobody"), ("x-connection-id", "c1"))
            code, details = await refused(call(channel, "thread/start", start, ghost))
            assert code == grpc.StatusCode.FAILED_PRECONDITION
            assert details.startswith("session 'nobody' is not attached")
            bad_seq = (*backend.metadata()[:2], ("x-request-seq", "x"))
            code, details = await refused(call(channel, "thread/start", start, bad_seq))
            assert (code, details) == (
                grpc.StatusCode.INVALID_ARGUMENT,
                "metadata `x-request-seq` must be a decimal integer >= 0, got 'x'")
            second = Attached(channel, "backend-1")
            code, details = await refused(second.__aenter__())
            await second.__aexit__(None, None, None)
            assert code == grpc.StatusCode.ALREADY_EXISTS and "`takeover`" in details


async def test_takeover_keeps_the_session(mock: MockModelServer, home: Path, tmp_path: Path
                                          ) -> None:
    """A Connect with `takeover` replaces the attached stream: the old one ends ABORTED,
    the new one is acknowledged `took_over` and receives the events of the threads its
    connections subscribed to on the old one."""
    mock.enqueue({"kind": "text", "text": "after takeover"})
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel:
            async with Attached(channel, "backend-1") as old:
                started = await call(channel, "thread/start", thread_pb2.ThreadStartParams(),
                                     old.metadata("conn-a", 1))
                async with Attached(channel, "backend-1", takeover=True) as new:
                    assert new.ack is not None and new.ack.attached.took_over
                    assert await old.ended() == grpc.StatusCode.ABORTED
                    turn = turn_pb2.TurnStartParams(thread_id=started.thread.id)
                    turn.input.add().text.text = "hi"
                    await call(channel, "turn/start", turn, new.metadata("conn-a", 2))
                    completed = await new.next_event("turn_completed")
                    assert completed.notification.turn_completed.thread_id == started.thread.id
