"""The session contract's decisions: who a call is for, or why it is refused; which
session a Connect hello attaches, or why it is refused."""

from __future__ import annotations

import grpc
import pytest

from app_server_protocol.methods import CLIENT_REQUESTS
from app_server_protocol.v2 import service_pb2
from core_service.hub import CallInfo, ConnKey
from core_service.session import contract

TURN_START = CLIENT_REQUESTS["turn/start"]
THREAD_LIST = CLIENT_REQUESTS["thread/list"]


def attached(session: str) -> bool:
    """Only session `gw` is attached."""
    return session == "gw"


def refusal(md: dict[str, str], method: str = "turn/start") -> tuple[grpc.StatusCode, str]:
    """The status and message a call with metadata `md` is refused with."""
    with pytest.raises(contract.ContractError) as info:
        contract.caller(CLIENT_REQUESTS[method], md, attached)
    return info.value.status, info.value.message


def test_marked_rpcs_need_a_connection() -> None:
    """Thread and turn calls whose events or subscriptions need a connection are marked
    `(connection_required)`; reads and lists are not."""
    required = {name for name, m in CLIENT_REQUESTS.items() if contract.connection_required(m)}
    assert required >= {
        "initialize", "thread/start", "thread/resume", "thread/fork", "thread/unsubscribe",
        "thread/compact/start", "turn/start", "turn/steer", "turn/interrupt"}
    assert not required & {"thread/list", "thread/read", "model/list", "config/read",
                           "account/read"}


def test_full_identity_names_the_caller() -> None:
    """Session, connection and sequence number make the CallInfo; `x-reinitialize: 1`
    marks a replay."""
    md = {"x-gateway-session": "gw", "x-connection-id": "c1", "x-request-seq": "42"}
    assert contract.caller(TURN_START, md, attached) == CallInfo(ConnKey("gw", "c1"), 42)
    replay = contract.caller(TURN_START, {**md, "x-reinitialize": "1"}, attached)
    assert replay is not None and replay.replay
    no_seq = {"x-gateway-session": "gw", "x-connection-id": "c1"}
    assert contract.caller(TURN_START, no_seq, attached) == CallInfo(ConnKey("gw", "c1"), 0)


def test_anonymous_call_only_where_allowed() -> None:
    """No identity: a list is served anonymously; turn/start is refused, naming both keys."""
    assert contract.caller(THREAD_LIST, {}, attached) is None
    assert refusal({}) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "turn/start must name its connection: missing metadata `x-gateway-session` and "
        "`x-connection-id`")


@pytest.mark.parametrize(("md", "missing"), [
    ({"x-connection-id": "c1"}, "`x-gateway-session`"),
    ({"x-gateway-session": "gw"}, "`x-connection-id`"),
    ({"x-gateway-session": "gw", "x-connection-id": ""}, "`x-connection-id`"),
])
def test_half_an_identity_is_refused(md: dict[str, str], missing: str) -> None:
    """One key without the other is refused, even where anonymity is allowed."""
    status, message = refusal(md, "thread/list")
    assert status == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith(f"missing metadata {missing}")


@pytest.mark.parametrize("seq", ["x", "", "-1", " 7", "+7", "7_0", "1.0", "٣", "9" * 19])
def test_bad_sequence_number_is_refused_not_coerced(seq: str) -> None:
    """`x-request-seq` must be plain decimal digits (within int64); anything else is
    refused naming the key, never read as 0."""
    md = {"x-gateway-session": "gw", "x-connection-id": "c1", "x-request-seq": seq}
    assert refusal(md) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        f"metadata `x-request-seq` must be a decimal integer >= 0, got {seq!r}")


def test_session_not_attached_is_refused() -> None:
    """A session without its Connect stream: FAILED_PRECONDITION, naming it."""
    status, message = refusal({"x-gateway-session": "other", "x-connection-id": "c1"})
    assert status == grpc.StatusCode.FAILED_PRECONDITION
    assert message.startswith("session 'other' is not attached")


def hello(session: str, takeover: bool = False) -> service_pb2.GatewayFrame:
    """A hello frame."""
    return service_pb2.GatewayFrame(
        hello=service_pb2.GatewayHello(gateway_session=session, takeover=takeover))


def test_hello_names_the_session() -> None:
    """The hello alone names the session (metadata optional, and equal when sent)."""
    assert contract.hello_of({}, hello("gw")) == contract.Hello("gw", False)
    assert contract.hello_of({"x-gateway-session": "gw"}, hello("gw", True)) == \
        contract.Hello("gw", True)


@pytest.mark.parametrize(("md", "frame", "message"), [
    ({}, None, "the first frame of Connect must be a `hello` naming the session"),
    ({}, service_pb2.GatewayFrame(connection_closed=service_pb2.ConnectionClosed()),
     "the first frame of Connect must be a `hello` naming the session"),
    ({"x-gateway-session": "gw"}, hello(""),
     "the hello names no session (`gateway_session` is empty)"),
    ({"x-gateway-session": "a"}, hello("b"),
     "the hello names session 'b' but metadata `x-gateway-session` names 'a'"),
])
def test_bad_hello_is_refused(md: dict[str, str], frame: service_pb2.GatewayFrame | None,
                              message: str) -> None:
    """No hello, an empty session, or a session other than the metadata's: INVALID_ARGUMENT."""
    with pytest.raises(contract.ContractError) as info:
        contract.hello_of(md, frame)
    assert (info.value.status, info.value.message) == (grpc.StatusCode.INVALID_ARGUMENT, message)


def test_second_stream_and_takeover_statuses() -> None:
    """A second stream is ALREADY_EXISTS (saying how to take over); a replaced one ABORTED."""
    busy = contract.already_attached("gw")
    assert busy.status == grpc.StatusCode.ALREADY_EXISTS and "`takeover`" in busy.message
    assert contract.taken_over("gw").status == grpc.StatusCode.ABORTED
