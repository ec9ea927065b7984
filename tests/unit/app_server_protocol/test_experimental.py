"""Experimental members of request params, refused as the reference refuses them.

The table below is what the reference (codex 0.104 `app-server`, initialized
without capabilities) answered when each served method was sent each member
of its params: `<method>.<reason> requires experimentalApi capability`.
"""

from __future__ import annotations

from typing import Any

import pytest

from app_server_protocol import codec, experimental
from app_server_protocol.descriptors import option, union_of
from app_server_protocol.methods import CLIENT_REQUESTS, PROTOCOL_MODULES
from app_server_protocol.v2 import options_pb2

THREAD = "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01"
TOOL = {"name": "t", "description": "d", "inputSchema": {"type": "object"}}
HISTORY = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}]
MODE = {"mode": "plan", "settings": {"model": "m", "reasoning_effort": None,
                                     "developer_instructions": None}}

# (method, params, the name the reference's refusal gives)
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("thread/start", {"dynamicTools": [TOOL]}, "dynamicTools"),
    ("thread/start", {"mockExperimentalField": ""}, "mockExperimentalField"),
    ("thread/start", {"experimentalRawEvents": True}, "experimentalRawEvents"),
    ("thread/start", {"persistExtendedHistory": True}, "persistFullHistory"),
    ("thread/resume", {"threadId": THREAD, "history": HISTORY}, "history"),
    ("thread/resume", {"threadId": THREAD, "path": ""}, "path"),
    ("thread/resume", {"threadId": THREAD, "persistExtendedHistory": True}, "persistFullHistory"),
    ("thread/fork", {"threadId": THREAD, "path": "/r.jsonl"}, "path"),
    ("thread/fork", {"threadId": THREAD, "persistExtendedHistory": True}, "persistFullHistory"),
    ("turn/start", {"threadId": THREAD, "input": [], "collaborationMode": MODE},
     "collaborationMode"),
    ("account/login/start",
     {"type": "chatgptAuthTokens", "accessToken": "a", "chatgptAccountId": "b"},
     "chatgptAuthTokens"),
]

# Values the reference lets through without the capability (not "used").
ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("thread/start", {"dynamicTools": []}),
    ("thread/start", {"dynamicTools": None, "mockExperimentalField": None}),
    ("thread/start", {"experimentalRawEvents": False, "persistExtendedHistory": False}),
    ("thread/resume", {"threadId": THREAD, "history": [], "path": None}),
    ("thread/fork", {"threadId": THREAD, "path": None, "persistExtendedHistory": False}),
    ("turn/start", {"threadId": THREAD, "input": [], "collaborationMode": None}),
    ("account/login/start", {"type": "apiKey", "apiKey": "sk-x"}),
]


def decode(method: str, params: dict[str, Any], allow: bool) -> Any:
    """Decode `params` of `method` as the gateway does."""
    return codec.from_json(CLIENT_REQUESTS[method].params, params, allow_experimental=allow)


@pytest.mark.parametrize(("method", "params", "reason"), REFUSED)
def test_used_experimental_member_is_refused(method: str, params: dict[str, Any],
                                             reason: str) -> None:
    """Without the capability the member is refused under the reference's name; with it, not."""
    with pytest.raises(codec.ExperimentalFieldError) as info:
        decode(method, params, allow=False)
    assert info.value.name == reason
    decode(method, params, allow=True)


@pytest.mark.parametrize(("method", "params"), ACCEPTED)
def test_unused_experimental_member_passes(method: str, params: dict[str, Any]) -> None:
    """null, false and [] do not use a member: the request decodes without the capability."""
    decode(method, params, allow=False)


def test_first_member_in_the_reference_order_is_named() -> None:
    """With several used, the refusal names the first in the reference's declaration order."""
    params = {"persistExtendedHistory": True, "experimentalRawEvents": True,
              "mockExperimentalField": "x", "dynamicTools": [TOOL]}
    order = []
    while True:
        try:
            decode("thread/start", params, allow=False)
            break
        except codec.ExperimentalFieldError as err:
            order.append(err.name)
            params.pop({"persistFullHistory": "persistExtendedHistory"}.get(err.name, err.name))
    assert order == ["dynamicTools", "mockExperimentalField", "experimentalRawEvents",
                     "persistFullHistory"]
    resume = {"threadId": THREAD, "persistExtendedHistory": True, "path": "/r", "history": HISTORY}
    with pytest.raises(codec.ExperimentalFieldError) as info:
        decode("thread/resume", resume, allow=False)
    assert info.value.name == "history"


def test_decode_errors_come_before_the_experimental_check() -> None:
    """A malformed experimental request gets its decode error, as on the reference."""
    bad = {"type": "chatgptAuthTokens", "accessToken": 5, "chatgptAccountId": "b"}
    with pytest.raises(codec.DecodeError) as info:
        decode("account/login/start", bad, allow=False)
    assert str(info.value) == "accessToken: invalid type: integer `5`, expected a string"
    with pytest.raises(codec.DecodeError):
        decode("thread/start", {"dynamicTools": [TOOL], "cwd": 5}, allow=False)


def test_non_object_data_uses_no_member() -> None:
    """The gate of a type only looks into JSON objects."""
    gate = experimental.gate_for(CLIENT_REQUESTS["thread/start"].params.DESCRIPTOR)
    assert gate is not None
    assert gate([TOOL]) is None
    assert gate({"dynamicTools": [TOOL]}) == "dynamicTools"


def test_types_without_marks_have_no_gate() -> None:
    """A params type with no experimental member gets no gate (no cost per request)."""
    assert experimental.gate_for(CLIENT_REQUESTS["thread/list"].params.DESCRIPTOR) is None


def test_marks_sit_only_on_params_messages() -> None:
    """Every experimental mark is on the params message of a client request.

    The reference names a refusal `<method>.<member>`; a mark on a nested
    message would never be checked.
    """
    params = {m.params.DESCRIPTOR.full_name for m in CLIENT_REQUESTS.values()}
    misplaced = []
    for module in PROTOCOL_MODULES:
        todo = list(module.DESCRIPTOR.message_types_by_name.values())
        while todo:
            desc = todo.pop()
            todo.extend(desc.nested_types)
            marked = bool(option(desc, options_pb2.experimental_member)) or any(
                option(f, options_pb2.experimental_field) for f in desc.fields)
            if marked and desc.full_name not in params:
                misplaced.append(desc.full_name)
    assert misplaced == []


def test_experimental_variant_is_matched_on_its_tag() -> None:
    """A marked variant of a tagged params union is used when its tag is selected."""
    desc = CLIENT_REQUESTS["account/login/start"].params.DESCRIPTOR
    tagged = union_of(desc)
    assert tagged is not None and [v.tag for v in tagged.variants if v.experimental] == [
        "chatgptAuthTokens"]
    assert experimental.marks(desc) == (
        experimental.ExperimentalMark(key="type", reason="chatgptAuthTokens",
                                      tag="chatgptAuthTokens"),)
