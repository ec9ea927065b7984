"""The one reader of the wire annotations of `options.proto`.

The codec (encoders and decoders), the method tables, the JSON Schema and
TypeScript exporters and the wire `TypedDict` generator all learn how a proto
type looks on the JSON wire from this module, and only from it: member
names, presence, nullability, defaults, experimental marks (modelled and
unmodelled members), unions (kind, tag member, variant tags) and enum wire
strings. No other module names an option of `options.proto`. Each question is answered
by a small typed description (`FieldShape`, `UnionShape`, `Variant`) built
from the descriptors, so the consumers cannot disagree.

The conventions, applied to every field of a non-union message:

- proto3 `optional` singular field (`has_presence`): `T | null` on output,
  not required on input; with `(omit_unset)` the member is left out when
  unset instead (`field?: T`). `(omit_unset)` on a field without presence
  is a bad annotation and fails here (proto cannot tell "unset");
- `google.protobuf.Value`: any JSON, null included; required on input
  (present-null is a value) unless it has a default;
- repeated / map fields: required arrays / objects, unless `(nullable)`
  (`T[] | null`, empty <=> null) or `(default_json)`;
- other singular fields are required unless they carry `(default_json)`;
- `(additional_properties)` names a Struct field flattened into the object
  (left out of `object_fields`, see `extra_field`).

Every enum's zero is `<ENUM>_UNSPECIFIED`: not a wire value (`enum_wire` and
`enum_values` leave it out), so a required enum left unset is a missing
member on input and cannot be written on output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf import descriptor as _d

from app_server_protocol.v2 import options_pb2

_FD = _d.FieldDescriptor

TAGGED = options_pb2.UNION_KIND_TAGGED
EXTERNAL = options_pb2.UNION_KIND_EXTERNAL
UNTAGGED = options_pb2.UNION_KIND_UNTAGGED

VALUE = "google.protobuf.Value"
STRUCT = "google.protobuf.Struct"

# Scalar field types carried as JSON integers.
INTEGER_TYPES = frozenset({
    _FD.TYPE_INT32, _FD.TYPE_SINT32, _FD.TYPE_SFIXED32,
    _FD.TYPE_INT64, _FD.TYPE_SINT64, _FD.TYPE_SFIXED64,
    _FD.TYPE_UINT32, _FD.TYPE_FIXED32,
    _FD.TYPE_UINT64, _FD.TYPE_FIXED64,
})

NO_DEFAULT: Any = object()
"""`FieldShape.default` of a field without `(default_json)`."""


def option(desc: Any, ext: Any) -> Any:
    """Value of the custom option `ext` (from `options_pb2`) on any descriptor.

    The primitive the typed descriptions below are built on; prefer those.
    """
    return desc.GetOptions().Extensions[ext]


# --------------------------------------------------------------------------
# Types of fields


def msg_type(f: _d.FieldDescriptor) -> _d.Descriptor:
    """The message type of a message (or map) field."""
    m = f.message_type
    if m is None:
        raise RuntimeError(f"{f.full_name} is not a message field")
    return m


def enum_type(f: _d.FieldDescriptor) -> _d.EnumDescriptor:
    """The enum type of an enum field."""
    e = f.enum_type
    if e is None:
        raise RuntimeError(f"{f.full_name} is not an enum field")
    return e


def is_map(f: _d.FieldDescriptor) -> bool:
    """True for a proto map field."""
    return bool(
        f.is_repeated and f.message_type is not None and f.message_type.GetOptions().map_entry
    )


def map_value(f: _d.FieldDescriptor) -> _d.FieldDescriptor:
    """The value field of a map field's entry."""
    return msg_type(f).fields_by_name["value"]


def is_value(f: _d.FieldDescriptor) -> bool:
    """True for a `google.protobuf.Value` (any JSON) field."""
    return f.message_type is not None and f.message_type.full_name == VALUE


def is_struct(f: _d.FieldDescriptor) -> bool:
    """True for a `google.protobuf.Struct` (JSON object) field."""
    return f.message_type is not None and f.message_type.full_name == STRUCT


def has_presence(f: _d.FieldDescriptor) -> bool:
    """True for a proto3 `optional` singular field (its synthetic oneof).

    A member of an annotated union is not `optional`, whatever its oneof is
    called: the union, not the field, says which member is set.
    """
    o = f.containing_oneof
    return (
        not f.is_repeated
        and o is not None
        and union_kind(o) == options_pb2.UNION_KIND_UNSPECIFIED
        and o.name.startswith("_")
        and len(o.fields) == 1
    )


# --------------------------------------------------------------------------
# Enums


def _wire_values(desc: _d.EnumDescriptor) -> list[_d.EnumValueDescriptor]:
    """The values of an enum that exist on the wire: all but `<ENUM>_UNSPECIFIED = 0`.

    Checked: the zero value of every enum is its `_UNSPECIFIED`, declared
    first and without a wire string (proto3 reads an unset field as zero, so
    zero must never mean a real value); a bad enum fails the process at import.
    """
    zero = desc.values[0]
    if zero.number != 0 or not zero.name.endswith("_UNSPECIFIED") or option(zero, options_pb2.wire):
        raise RuntimeError(f"{desc.full_name}: the first value must be `<ENUM>_UNSPECIFIED = 0`")
    return list(desc.values[1:])


@cache
def enum_wire(desc: _d.EnumDescriptor) -> dict[int, str]:
    """Enum number -> wire string (`(wire)`, else the value name); no entry for
    the `_UNSPECIFIED` zero, which is never valid on input nor written."""
    return {v.number: str(option(v, options_pb2.wire) or v.name) for v in _wire_values(desc)}


