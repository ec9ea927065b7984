"""The checks a request message gets when it arrives as protobuf, not JSON.

A request decoded from JSON cannot leave a union without a variant, omit a
required member or carry an enum number without a wire string: the decoder
refuses `sandboxPolicy: {}` and `input: [{}]` with "missing field `type`".
A backend calling the core over gRPC builds the message itself and can send
all of these; the encoder would then read an unset union as its first
variant (a read-only sandbox becomes `dangerFullAccess`, an empty user
message is sent). The core runs `validate_request` on every request message
before it converts it to JSON, and it raises the `DecodeError` the JSON
decoder gives for the same data, with the same JSON path, so either path
refuses alike:

- a union message with no variant set: `no_variant_error` ("missing field
  `type`" for a tagged union);
- a required message (or `google.protobuf.Value`) field left unset, and a
  required enum field at its `_UNSPECIFIED` zero: "missing field `<key>`",
  what the JSON object without that member gets;
- any other enum number without a wire string (the zero of an `optional`
  field set explicitly, a repeated element, a map value, a number from a
  newer contract): "invalid value: integer `<n>`, expected one of ...".

A required string, number or bool cannot be told from its zero in proto3:
an unset one reads as `""`, `0` or `false`, which is what the JSON path
gets for that explicit value (the handler refuses it if it must).

The walk is planned once per message type from the typed descriptions of
`descriptors` (only the fields that can reach a union, an enum or a
required member are visited), at start: `codec.build_all` plans every protocol type with its
converters, so the first gRPC request pays nothing and a bad annotation
fails the process at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf.descriptor import FieldDescriptor as _FD
from google.protobuf.message import Message

from app_server_protocol.codec_common import DecodeError, MessageDescriptor
from app_server_protocol.codec_decode import missing_field, no_variant_error
from app_server_protocol.descriptors import (
    EXTERNAL,
    NO_DEFAULT,
    STRUCT,
    VALUE,
    enum_type,
    enum_wire,
    extra_field,
    field_shape,
    has_presence,
    is_map,
    map_value,
    msg_type,
    union_of,
)

# (message, JSON path of the message) -> None, or raises DecodeError.
_Check = Callable[[Any, str], None]


def validate_request(message: Message) -> None:
    """Refuse a request message the JSON path could not have produced.

    Raises `DecodeError` (path and wording of the JSON decoder) for a union
    with no variant set ("missing field `type`" for a tagged one), a
    required message or enum field left unset ("missing field `<key>`") and
    an enum number that has no wire string, anywhere in the message.
    """
    check = check_for(message.DESCRIPTOR)
    if check is not None:
        check(message, "")


def _join(path: str, key: str) -> str:
    """The JSON path of member `key` (or index `[i]`) under `path`."""
    if not path:
        return key
    return path + key if key.startswith("[") else f"{path}.{key}"


def _rooted(err: DecodeError, path: str) -> DecodeError:
    """`err` (relative to a value) re-rooted at the value's path."""
    return DecodeError(_join(path, err.path) if err.path else path, err.detail)


def _bad_enum(number: int, desc: _d.EnumDescriptor, path: str) -> DecodeError:
    allowed = ", ".join(f"`{s}`" for s in enum_wire(desc).values())
    return DecodeError(path, f"invalid value: integer `{number}`, expected one of {allowed}")


def _must_be_set(f: _d.FieldDescriptor) -> bool:
    """True for a singular message or enum field the JSON input must carry
    (required, no default, no presence): unset, it is a missing member."""
    if f.is_repeated or has_presence(f) or f.containing_oneof is not None:
        return False
    if f.containing_type is not None and f.name == extra_field(f.containing_type):
        return False  # the flattened extra members, not a member of its own
    return f.type in (_FD.TYPE_MESSAGE, _FD.TYPE_ENUM) and field_shape(f).required


def _reaches_check(desc: _d.Descriptor) -> bool:
    """True when a union, an enum or a required message member is reachable
    from message type `desc`."""
    seen: set[str] = set()
    todo = [desc]
    while todo:
        d = todo.pop()
        if d.full_name in seen or d.full_name in (VALUE, STRUCT):
            continue
        seen.add(d.full_name)
        if union_of(d) is not None:
            return True
        for f in d.fields:
            if f.type == _FD.TYPE_ENUM or _must_be_set(f):
                return True
            if f.message_type is not None:
                todo.append(f.message_type)
    return False


_CHECKS: dict[str, _Check | None] = {}
_BUILDING: set[str] = set()


def check_for(desc: MessageDescriptor) -> _Check | None:
    """The check `(message, path) -> None` of a message type, or None when nothing in it
    can be invalid.

    Planned once and cached: `codec.build_all` plans every protocol type at
    start; any other type is planned on its first message.
    """
    full = desc.full_name
    if full in _CHECKS:
        return _CHECKS[full]
    if not _reaches_check(desc):
        _CHECKS[full] = None
        return None
    if full in _BUILDING:

        def later(m: Any, path: str) -> None:
            # A recursive type: the check is looked up when called, once built.
            built = _CHECKS[full]
            assert built is not None
            built(m, path)

        return later
    _BUILDING.add(full)
    try:
        check = _union_check(desc) if union_of(desc) is not None else _object_check(desc)
    finally:
        _BUILDING.discard(full)
    _CHECKS[full] = check
    return check


