"""End to end: a backend calling the core over gRPC gets the JSON path's validation.

A gRPC client builds request messages itself and can send a union with no
variant (`sandboxPolicy: {}`, `input: [{}]`), which the core used to read as
its first variant (a read-only turn ran with `dangerFullAccess`), or leave a
required member unset (an enum at its UNSPECIFIED zero). The core refuses
them with the gateway's invalid-request error for the same JSON: a table of
cases goes through both paths and must get the same code and message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from app_server_protocol.errors import JSONRPC_CODE_KEY, rpc_error_to_jsonrpc
from app_server_protocol.v2 import account_pb2, command_pb2, config_pb2, thread_pb2, turn_pb2
from tests.e2e.backend import Attached, call
from tests.e2e.multi import ClientPool, Cluster
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


def _turn(build: Callable[[turn_pb2.TurnStartParams], object]) -> turn_pb2.TurnStartParams:
    msg = turn_pb2.TurnStartParams(thread_id=THREAD)
    build(msg)
    return msg


def _config_write(build: Callable[[config_pb2.ConfigValueWriteParams], object]
                  ) -> config_pb2.ConfigValueWriteParams:
    msg = config_pb2.ConfigValueWriteParams(key_path="model")
    build(msg)
    return msg


def _exec_without_sandbox_variant() -> command_pb2.CommandExecParams:
    msg = command_pb2.CommandExecParams(command=["true"])
    msg.sandbox_policy.SetInParent()
    return msg


THREAD = "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01"
TURN = {"threadId": THREAD, "input": []}

# (case, method, JSON params, the same request as a message, the refusal both get)
CASES: list[tuple[str, str, dict[str, Any], Message, str]] = [
    ("union without variant", "turn/start", {**TURN, "sandboxPolicy": {}},
     _turn(lambda m: m.sandbox_policy.SetInParent()),
     "Invalid request: sandboxPolicy: missing field `type`"),
    ("repeated union member without variant", "turn/start", {**TURN, "input": [{}]},
     _turn(lambda m: m.input.add()), "Invalid request: input[0]: missing field `type`"),
    ("nested union without variant", "turn/start",
     {**TURN, "sandboxPolicy": {"type": "readOnly", "access": {}}},
     _turn(lambda m: m.sandbox_policy.read_only.access.SetInParent()),
     "Invalid request: sandboxPolicy.access: missing field `type`"),
    ("required message in a repeated member", "turn/start",
     {**TURN, "input": [{"type": "text", "text": "", "text_elements": [{}]}]},
     _turn(lambda m: m.input.add().text.text_elements.add()),
     "Invalid request: input[0].text_elements[0]: missing field `byteRange`"),
    ("required enum left UNSPECIFIED", "config/value/write",
     {"keyPath": "model", "value": "gpt-5"},
     _config_write(lambda m: m.value.MergeFrom(struct_pb2.Value(string_value="gpt-5"))),
     "Invalid request: missing field `mergeStrategy`"),
    ("required Value unset", "config/value/write", {"keyPath": "model", "mergeStrategy": "replace"},
     _config_write(lambda m: setattr(m, "merge_strategy", config_pb2.MERGE_STRATEGY_REPLACE)),
     "Invalid request: missing field `value`"),
    ("params that are a union without variant", "account/login/start", {},
     account_pb2.LoginAccountParams(), "Invalid request: missing field `type`"),
    ("another method's union", "command/exec", {"command": ["true"], "sandboxPolicy": {}},
     _exec_without_sandbox_variant(), "Invalid request: sandboxPolicy: missing field `type`"),
]


async def test_both_paths_refuse_alike(mock: MockModelServer, home: Path, tmp_path: Path) -> None:
    """Each case sent as JSON through a gateway and as a message straight to the core
    gets the same refusal: JSON-RPC -32600 with the decoder's message on one side;
    INVALID_ARGUMENT with that message, and the same JSON-RPC error in the standard
    status details, on the other."""
    async with Cluster(mock, home, tmp_path / "work") as cluster, ClientPool() as pool:
        await cluster.start_core()
        client = await pool.connect(await cluster.add_gateway())
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel, \
                Attached(channel, "backend") as backend:
            for seq, (case, method, params, message, expected) in enumerate(CASES, 1):
                over_json = await client.request(method, params)
                assert over_json["error"] == {"code": -32600, "message": expected}, case
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await call(channel, method, message, backend.metadata(seq=seq))
                assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, case
                assert info.value.details() == expected, case
                assert rpc_error_to_jsonrpc(info.value).to_json() == over_json["error"], case
