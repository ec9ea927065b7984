"""The pieces both converter builders share: errors, free-form JSON, wording, queries."""

from __future__ import annotations

from collections import OrderedDict
from enum import IntEnum
from typing import Any

import pytest
from google.protobuf import struct_pb2

from app_server_protocol import codec
from app_server_protocol.codec_common import (
    DecodeError,
    describe_value,
    fill_value,
)
from app_server_protocol.v2 import turn_pb2


def test_decode_error_carries_path_and_detail() -> None:
    """DecodeError exposes the path and the detail separately (for error data)."""
    with pytest.raises(DecodeError) as info:
        codec.from_json(turn_pb2.TurnStartParams, {"threadId": 1, "input": []})
    assert info.value.path == "threadId"
    assert info.value.detail == "invalid type: integer `1`, expected a string"
    assert isinstance(info.value, ValueError)
    assert str(DecodeError("", "missing field `x`")) == "missing field `x`"


@pytest.mark.parametrize("value", [{}, [], {"a": {}}, [[]], 0, "", False, None])
def test_empty_free_form_json_is_not_null(value: Any) -> None:
    """`{}` and `[]` survive a Value round trip (they are not turned into null)."""
    assert codec.value_to_py(codec.py_to_value(value)) == value
    params = {"threadId": "t", "input": [], "outputSchema": value}
    out = codec.to_json(codec.from_json(turn_pb2.TurnStartParams, params))
    assert out["outputSchema"] == value


def test_fill_value_accepts_subclasses_and_refuses_other_objects() -> None:
    """Subclasses of JSON types are written as their base type; anything else is a TypeError."""

    class Level(IntEnum):
        HIGH = 3

    v = struct_pb2.Value()
    fill_value(OrderedDict(a=Level.HIGH), v)
    assert codec.value_to_py(v) == {"a": 3}
    with pytest.raises(TypeError, match="not JSON data: object"):
        fill_value(object(), struct_pb2.Value())


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (None, "null"),
        (True, "boolean `true`"),
        (42, "integer `42`"),
        (1.5, "floating point `1.5`"),
        ('a"b', 'string "a\\"b"'),
        ([1], "sequence"),
        ({}, "map"),
    ],
)
def test_describe_value_uses_serde_wording(value: Any, described: str) -> None:
    """Values are described as serde's `Unexpected` describes them."""
    assert describe_value(value) == described
