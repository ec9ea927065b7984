"""The one error table across the gRPC boundary: domain error -> gRPC status
(core side) and gRPC status -> JSON-RPC error (gateway side)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from google.rpc import status_pb2
from grpc_status import rpc_status

from app_server_protocol import codec, jsonrpc_pb2
from app_server_protocol.errors import (
    JSONRPC_CODE_KEY,
    JSONRPC_DATA_KEY,
    STATUS_DETAILS_KEY,
    ProtocolError,
    bad_input,
    grpc_status_for,
    rpc_error_to_jsonrpc,
    unexpected_error,
)


class FakeRpcError:
    """A failed call as a gRPC client sees it."""

    def __init__(self, status: grpc.StatusCode, details: str | None,
                 trailing: tuple[tuple[str, Any], ...] = ()) -> None:
        self._status, self._details, self._trailing = status, details, trailing

    def code(self) -> grpc.StatusCode:
        return self._status

    def details(self) -> str | None:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, Any], ...]:
        return self._trailing


def across(err: ProtocolError) -> ProtocolError:
    """`err` raised in the core, as the gateway maps it back."""
    status, details, trailing = grpc_status_for(err)
    return rpc_error_to_jsonrpc(FakeRpcError(status, details, trailing))


@pytest.mark.parametrize("err", [
    ProtocolError(-32600, "thread not found: t1"),
    ProtocolError(-32603, "failed to spawn command: boom"),
    ProtocolError(-32001, "Server overloaded; retry later."),
    ProtocolError(-32600, "Invalid configuration", {"config_write_error_code":
                                                    "configVersionConflict"}),
    ProtocolError(-32600, "x", {"list": [1, None, "é\u2028"], "n": 1.5}),
    ProtocolError(-32600, "x", "a string"),
    ProtocolError(-32600, "x", [1, 2]),
    ProtocolError(-32600, "x", False),
])
def test_protocol_error_round_trips(err: ProtocolError) -> None:
    """Code, message and data (any JSON value) reach the JSON-RPC error unchanged."""
    assert across(err) == err


def test_data_travels_only_when_set() -> None:
    """The data trailer is present only for an error with data; a JSON-RPC error
    without data has no `data` member."""
    _, _, trailing = grpc_status_for(ProtocolError(-32600, "x"))
    assert [k for k, _ in trailing] == [STATUS_DETAILS_KEY, JSONRPC_CODE_KEY]
    _, _, trailing = grpc_status_for(ProtocolError(-32600, "x", {"a": 1}))
    assert dict(trailing)[JSONRPC_DATA_KEY] == b'{"a":1}'
    assert JSONRPC_DATA_KEY.endswith("-bin")  # binary metadata: any bytes cross
    assert across(ProtocolError(-32600, "x")).to_json() == {"code": -32600, "message": "x"}


def test_status_codes_of_the_table() -> None:
    """The JSON-RPC code picks a meaningful gRPC status for gRPC clients."""
    assert grpc_status_for(ProtocolError(-32600, "x"))[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert grpc_status_for(unexpected_error())[0] == grpc.StatusCode.INTERNAL
    assert grpc_status_for(ProtocolError(-32001, "x"))[0] == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert grpc_status_for(ProtocolError(-1, "x"))[0] == grpc.StatusCode.UNKNOWN


@pytest.mark.parametrize(("status", "expected"), [
    (grpc.StatusCode.UNAVAILABLE, ProtocolError(-32603, "core unavailable; retry later")),
    (grpc.StatusCode.DEADLINE_EXCEEDED, ProtocolError(-32603, "core did not answer in time")),
    (grpc.StatusCode.CANCELLED, ProtocolError(-32603, "request cancelled")),
    (grpc.StatusCode.NOT_FOUND, ProtocolError(-32600, "details")),
    (grpc.StatusCode.UNIMPLEMENTED, ProtocolError(-32601, "details")),
    (grpc.StatusCode.DATA_LOSS, ProtocolError(-32603, "details")),
])
def test_statuses_without_a_jsonrpc_code(status: grpc.StatusCode,
                                        expected: ProtocolError) -> None:
    """A status the runtime produced (no code trailer) maps by its status code."""
    assert rpc_error_to_jsonrpc(FakeRpcError(status, "details")) == expected


@pytest.mark.parametrize("details", [b"\xff\xff not a Status", status_pb2.Status(
    code=grpc.StatusCode.NOT_FOUND.value[0], message="m").SerializeToString()])
def test_details_that_do_not_fit_map_by_status(details: bytes) -> None:
    """Status details that do not parse or contradict the status are ignored:
    the status maps by its code, as a foreign server's would."""
    err = rpc_error_to_jsonrpc(FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, "m", (
        (STATUS_DETAILS_KEY, details), (JSONRPC_CODE_KEY, "-32603"))))
    assert err == ProtocolError(-32600, "m")


def test_standard_status_details_carry_the_jsonrpc_error() -> None:
    """`grpc-status-details-bin` is a `google.rpc.Status` (same code and message as
    the call) whose one detail is an `Any` holding `app_server_protocol.JSONRPCErrorError`,
    readable with `grpc_status.rpc_status` and nothing of ours but the proto."""
    err = ProtocolError(-32600, "Invalid configuration",
                        {"config_write_error_code": "configVersionConflict", "n": 2})
    status, message, trailing = grpc_status_for(err)
    rich = rpc_status.from_call(FakeRpcError(status, message, trailing))
    assert rich is not None and rich.code == status.value[0] and rich.message == message
    [detail] = rich.details
    assert detail.type_url == "type.googleapis.com/app_server_protocol.JSONRPCErrorError"
    obj = jsonrpc_pb2.JSONRPCErrorError()
    assert detail.Unpack(obj)
    assert (obj.code, obj.message) == (-32600, "Invalid configuration")
    assert json_format.MessageToDict(obj.data) == {
        "config_write_error_code": "configVersionConflict", "n": 2}
    no_data = rpc_status.from_call(FakeRpcError(*grpc_status_for(ProtocolError(-32600, "x"))))
    assert no_data is not None
    obj = jsonrpc_pb2.JSONRPCErrorError()
    no_data.details[0].Unpack(obj)
    assert not obj.HasField("data")


def test_the_gateway_reads_the_standard_details_alone() -> None:
    """Without the plain trailers, the standard details still give code, message and data."""
    status, message, trailing = grpc_status_for(ProtocolError(-32001, "busy", [1, "a"]))
    standard = tuple((k, v) for k, v in trailing if k == STATUS_DETAILS_KEY)
    assert rpc_error_to_jsonrpc(FakeRpcError(status, message, standard)) == ProtocolError(
        -32001, "busy", [1, "a"])


def test_unexpected_error_says_nothing_more() -> None:
    """What a client sees of a bug of ours: -32603 "Internal error"."""
    assert unexpected_error().to_json() == {"code": -32603, "message": "Internal error"}


def test_bad_input_wording() -> None:
    """A decode failure reads "Invalid request: <decoder message>" (-32600)."""
    err = bad_input(codec.DecodeError("input[0]", "missing field `type`"))
    assert err == ProtocolError(-32600, "Invalid request: input[0]: missing field `type`")