def enum_values(desc: _d.EnumDescriptor) -> list[str]:
    """Wire strings of an enum, in declaration order (without the `_UNSPECIFIED` zero)."""
    return list(enum_wire(desc).values())


# --------------------------------------------------------------------------
# Fields of objects


@dataclass(frozen=True)
class FieldShape:
    """How one member of a JSON object looks on the wire, both ways."""

    field: _d.FieldDescriptor
    key: str
    """JSON member name (`json_name`)."""
    nullable: bool
    """The output value may be null (`T | null`, `T[] | null`, any JSON)."""
    omit_unset: bool
    """The output member is absent when unset (`field?: T`)."""
    required: bool
    """An input must carry the member (JSON Schema `required`)."""
    default: Any
    """Parsed `(default_json)`, or `NO_DEFAULT`."""
    experimental: bool
    """Refused on input without the `experimentalApi` capability."""


@cache
def field_shape(f: _d.FieldDescriptor) -> FieldShape:
    """The wire shape of one field (see the module docstring for the rules)."""
    dj = option(f, options_pb2.default_json)
    default = json.loads(dj) if dj else NO_DEFAULT
    omit = bool(option(f, options_pb2.omit_unset))
    if omit and not has_presence(f):
        raise RuntimeError(f"{f.full_name}: (omit_unset) needs an `optional` field")
    if f.is_repeated:
        nullable = bool(option(f, options_pb2.nullable))
        required = not nullable and not dj
    elif has_presence(f):
        nullable = not omit
        required = False
    else:
        # A Value holds JSON null itself (written when unset).
        nullable = is_value(f)
        required = not dj
    return FieldShape(
        field=f,
        key=f.json_name,
        nullable=nullable,
        omit_unset=omit,
        required=required,
        default=default,
        experimental=bool(option(f, options_pb2.experimental_field)),
    )


@dataclass(frozen=True)
class ExperimentalMember:
    """A member the reference marks experimental that the contract does not model."""

    name: str
    """JSON member name (`persistExtendedHistory`)."""
    reason: str
    """The name the reference's refusal gives (`persistFullHistory`), `name` by default."""


@cache
def experimental_members(desc: _d.Descriptor) -> tuple[ExperimentalMember, ...]:
    """The unmodelled experimental members of a message (`(experimental_member)`), in order."""
    return tuple(
        ExperimentalMember(name=m.name, reason=m.reason or m.name)
        for m in option(desc, options_pb2.experimental_member)
    )


def extra_field(desc: _d.Descriptor) -> str:
    """Name of the `(additional_properties)` Struct field, or `""`."""
    return str(option(desc, options_pb2.additional_properties) or "")


@cache
def object_fields(desc: _d.Descriptor) -> tuple[FieldShape, ...]:
    """The wire members of a non-union message, in declaration order.

    The `(additional_properties)` Struct field is left out (see `extra_field`).
    """
    extra = extra_field(desc)
    return tuple(field_shape(f) for f in desc.fields if f.name != extra)


# --------------------------------------------------------------------------
# Unions


def union_kind(o: _d.OneofDescriptor) -> int:
    """The `(union_kind)` of a oneof (`UNION_KIND_UNSPECIFIED` for a plain one)."""
    return int(option(o, options_pb2.union_kind))


@dataclass(frozen=True)
class Variant:
    """One member of a wire union."""

    field: _d.FieldDescriptor
    tag: str
    """Wire tag (`(tag)`, else the JSON name); unused for untagged unions."""
    experimental: bool
    unit: bool
    """The enum member of an external union: its values are bare strings."""


@dataclass(frozen=True)
class UnionShape:
    """A message that is a wire union (an annotated oneof)."""

    oneof: _d.OneofDescriptor
    kind: int
    """`TAGGED`, `EXTERNAL` or `UNTAGGED`."""
    tag_field: str
    """JSON member holding the tag of a tagged union (default `type`)."""
    variants: tuple[Variant, ...]

    @property
    def name(self) -> str:
        """The union's message name (`ThreadItem`)."""
        return str(self.oneof.containing_type.name)


@cache
def union_of(desc: _d.Descriptor) -> UnionShape | None:
    """The wire union of a message, if it is one (checked: nothing outside the oneof)."""
    for o in desc.oneofs:
        kind = union_kind(o)
        if kind == options_pb2.UNION_KIND_UNSPECIFIED:
            continue
        if len(o.fields) != len(desc.fields):
            raise RuntimeError(f"{desc.full_name}: a union message has fields outside its oneof")
        variants = tuple(
            Variant(
                field=f,
                tag=str(option(f, options_pb2.tag) or f.json_name),
                experimental=bool(option(f, options_pb2.experimental_field)),
                unit=kind == EXTERNAL and f.type == _FD.TYPE_ENUM,
            )
            for f in o.fields
        )
        if kind == TAGGED and any(v.field.type != _FD.TYPE_MESSAGE for v in variants):
            raise RuntimeError(f"{desc.full_name}: a tagged variant must be a message")
        return UnionShape(
            oneof=o,
            kind=kind,
            tag_field=str(option(o, options_pb2.tag_field) or "type"),
            variants=variants,
        )
    return None


# --------------------------------------------------------------------------
# Methods and notifications


def method_name(m: _d.MethodDescriptor) -> str:
    """JSON-RPC method name of an rpc (`(method)`), or `""`."""
    return str(option(m, options_pb2.method))


def is_experimental_method(m: _d.MethodDescriptor) -> bool:
    """True for an rpc marked `(experimental_method)`."""
    return bool(option(m, options_pb2.experimental_method))


def notification_name(desc: _d.Descriptor) -> str:
    """JSON-RPC method of the notification a message carries (`(notification)`), or `""`."""
    return str(option(desc, options_pb2.notification))
