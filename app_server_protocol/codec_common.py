"""Shared pieces of the JSON <-> protobuf codec (`codec` and `codec_decode`).

The error types, the descriptor queries that read the custom options of
`options.proto`, the in-place `google.protobuf.Value` filler and the
`exec` helper that defines generated converter functions. Both the encoder
side (`codec`) and the decoder generator (`codec_decode`) import this module,
so neither imports the other's internals and there is no import cycle.
`codec` re-exports the public names; callers should import them from there.
"""

from __future__ import annotations

import json
import keyword
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf import struct_pb2

from app_server_protocol.v2 import options_pb2

_FD = _d.FieldDescriptor
# Descriptors as the public helpers accept them: upb's and the pure-Python
# descriptor classes share no static type.
MessageDescriptor = Any
FieldDesc = Any
EnumDesc = Any


class DecodeError(ValueError):
    """Input JSON does not match the expected type (an invalid-params error)."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}" if path else detail)


class ExperimentalFieldError(ValueError):
    """An experimental field or variant was used without `experimentalApi`."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


# --------------------------------------------------------------------------
# Free-form JSON (google.protobuf.Value), written in place


def _fill_value(x: Any, v: struct_pb2.Value) -> None:
    """Set `v` to the JSON data `x` (in place)."""
    t = type(x)
    if t is str:
        v.string_value = x
    elif x is None:
        v.null_value = struct_pb2.NULL_VALUE
    elif t is bool:
        v.bool_value = x
    elif t is int or t is float:
        v.number_value = x
    elif t is dict:
        # An empty dict/list must still select the kind (else it reads back as null).
        v.struct_value.SetInParent()
        v.struct_value.update(x)
    elif t is list or t is tuple:
        v.list_value.SetInParent()
        v.list_value.extend(list(x))
    elif isinstance(x, bool | int | float | str | dict | list | tuple):
        _fill_value(_plain(x), v)  # subclasses (IntEnum, OrderedDict, ...)
    else:
        raise TypeError(f"not JSON data: {type(x).__name__}")


def _plain(x: Any) -> Any:
    t: Any
    for t in (bool, int, float, str, dict, list):
        if isinstance(x, t):
            return t(x)
    return tuple(x)


# --------------------------------------------------------------------------
# Error text helpers (serde-like wording, which clients of the reference see)


def describe_value(v: Any) -> str:
    """Describe a JSON value the way serde's `Unexpected` does (`integer `42``,
    `string "x"`, `sequence`, ...): the wording clients of the reference see in
    invalid-type errors. Shared with the config loader."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean `{'true' if v else 'false'}`"
    if isinstance(v, int):
        return f"integer `{v}`"
    if isinstance(v, float):
        return f"floating point `{v!r}`"
    if isinstance(v, str):
        return f"string {json.dumps(v, ensure_ascii=False)}"
    if isinstance(v, list):
        return "sequence"
    return "map"


# --------------------------------------------------------------------------
# Descriptor queries


def _opt(desc: Any, ext: Any) -> Any:
    return desc.GetOptions().Extensions[ext]


def _union_kind(oneof: _d.OneofDescriptor) -> int:
    return int(_opt(oneof, options_pb2.union_kind))


def union_of(desc: MessageDescriptor) -> _d.OneofDescriptor | None:
    """The wire union (annotated oneof) of a message, if it is one."""
    for o in desc.oneofs:
        if _union_kind(o) != options_pb2.UNION_KIND_NONE:
            return o
    return None


def enum_wire(desc: EnumDesc) -> dict[int, str]:
    """Enum number -> wire string (from `(wire)`, else the value name)."""
    return {v.number: (_opt(v, options_pb2.wire) or v.name) for v in desc.values}


def is_nullable(f: FieldDesc) -> bool:
    """True when the field is `T | null` on the wire (omit_unset fields are not)."""
    if f.is_repeated:
        return bool(_opt(f, options_pb2.nullable))
    if _opt(f, options_pb2.omit_unset):
        return False
    return _is_value(f) or has_presence(f)


def _mt(f: _d.FieldDescriptor) -> _d.Descriptor:
    """The message type of a message (or map) field."""
    assert f.message_type is not None, f.full_name
    return f.message_type


def _et(f: _d.FieldDescriptor) -> _d.EnumDescriptor:
    """The enum type of an enum field."""
    assert f.enum_type is not None, f.full_name
    return f.enum_type


def _is_value(f: _d.FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.full_name == "google.protobuf.Value"


def _is_struct(f: _d.FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.full_name == "google.protobuf.Struct"


def is_map(f: FieldDesc) -> bool:
    """True for a proto map field."""
    return bool(
        f.is_repeated and f.message_type is not None and f.message_type.GetOptions().map_entry
    )


def has_presence(f: FieldDesc) -> bool:
    """True for a proto3 `optional` singular field (explicit presence, not in a union)."""
    return (
        not f.is_repeated
        and f.containing_oneof is not None
        and f.containing_oneof.name.startswith("_")
        and len(f.containing_oneof.fields) == 1
    )


def is_required_input(f: FieldDesc) -> bool:
    """True when an input must carry this member (no presence, no default, not nullable)."""
    if _opt(f, options_pb2.default_json):
        return False
    if has_presence(f):
        return False
    if f.is_repeated:
        return not _opt(f, options_pb2.nullable)
    return True


def _attr(obj: str, name: str) -> str:
    """Source of an attribute read (`getattr` for names that are Python keywords)."""
    return f"getattr({obj}, {name!r})" if keyword.iskeyword(name) else f"{obj}.{name}"


def _compile(src: str, env: dict[str, Any], name: str) -> Any:
    """Define the function `name` from generated source `src` in namespace `env`."""
    exec(src, env)  # noqa: S102 - source generated from descriptors, not from input
    return env[name]


class GeneratedCache:
    """Shared plumbing of the encoder and decoder builders: a cache of
    generated functions by message full name, filled once under a lock, and
    unique names for the values the generated source refers to."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._n = 0

    def _name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def _cached(self, cache: dict[str, Any], desc: Any, build: Callable[[Any], Any]) -> Any:
        """`cache[desc.full_name]`, built (once, under the lock) when missing."""
        fn = cache.get(desc.full_name)
        if fn is None:
            with self._lock:
                fn = cache.get(desc.full_name)
                if fn is None:
                    fn = build(desc)
        return fn
