"""AccountService.WatchRateLimits: the rate-limit store as a gRPC server stream.

For backends that speak gRPC but not JSON-RPC (see the rpc's comment in
service.proto): the latest snapshot of every bucket at once, then each
change. The watcher's pending changes are coalesced per bucket by the store
(`RateLimitWatcher`), so a caller that reads slowly costs at most one
snapshot per bucket, never a growing queue; a write waits for the caller's
flow control and nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

import grpc

from app_server_protocol import codec
from app_server_protocol.v2 import account_pb2, service_pb2
from app_server_protocol.wire_types import RateLimitSnapshot
from core_service.account.rate_limit_store import RateLimitStore


def _update(snapshots: Sequence[RateLimitSnapshot]) -> service_pb2.RateLimitSnapshotsUpdate:
    return service_pb2.RateLimitSnapshotsUpdate(
        snapshots=[codec.from_json(account_pb2.RateLimitSnapshot, s) for s in snapshots])


class RateLimitStream:
    """Serves WatchRateLimits from the core's `RateLimitStore`."""

    def __init__(self, limits: RateLimitStore) -> None:
        self.limits = limits

    async def watch(
        self, request: service_pb2.WatchRateLimitsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncGenerator[service_pb2.RateLimitSnapshotsUpdate, None]:
        """The latest snapshots, then every change, until the caller cancels or the
        core stops (the stream then ends with OK)."""
        # Watch before reading the current state: no change can fall between.
        with self.limits.watch() as watcher:
            yield _update(self.limits.snapshots())
            while (changed := await watcher.next()) is not None:
                yield _update(changed)

    def handler(self) -> grpc.RpcMethodHandler:
        """The gRPC method handler of WatchRateLimits."""
        return grpc.unary_stream_rpc_method_handler(
            self.watch,
            request_deserializer=service_pb2.WatchRateLimitsRequest.FromString,
            response_serializer=service_pb2.RateLimitSnapshotsUpdate.SerializeToString,
        )
