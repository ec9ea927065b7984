"""JSON <-> protobuf codec for the app-server protocol.

Converters are generated once per message type from the descriptors and the
custom options of `options.proto` (camelCase / `json_name` member names,
`T | null` optionals, tagged / external / untagged unions, enum wire
strings, free-form JSON as `google.protobuf.Value`/`Struct`). Each converter
is compiled to a small Python function (source generated from the
descriptor, then `exec`'d), so the hot path does plain attribute reads and
dict building with no reflection.

Decoding reports a wrong type, a missing required field or an unknown enum
or union variant as a `DecodeError` naming the JSON path
(`input[0].text: invalid type: integer `42`, expected a string`); unknown
input members are ignored.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from app_server_protocol.v2 import options_pb2

_FD = _d.FieldDescriptor

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any, str, bool], Any]


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
    if x is None:
        v.null_value = struct_pb2.NULL_VALUE
    elif isinstance(x, bool):
        v.bool_value = x
    elif isinstance(x, int | float):
        v.number_value = float(x)
    elif isinstance(x, str):
        v.string_value = x
    elif isinstance(x, dict):
        v.struct_value.update(x)
    elif isinstance(x, list | tuple):
        v.list_value.extend(list(x))
    else:
        raise TypeError(f"not JSON data: {type(x).__name__}")
    return v


def py_to_struct(x: dict[str, Any]) -> struct_pb2.Struct:
    """Convert a plain dict to a `google.protobuf.Struct`."""
    s = struct_pb2.Struct()
    s.update(x)
    return s


# --------------------------------------------------------------------------
# Error text helpers (serde-like wording, which clients of the reference see)


def _describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean `{'true' if v else 'false'}`"
    if isinstance(v, int):
        return f"integer `{v}`"
    if isinstance(v, float):
        return f"floating point `{v}`"
    if isinstance(v, str):
        return f'string "{v}"'
    if isinstance(v, list):
        return "sequence"
    return "map"


def _invalid(path: str, v: Any, expected: str) -> DecodeError:
    return DecodeError(path, f"invalid type: {_describe(v)}, expected {expected}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _missing(path: str, name: str) -> DecodeError:
    return DecodeError(path, f"missing field `{name}`")


def _unknown_variant(path: str, v: str, allowed: list[str]) -> DecodeError:
    expected = ", ".join(f"`{a}`" for a in allowed)
    return DecodeError(path, f"unknown variant `{v}`, expected one of {expected}")


_INT_RANGES = {
    _FD.TYPE_INT32: (-(2**31), 2**31 - 1, "i32"),
    _FD.TYPE_SINT32: (-(2**31), 2**31 - 1, "i32"),
    _FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1, "i32"),
    _FD.TYPE_INT64: (-(2**63), 2**63 - 1, "i64"),
    _FD.TYPE_SINT64: (-(2**63), 2**63 - 1, "i64"),
    _FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1, "i64"),
    _FD.TYPE_UINT32: (0, 2**32 - 1, "u32"),
    _FD.TYPE_FIXED32: (0, 2**32 - 1, "u32"),
    _FD.TYPE_UINT64: (0, 2**64 - 1, "u64"),
    _FD.TYPE_FIXED64: (0, 2**64 - 1, "u64"),
}


def _chk_str(v: Any, path: str) -> str:
    if type(v) is str:
        return v
    raise _invalid(path, v, "a string")


def _chk_bool(v: Any, path: str) -> bool:
    if type(v) is bool:
        return v
    raise _invalid(path, v, "a boolean")


def _chk_float(v: Any, path: str) -> float:
    if type(v) in (int, float):
        return float(v)
    raise _invalid(path, v, "a number")


def _make_int_checker(ftype: int) -> Callable[[Any, str], int]:
    lo, hi, name = _INT_RANGES[ftype]

    def chk(v: Any, path: str) -> int:
        if type(v) is not int:
            if type(v) is float and v.is_integer():
                v = int(v)
            else:
                raise _invalid(path, v, name)
        if v < lo or v > hi:
            raise DecodeError(path, f"invalid value: integer `{v}`, expected {name}")
        return v

    return chk


def _chk_list(v: Any, path: str) -> list[Any]:
    if type(v) is list:
        return v
    raise _invalid(path, v, "a sequence")


def _chk_dict(v: Any, path: str) -> dict[str, Any]:
    if type(v) is dict:
        return v
    raise _invalid(path, v, "a map")


def _dec_value(v: Any, path: str) -> struct_pb2.Value:
    return py_to_value(v)


def _dec_struct(v: Any, path: str) -> struct_pb2.Struct:
    return py_to_struct(_chk_dict(v, path))


# --------------------------------------------------------------------------
# Converter generation


def _opt(desc: Any, ext: Any) -> Any:
    return desc.GetOptions().Extensions[ext]


def _union_kind(oneof: _d.OneofDescriptor) -> int:
    return int(_opt(oneof, options_pb2.union_kind))


def union_of(desc: _d.Descriptor) -> _d.OneofDescriptor | None:
    """The wire union (annotated oneof) of a message, if it is one."""
    for o in desc.oneofs:
        if _union_kind(o) != options_pb2.UNION_KIND_NONE:
            return o
    return None


def enum_wire(desc: _d.EnumDescriptor) -> dict[int, str]:
    """Enum number -> wire string (from `(wire)`, else the value name)."""
    return {v.number: (_opt(v, options_pb2.wire) or v.name) for v in desc.values}


def is_nullable(f: _d.FieldDescriptor) -> bool:
    """True when the field is `T | null` on the wire (omit_unset fields are not)."""
    if f.is_repeated:
        return bool(_opt(f, options_pb2.nullable))
    if _is_value(f):
        return True
    return has_presence(f) and not _opt(f, options_pb2.omit_unset)


def _is_value(f: _d.FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.full_name == "google.protobuf.Value"


def _is_struct(f: _d.FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.full_name == "google.protobuf.Struct"


def is_map(f: _d.FieldDescriptor) -> bool:
    """True for a proto map field."""
    return bool(
        f.is_repeated and f.message_type is not None and f.message_type.GetOptions().map_entry
    )


def has_presence(f: _d.FieldDescriptor) -> bool:
    """True for a proto3 `optional` singular field (explicit presence, not in a union)."""
    return (
        not f.is_repeated
        and f.containing_oneof is not None
        and f.containing_oneof.name.startswith("_")
        and len(f.containing_oneof.fields) == 1
    )


def is_required_input(f: _d.FieldDescriptor) -> bool:
    """True when an input must carry this member (no presence, no default, not nullable)."""
    if _opt(f, options_pb2.default_json):
        return False
    if has_presence(f):
        return False
    if f.is_repeated:
        return not _opt(f, options_pb2.nullable)
    return True


class _Builder:
    """Generates and caches the encoder/decoder functions of each message type."""

    def __init__(self) -> None:
        self.encoders: dict[str, Encoder] = {}
        self.decoders: dict[str, Decoder] = {}
        self._lock = threading.RLock()
        self._n = 0
        self._building_enc: set[str] = set()
        self._building_dec: set[str] = set()

    # -- helpers shared by generated code
    def _name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    # -- encoding -------------------------------------------------------
    def encoder(self, desc: _d.Descriptor) -> Encoder:
        fn = self.encoders.get(desc.full_name)
        if fn is None:
            with self._lock:
                fn = self.encoders.get(desc.full_name)
                if fn is None:
                    fn = self._build_encoder(desc, None)
        return fn

    def _lazy_encoder(self, desc: _d.Descriptor) -> Encoder:
        """An encoder that resolves on first call (breaks recursion while building)."""
        if desc.full_name in self.encoders:
            return self.encoders[desc.full_name]
        full = desc.full_name

        def call(m: Any) -> Any:
            return self.encoders[full](m)

        if full not in self._building_enc:
            self.encoder(desc)
        return call if full not in self.encoders else self.encoders[full]

    def _value_expr(self, f: _d.FieldDescriptor, expr: str, env: dict[str, Any]) -> str:
        """Expression encoding one (non-repeated) value of field `f` held in `expr`."""
        if f.type == _FD.TYPE_ENUM:
            n = self._name("E")
            env[n] = enum_wire(f.enum_type)
            return f"{n}[{expr}]"
        if f.type == _FD.TYPE_MESSAGE:
            full = f.message_type.full_name
            if full == "google.protobuf.Value":
                return f"value_to_py({expr})"
            if full == "google.protobuf.Struct":
                return f"struct_to_py({expr})"
            n = self._name("M")
            env[n] = self._lazy_encoder(f.message_type)
            return f"{n}({expr})"
        return expr

    def _build_encoder(self, desc: _d.Descriptor, tag: tuple[str, str] | None) -> Encoder:
        full = desc.full_name
        self._building_enc.add(full)
        env: dict[str, Any] = {"value_to_py": value_to_py, "struct_to_py": struct_to_py}
        union = union_of(desc)
        lines: list[str] = ["def enc(m):"]
        if union is not None:
            fn = self._build_union_encoder(desc, union)
            self.encoders[full] = fn
            self._building_enc.discard(full)
            return fn
        items: list[str] = []
        if tag is not None:
            items.append(f"{tag[0]!r}: {tag[1]!r}")
        post: list[str] = []
        extra = _opt(desc, options_pb2.additional_properties)
        for f in desc.fields:
            if extra and f.name == extra:
                continue
            key = f.json_name
            attr = f"m.{f.name}"
            if is_map(f):
                vf = f.message_type.fields_by_name["value"]
                ve = self._value_expr(vf, "v", env)
                e = f"{{k: {ve} for k, v in {attr}.items()}}"
                if _opt(f, options_pb2.nullable):
                    e = f"({e} if len({attr}) else None)"
            elif f.is_repeated:
                ve = self._value_expr(f, "x", env)
                e = f"list({attr})" if ve == "x" else f"[{ve} for x in {attr}]"
                if _opt(f, options_pb2.nullable):
                    e = f"({e} if len({attr}) else None)"
            elif _is_value(f):
                e = f"(value_to_py({attr}) if m.HasField({f.name!r}) else None)"
            else:
                ve = self._value_expr(f, attr, env)
                if has_presence(f):
                    if _opt(f, options_pb2.omit_unset):
                        post.append(f"    if m.HasField({f.name!r}): d[{key!r}] = {ve}")
                        continue
                    e = f"({ve} if m.HasField({f.name!r}) else None)"
                else:
                    e = ve
            items.append(f"{key!r}: {e}")
        lines.append("    d = {" + ", ".join(items) + "}")
        lines.extend(post)
        if extra:
            lines.append(f"    if len(m.{extra}.fields): d.update(struct_to_py(m.{extra}))")
        lines.append("    return d")
        exec("\n".join(lines), env)  # noqa: S102 - source generated from descriptors
        fn = env["enc"]
        if tag is None:
            self.encoders[full] = fn
        self._building_enc.discard(full)
        return fn  # type: ignore[no-any-return]

    def _build_union_encoder(self, desc: _d.Descriptor, union: _d.OneofDescriptor) -> Encoder:
        kind = _union_kind(union)
        tag_field = _opt(union, options_pb2.tag_field) or "type"
        table: dict[str, Encoder] = {}
        for f in union.fields:
            tag = _opt(f, options_pb2.tag) or f.json_name
            if kind == options_pb2.UNION_KIND_TAGGED:
                table[f.name] = self._build_encoder(f.message_type, (tag_field, tag))
            elif kind == options_pb2.UNION_KIND_EXTERNAL:
                if f.type == _FD.TYPE_ENUM:
                    wire = enum_wire(f.enum_type)
                    table[f.name] = wire.__getitem__
                else:
                    env: dict[str, Any] = {"value_to_py": value_to_py, "struct_to_py": struct_to_py}
                    ve = self._value_expr(f, "x", env)
                    exec(f"def enc(x):\n    return {{{tag!r}: {ve}}}", env)  # noqa: S102
                    table[f.name] = env["enc"]
            else:
                env2: dict[str, Any] = {"value_to_py": value_to_py, "struct_to_py": struct_to_py}
                ve = self._value_expr(f, "x", env2)
                exec(f"def enc(x):\n    return {ve}", env2)  # noqa: S102
                table[f.name] = env2["enc"]
        first = union.fields[0]
        oneof_name = union.name

        def enc(m: Any) -> Any:
            w = m.WhichOneof(oneof_name)
            if w is None:
                if kind == options_pb2.UNION_KIND_UNTAGGED:
                    return None
                w = first.name
            return table[w](getattr(m, w))

        return enc

    # -- decoding -------------------------------------------------------
    def decoder(self, desc: _d.Descriptor) -> Decoder:
        fn = self.decoders.get(desc.full_name)
        if fn is None:
            with self._lock:
                fn = self.decoders.get(desc.full_name)
                if fn is None:
                    fn = self._build_decoder(desc)
        return fn

    def _lazy_decoder(self, desc: _d.Descriptor) -> Decoder:
        full = desc.full_name
        if full in self.decoders:
            return self.decoders[full]

        def call(v: Any, path: str, exp: bool) -> Any:
            return self.decoders[full](v, path, exp)

        if full not in self._building_dec:
            self.decoder(desc)
            return self.decoders[full]
        return call

    def _scalar_decoder(self, f: _d.FieldDescriptor) -> Callable[[Any, str, bool], Any]:
        """Decoder of one value of field `f` (element decoder for repeated fields)."""
        t = f.type
        if t == _FD.TYPE_STRING:
            return lambda v, p, e: _chk_str(v, p)
        if t == _FD.TYPE_BOOL:
            return lambda v, p, e: _chk_bool(v, p)
        if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            return lambda v, p, e: _chk_float(v, p)
        if t in _INT_RANGES:
            chk = _make_int_checker(t)
            return lambda v, p, e: chk(v, p)
        if t == _FD.TYPE_ENUM:
            wire = enum_wire(f.enum_type)
            rev = {s: n for n, s in wire.items()}
            allowed = list(wire.values())

            def dec_enum(v: Any, p: str, e: bool) -> int:
                if type(v) is not str:
                    raise _invalid(p, v, "a string")
                n = rev.get(v)
                if n is None:
                    raise _unknown_variant(p, v, allowed)
                return n

            return dec_enum
        if t == _FD.TYPE_MESSAGE:
            full = f.message_type.full_name
            if full == "google.protobuf.Value":
                return lambda v, p, e: _dec_value(v, p)
            if full == "google.protobuf.Struct":
                return lambda v, p, e: _dec_struct(v, p)
            return self._lazy_decoder(f.message_type)
        raise TypeError(f"unsupported field type {t} of {f.full_name}")

    def _field_decoder(self, f: _d.FieldDescriptor) -> Callable[[Any, str, bool], Any]:
        """Decoder of a whole field value (list / dict / single)."""
        if is_map(f):
            vdec = self._scalar_decoder(f.message_type.fields_by_name["value"])

            def dec_map(v: Any, p: str, e: bool) -> dict[str, Any]:
                d = _chk_dict(v, p)
                return {k: vdec(x, f"{p}.{k}", e) for k, x in d.items()}

            return dec_map
        if f.is_repeated:
            edec = self._scalar_decoder(f)

            def dec_list(v: Any, p: str, e: bool) -> list[Any]:
                seq = _chk_list(v, p)
                return [edec(x, f"{p}[{i}]", e) for i, x in enumerate(seq)]

            return dec_list
        return self._scalar_decoder(f)

    def _build_decoder(self, desc: _d.Descriptor) -> Decoder:
        full = desc.full_name
        self._building_dec.add(full)
        union = union_of(desc)
        if union is not None:
            fn = self._build_union_decoder(desc, union)
            self.decoders[full] = fn
            self._building_dec.discard(full)
            return fn
        cls = _message_class(desc)
        extra = _opt(desc, options_pb2.additional_properties)
        specs: list[tuple[str, str, Callable[[Any, str, bool], Any], bool, Any, bool]] = []
        for f in desc.fields:
            if extra and f.name == extra:
                continue
            dj = _opt(f, options_pb2.default_json)
            fdec = self._field_decoder(f)
            default: Any = None
            if dj:
                default = json.loads(dj)
            specs.append(
                (
                    f.json_name,
                    f.name,
                    fdec,
                    is_required_input(f) and not _is_value(f),
                    default,
                    bool(_opt(f, options_pb2.experimental_field)),
                )
            )
        known = {s[0] for s in specs}
        required_value = {
            f.json_name for f in desc.fields if _is_value(f) and is_required_input(f)
        }

        def dec(v: Any, path: str, exp: bool) -> Any:
            if type(v) is not dict:
                raise _invalid(path, v, f"struct {desc.name}")
            kw: dict[str, Any] = {}
            for key, name, fdec, required, default, experimental in specs:
                x = v.get(key)
                if x is None:
                    if key in v and key in required_value:
                        kw[name] = py_to_value(None)
                        continue
                    if default is not None:
                        x = default
                    elif not required:
                        continue
                    elif key in v:
                        raise _invalid(_join(path, key), None, "a value")
                    else:
                        raise _missing(path, key)
                elif experimental and not exp:
                    raise ExperimentalFieldError(key)
                kw[name] = fdec(x, _join(path, key), exp)
            if extra:
                rest = {k: x for k, x in v.items() if k not in known}
                if rest:
                    kw[extra] = py_to_struct(rest)
            return cls(**kw)

        self.decoders[full] = dec
        self._building_dec.discard(full)
        return dec

    def _build_union_decoder(self, desc: _d.Descriptor, union: _d.OneofDescriptor) -> Decoder:
        kind = _union_kind(union)
        cls = _message_class(desc)
        tag_field = _opt(union, options_pb2.tag_field) or "type"
        by_tag: dict[str, tuple[str, Callable[[Any, str, bool], Any], bool]] = {}
        unit: tuple[str, dict[str, int]] | None = None
        by_kind: dict[type, tuple[str, Callable[[Any, str, bool], Any]]] = {}
        for f in union.fields:
            experimental = bool(_opt(f, options_pb2.experimental_field))
            if kind == options_pb2.UNION_KIND_EXTERNAL and f.type == _FD.TYPE_ENUM:
                unit = (f.name, {s: n for n, s in enum_wire(f.enum_type).items()})
                continue
            tag = _opt(f, options_pb2.tag) or f.json_name
            fdec = self._field_decoder(f)
            by_tag[tag] = (f.name, fdec, experimental)
            if kind == options_pb2.UNION_KIND_UNTAGGED:
                pytypes: tuple[type, ...] = {
                    _FD.TYPE_STRING: (str,),
                    _FD.TYPE_BOOL: (bool,),
                    _FD.TYPE_DOUBLE: (float, int),
                    _FD.TYPE_MESSAGE: (dict,),
                }.get(f.type, (int,))
                for t in pytypes:
                    by_kind.setdefault(t, (f.name, fdec))
        allowed = list(unit[1]) if unit else []
        allowed += list(by_tag)

        def dec(v: Any, path: str, exp: bool) -> Any:
            if kind == options_pb2.UNION_KIND_UNTAGGED:
                hit = by_kind.get(type(v))
                if hit is None:
                    raise _invalid(path, v, f"{desc.name}")
                return cls(**{hit[0]: hit[1](v, path, exp)})
            if kind == options_pb2.UNION_KIND_EXTERNAL:
                if type(v) is str:
                    if unit is None or v not in unit[1]:
                        if v in by_tag:
                            name, fdec, _ = by_tag[v]
                            return cls(**{name: fdec({}, path, exp)})
                        raise _unknown_variant(path, v, allowed)
                    return cls(**{unit[0]: unit[1][v]})
                if type(v) is dict and len(v) == 1:
                    ((tag, payload),) = v.items()
                    hit2 = by_tag.get(tag)
                    if hit2 is None:
                        raise _unknown_variant(path, tag, allowed)
                    name, fdec, experimental = hit2
                    if experimental and not exp:
                        raise ExperimentalFieldError(tag)
                    return cls(**{name: fdec(payload, _join(path, tag), exp)})
                raise _invalid(path, v, f"{desc.name}")
            # tagged
            if type(v) is not dict:
                raise _invalid(path, v, f"internally tagged enum {desc.name}")
            tag = v.get(tag_field)
            if tag is None:
                raise _missing(path, tag_field)
            if type(tag) is not str:
                raise _invalid(_join(path, tag_field), tag, "a string")
            hit3 = by_tag.get(tag)
            if hit3 is None:
                raise _unknown_variant(_join(path, tag_field), tag, allowed)
            name, fdec, experimental = hit3
            if experimental and not exp:
                raise ExperimentalFieldError(tag)
            return cls(**{name: fdec(v, path, exp)})

        return dec


def _message_class(desc: _d.Descriptor) -> type:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(desc)


_BUILDER = _Builder()


def encoder_for(desc: _d.Descriptor) -> Encoder:
    """The JSON encoder (message -> JSON data) of a message type."""
    return _BUILDER.encoder(desc)


def decoder_for(desc: _d.Descriptor) -> Decoder:
    """The JSON decoder `(data, path, allow_experimental) -> message` of a message type."""
    return _BUILDER.decoder(desc)


def to_json(msg: Message) -> Any:
    """Encode a protocol message as JSON data (dicts, lists, scalars)."""
    return _BUILDER.encoder(msg.DESCRIPTOR)(msg)


def from_json(
    cls: type[Message] | _d.Descriptor,
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
        data = json.loads(data)
    return _BUILDER.decoder(desc)(data, path, allow_experimental)


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes; U+2028/U+2029 escaped (Node readline splits on them)."""
    s = _dumps(obj)
    if "\u2028" in s or "\u2029" in s:
        s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return s.encode()


def encode_json_bytes(msg: Message) -> bytes:
    """Encode a protocol message straight to compact JSON bytes."""
    return dumps(_BUILDER.encoder(msg.DESCRIPTOR)(msg))


def warm_up(descs: list[_d.Descriptor]) -> None:
    """Build the converters of the given message types now (at start-up)."""
    for d in descs:
        _BUILDER.encoder(d)
        _BUILDER.decoder(d)
