"""JSON <-> protobuf codec for the app-server protocol.

Converters are generated once per message type from the descriptors and the
custom options of `options.proto` (camelCase / `json_name` member names,
`T | null` optionals, tagged / external / untagged unions, enum wire
strings, free-form JSON as `google.protobuf.Value`/`Struct`). Each converter
is compiled to a small Python function (source generated from the
descriptor, then `exec`'d), so the hot path does plain attribute reads and
writes, dict building and inline type checks, with no reflection.

Decoders fill a message in place (`m.sub.field = x`, `m.items.add()`), which
is much cheaper with upb than building sub-messages and copying them into
their parent. A nested decoder reports errors relative to its own value; the
parent prefixes its member name only when an error actually propagates, so
no path string is built on the success path.

Decoding reports a wrong type, a missing required field or an unknown enum
or union variant as a `DecodeError` naming the JSON path
(`input[0].text: invalid type: integer `42`, expected a string`); unknown
input members are ignored.

JSON text is parsed and written with orjson when it is installed (about 3x
faster than the stdlib on protocol lines), else with the stdlib `json`;
both give the same data and the same compact bytes for protocol messages.

How each type looks on the wire (members, presence, unions, enum strings)
comes from `descriptors`, the one reader of the options. The decoder
generator lives in `codec_decode` and the pieces both sides share (error
types, the generated-function cache) in `codec_common`; this module is the
public API and re-exports them. `build_all` builds every converter, with
the experimental gates (`experimental`) and the checks of requests that
arrive as protobuf (`request_validation`), at once: the method tables call
it at import.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from app_server_protocol import descriptors as ds
from app_server_protocol.codec_common import (
    CODE_CACHE,
    DecodeError,
    ExperimentalFieldError,
    GeneratedCache,
    MessageDescriptor,
    attr_source,
    compile_function,
    describe_value,
    fill_value,
)
from app_server_protocol.codec_decode import Decoder, DecoderBuilder
from app_server_protocol.request_validation import check_for
from app_server_protocol.request_validation import validate_request as validate_request

__all__ = [
    "DecodeError",
    "UnsetValueError",
    "Decoder",
    "Encoder",
    "ExperimentalFieldError",
    "MessageDescriptor",
    "build_all",
    "decoder_for",
    "describe_value",
    "dumps",
    "encode_json_bytes",
    "encoder_for",
    "from_json",
    "loads",
    "py_to_struct",
    "py_to_value",
    "struct_to_py",
    "to_json",
    "value_to_py",
]

_orjson: Any
try:  # optional accelerator (JSON parse / serialise in C); the stdlib is the fallback
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

Encoder = Callable[[Any], Any]
_FD = _d.FieldDescriptor


# --------------------------------------------------------------------------
# Free-form JSON (google.protobuf.Value / Struct)


def value_to_py(v: struct_pb2.Value) -> Any:
    """Convert a `google.protobuf.Value` to plain JSON data (integral numbers as int)."""
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        return v.string_value
    if kind == "number_value":
        n = v.number_value
        if n.is_integer() and -(2**53) <= n <= 2**53:
            return int(n)
        return n
    if kind == "bool_value":
        return v.bool_value
    if kind == "struct_value":
        return struct_to_py(v.struct_value)
    if kind == "list_value":
        return [value_to_py(x) for x in v.list_value.values]
    return None


def struct_to_py(s: struct_pb2.Struct) -> dict[str, Any]:
    """Convert a `google.protobuf.Struct` to a plain dict."""
    return {k: value_to_py(x) for k, x in s.fields.items()}


def py_to_value(x: Any) -> struct_pb2.Value:
    """Convert plain JSON data to a `google.protobuf.Value`."""
    v = struct_pb2.Value()
    fill_value(x, v)
    return v


def py_to_struct(x: dict[str, Any]) -> struct_pb2.Struct:
    """Convert a plain dict to a `google.protobuf.Struct`."""
    s = struct_pb2.Struct()
    s.update(x)
    return s


# Names the generated encoder source refers to (its `exec` globals).
_HELPERS: dict[str, Any] = {
    "value_to_py": value_to_py,
    "struct_to_py": struct_to_py,
}


# --------------------------------------------------------------------------
# Encoder generation


def _unset_test(f: _d.FieldDescriptor, attr: str) -> str:
    """Source testing that singular field `f` (read as `attr` of `m`) is unset,
    or `""` when proto3 cannot tell (a scalar, a Value)."""
    if f.type == _FD.TYPE_ENUM:
        return f"{attr} == 0"
    if f.type == _FD.TYPE_MESSAGE and not ds.is_value(f):
        return f"not m.HasField({f.name!r})"
    return ""


class UnsetValueError(ValueError):
    """An output message holds a member with no wire value: an enum at its
    `_UNSPECIFIED` zero (or a number from a newer contract), or a tagged or
    external union with no variant set, that its builder never set. A bug of
    the code that built the message, raised rather than written as a made-up
    value (the zero, the first variant)."""


class WireNames(dict[int, str]):
    """Enum number -> wire string for encoding; any other number (the
    `_UNSPECIFIED` zero) raises `UnsetValueError` naming the enum."""

    def __init__(self, desc: _d.EnumDescriptor) -> None:
        super().__init__(ds.enum_wire(desc))
        self.enum = desc.full_name

    def __missing__(self, number: int) -> str:
        raise UnsetValueError(f"{self.enum}: {number} is not a wire value (an unset enum)")


class _EncoderBuilder(GeneratedCache):
    """Generates and caches the encoder functions of each message type."""

    def __init__(self) -> None:
        super().__init__()
        self.encoders: dict[str, Encoder] = {}
        self._building_enc: set[str] = set()

    # -- encoding -------------------------------------------------------
    def encoder(self, desc: MessageDescriptor) -> Encoder:
        """The (cached) encoder of a message type."""
        fn: Encoder = self._cached(self.encoders, desc, lambda d: self._build_encoder(d, None))
        return fn

    def _lazy_encoder(self, desc: MessageDescriptor) -> Encoder:
        """The encoder of `desc`, or a trampoline to it while it is being built."""
        full = desc.full_name
        if full in self.encoders:
            return self.encoders[full]
        if full not in self._building_enc:
            return self.encoder(desc)

        def call(m: Any) -> Any:
            return self.encoders[full](m)

        return call

    def _value_expr(self, f: _d.FieldDescriptor, expr: str, env: dict[str, Any]) -> str:
        """Expression encoding one (non-repeated) value of field `f` held in `expr`."""
        if f.type == _FD.TYPE_ENUM:
            n = self._name("E")
            env[n] = WireNames(ds.enum_type(f))
            return f"{n}[{expr}]"
        if f.type == _FD.TYPE_MESSAGE:
            full = ds.msg_type(f).full_name
            if full == ds.VALUE:
                return f"value_to_py({expr})"
            if full == ds.STRUCT:
                return f"struct_to_py({expr})"
            n = self._name("M")
            env[n] = self._lazy_encoder(ds.msg_type(f))
            return f"{n}({expr})"
        return expr

    def _member_expr(self, shape: ds.FieldShape, env: dict[str, Any]) -> str:
        """Expression encoding the member `shape` of the message `m`."""
        f = shape.field
        attr = attr_source("m", f.name)
        if ds.is_map(f):
            ve = self._value_expr(ds.map_value(f), "v", env)
            e = f"{{k: {ve} for k, v in {attr}.items()}}"
        elif f.is_repeated:
            ve = self._value_expr(f, "x", env)
            e = f"list({attr})" if ve == "x" else f"[{ve} for x in {attr}]"
        else:
            e = self._value_expr(f, attr, env)
            if shape.nullable and not ds.is_value(f):
                # Unset reads as null (a Value writes its own null).
                return f"({e} if m.HasField({f.name!r}) else None)"
            unset = _unset_test(f, attr)
            if unset and shape.default is not ds.NO_DEFAULT:
                # Unset reads as the default, as an absent JSON member does.
                n = self._name("D")
                env[n] = functools.partial(copy.deepcopy, shape.default)
                return f"({n}() if {unset} else {e})"
            return e
        return f"({e} if len({attr}) else None)" if shape.nullable else e

    def _build_encoder(self, desc: MessageDescriptor, tag: tuple[str, str] | None) -> Encoder:
        full = desc.full_name
        union = ds.union_of(desc)
        if union is not None:
            self._building_enc.add(full)
            fn = self._build_union_encoder(union)
            self.encoders[full] = fn
            self._building_enc.discard(full)
            return fn
        if tag is None:
            self._building_enc.add(full)
        env: dict[str, Any] = dict(_HELPERS)
        items: list[str] = []
        if tag is not None:
            items.append(f"{tag[0]!r}: {tag[1]!r}")
        post: list[str] = []
        for shape in ds.object_fields(desc):
            e = self._member_expr(shape, env)
            if shape.omit_unset:
                post.append(f"    if m.HasField({shape.field.name!r}): d[{shape.key!r}] = {e}")
            else:
                items.append(f"{shape.key!r}: {e}")
        lines = ["def enc(m):", "    d = {" + ", ".join(items) + "}", *post]
        extra = ds.extra_field(desc)
        if extra:
            ex = attr_source("m", extra)
            lines.append(f"    if len({ex}.fields): d.update(struct_to_py({ex}))")
        lines.append("    return d")
        enc: Encoder = compile_function("\n".join(lines), env, "enc")
        if tag is None:
            self.encoders[full] = enc
            self._building_enc.discard(full)
        return enc

    def _build_union_encoder(self, union: ds.UnionShape) -> Encoder:
        table: dict[str, Encoder] = {}
        for v in union.variants:
            f = v.field
            if union.kind == ds.TAGGED:
                table[f.name] = self._build_encoder(ds.msg_type(f), (union.tag_field, v.tag))
            elif v.unit:
                table[f.name] = WireNames(ds.enum_type(f)).__getitem__
            else:
                env: dict[str, Any] = dict(_HELPERS)
                ve = self._value_expr(f, "x", env)
                if union.kind == ds.EXTERNAL:
                    ve = f"{{{v.tag!r}: {ve}}}"
                table[f.name] = compile_function(f"def enc(x):\n    return {ve}", env, "enc")
        oneof_name = union.oneof.name
        untagged = union.kind == ds.UNTAGGED
        name = union.oneof.containing_type.full_name

        def enc(m: Any) -> Any:
            w = m.WhichOneof(oneof_name)
            if w is None:
                # An untagged union has no neutral member: null. Any other has no
                # value to write: never its first variant made up from nothing.
                if untagged:
                    return None
                raise UnsetValueError(f"{name}: no variant set (an unset union)")
            return table[w](getattr(m, w))

        return enc


_BUILDER = _EncoderBuilder()
_DECODERS = DecoderBuilder()


def encoder_for(desc: MessageDescriptor) -> Encoder:
    """The JSON encoder (message -> JSON data) of a message type."""
    return _BUILDER.encoder(desc)


def decoder_for(desc: MessageDescriptor) -> Decoder:
    """The JSON decoder `(data, path, allow_experimental) -> message` of a message type."""
    return _DECODERS.decoder(desc)


def to_json(msg: Message) -> Any:
    """Encode a protocol message as JSON data (dicts, lists, scalars)."""
    return _BUILDER.encoder(msg.DESCRIPTOR)(msg)


def loads(data: bytes | bytearray | str) -> Any:
    """Parse one JSON text (orjson when installed, else the stdlib).

    Raises `ValueError` (`json.JSONDecodeError` or orjson's subclass of it)
    on malformed input.
    """
    if _orjson is not None:
        return _orjson.loads(data)
    return json.loads(data)


def from_json(
    cls: type[Message] | MessageDescriptor,
    data: Any,
    *,
    path: str = "",
    allow_experimental: bool = True,
) -> Any:
    """Decode JSON data (or JSON bytes/str) into a message of type `cls`.

    Raises `DecodeError` for input of the wrong shape and
    `ExperimentalFieldError` for an experimental field or variant when
    `allow_experimental` is false.
    """
    desc = cls if isinstance(cls, _d.Descriptor) else cls.DESCRIPTOR
    if isinstance(data, bytes | bytearray | str):
        data = loads(data)
    return _DECODERS.decoder(desc)(data, path, allow_experimental)


_std_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_LS, _PS = "\u2028".encode(), "\u2029".encode()


def _dumps_std(obj: Any) -> bytes:
    s = _std_dumps(obj)
    if "\u2028" in s or "\u2029" in s:
        s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return s.encode()


# Below glibc's mmap threshold an orjson result keeps the heap block it was
# written in (4 KiB and up, whatever its length): a queued 100-byte
# notification held 4 KiB of RSS, and freed tails could not serve the next
# buffer. Such results are copied to an exact-size object (~0.1 us for a
# notification; 4,122 -> 784 bytes of RSS per message kept, measured on
# 100,000 deltas). Larger ones are mmap'ed and shrink in place.
_COPY_BELOW = 128 * 1024


def _dumps_orjson(obj: Any) -> bytes:
    assert _orjson is not None
    b: bytes = _orjson.dumps(obj)
    if _LS in b or _PS in b:
        return b.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
    return bytes(memoryview(b)) if len(b) < _COPY_BELOW else b


dumps: Callable[[Any], bytes] = _dumps_std if _orjson is None else _dumps_orjson
dumps.__doc__ = "Compact JSON bytes; U+2028/U+2029 escaped (Node readline splits on them)."


def encode_json_bytes(msg: Message) -> bytes:
    """Encode a protocol message straight to compact JSON bytes."""
    return dumps(_BUILDER.encoder(msg.DESCRIPTOR)(msg))


def build_all(descs: Iterable[MessageDescriptor]) -> None:
    """Build the encoder, the decoder (with its experimental gate) and the
    gRPC request check of every given message type now.

    The method tables call this at import with every type of the protocol,
    so a bad annotation fails the process at start, never at first use, and
    no request pays for building what it uses.
    """
    for d in descs:
        _BUILDER.encoder(d)
        _DECODERS.decoder(d)
        check_for(d)
    CODE_CACHE.save()
