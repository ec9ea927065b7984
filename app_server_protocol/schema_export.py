"""JSON Schema (draft-07) export of the protocol, generated from the proto descriptors.

`app-server generate-json-schema --out DIR` writes what `build_schemas()`
returns, laid out like the reference (codex 0.104):

- `DIR/<Type>.json` for each root type (package `app_server_protocol`: the
  JSON-RPC envelope, `initialize`), `DIR/v2/<Type>.json` for each type of
  package `app_server_protocol.v2`; each file is a self-contained schema whose
  `definitions` hold every named type it references (`#/definitions/<Type>`);
- the method unions `ClientRequest`, `ServerRequest`, `ServerNotification`,
  `ClientNotification` (built from the method tables) and `JSONRPCMessage`
  at the root;
- `DIR/codex_app_server_protocol.schemas.json`: one bundle whose
  `definitions` hold the root types and whose `definitions.v2` holds the v2
  types (`#/definitions/<Type>`, `#/definitions/v2/<Type>`).

The descriptor walk (which types are exported, how each field looks on the
wire) lives here and is shared with the TypeScript exporter, so both exports
always agree with each other and with the codec's conventions:

- a top-level message or enum is a named, exported type; nested messages and
  enums (union variants, inline objects, unit variants) are inlined;
- proto3 `optional` singular field: `T | null`, not required; with
  `(omit_unset)` the member may be absent (`field?: T` in TypeScript; the
  schema still accepts null, as inputs do);
- other singular fields are required unless they carry `(default_json)`;
- repeated / map fields are required arrays / objects unless `(nullable)`
  (`T[] | null`) or `(default_json)`;
- `google.protobuf.Value` is any JSON; `google.protobuf.Struct` an object;
- `(additional_properties)` flattens a Struct field into the object;
- oneofs annotated `(union_kind)` are tagged / external / untagged unions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import descriptor as _d

from app_server_protocol import methods
from app_server_protocol.v2 import options_pb2

_FD = _d.FieldDescriptor

SCHEMA_URI = "http://json-schema.org/draft-07/schema#"
BUNDLE_FILE = "codex_app_server_protocol.schemas.json"
BUNDLE_TITLE = "CodexAppServerProtocol"

ROOT_PACKAGE = "app_server_protocol"
V2_PACKAGE = "app_server_protocol.v2"
NAMESPACE_BY_PACKAGE = {ROOT_PACKAGE: "", V2_PACKAGE: "v2"}

# gRPC-only plumbing of service.proto: never on the JSON wire.
NOT_EXPORTED = frozenset(
    {
        "ServerNotification",
        "ServerRequestParams",
        "ServerRequestResult",
        "Delivery",
        "Event",
        "ServerRequestOut",
        "CoreFrame",
        "ClientError",
        "ServerRequestReply",
        "ConnectionClosed",
        "GatewayHello",
        "GatewayFrame",
        "UnionKind",
    }
)
OPTIONS_FILE = "app_server_protocol/v2/options.proto"

# The JSON-RPC envelope types, in the order of the JSONRPCMessage union.
ENVELOPE_TYPES = ("JSONRPCRequest", "JSONRPCNotification", "JSONRPCResponse", "JSONRPCError")
# Names of the synthetic (not proto-backed) root types.
UNION_TYPES = ("ClientRequest", "ServerRequest", "ServerNotification", "ClientNotification")
MESSAGE_UNION = "JSONRPCMessage"

_VALUE = "google.protobuf.Value"
_STRUCT = "google.protobuf.Struct"

# --------------------------------------------------------------------------
# The descriptor walk shared with the TypeScript exporter


def opt(desc: Any, ext: Any) -> Any:
    """Value of a custom option (from options.proto) on any descriptor."""
    return desc.GetOptions().Extensions[ext]


@dataclass(frozen=True)
class TypeKey:
    """A named exported type: its namespace (`""` root, `"v2"`) and name."""

    namespace: str
    name: str

    @property
    def path(self) -> str:
        """Relative path without extension (`v2/Thread`, `RequestId`)."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class ExportedType:
    """A top-level proto message or enum exported as a named type."""

    key: TypeKey
    desc: _d.Descriptor | _d.EnumDescriptor


