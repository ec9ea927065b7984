"""Shared pieces of the JSON <-> protobuf codec (`codec` and `codec_decode`).

The error types, the in-place `google.protobuf.Value` filler, the serde-like
value descriptions, the `exec` helper that defines generated converter
functions (their compiled code reused across starts, see `code_cache`) and
the cache both builders share. Both the encoder side
(`codec`) and the decoder generator (`codec_decode`) import this module, so
neither imports the other's internals and there is no import cycle. `codec`
re-exports the public names; callers should import them from there.
"""

from __future__ import annotations

import json
import keyword
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import struct_pb2

from app_server_protocol.code_cache import CodeCache, default_path

# Descriptors as the public helpers accept them: upb's and the pure-Python
# descriptor classes share no static type.
MessageDescriptor = Any


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


def fill_value(x: Any, v: struct_pb2.Value) -> None:
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
        fill_value(_plain(x), v)  # subclasses (IntEnum, OrderedDict, ...)
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
# Generated source


def attr_source(obj: str, name: str) -> str:
    """Source of an attribute read (`getattr` for names that are Python keywords)."""
    return f"getattr({obj}, {name!r})" if keyword.iskeyword(name) else f"{obj}.{name}"


# Compiled converter code shared by both builders, reused across starts.
CODE_CACHE = CodeCache(default_path())


def compile_function(src: str, env: dict[str, Any], name: str) -> Any:
    """Define the function `name` from generated source `src` in namespace `env`."""
    exec(CODE_CACHE.compile(src), env)  # noqa: S102 - generated from descriptors, not input
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