def _object_check(desc: _d.Descriptor) -> _Check:
    steps = [s for s in (_field_step(f) for f in desc.fields) if s is not None]

    def check(m: Any, path: str) -> None:
        for step in steps:
            step(m, path)

    return check


def _union_check(desc: _d.Descriptor) -> _Check:
    union = union_of(desc)
    assert union is not None
    oneof = union.oneof.name
    steps = {v.field.name: _variant_step(v.field, union.kind, v.tag) for v in union.variants}

    def check(m: Any, path: str) -> None:
        which = m.WhichOneof(oneof)
        if which is None:
            raise _rooted(no_variant_error(union), path)
        step = steps[which]
        if step is not None:
            step(m, path)

    return check


def _variant_step(f: _d.FieldDescriptor, kind: int, tag: str) -> _Check | None:
    """The check of the set variant `f` of a union at `path`.

    A tagged variant's members sit beside the tag (same path), an external
    one's under its tag, an untagged one is the value itself.
    """
    if f.type == _FD.TYPE_ENUM:
        return _enum_step(f, "")
    if f.type != _FD.TYPE_MESSAGE:
        return None
    inner = check_for(msg_type(f))
    if inner is None:
        return None
    name = f.name
    key = tag if kind == EXTERNAL else ""

    def step(m: Any, path: str) -> None:
        inner(getattr(m, name), _join(path, key) if key else path)

    return step


def _enum_step(f: _d.FieldDescriptor, key: str) -> _Check:
    desc = enum_type(f)
    valid = frozenset(enum_wire(desc))
    name = f.name
    if f.is_repeated:

        def each(m: Any, path: str) -> None:
            for i, n in enumerate(getattr(m, name)):
                if n not in valid:
                    raise _bad_enum(n, desc, _join(_join(path, key), f"[{i}]"))

        return each

    if has_presence(f):

        def optional(m: Any, path: str) -> None:
            # Unset is null on the JSON side; set, even to zero, it must be a value.
            if m.HasField(name) and getattr(m, name) not in valid:
                raise _bad_enum(getattr(m, name), desc, _join(path, key))

        return optional
    required = bool(key) and _must_be_set(f)
    # Unset, a member with a JSON default is the absent member: its default.
    defaulted = bool(key) and field_shape(f).default is not NO_DEFAULT

    def one(m: Any, path: str) -> None:
        n = getattr(m, name)
        if n not in valid:
            if n == 0 and defaulted:
                return
            if n == 0 and required:
                raise missing_field(path, key)
            raise _bad_enum(n, desc, _join(path, key))

    return one


def _field_step(f: _d.FieldDescriptor) -> _Check | None:
    """The check of member `f` of a plain message, or None when it needs none."""
    key = field_shape(f).key
    if is_map(f):
        return _map_step(f, key)
    if f.type == _FD.TYPE_ENUM:
        return _enum_step(f, key)
    if f.type != _FD.TYPE_MESSAGE:
        return None
    inner = check_for(msg_type(f))
    name = f.name
    if _must_be_set(f):
        return _required_step(name, key, inner)
    if inner is None:
        return None
    if f.is_repeated:

        def each(m: Any, path: str) -> None:
            for i, sub in enumerate(getattr(m, name)):
                inner(sub, _join(_join(path, key), f"[{i}]"))

        return each

    def one(m: Any, path: str) -> None:
        if m.HasField(name):
            inner(getattr(m, name), _join(path, key))

    return one


def _required_step(name: str, key: str, inner: _Check | None) -> _Check:
    """The check of required message member `name` (JSON `key`): set, then valid."""

    def required(m: Any, path: str) -> None:
        if not m.HasField(name):
            raise missing_field(path, key)
        if inner is not None:
            inner(getattr(m, name), _join(path, key))

    return required


def _map_step(f: _d.FieldDescriptor, key: str) -> _Check | None:
    """The check of the values of map member `f` (JSON path `key.<map key>`)."""
    vf = map_value(f)
    name = f.name
    if vf.type == _FD.TYPE_ENUM:
        desc = enum_type(vf)
        valid = frozenset(enum_wire(desc))

        def enums(m: Any, path: str) -> None:
            for k, n in getattr(m, name).items():
                if n not in valid:
                    raise _bad_enum(n, desc, _join(_join(path, key), k))

        return enums
    if vf.type != _FD.TYPE_MESSAGE:
        return None
    inner = check_for(msg_type(vf))
    if inner is None:
        return None

    def messages(m: Any, path: str) -> None:
        for k, sub in getattr(m, name).items():
            inner(sub, _join(_join(path, key), k))

    return messages
