"""Request messages built over gRPC are refused where their JSON would be.

Each case pairs a protobuf message a gRPC client could send with the JSON
the gateway's decoder refuses: both must give the same path and wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app_server_protocol import codec
from app_server_protocol.request_validation import validate_request
from app_server_protocol.v2 import account_pb2, command_pb2, thread_pb2, turn_pb2

THREAD = "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01"


def no_sandbox_variant(m: Any) -> None:
    """`sandboxPolicy: {}`."""
    m.sandbox_policy.SetInParent()


def empty_input(m: Any) -> None:
    """`input: [{}]`."""
    m.input.add()


def second_input_empty(m: Any) -> None:
    """`input: [{"type": "text", ...}, {}]`."""
    m.input.add().text.text = "hi"
    m.input.add()


def no_access_variant(m: Any) -> None:
    """`sandboxPolicy: {"type": "readOnly", "access": {}}`."""
    m.sandbox_policy.read_only.access.SetInParent()


CASES: list[tuple[Callable[[Any], None], dict[str, Any], str]] = [
    (no_sandbox_variant, {"sandboxPolicy": {}}, "sandboxPolicy: missing field `type`"),
    (empty_input, {"input": [{}]}, "input[0]: missing field `type`"),
    (second_input_empty, {"input": [{"type": "text", "text": "hi"}, {}]},
     "input[1]: missing field `type`"),
    (no_access_variant, {"sandboxPolicy": {"type": "readOnly", "access": {}}},
     "sandboxPolicy.access: missing field `type`"),
]


@pytest.mark.parametrize(("build", "json_params", "expected"), CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_unset_union_refused_like_json(build: Callable[[Any], None],
                                       json_params: dict[str, Any], expected: str) -> None:
    """An unset union in turn/start params gets the JSON decoder's error, same path."""
    msg = turn_pb2.TurnStartParams(thread_id=THREAD)
    build(msg)
    with pytest.raises(codec.DecodeError) as grpc_err:
        validate_request(msg)
    with pytest.raises(codec.DecodeError) as json_err:
        codec.from_json(turn_pb2.TurnStartParams, {"threadId": THREAD, "input": [],
                                                   **json_params})
    assert str(grpc_err.value) == str(json_err.value) == expected
    assert grpc_err.value.path == json_err.value.path


def test_params_that_are_an_unset_union() -> None:
    """A params message that is itself a union with no variant: `{}` for account/login/start."""
    with pytest.raises(codec.DecodeError) as info:
        validate_request(account_pb2.LoginAccountParams())
    assert info.value.path == "" and info.value.detail == "missing field `type`"
    with pytest.raises(codec.DecodeError) as json_err:
        codec.from_json(account_pb2.LoginAccountParams, {})
    assert str(json_err.value) == str(info.value)


def test_command_exec_sandbox_is_checked_too() -> None:
    """Every request type is covered, not only turn/start."""
    msg = command_pb2.CommandExecParams(command=["true"])
    msg.sandbox_policy.SetInParent()
    with pytest.raises(codec.DecodeError, match=r"^sandboxPolicy: missing field `type`$"):
        validate_request(msg)


def test_enum_number_without_wire_string_is_refused() -> None:
    """An enum number the wire cannot name is refused (the encoder could not write it)."""
    msg: Any = turn_pb2.TurnStartParams(thread_id=THREAD)
    msg.effort = 42  # proto3 enums are open: any number goes on the wire
    with pytest.raises(codec.DecodeError) as info:
        validate_request(msg)
    assert info.value.path == "effort"
    assert info.value.detail.startswith("invalid value: integer `42`, expected one of `none`")
    start: Any = thread_pb2.ThreadStartParams()
    start.approval_policy = 9
    with pytest.raises(codec.DecodeError, match=r"^approvalPolicy: invalid value: integer `9`"):
        validate_request(start)


def test_valid_requests_pass() -> None:
    """Set variants, absent optional unions and defaults pass, and encode as before."""
    msg = turn_pb2.TurnStartParams(thread_id=THREAD)
    msg.input.add().text.text = "hi"
    msg.sandbox_policy.read_only.SetInParent()
    validate_request(msg)
    assert codec.to_json(msg)["sandboxPolicy"]["type"] == "readOnly"
    validate_request(turn_pb2.TurnStartParams(thread_id=THREAD))
    validate_request(thread_pb2.ThreadStartParams())
    validate_request(thread_pb2.ThreadListParams())
    api = account_pb2.LoginAccountParams()
    api.api_key.api_key = "sk-x"
    validate_request(api)
