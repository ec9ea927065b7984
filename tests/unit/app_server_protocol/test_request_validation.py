"""Request messages built over gRPC are refused where their JSON would be.

Each case pairs a protobuf message a gRPC client could send with the JSON
the gateway's decoder refuses: both must give the same path and wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app_server_protocol import codec, initialize_pb2
from app_server_protocol.request_validation import validate_request
from app_server_protocol.v2 import account_pb2, command_pb2, config_pb2, thread_pb2, turn_pb2

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


def no_client_info(m: Any) -> None:
    """`initialize` without `clientInfo`."""


def no_merge_strategy(m: Any) -> None:
    """`config/value/write` with `value` but no `mergeStrategy` (its UNSPECIFIED zero)."""
    m.key_path = "model"
    m.value.string_value = "gpt-5"


def no_value(m: Any) -> None:
    """`config/value/write` with `mergeStrategy` but no `value`."""
    m.key_path = "model"
    m.merge_strategy = config_pb2.MERGE_STRATEGY_REPLACE


def text_element_without_range(m: Any) -> None:
    """`turn/start` whose text element has no `byteRange`."""
    m.thread_id = THREAD
    m.input.add().text.text_elements.add()


REQUIRED: list[tuple[type[Any], Callable[[Any], None], Any, str]] = [
    (initialize_pb2.InitializeParams, no_client_info, {}, "missing field `clientInfo`"),
    (config_pb2.ConfigValueWriteParams, no_merge_strategy,
     {"keyPath": "model", "value": "gpt-5"}, "missing field `mergeStrategy`"),
    (config_pb2.ConfigValueWriteParams, no_value,
     {"keyPath": "model", "mergeStrategy": "replace"}, "missing field `value`"),
    (turn_pb2.TurnStartParams, text_element_without_range,
     {"threadId": THREAD, "input": [{"type": "text", "text": "", "text_elements": [{}]}]},
     "input[0].text_elements[0]: missing field `byteRange`"),
]


@pytest.mark.parametrize(("cls", "build", "json_params", "expected"), REQUIRED,
                         ids=[c[1].__name__ for c in REQUIRED])
def test_unset_required_member_refused_like_json(
        cls: type[Any], build: Callable[[Any], None], json_params: Any, expected: str) -> None:
    """A required message, Value or enum member left unset over gRPC is the JSON
    object without that member: "missing field `<key>`", same path."""
    msg = cls()
    build(msg)
    with pytest.raises(codec.DecodeError) as grpc_err:
        validate_request(msg)
    with pytest.raises(codec.DecodeError) as json_err:
        codec.from_json(cls, json_params)
    assert str(grpc_err.value) == str(json_err.value) == expected
    assert grpc_err.value.path == json_err.value.path


def test_optional_enum_set_to_zero_is_refused() -> None:
    """An `optional` enum explicitly set to its UNSPECIFIED zero is no value the
    wire can name; left unset it is null and passes."""
    msg: Any = thread_pb2.ThreadStartParams(approval_policy=thread_pb2.ASK_FOR_APPROVAL_UNSPECIFIED)
    with pytest.raises(codec.DecodeError, match=r"^approvalPolicy: invalid value: integer `0`"):
        validate_request(msg)
    validate_request(thread_pb2.ThreadStartParams())
    assert codec.to_json(thread_pb2.ThreadStartParams())["approvalPolicy"] is None


def test_unset_members_with_a_default_read_as_the_default() -> None:
    """A member with a JSON default left unset over gRPC (an enum at zero, a
    message not set) is what the JSON path gives an absent member: its default,
    not the proto zero (an unset `access` is `fullAccess`, not `restricted`)."""
    msg = turn_pb2.TurnStartParams(thread_id=THREAD)
    msg.sandbox_policy.read_only.SetInParent()
    validate_request(msg)
    grpc_side = codec.to_json(msg)["sandboxPolicy"]
    json_side = codec.to_json(codec.from_json(turn_pb2.TurnStartParams, {
        "threadId": THREAD, "input": [], "sandboxPolicy": {"type": "readOnly"}}))["sandboxPolicy"]
    assert grpc_side == json_side == {"type": "readOnly", "access": {"type": "fullAccess"}}
    ext = turn_pb2.TurnStartParams(thread_id=THREAD)
    ext.sandbox_policy.external_sandbox.SetInParent()
    validate_request(ext)
    assert codec.to_json(ext)["sandboxPolicy"] == {
        "type": "externalSandbox", "networkAccess": "restricted"}