@dataclass(frozen=True)
class FieldShape:
    """How one field of an object appears on the wire."""

    field: _d.FieldDescriptor
    key: str
    """JSON member name (`json_name`)."""
    nullable: bool
    """The value may be null (`T | null`, `T[] | null`)."""
    omit_unset: bool
    """The member is omitted when unset (`field?: T`)."""
    required: bool
    """The member must be present (JSON Schema `required`)."""
    default: Any
    """Parsed `(default_json)`, or `NO_DEFAULT`."""


NO_DEFAULT: Any = object()


def msg_type(f: _d.FieldDescriptor) -> _d.Descriptor:
    """The message type of a message field."""
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


def map_value(f: _d.FieldDescriptor) -> _d.FieldDescriptor:
    """The value field of a map field's entry."""
    return msg_type(f).fields_by_name["value"]


def is_map(f: _d.FieldDescriptor) -> bool:
    """True for a proto map field."""
    return bool(
        f.is_repeated and f.message_type is not None and f.message_type.GetOptions().map_entry
    )


def has_presence(f: _d.FieldDescriptor) -> bool:
    """True for a proto3 `optional` singular field (its synthetic oneof)."""
    o = f.containing_oneof
    return (
        not f.is_repeated
        and o is not None
        and opt(o, options_pb2.union_kind) == options_pb2.UNION_KIND_NONE
        and o.name.startswith("_")
        and len(o.fields) == 1
    )


def is_value(f: _d.FieldDescriptor) -> bool:
    """True for a `google.protobuf.Value` (any JSON) field."""
    return f.message_type is not None and f.message_type.full_name == _VALUE


def is_struct(f: _d.FieldDescriptor) -> bool:
    """True for a `google.protobuf.Struct` (JSON object) field."""
    return f.message_type is not None and f.message_type.full_name == _STRUCT


def union_of(desc: _d.Descriptor) -> _d.OneofDescriptor | None:
    """The wire union (an annotated oneof) of a message, if it is one."""
    for o in desc.oneofs:
        if opt(o, options_pb2.union_kind) != options_pb2.UNION_KIND_NONE:
            return o
    return None


def union_kind(o: _d.OneofDescriptor) -> int:
    """The `(union_kind)` of a oneof."""
    return int(opt(o, options_pb2.union_kind))


def tag_field(o: _d.OneofDescriptor) -> str:
    """JSON member holding the tag of a tagged union (default `type`)."""
    return str(opt(o, options_pb2.tag_field) or "type")


def variant_tag(f: _d.FieldDescriptor) -> str:
    """Wire tag of a union variant (`(tag)`, else its JSON name)."""
    return str(opt(f, options_pb2.tag) or f.json_name)


def enum_values(desc: _d.EnumDescriptor) -> list[str]:
    """Wire strings of an enum, in declaration order."""
    return [str(opt(v, options_pb2.wire) or v.name) for v in desc.values]


def object_fields(desc: _d.Descriptor) -> list[FieldShape]:
    """The wire members of a non-union message, in declaration order.

    The `(additional_properties)` Struct field is left out (see `extra_field`).
    """
    extra = extra_field(desc)
    out: list[FieldShape] = []
    for f in desc.fields:
        if f.name == extra:
            continue
        dj = opt(f, options_pb2.default_json)
        default = json.loads(dj) if dj else NO_DEFAULT
        omit = bool(opt(f, options_pb2.omit_unset))
        if f.is_repeated:
            nullable = bool(opt(f, options_pb2.nullable))
            required = not nullable and not dj
            omit = False
        elif has_presence(f):
            nullable = not omit
            required = False
        else:
            # Value holds JSON null itself; it is required like any plain field.
            nullable = False
            required = not dj
            omit = False
        out.append(
            FieldShape(
                field=f,
                key=f.json_name,
                nullable=nullable,
                omit_unset=omit,
                required=required,
                default=default,
            )
        )
    return out


