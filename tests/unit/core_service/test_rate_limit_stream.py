"""core_service.rate_limit_stream: WatchRateLimits over the rate-limit store."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from app_server_protocol.descriptors import method_name
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE
from app_server_protocol.v2 import service_pb2
from core_service.account.rate_limit_store import RateLimitStore
from core_service.account.rate_limits import null_snapshot
from core_service.rate_limit_stream import RateLimitStream


async def test_known_snapshots_first_then_each_change_and_nothing_left_behind() -> None:
    """The first message lists every known bucket (codex first); then changes come as
    messages of their own; closing the stream removes its watcher from the store."""
    store = RateLimitStore()
    store.update(null_snapshot("zeta"))
    store.update(null_snapshot())
    context: Any = None
    stream = RateLimitStream(store).watch(service_pb2.WatchRateLimitsRequest(), context)
    async with contextlib.aclosing(stream):
        first = await asyncio.wait_for(anext(stream), 1)
        assert [s.limit_id for s in first.snapshots] == ["codex", "zeta"]
        store.update(null_snapshot("zeta"))  # unchanged: offered to nobody
        store.update({**null_snapshot("other"), "limitName": "Other"})
        change = await asyncio.wait_for(anext(stream), 1)
        assert [(s.limit_id, s.limit_name) for s in change.snapshots] == [("other", "Other")]
    assert store._watchers == set()


def test_watch_is_a_grpc_stream_outside_the_json_rpc_table() -> None:
    """WatchRateLimits is a server-streaming rpc of AccountService without a `method`
    option, and the method table (hence every gateway) leaves it out."""
    rpc = SERVICE_FILE.services_by_name["AccountService"].methods_by_name["WatchRateLimits"]
    assert rpc.server_streaming and not rpc.client_streaming
    assert method_name(rpc) == ""
    assert not any(m.rpc == "WatchRateLimits" for m in CLIENT_REQUESTS.values())


async def test_closing_the_store_ends_the_stream() -> None:
    """A closed store ends open streams after their pending changes, and new ones after
    their first message."""
    store = RateLimitStore()
    context: Any = None
    stream = RateLimitStream(store).watch(service_pb2.WatchRateLimitsRequest(), context)
    await asyncio.wait_for(anext(stream), 1)
    store.close()
    assert [u async for u in stream] == []
    late = RateLimitStream(store).watch(service_pb2.WatchRateLimitsRequest(), context)
    assert len([u async for u in late]) == 1
