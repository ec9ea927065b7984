"""The one table that carries errors across the gRPC boundary.

The core raises `ProtocolError(code, message)` (JSON-RPC code and stable
message); its servicers turn it into a gRPC status whose details are the
message and whose trailing metadata carries the JSON-RPC code. The gateway
turns any gRPC status back into a JSON-RPC error object with
`rpc_error_to_jsonrpc`. Messages are stable strings clients can match; no
traceback ever crosses a boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

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

JSONRPC_CODE_KEY = "x-jsonrpc-code"

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


@dataclass
class ProtocolError(Exception):
    """A JSON-RPC error raised by domain code: code and stable message."""

    code: int
    message: str
    data: Any = None

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        """The JSON-RPC `error` member (no `data` unless set, like the reference)."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


def invalid_request(message: str) -> ProtocolError:
    """-32600 with the given message (the reference's code for bad input)."""
    return ProtocolError(INVALID_REQUEST, message)


def internal_error(message: str) -> ProtocolError:
    """-32603 with the given message."""
    return ProtocolError(INTERNAL_ERROR, message)


def grpc_status_for(err: ProtocolError) -> tuple[grpc.StatusCode, str, tuple[tuple[str, str], ...]]:
    """Status code, details and trailing metadata for a domain error."""
    status = _STATUS_BY_CODE.get(err.code, grpc.StatusCode.UNKNOWN)
    return status, err.message, ((JSONRPC_CODE_KEY, str(err.code)),)


def rpc_error_to_jsonrpc(err: grpc.RpcError) -> ProtocolError:
    """Map a failed gRPC call to the JSON-RPC error the client receives."""
    status = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = err.details() if hasattr(err, "details") else None
    trailing = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    for key, value in trailing or ():
        if key == JSONRPC_CODE_KEY:
            try:
                return ProtocolError(int(value), details or "")
            except ValueError:
                break
    if status == grpc.StatusCode.UNAVAILABLE:
        return ProtocolError(INTERNAL_ERROR, "core unavailable; retry later")
    if status == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ProtocolError(INTERNAL_ERROR, "core did not answer in time")
    if status == grpc.StatusCode.CANCELLED:
        return ProtocolError(INTERNAL_ERROR, "request cancelled")
    code = _CODE_BY_STATUS.get(status, INTERNAL_ERROR)
    return ProtocolError(code, details or status.name.lower())
