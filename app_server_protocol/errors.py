"""The one table that carries errors across the gRPC boundary.

The core raises `ProtocolError(code, message, data)` (JSON-RPC code, stable
message, optional structured `data`); its servicer turns it into a gRPC
status with `grpc_status_for`: the status message is the error's message,
and the standard rich status (`grpc-status-details-bin`, a `google.rpc.Status`
whose one detail is a `google.protobuf.Any` holding the JSON-RPC error object
`app_server_protocol.JSONRPCErrorError {code, message, data}`) carries the
JSON-RPC code and data, readable by any gRPC client with the proto (Node's
`@grpc/grpc-js`, `grpc_status.rpc_status` in Python). Beside it, for clients
without the `google.rpc` protos, the plain trailers `x-jsonrpc-code` and,
when `data` is set, `x-jsonrpc-data-bin` (the data as JSON). Anything else
leaving a handler is a bug of ours and becomes `unexpected_error()` (-32603
"Internal error"; the detail goes to the log, never on the wire).

The gateway turns any gRPC status back into the JSON-RPC error object with
`rpc_error_to_jsonrpc`, from the standard details alone; a status without
them (the runtime's own, a foreign server's) maps by its status code.
`bad_input` is the one wording of a request that fails to decode, on either
path (JSON at the gateway, protobuf at the core).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError
from google.rpc import status_pb2
from grpc_status import rpc_status

from app_server_protocol import codec, jsonrpc_pb2
from app_server_protocol.wire_types import JSONRPCErrorError

log = logging.getLogger(__name__)

# JSON-RPC codes used on the wire. The reference answers unknown methods and
# bad params with -32600 ("Invalid request: ..."), internal failures with
# -32603; we follow it.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_OVERLOADED = -32001

OVERLOADED_MESSAGE = "Server overloaded; retry later."
INTERNAL_ERROR_MESSAGE = "Internal error"

JSONRPC_CODE_KEY = "x-jsonrpc-code"
# Binary metadata (the `-bin` suffix): any JSON, non-ASCII included, crosses as is.
JSONRPC_DATA_KEY = "x-jsonrpc-data-bin"
# The standard rich status trailer (a serialized `google.rpc.Status`).
STATUS_DETAILS_KEY = "grpc-status-details-bin"

_STATUS_BY_CODE: dict[int, grpc.StatusCode] = {
    INVALID_REQUEST: grpc.StatusCode.INVALID_ARGUMENT,
    INVALID_PARAMS: grpc.StatusCode.INVALID_ARGUMENT,
    METHOD_NOT_FOUND: grpc.StatusCode.UNIMPLEMENTED,
    INTERNAL_ERROR: grpc.StatusCode.INTERNAL,
    SERVER_OVERLOADED: grpc.StatusCode.RESOURCE_EXHAUSTED,
}

_CODE_BY_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: INVALID_REQUEST,
    grpc.StatusCode.NOT_FOUND: INVALID_REQUEST,
    grpc.StatusCode.FAILED_PRECONDITION: INVALID_REQUEST,
    grpc.StatusCode.ALREADY_EXISTS: INVALID_REQUEST,
    grpc.StatusCode.OUT_OF_RANGE: INVALID_REQUEST,
    grpc.StatusCode.UNIMPLEMENTED: METHOD_NOT_FOUND,
    grpc.StatusCode.RESOURCE_EXHAUSTED: SERVER_OVERLOADED,
}

# Statuses the gRPC runtime itself produces (no JSON-RPC code attached).
_TRANSPORT_MESSAGES: dict[grpc.StatusCode, str] = {
    grpc.StatusCode.UNAVAILABLE: "core unavailable; retry later",
    grpc.StatusCode.DEADLINE_EXCEEDED: "core did not answer in time",
    grpc.StatusCode.CANCELLED: "request cancelled",
}

Metadata = tuple[tuple[str, str | bytes], ...]


@dataclass
class ProtocolError(Exception):
    """A JSON-RPC error raised by domain code: code, stable message, optional data."""

    code: int
    message: str
    # Any JSON value (typed loosely: a caller's `dict[str, str]` is one too).
    data: Any = None

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> JSONRPCErrorError:
        """The JSON-RPC `error` member (no `data` unless set, like the reference)."""
        err: JSONRPCErrorError = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


def invalid_request(message: str) -> ProtocolError:
    """-32600 with the given message (the reference's code for bad input)."""
    return ProtocolError(INVALID_REQUEST, message)


def internal_error(message: str) -> ProtocolError:
    """-32603 with the given message."""
    return ProtocolError(INTERNAL_ERROR, message)


def unexpected_error() -> ProtocolError:
    """What a client sees of a bug of ours: -32603 "Internal error", no detail."""
    return ProtocolError(INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE)


def bad_input(err: Exception) -> ProtocolError:
    """The reference's answer to params that do not decode: -32600
    "Invalid request: <decoder message>" (e.g. "missing field `type`")."""
    return invalid_request(f"Invalid request: {err}")


def grpc_status_for(err: ProtocolError) -> tuple[grpc.StatusCode, str, Metadata]:
    """Status code, message and trailing metadata for a domain error: the
    standard rich status (`google.rpc.Status` holding the JSON-RPC error
    object) and the plain `x-jsonrpc-code` / `x-jsonrpc-data-bin` trailers."""
    status = _STATUS_BY_CODE.get(err.code, grpc.StatusCode.UNKNOWN)
    detail = any_pb2.Any()
    detail.Pack(codec.from_json(jsonrpc_pb2.JSONRPCErrorError, err.to_json()))
    rich = rpc_status.to_status(
        status_pb2.Status(code=status.value[0], message=err.message, details=[detail])
    )
    trailing: Metadata = (*rich.trailing_metadata, (JSONRPC_CODE_KEY, str(err.code)))
    if err.data is not None:
        data = json.dumps(err.data, ensure_ascii=False, separators=(",", ":"))
        trailing += ((JSONRPC_DATA_KEY, data.encode()),)
    return status, err.message, trailing


def transport_error(status: grpc.StatusCode) -> ProtocolError:
    """What a client sees when the core link itself fails with `status`
    (unavailable, deadline exceeded, cancelled): the same stable messages as
    a unary call failing with that status."""
    return ProtocolError(INTERNAL_ERROR, _TRANSPORT_MESSAGES.get(status, INTERNAL_ERROR_MESSAGE))


def error_message(err: ProtocolError) -> jsonrpc_pb2.JSONRPCErrorError:
    """The JSON-RPC error object of `err` as a message (carried on Connect)."""
    msg: jsonrpc_pb2.JSONRPCErrorError = codec.from_json(jsonrpc_pb2.JSONRPCErrorError,
                                                         err.to_json())
    return msg


def error_from_message(msg: jsonrpc_pb2.JSONRPCErrorError) -> ProtocolError:
    """The `ProtocolError` a JSON-RPC error object carried on Connect stands for."""
    wire: JSONRPCErrorError = codec.to_json(msg)
    return ProtocolError(wire["code"], wire["message"], wire.get("data"))


def rpc_error_to_jsonrpc(err: grpc.RpcError) -> ProtocolError:
    """Map a failed gRPC call to the JSON-RPC error the client receives.

    A status from our core carries the JSON-RPC error object in its standard
    details; any other status (the runtime's own, or a foreign server's) is
    mapped by its status code.
    """
    status = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = err.details() if hasattr(err, "details") else None
    carried = _jsonrpc_detail(err)
    if carried is not None:
        return carried
    if status in _TRANSPORT_MESSAGES:
        return ProtocolError(INTERNAL_ERROR, _TRANSPORT_MESSAGES[status])
    code = _CODE_BY_STATUS.get(status, INTERNAL_ERROR)
    return ProtocolError(code, details or status.name.lower())


def _jsonrpc_detail(err: grpc.RpcError) -> ProtocolError | None:
    """The JSON-RPC error object in the call's `google.rpc.Status` details, if any."""
    if not hasattr(err, "trailing_metadata"):
        return None
    try:
        rich = rpc_status.from_call(err)
    except (ValueError, DecodeError):
        # Details that do not parse or contradict the status: a bug, or a proxy
        # that rewrote the status; the status itself still reaches the client.
        log.warning("ignoring a %s trailer that does not fit its status", STATUS_DETAILS_KEY)
        return None
    if rich is None:
        return None
    for detail in rich.details:
        if detail.Is(jsonrpc_pb2.JSONRPCErrorError.DESCRIPTOR):
            obj = jsonrpc_pb2.JSONRPCErrorError()
            detail.Unpack(obj)
            wire: JSONRPCErrorError = codec.to_json(obj)
            return ProtocolError(wire["code"], wire["message"], wire.get("data"))
    return None
