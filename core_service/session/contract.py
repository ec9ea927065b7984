"""The session contract of `service.proto`, as the core enforces it.

A backend attaches a session with `SessionService.Connect` (its first frame
a `GatewayHello`), then names the connection a call is for in call metadata.
This module holds the contract's decisions, without I/O: who a unary call is
for (or why it is refused), which session a Connect's hello names (or why it
is refused). The servicer executes them. Refusals are gRPC statuses of their
own (`ContractError`), not JSON-RPC errors of a method: a backend that breaks
the contract gets INVALID_ARGUMENT, FAILED_PRECONDITION or ALREADY_EXISTS
with a message naming the key, never an anonymous success.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import grpc

from app_server_protocol.descriptors import option
from app_server_protocol.methods import SERVICE_FILE, Method
from app_server_protocol.v2 import service_pb2
from core_service.hub import CallInfo, ConnKey

SESSION_KEY = "x-gateway-session"
CONNECTION_KEY = "x-connection-id"
SEQ_KEY = "x-request-seq"
REPLAY_KEY = "x-reinitialize"
# How long a new Connect stream may take to send its hello.
HELLO_TIMEOUT = 10.0


class ContractError(Exception):
    """A call or stream that breaks the session contract: its gRPC status and message."""

    def __init__(self, status: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Hello:
    """What a Connect stream's hello asks for: the session, and whether to take it over."""

    session: str
    takeover: bool


def connection_required(method: Method) -> bool:
    """Whether `method`'s rpc is marked `(connection_required)` in service.proto."""
    assert method.service and method.rpc
    rpc = SERVICE_FILE.services_by_name[method.service].methods_by_name[method.rpc]
    return bool(option(rpc, service_pb2.connection_required))


def caller(
    method: Method, metadata: Mapping[str, str], attached: Callable[[str], bool]
) -> CallInfo | None:
    """Who a unary call of `method` is for, from its metadata; None when it names
    nobody and may do so. Raises `ContractError` for a call that must name its
    connection and does not, half an identity, a bad sequence number, or a
    session that is not attached."""
    session, conn = metadata.get(SESSION_KEY), metadata.get(CONNECTION_KEY)
    if not session and not conn:
        if connection_required(method):
            raise _invalid(f"{method.name} must name its connection: "
                           f"missing metadata `{SESSION_KEY}` and `{CONNECTION_KEY}`")
        return None
    if not session:
        raise _invalid(f"missing metadata `{SESSION_KEY}` (sent `{CONNECTION_KEY}` without it)")
    if not conn:
        raise _invalid(f"missing metadata `{CONNECTION_KEY}` (sent `{SESSION_KEY}` without it)")
    seq = _sequence(metadata.get(SEQ_KEY))
    if not attached(session):
        raise ContractError(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"session {session!r} is not attached: open SessionService/Connect and wait "
            "for its `attached` frame first",
        )
    return CallInfo(ConnKey(session, conn), seq, replay=metadata.get(REPLAY_KEY) == "1")


def _sequence(value: str | None) -> int:
    if value is None:
        return 0
    # int() would take " 7", "+7" and "7_0"; the contract is plain digits.
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise _invalid(f"metadata `{SEQ_KEY}` must be a decimal integer >= 0, got {value!r}")
    return int(value)


def hello_of(metadata: Mapping[str, str], frame: service_pb2.GatewayFrame | None) -> Hello:
    """The session a Connect stream attaches, from its first frame (None: the
    stream ended before sending one) and its metadata. Raises `ContractError`."""
    if frame is None or frame.WhichOneof("frame") != "hello":
        raise _invalid("the first frame of Connect must be a `hello` naming the session")
    named = frame.hello.gateway_session
    if not named:
        raise _invalid("the hello names no session (`gateway_session` is empty)")
    in_metadata = metadata.get(SESSION_KEY)
    if in_metadata and in_metadata != named:
        raise _invalid(f"the hello names session {named!r} but metadata `{SESSION_KEY}` "
                       f"names {in_metadata!r}")
    return Hello(named, frame.hello.takeover)


def already_attached(session: str) -> ContractError:
    """The refusal of a second Connect for an attached session without `takeover`."""
    return ContractError(
        grpc.StatusCode.ALREADY_EXISTS,
        f"session {session!r} is already attached on another Connect stream "
        "(set `takeover` in the hello to replace it)",
    )


def taken_over(session: str) -> ContractError:
    """How a stream ends when a newer Connect took its session over."""
    return ContractError(grpc.StatusCode.ABORTED,
                         f"session {session!r} was taken over by a newer Connect stream")


def no_hello() -> ContractError:
    """How a Connect stream ends that sent no hello in time."""
    return _invalid(f"no hello within {HELLO_TIMEOUT:g} s of opening Connect")


def _invalid(message: str) -> ContractError:
    return ContractError(grpc.StatusCode.INVALID_ARGUMENT, message)