def extra_field(desc: _d.Descriptor) -> str:
    """Name of the `(additional_properties)` Struct field, or `""`."""
    return str(opt(desc, options_pb2.additional_properties) or "")


def is_exported_message(desc: _d.Descriptor | _d.EnumDescriptor) -> bool:
    """True for a top-level type of the JSON API (not nested, not plumbing)."""
    return (
        desc.containing_type is None
        and desc.file.package in NAMESPACE_BY_PACKAGE
        and desc.file.name != OPTIONS_FILE
        and desc.name not in NOT_EXPORTED
    )


def key_of(desc: _d.Descriptor | _d.EnumDescriptor) -> TypeKey:
    """The exported name of a top-level type."""
    return TypeKey(NAMESPACE_BY_PACKAGE[desc.file.package], desc.name)


def exported_types() -> list[ExportedType]:
    """Every exported proto type, root types first, then v2, each sorted by name."""
    found: dict[TypeKey, ExportedType] = {}
    for module in methods.PROTOCOL_MODULES:
        fdesc = module.DESCRIPTOR
        items: list[_d.Descriptor | _d.EnumDescriptor] = [
            *fdesc.message_types_by_name.values(),
            *fdesc.enum_types_by_name.values(),
        ]
        for desc in items:
            if not is_exported_message(desc):
                continue
            key = key_of(desc)
            if key in found:
                raise RuntimeError(f"type {key.path} defined twice")
            found[key] = ExportedType(key, desc)
    names = [k.name for k in found]
    clash = {n for n in names if names.count(n) > 1}
    if clash:
        # Per-type files flatten every referenced type into one `definitions`.
        raise RuntimeError(f"type names used in both namespaces: {sorted(clash)}")
    return sorted(
        found.values(), key=lambda t: (t.key.namespace != "", t.key.namespace, t.key.name)
    )


def check_referable(desc: _d.Descriptor | _d.EnumDescriptor, where: str) -> None:
    """Fail when a field refers to a top-level type that is not exported."""
    if desc.containing_type is None and not is_exported_message(desc):
        if desc.full_name in (_VALUE, _STRUCT):
            return
        raise RuntimeError(f"{where} refers to {desc.full_name}, which is not exported")


@dataclass(frozen=True)
class MethodEntry:
    """One method of a union (`ClientRequest`, ...) with its params type."""

    name: str
    params: TypeKey | None
    params_optional: bool
    """The reference takes no params for this method (empty params message)."""


def _method_entries(table: dict[str, methods.Method]) -> list[MethodEntry]:
    out: list[MethodEntry] = []
    for m in table.values():
        desc = m.params.DESCRIPTOR  # type: ignore[attr-defined]
        out.append(
            MethodEntry(
                name=m.name,
                params=key_of(desc),
                params_optional=len(desc.fields) == 0,
            )
        )
    return out


def union_methods() -> dict[str, tuple[str, list[MethodEntry]]]:
    """Each method union: (kind, entries); kind is `request` or `notification`."""
    return {
        "ClientRequest": ("request", _method_entries(methods.CLIENT_REQUESTS)),
        "ServerRequest": ("request", _method_entries(methods.SERVER_REQUESTS)),
        "ServerNotification": ("notification", _method_entries(methods.SERVER_NOTIFICATIONS)),
        "ClientNotification": (
            "notification",
            [MethodEntry(n, None, True) for n in methods.CLIENT_NOTIFICATIONS],
        ),
    }


def _capitalize(s: str) -> str:
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------
# JSON Schema


Schema = dict[str, Any] | bool
RefFn = Callable[[TypeKey], str]


