"""The decoder generator: what it says of a union with no variant, and when it gates.

The wording of `no_variant_error` is checked against the decoder itself on
`{}` (or, for an untagged union, a value no variant takes), so the gRPC path
(`request_validation`) cannot drift from the JSON path.
"""

from __future__ import annotations

from typing import Any

import pytest

from app_server_protocol import codec, jsonrpc_pb2
from app_server_protocol.codec_decode import DecoderBuilder, no_variant_error
from app_server_protocol.descriptors import union_of
from app_server_protocol.v2 import account_pb2, thread_pb2, turn_pb2


@pytest.mark.parametrize(("cls", "data", "expected"), [
    (thread_pb2.UserInput, {}, "missing field `type`"),
    (thread_pb2.CodexErrorInfo, {}, "invalid type: map, expected enum CodexErrorInfo"),
    (jsonrpc_pb2.RequestId, [], "data did not match any variant of untagged enum RequestId"),
])
def test_no_variant_error_is_the_decoders_own(cls: Any, data: Any, expected: str) -> None:
    """Each union kind: the error equals the one decoding a variant-less value gives."""
    union = union_of(cls.DESCRIPTOR)
    assert union is not None
    err = no_variant_error(union)
    assert (err.path, err.detail) == ("", expected)
    with pytest.raises(codec.DecodeError) as info:
        codec.from_json(cls, data)
    assert str(info.value) == str(err)


def test_experimental_gate_runs_only_without_the_capability() -> None:
    """The decoder refuses a used experimental member only when experimental is not allowed."""
    dec = DecoderBuilder().decoder(account_pb2.LoginAccountParams.DESCRIPTOR)
    tokens = {"type": "chatgptAuthTokens", "accessToken": "a", "chatgptAccountId": "b"}
    assert dec(tokens, "", True).chatgpt_auth_tokens.access_token == "a"
    with pytest.raises(codec.ExperimentalFieldError, match="^chatgptAuthTokens$"):
        dec(tokens, "", False)
    assert dec({"type": "chatgpt"}, "", False).HasField("chatgpt")


def test_unmodelled_experimental_member_is_gated_not_decoded() -> None:
    """An unmodelled member is refused without the capability and ignored with it."""
    dec = DecoderBuilder().decoder(turn_pb2.TurnStartParams.DESCRIPTOR)
    params = {"threadId": "t", "input": [], "collaborationMode": {"mode": "plan"}}
    with pytest.raises(codec.ExperimentalFieldError, match="^collaborationMode$"):
        dec(params, "", False)
    assert dec(params, "", True).thread_id == "t"
