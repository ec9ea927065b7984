"""Decoder generation of the JSON <-> protobuf codec (JSON data -> message).

Builds, once per message type, a decoder function from the descriptor and the
custom options of `options.proto`: the source of a "filler" that checks the
JSON data and writes it into a message is generated, then `exec`'d, so the
hot path does plain attribute writes and inline type checks, with no
reflection. Unions (tagged / external / untagged) get small closures that
dispatch on the tag or on the JSON type to per-variant fillers.

Decoders fill a message in place (`m.sub.field = x`, `m.items.add()`), which
is much cheaper with upb than building sub-messages and copying them into
their parent. A nested decoder reports errors relative to its own value; the
parent prefixes its member name only when an error actually propagates, so
no path string is built on the success path.

Decoding reports a wrong type, a missing required field or an unknown enum
or union variant as a `DecodeError` naming the JSON path
(`input[0].text: invalid type: integer `42`, expected a string`); unknown
input members are ignored. Without `allow_experimental`, a value that decodes
is then refused with `ExperimentalFieldError` when it uses an experimental
member (see `experimental`): the reference, too, checks only once the whole
value deserialised, so a malformed request gets its decode error first.

This module is internal: use `codec.decoder_for` / `codec.from_json`
(`request_validation` shares `no_variant_error`, the wording of a union
value with no variant, with the decoders).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor as _FD

from app_server_protocol.codec_common import (
    DecodeError,
    ExperimentalFieldError,
    GeneratedCache,
    MessageDescriptor,
    describe_value,
)
from app_server_protocol.codec_common import attr_source as _attr
from app_server_protocol.codec_common import compile_function as _compile
from app_server_protocol.codec_common import fill_value as _fill_value
from app_server_protocol.descriptors import (
    EXTERNAL,
    NO_DEFAULT,
    TAGGED,
    UNTAGGED,
    FieldShape,
    UnionShape,
    enum_wire,
    extra_field,
    has_presence,
    is_map,
    object_fields,
    union_of,
)
from app_server_protocol.descriptors import enum_type as _et
from app_server_protocol.descriptors import is_struct as _is_struct
from app_server_protocol.descriptors import is_value as _is_value
from app_server_protocol.descriptors import msg_type as _mt
from app_server_protocol.experimental import gate_for

Decoder = Callable[[Any, str, bool], Any]
# (json data, target message) -> None; fills the target.
_Filler = Callable[[Any, Any], None]


# --------------------------------------------------------------------------
# Error text helpers (serde-like wording, which clients of the reference see)


def _invalid(path: str, v: Any, expected: str) -> DecodeError:
    return DecodeError(path, f"invalid type: {describe_value(v)}, expected {expected}")


def missing_field(path: str, name: str) -> DecodeError:
    """What decoding says of an object at `path` without its required member `name`.

    The gRPC path (`request_validation`) says it of an unset required
    message or enum field, so both paths refuse alike.
    """
    return DecodeError(path, f"missing field `{name}`")


def _unknown_variant(path: str, v: str, allowed: list[str]) -> DecodeError:
    expected = ", ".join(f"`{a}`" for a in allowed)
    return DecodeError(path, f"unknown variant `{v}`, expected one of {expected}")


def _under(err: DecodeError, prefix: str) -> DecodeError:
    """`err` re-rooted under the member `prefix` of the enclosing value."""
    if not prefix:
        return err
    p = err.path
    path = prefix if not p else (prefix + p if p[0] == "[" else f"{prefix}.{p}")
    return DecodeError(path, err.detail)


def _no_untagged_match(name: str) -> DecodeError:
    return DecodeError("", f"data did not match any variant of untagged enum {name}")


def no_variant_error(union: UnionShape) -> DecodeError:
    """What decoding says of a value of `union` that selects no variant.

    It is what the JSON `{}` gets: "missing field `type`" for an internally
    tagged union, "invalid type: map, expected enum <Name>" for an externally
    tagged one; an untagged union has no member to miss, so nothing matched.
    The gRPC path refuses a union message with no member set with it
    (`request_validation`), so both paths refuse alike.
    """
    if union.kind == TAGGED:
        return missing_field("", union.tag_field)
    if union.kind == EXTERNAL:
        return _invalid("", {}, f"enum {union.name}")
    return _no_untagged_match(union.name)


def _bad_enum(path: str, v: Any, allowed: list[str]) -> DecodeError:
    if type(v) is not str:
        return _invalid(path, v, "a string")
    return _unknown_variant(path, v, allowed)


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


def _int(v: Any, path: str, lo: int, hi: int, name: str) -> int:
    """Slow path of an integer check: integral floats are accepted, ranges enforced."""
    if type(v) is not int:
        if type(v) is float and v.is_integer():
            v = int(v)
        else:
            raise _invalid(path, v, name)
    if v < lo or v > hi:
        raise DecodeError(path, f"invalid value: integer `{v}`, expected {name}")
    return v  # type: ignore[no-any-return]


def _float(v: Any, path: str) -> float:
    if type(v) is int:
        return float(v)
    raise _invalid(path, v, "f64")


def _scan(path: str, seq: list[Any], check: Callable[[Any, str], Any]) -> list[Any]:
    """Check every element of a list of scalars, naming the first bad index."""
    return [check(x, f"{path}[{i}]") for i, x in enumerate(seq)]


def _chk_str(v: Any, path: str) -> str:
    if type(v) is str:
        return v
    raise _invalid(path, v, "a string")


def _chk_bool(v: Any, path: str) -> bool:
    if type(v) is bool:
        return v
    raise _invalid(path, v, "a boolean")


def _expected(f: _d.FieldDescriptor) -> str:
    """What serde would say it expected for (one value of) field `f`."""
    if f.is_repeated and not is_map(f):
        return "a sequence"
    if is_map(f) or _is_struct(f):
        return "a map"
    t = f.type
    if t == _FD.TYPE_STRING or t == _FD.TYPE_ENUM:
        return "a string"
    if t == _FD.TYPE_BOOL:
        return "a boolean"
    if t in _INT_RANGES:
        return _INT_RANGES[t][2]
    if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        return "f64"
    if _is_value(f):
        return "any value"
    return _expected_message(_mt(f))


def _expected_message(desc: MessageDescriptor) -> str:
    union = union_of(desc)
    if union is None:
        return f"struct {desc.name}"
    if union.kind == TAGGED:
        return f"internally tagged enum {desc.name}"
    return f"enum {desc.name}"


_ZERO_DEFAULTS: tuple[Any, ...] = (None, "", [], {})


def _writes_default(shape: FieldShape) -> bool:
    """True when an absent member must be decoded as its `(default_json)`.

    Not when the field has none, nor when the proto default already is it.
    """
    default, f = shape.default, shape.field
    if default is NO_DEFAULT:
        return False
    if has_presence(f) or f.type == _FD.TYPE_ENUM:
        return True
    return not (
        any(default == z and type(default) is type(z) for z in _ZERO_DEFAULTS)
        or default is False
        or (type(default) is int and default == 0)
    )


# Names the generated decoder source refers to (its `exec` globals).
_HELPERS: dict[str, Any] = {
    "_fill_value": _fill_value,
    "_invalid": _invalid,
    "_missing": missing_field,
    "_under": _under,
    "_bad_enum": _bad_enum,
    "_int": _int,
    "_float": _float,
    "_scan": _scan,
    "_chk_str": _chk_str,
    "_chk_bool": _chk_bool,
    "DecodeError": DecodeError,
}


# --------------------------------------------------------------------------
# Decoder generation


class DecoderBuilder(GeneratedCache):
    """Generates and caches the decoder (and filler) functions of each message type."""

    def __init__(self) -> None:
        super().__init__()
        self.decoders: dict[str, Decoder] = {}
        self.fillers: dict[str, _Filler] = {}
        self._building_fill: set[str] = set()

    def decoder(self, desc: MessageDescriptor) -> Decoder:
        """The (cached) decoder of a message type: a new message filled from JSON."""
        fn: Decoder = self._cached(self.decoders, desc, self._build_decoder)
        return fn

    def _build_decoder(self, desc: MessageDescriptor) -> Decoder:
        cls = message_factory.GetMessageClass(desc)
        fill = self.filler(desc)
        gate = gate_for(desc)

        def dec(v: Any, path: str, exp: bool) -> Any:
            m = cls()
            try:
                fill(v, m)
            except DecodeError as e:
                raise _under(e, path) from None
            except UnicodeEncodeError:
                # A lone surrogate (`"\ud800"`) parsed by a lenient JSON parser.
                raise DecodeError(path, "invalid unicode code point (lone surrogate)") from None
            if not exp and gate is not None:
                reason = gate(v)
                if reason is not None:
                    raise ExperimentalFieldError(reason)
            return m

        self.decoders[desc.full_name] = dec
        return dec

    def filler(self, desc: MessageDescriptor) -> _Filler:
        """The (cached) filler of a message type: JSON decoded into a given message."""
        full = desc.full_name
        fn = self.fillers.get(full)
        if fn is not None:
            return fn
        with self._lock:
            if full in self.fillers:
                return self.fillers[full]
            if full in self._building_fill:
                # A recursive type: resolve on first call, once built.
                def call(v: Any, m: Any) -> None:
                    self.fillers[full](v, m)

                return call
            self._building_fill.add(full)
            try:
                union = union_of(desc)
                if union is not None:
                    fn = self._build_union_filler(union)
                else:
                    fn = self._build_filler(desc, None)
            finally:
                self._building_fill.discard(full)
            self.fillers[full] = fn
            return fn

    def _assign(self, f: _d.FieldDescriptor, key: str, env: dict[str, Any], ind: str) -> list[str]:
        """Source checking the non-null JSON value `x` of field `f` and storing it in `m`.

        `key` is the path of `x` relative to `m`'s JSON value (used only when
        an error is raised).
        """
        k = repr(key)
        attr = _attr("m", f.name)
        t = f.type
        if is_map(f):
            vf = _mt(f).fields_by_name["value"]
            lines = [
                f"if type(x) is not dict: raise _invalid({k}, x, 'a map')",
                f"mm = {attr}",
            ]
            if _is_value(vf):
                lines.append("for kk, y in x.items(): _fill_value(y, mm[kk])")
            elif vf.type == _FD.TYPE_MESSAGE and not _is_struct(vf):
                n = self._name("F")
                env[n] = self.filler(_mt(vf))
                lines += [
                    "try:",
                    f"    for kk, y in x.items(): {n}(y, mm[kk])",
                    f"except DecodeError as e: raise _under(e, {k} + '.' + kk) from None",
                ]
            else:
                check, val = self._scalar(vf, f"{key + '.'!r} + kk", env)
                lines += [
                    "for kk, x in x.items():",
                    *("    " + s for s in check),
                    f"    mm[kk] = {val}",
                ]
            return [ind + s for s in lines]
        if f.is_repeated:
            lines = [f"if type(x) is not list: raise _invalid({k}, x, 'a sequence')"]
            if t == _FD.TYPE_MESSAGE and _is_value(f):
                lines += [f"add = {attr}.add", "for y in x: _fill_value(y, add())"]
            elif t == _FD.TYPE_MESSAGE and not _is_struct(f):
                n = self._name("F")
                env[n] = self.filler(_mt(f))
                lines += [
                    f"add = {attr}.add",
                    "try:",
                    f"    for i, y in enumerate(x): {n}(y, add())",
                    f"except DecodeError as e: raise _under(e, {k} + f'[{{i}}]') from None",
                ]
            elif t == _FD.TYPE_STRING:
                # upb rejects a non-string element itself; find which one only then.
                lines += [
                    f"try: {attr}.extend(x)",
                    f"except TypeError: _scan({k}, x, _chk_str); raise",
                ]
            else:
                c = self._name("C")
                env[c] = self._checker(f, env)
                lines.append(f"{attr}.extend(_scan({k}, x, {c}))")
            return [ind + s for s in lines]
        if t == _FD.TYPE_MESSAGE and _is_value(f):
            return [f"{ind}_fill_value(x, {attr})"]
        if t == _FD.TYPE_MESSAGE and _is_struct(f):
            return [
                f"{ind}if type(x) is not dict: raise _invalid({k}, x, 'a map')",
                f"{ind}s = {attr}",
                f"{ind}s.SetInParent()",
                f"{ind}s.update(x)",
            ]
        if t == _FD.TYPE_MESSAGE:
            n = self._name("F")
            env[n] = self.filler(_mt(f))
            lines = [f"{ind}s = {attr}"]
            if union_of(_mt(f)) is None:
                # `{}` sets no member, yet the message is present. (A union's
                # filler always sets a variant, which marks its parents present.)
                lines.append(f"{ind}s.SetInParent()")
            return lines + [
                f"{ind}try: {n}(x, s)",
                f"{ind}except DecodeError as e: raise _under(e, {k}) from None",
            ]
        check, val = self._scalar(f, k, env)
        return [ind + s for s in check] + [f"{ind}{attr} = {val}"]

    def _scalar(self, f: _d.FieldDescriptor, k: str, env: dict[str, Any]) -> tuple[list[str], str]:
        """Source checking scalar `x` of field `f`, and the expression of its proto value.

        `k` is the source of an expression giving the path of `x` (evaluated
        only when an error is raised).
        """
        t = f.type
        if t == _FD.TYPE_STRING:
            return [f"if type(x) is not str: raise _invalid({k}, x, 'a string')"], "x"
        if t == _FD.TYPE_BOOL:
            return [f"if type(x) is not bool: raise _invalid({k}, x, 'a boolean')"], "x"
        if t in _INT_RANGES:
            lo, hi, name = _INT_RANGES[t]
            return [
                f"if type(x) is not int or not {lo} <= x <= {hi}:"
                f" x = _int(x, {k}, {lo}, {hi}, {name!r})"
            ], "x"
        if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            return [f"if type(x) is not float: x = _float(x, {k})"], "x"
        if t == _FD.TYPE_ENUM:
            rev, allowed = self._name("R"), self._name("A")
            wire = enum_wire(_et(f))
            env[rev] = {s: n for n, s in wire.items()}
            env[allowed] = list(wire.values())
            return [
                f"n = {rev}.get(x) if type(x) is str else None",
                f"if n is None: raise _bad_enum({k}, x, {allowed})",
            ], "n"
        raise TypeError(f"unsupported field type {t} of {f.full_name}")

    def _checker(self, f: _d.FieldDescriptor, env: dict[str, Any]) -> Callable[[Any, str], Any]:
        """A `(x, path) -> checked x` function for elements of a repeated scalar field."""
        check, val = self._scalar(f, "p", env)
        lines = ["def chk(x, p):", *("    " + s for s in check), f"    return {val}"]
        return _compile("\n".join(lines), env, "chk")  # type: ignore[no-any-return]

    def _build_filler(self, desc: MessageDescriptor, via: str | None) -> _Filler:
        """The filler of a plain message (or, with `via`, of a tagged-union variant
        stored in the member `via` of the union message, the tag already checked)."""
        env: dict[str, Any] = dict(_HELPERS)
        lines = ["def fill(v, m):"]
        if via is None:
            lines.append(
                f"    if type(v) is not dict: raise _invalid('', v, {_expected_message(desc)!r})"
            )
        else:
            lines += [f"    m = {_attr('m', via)}", "    m.SetInParent()"]
        known: list[str] = []
        for shape in object_fields(desc):
            f, key = shape.field, shape.key
            known.append(key)
            k = repr(key)
            lines.append(f"    x = v.get({k})")
            body = self._assign(f, key, env, "        ")
            if _writes_default(shape):
                dn = self._name("D")
                env[dn] = shape.default
                # `if True:` only opens the block the field's body is indented for.
                lines += [f"    if x is None: x = {dn}", "    if True:"]
            elif _is_value(f) and shape.required:
                # Value holds JSON null itself: present-null is a value, absent is missing.
                lines += [
                    "    if x is None:",
                    f"        if {k} not in v: raise _missing('', {k})",
                    f"        {_attr('m', f.name)}.null_value = 0",
                    "    else:",
                ]
            elif shape.required:
                lines += [
                    "    if x is None:",
                    f"        if {k} in v: raise _invalid({k}, None, {_expected(f)!r})",
                    f"        raise _missing('', {k})",
                    "    else:",
                ]
            else:
                lines.append("    if x is not None:")
            lines += body
        extra = extra_field(desc)
        if extra:
            kn = self._name("K")
            env[kn] = frozenset(known)
            ex = _attr("m", extra)
            lines += [
                f"    rest = {{k: y for k, y in v.items() if k not in {kn}}}",
                f"    if rest: {ex}.update(rest)",
            ]
        return _compile("\n".join(lines), env, "fill")  # type: ignore[no-any-return]

    def _build_union_filler(self, union: UnionShape) -> _Filler:
        kind = union.kind
        name = union.name
        if kind == TAGGED:
            return self._tagged_filler(union)
        variants: dict[str, _Filler] = {}
        unit: dict[str, int] = {}
        unit_attr = ""
        by_type: dict[type, _Filler] = {}
        for v in union.variants:
            f = v.field
            if v.unit:
                unit = {s: n for n, s in enum_wire(_et(f)).items()}
                unit_attr = f.name
                continue
            env: dict[str, Any] = dict(_HELPERS)
            path = v.tag if kind == EXTERNAL else ""
            body = self._assign(f, path, env, "    ")
            var: _Filler = _compile("\n".join(["def var(x, m):", *body]), env, "var")
            variants[v.tag] = var
            if kind == UNTAGGED:
                pytypes = {
                    _FD.TYPE_STRING: (str,),
                    _FD.TYPE_BOOL: (bool,),
                    _FD.TYPE_DOUBLE: (float, int),
                    _FD.TYPE_FLOAT: (float, int),
                    _FD.TYPE_MESSAGE: (dict,),
                    _FD.TYPE_ENUM: (str,),
                }.get(f.type, (int,))
                for pt in pytypes:
                    by_type.setdefault(pt, var)
        if kind == UNTAGGED:

            def fill_untagged(v: Any, m: Any) -> None:
                hit = by_type.get(type(v))
                if hit is None:
                    raise _no_untagged_match(name)
                hit(v, m)

            return fill_untagged
        allowed = [*unit, *variants]

        def fill_external(v: Any, m: Any) -> None:
            if type(v) is str:
                n = unit.get(v)
                if n is not None:
                    setattr(m, unit_attr, n)
                    return
                fn = variants.get(v)
                if fn is None:
                    raise _unknown_variant("", v, allowed)
                fn({}, m)  # a struct variant named bare: all its members defaulted
                return
            if type(v) is dict and len(v) == 1:
                ((tag, payload),) = v.items()
                fn = variants.get(tag)
                if fn is None:
                    if tag in unit:
                        raise _invalid(tag, payload, "unit variant")
                    raise _unknown_variant("", tag, allowed)
                fn(payload, m)
                return
            raise _invalid("", v, f"enum {name}")

        return fill_external

    def _tagged_filler(self, union: UnionShape) -> _Filler:
        variants = {v.tag: self._build_filler(_mt(v.field), v.field.name) for v in union.variants}
        allowed = list(variants)
        expected = f"internally tagged enum {union.name}"
        tag_field = union.tag_field

        def fill_tagged(v: Any, m: Any) -> None:
            if type(v) is not dict:
                raise _invalid("", v, expected)
            tag = v.get(tag_field)
            fn = variants.get(tag) if type(tag) is str else None
            if fn is None:
                if tag is None:
                    raise missing_field("", tag_field)
                if type(tag) is not str:
                    raise _invalid(tag_field, tag, "a string")
                raise _unknown_variant(tag_field, tag, allowed)
            fn(v, m)

        return fill_tagged