class _Ctx:
    """Builds schemas for one output, recording each named type referenced."""

    def __init__(self, ref: RefFn) -> None:
        self._ref = ref
        self.deps: set[TypeKey] = set()

    def ref(self, key: TypeKey) -> dict[str, Any]:
        self.deps.add(key)
        return {"$ref": self._ref(key)}

    # -- values -----------------------------------------------------------
    def scalar(self, f: _d.FieldDescriptor) -> dict[str, Any]:
        t = f.type
        if t == _FD.TYPE_STRING or t == _FD.TYPE_BYTES:
            return {"type": "string"}
        if t == _FD.TYPE_BOOL:
            return {"type": "boolean"}
        if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            return {"type": "number", "format": "double" if t == _FD.TYPE_DOUBLE else "float"}
        if t in (_FD.TYPE_INT32, _FD.TYPE_SINT32, _FD.TYPE_SFIXED32):
            return {"type": "integer", "format": "int32"}
        if t in (_FD.TYPE_INT64, _FD.TYPE_SINT64, _FD.TYPE_SFIXED64):
            return {"type": "integer", "format": "int64"}
        if t in (_FD.TYPE_UINT32, _FD.TYPE_FIXED32):
            return {"type": "integer", "format": "uint32", "minimum": 0}
        if t in (_FD.TYPE_UINT64, _FD.TYPE_FIXED64):
            return {"type": "integer", "format": "uint64", "minimum": 0}
        raise RuntimeError(f"unsupported field type {t} of {f.full_name}")

    def element(self, f: _d.FieldDescriptor) -> Schema:
        """Schema of one value of `f` (an element when repeated)."""
        if is_map(f):
            return self.element(map_value(f))
        if f.type == _FD.TYPE_ENUM:
            e = enum_type(f)
            if e.containing_type is not None:
                return {"type": "string", "enum": enum_values(e)}
            check_referable(e, f.full_name)
            return self.ref(key_of(e))
        if f.type == _FD.TYPE_MESSAGE:
            m = msg_type(f)
            if m.full_name == _VALUE:
                return True
            if m.full_name == _STRUCT:
                return {"type": "object", "additionalProperties": True}
            if m.containing_type is not None:
                return self.message(m)
            check_referable(m, f.full_name)
            return self.ref(key_of(m))
        return self.scalar(f)

    def field(self, shape: FieldShape) -> Schema:
        """Schema of a member: element, array/map wrapping, null, default."""
        f = shape.field
        elem = self.element(f)
        s: Schema
        if is_map(f):
            s = {"type": "object", "additionalProperties": elem}
        elif f.is_repeated:
            s = {"type": "array", "items": elem}
        else:
            s = elem
        if shape.nullable or shape.omit_unset:
            s = _with_null(s)
        if shape.default is not NO_DEFAULT:
            if not isinstance(s, dict):
                s = {"default": shape.default}
            elif "$ref" in s:
                s = {"default": shape.default, "allOf": [s]}
            else:
                s = {"default": shape.default, **s}
        return s

    # -- messages ---------------------------------------------------------
    def message(
        self, desc: _d.Descriptor, tag: tuple[str, str, str] | None = None
    ) -> dict[str, Any]:
        """Schema of a message body (inline); `tag` = (tag member, tag, union name)."""
        union = union_of(desc)
        if union is not None:
            if tag is not None:
                raise RuntimeError(f"{desc.full_name}: a union cannot be a tagged variant")
            return self.union(desc, union)
        props: dict[str, Any] = {}
        required: list[str] = []
        if tag is not None:
            props[tag[0]] = {
                "type": "string",
                "enum": [tag[1]],
                "title": f"{_capitalize(tag[1])}{tag[2]}Type",
            }
            required.append(tag[0])
        for shape in object_fields(desc):
            if shape.key in props:
                raise RuntimeError(f"{shape.field.full_name}: member clashes with the tag")
            props[shape.key] = self.field(shape)
            if shape.required:
                required.append(shape.key)
        out: dict[str, Any] = {"type": "object"}
        if required:
            out["required"] = required
        if props:
            out["properties"] = props
        if extra_field(desc):
            out["additionalProperties"] = True
        return out

    def union(self, desc: _d.Descriptor, union: _d.OneofDescriptor) -> dict[str, Any]:
        kind = union_kind(union)
        if len(union.fields) != len(desc.fields):
            raise RuntimeError(f"{desc.full_name}: a union message has fields outside its oneof")
        if kind == options_pb2.UNION_KIND_UNTAGGED:
            return {"anyOf": [self.element(f) for f in union.fields]}
        variants: list[Schema] = []
        if kind == options_pb2.UNION_KIND_TAGGED:
            tf = tag_field(union)
            for f in union.fields:
                if f.type != _FD.TYPE_MESSAGE:
                    raise RuntimeError(f"{f.full_name}: a tagged variant must be a message")
                tag = variant_tag(f)
                v = self.message(msg_type(f), (tf, tag, desc.name))
                v["title"] = f"{_capitalize(tag)}{desc.name}"
                variants.append(v)
            return {"oneOf": variants}
        # External: unit variants are bare strings, the others {"<tag>": payload}.
        for f in union.fields:
            if f.type == _FD.TYPE_ENUM:
                variants.append({"type": "string", "enum": enum_values(enum_type(f))})
                continue
            tag = variant_tag(f)
            variants.append(
                {
                    "type": "object",
                    "required": [tag],
                    "properties": {tag: self.element(f)},
                    "additionalProperties": False,
                    "title": f"{_capitalize(tag)}{desc.name}",
                }
            )
        return {"oneOf": variants}

    def named(self, t: ExportedType) -> dict[str, Any]:
        """Schema of an exported proto type (no `$schema`, no `definitions`)."""
        if isinstance(t.desc, _d.EnumDescriptor):
            body: dict[str, Any] = {"type": "string", "enum": enum_values(t.desc)}
        else:
            body = self.message(t.desc)
        return {"title": t.key.name, **body}

    # -- synthetic root types ------------------------------------------------
    def method_union(self, name: str, kind: str, entries: list[MethodEntry]) -> dict[str, Any]:
        """`ClientRequest` & co: oneOf of {id?, method: {enum: [m]}, params}."""
        suffix = "Request" if kind == "request" else "Notification"
        variants: list[dict[str, Any]] = []
        for e in entries:
            title = f"{_capitalize(e.name)}{suffix}"
            props: dict[str, Any] = {}
            required: list[str] = []
            if kind == "request":
                props["id"] = self.ref(TypeKey("", "RequestId"))
                required.append("id")
            props["method"] = {"type": "string", "enum": [e.name], "title": f"{title}Method"}
            required.append("method")
            if e.params is not None:
                props["params"] = self.ref(e.params)
                if e.params_optional:
                    # No params in the reference: absent or null is accepted too.
                    props["params"] = {"anyOf": [props["params"], {"type": "null"}]}
                else:
                    required.append("params")
            variants.append(
                {"type": "object", "required": required, "properties": props, "title": title}
            )
        return {"title": name, "oneOf": variants}

    def message_union(self) -> dict[str, Any]:
        """`JSONRPCMessage`: any of the four envelope types."""
        return {
            "title": MESSAGE_UNION,
            "description": "Any JSON-RPC message that can be decoded off the wire or sent.",
            "anyOf": [self.ref(TypeKey("", n)) for n in ENVELOPE_TYPES],
        }


