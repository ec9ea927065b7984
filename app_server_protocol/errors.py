"""The one table that carries errors across the gRPC boundary.

The core raises `ProtocolError(code, message, data)` (JSON-RPC code, stable
message, optional structured `data`); its servicer turns it into a gRPC
status with `grpc_status_for`: the details are the message, the trailing
metadata carries the JSON-RPC code and, when set, `data` as JSON. Anything
else leaving a handler is a bug of ours and becomes `unexpected_error()`
(-32603 "Internal error"; the detail goes to the log, never on the wire).
The gateway turns any gRPC status back into the JSON-RPC error object with
`rpc_error_to_jsonrpc`. `bad_input` is the one wording of a request that
fails to decode, on either path (JSON at the gateway, protobuf at the core).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import grpc

from app_server_protocol.wire_types import JSONRPCErrorError, JsonValue

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
    """Status code, details and trailing metadata (code, and data if any) for a domain error."""
    status = _STATUS_BY_CODE.get(err.code, grpc.StatusCode.UNKNOWN)
    trailing: Metadata = ((JSONRPC_CODE_KEY, str(err.code)),)
    if err.data is not None:
        data = json.dumps(err.data, ensure_ascii=False, separators=(",", ":"))
        trailing += ((JSONRPC_DATA_KEY, data.encode()),)
    return status, err.message, trailing


def rpc_error_to_jsonrpc(err: grpc.RpcError) -> ProtocolError:
    """Map a failed gRPC call to the JSON-RPC error the client receives.

    A status from our core carries its JSON-RPC code (and data) in the
    trailers; any other status (the runtime's own, or a foreign server's)
    is mapped by its status code.
    """
    status = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = err.details() if hasattr(err, "details") else None
    trailing = dict(err.trailing_metadata() or ()) if hasattr(err, "trailing_metadata") else {}
    code = _int_or_none(trailing.get(JSONRPC_CODE_KEY))
    if code is not None:
        return ProtocolError(code, details or "", _data_of(trailing.get(JSONRPC_DATA_KEY)))
    if status in _TRANSPORT_MESSAGES:
        return ProtocolError(INTERNAL_ERROR, _TRANSPORT_MESSAGES[status])
    code = _CODE_BY_STATUS.get(status, INTERNAL_ERROR)
    return ProtocolError(code, details or status.name.lower())


def _int_or_none(value: str | bytes | None) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _data_of(value: str | bytes | None) -> JsonValue:
    if value is None:
        return None
    try:
        data: JsonValue = json.loads(value)
    except ValueError:
        # A core of another version, or a bug: the error itself still reaches the client.
        log.warning("dropping undecodable %s trailer", JSONRPC_DATA_KEY)
        return None
    return data
