"""End to end: a backend calling the core over gRPC gets the JSON path's validation.

A gRPC client builds request messages itself and can send a union with no
variant (`sandboxPolicy: {}`, `input: [{}]`), which the core used to read as
its first variant (a read-only turn ran with `dangerFullAccess`). The core
refuses them with the gateway's invalid-request error for the same JSON.
"""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from app_server_protocol.errors import JSONRPC_CODE_KEY
from app_server_protocol.v2 import thread_pb2, turn_pb2
from tests.e2e.backend import Attached, call
from tests.e2e.multi import Cluster
from tests.support.mock_model import MockModelServer


async def test_unset_unions_refused_over_grpc(mock: MockModelServer, home: Path,
                                              tmp_path: Path) -> None:
    """turn/start with `sandboxPolicy: {}` or `input: [{}]` gets -32600 "missing field `type`"."""
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel, \
                Attached(channel, "backend") as backend:
            # turn/start must name its connection (the session contract).
            md = backend.metadata()
            started = await call(channel, "thread/start", thread_pb2.ThreadStartParams(), md)
            thread_id = started.thread.id

            no_sandbox = turn_pb2.TurnStartParams(thread_id=thread_id)
            no_sandbox.input.add().text.text = "hi"
            no_sandbox.sandbox_policy.SetInParent()
            empty_input = turn_pb2.TurnStartParams(thread_id=thread_id)
            empty_input.input.add()
            for request, detail in [
                (no_sandbox, "Invalid request: sandboxPolicy: missing field `type`"),
                (empty_input, "Invalid request: input[0]: missing field `type`"),
            ]:
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await call(channel, "turn/start", request, md)
                assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                assert info.value.details() == detail
                trailing = dict(info.value.trailing_metadata() or ())
                assert trailing[JSONRPC_CODE_KEY] == "-32600"

            valid = turn_pb2.TurnStartParams(thread_id=thread_id)
            valid.input.add().text.text = "hi"
            valid.sandbox_policy.read_only.SetInParent()
            response = await call(channel, "turn/start", valid, md)
            assert response.turn.id