def _with_null(s: Schema) -> Schema:
    """`s | null`: a type list for plain typed schemas, else anyOf with null."""
    if s is True:
        return True
    assert isinstance(s, dict)
    t = s.get("type")
    if (
        isinstance(t, str)
        and "enum" not in s
        and set(s)
        <= {
            "type",
            "format",
            "minimum",
            "items",
            "additionalProperties",
        }
    ):
        return {**s, "type": [t, "null"]}
    return {"anyOf": [s, {"type": "null"}]}


@dataclass(frozen=True)
class _Unit:
    """One named output type and how to build its schema."""

    key: TypeKey
    build: Callable[[_Ctx], dict[str, Any]]


def _units() -> list[_Unit]:
    units: list[_Unit] = []
    for t in exported_types():
        units.append(_Unit(t.key, lambda c, t=t: c.named(t)))  # type: ignore[misc]
    units.append(_Unit(TypeKey("", MESSAGE_UNION), lambda c: c.message_union()))
    for name, (kind, entries) in union_methods().items():
        units.append(
            _Unit(
                TypeKey("", name),
                lambda c, n=name, k=kind, e=entries: c.method_union(n, k, e),  # type: ignore[misc]
            )
        )
    return units


def _flat_ref(key: TypeKey) -> str:
    return f"#/definitions/{key.name}"


def _bundle_ref(key: TypeKey) -> str:
    return f"#/definitions/{key.path}"


def build_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file to write, by path relative to the output folder.

    Keys are `<Type>.json` (root types and method unions), `v2/<Type>.json`
    and `codex_app_server_protocol.schemas.json` (the bundle).
    """
    units = _units()
    by_key = {u.key: u for u in units}
    # Flat-ref bodies and their direct dependencies, built once per type.
    flat: dict[TypeKey, tuple[dict[str, Any], set[TypeKey]]] = {}
    for u in units:
        ctx = _Ctx(_flat_ref)
        flat[u.key] = (u.build(ctx), ctx.deps)
    out: dict[str, dict[str, Any]] = {}
    for u in units:
        body, _ = flat[u.key]
        closure = _closure(u.key, flat)
        doc: dict[str, Any] = {"$schema": SCHEMA_URI, **body}
        defs = {}
        for k in sorted(closure - {u.key}, key=lambda k: k.name):
            sub = dict(flat[k][0])
            sub.pop("title", None)
            defs[k.name] = sub
        if u.key in closure:
            # A recursive type refers to itself through `definitions`.
            sub = dict(body)
            sub.pop("title", None)
            defs[u.key.name] = sub
        if defs:
            doc["definitions"] = defs
        out[f"{u.key.path}.json"] = doc
    root_defs: dict[str, Any] = {}
    v2_defs: dict[str, Any] = {}
    for u in units:
        ctx = _Ctx(_bundle_ref)
        body = u.build(ctx)
        missing = ctx.deps - set(by_key)
        if missing:
            raise RuntimeError(f"{u.key.path} refers to unknown types {sorted(missing, key=str)}")
        (v2_defs if u.key.namespace == "v2" else root_defs)[u.key.name] = body
    out[BUNDLE_FILE] = {
        "$schema": SCHEMA_URI,
        "title": BUNDLE_TITLE,
        "type": "object",
        "definitions": {**dict(sorted(root_defs.items())), "v2": dict(sorted(v2_defs.items()))},
    }
    return out


def _closure(
    start: TypeKey, flat: dict[TypeKey, tuple[dict[str, Any], set[TypeKey]]]
) -> set[TypeKey]:
    """Every type reachable from `start` (including `start` only if recursive)."""
    seen: set[TypeKey] = set()
    stack = list(flat[start][1])
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        if k not in flat:
            raise RuntimeError(f"{start.path} refers to unknown type {k.path}")
        seen.add(k)
        stack.extend(flat[k][1])
    return seen


def write_json_schema(out_dir: str | Path) -> list[Path]:
    """Write every schema file under `out_dir` (created if needed); returns the paths."""
    root = Path(out_dir)
    written: list[Path] = []
    for rel, doc in build_schemas().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def iter_refs(node: Any) -> Iterator[str]:
    """Every `$ref` string inside a schema document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from iter_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_refs(v)


def exported_names(namespace: str) -> Iterable[str]:
    """Names of the exported proto types of a namespace (for tests and docs)."""
    return [t.key.name for t in exported_types() if t.key.namespace == namespace]
