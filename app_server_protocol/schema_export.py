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

Which types are exported and under which names is `exported`; how each
field looks on the wire is `descriptors` (the walk the codec uses too):

- a top-level message or enum is a named, exported type; nested messages and
  enums (union variants, inline objects, unit variants) are inlined;
- an optional member is `T | null` and not required; an `(omit_unset)` one
  may be absent (the schema still accepts null, as inputs do);
- a member with `(default_json)` is not required and carries its `default`;
- `google.protobuf.Value` is any JSON; `google.protobuf.Struct` an object;
- `(additional_properties)` flattens a Struct field into the object;
- oneofs annotated `(union_kind)` are tagged / external / untagged unions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import descriptor as _d
from google.protobuf import descriptor_pool

from app_server_protocol import descriptors as ds
from app_server_protocol.descriptors import NO_DEFAULT, FieldShape
from app_server_protocol.exported import (
    ENVELOPE_TYPES,
    MESSAGE_UNION,
    STRING_TYPE_KEYS,
    UNION_TYPES,
    ExportedType,
    MethodEntry,
    TypeKey,
    check_referable,
    exported_types,
    key_of,
    string_type,
    union_methods,
    variant_title,
)

_FD = _d.FieldDescriptor

SCHEMA_URI = "http://json-schema.org/draft-07/schema#"
BUNDLE_FILE = "codex_app_server_protocol.schemas.json"
BUNDLE_TITLE = "CodexAppServerProtocol"

# Values of enums (top-level, or the unit variants of an external union) that
# the reference documents one by one: its schema gives each documented value
# a single-value string enum of its own and groups the runs of undocumented
# ones (`ReasoningSummary`: `["auto", "concise", "detailed"]`, `["none"]`).
# Checked at import against the enums' wire strings.
DOCUMENTED_ENUM_VALUES: dict[str, frozenset[str]] = {
    "app_server_protocol.v2.AuthMode": frozenset({"apikey", "chatgpt", "chatgptAuthTokens"}),
    "app_server_protocol.v2.InputModality": frozenset({"text", "image"}),
    "app_server_protocol.v2.ChatgptAuthTokensRefreshReason": frozenset({"unauthorized"}),
    "app_server_protocol.v2.FileChangeApprovalDecision": frozenset(
        {"accept", "acceptForSession", "decline", "cancel"}
    ),
    "app_server_protocol.v2.CommandExecutionApprovalDecision.Unit": frozenset(
        {"accept", "acceptForSession", "decline", "cancel"}
    ),
    "app_server_protocol.v2.ReasoningSummary": frozenset({"none"}),
    "app_server_protocol.v2.ExperimentalFeatureStage": frozenset(
        {"beta", "underDevelopment", "stable", "deprecated", "removed"}
    ),
}


def enum_groups(e: _d.EnumDescriptor) -> list[list[str]]:
    """The wire strings of an enum in the reference's schema groups (see above)."""
    documented = DOCUMENTED_ENUM_VALUES.get(e.full_name, frozenset())
    groups: list[list[str]] = []
    for v in ds.enum_values(e):
        if v in documented or not groups or groups[-1][-1] in documented:
            groups.append([v])
        else:
            groups[-1].append(v)
    return groups


def _check_documented_values() -> None:
    pool = descriptor_pool.Default()
    for full, documented in DOCUMENTED_ENUM_VALUES.items():
        unknown = documented - set(ds.enum_values(pool.FindEnumTypeByName(full)))
        if unknown:
            raise RuntimeError(f"{full} has no values {sorted(unknown)}")


_check_documented_values()


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
        if ds.is_map(f):
            return self.element(ds.map_value(f))
        if f.type == _FD.TYPE_ENUM:
            e = ds.enum_type(f)
            if e.containing_type is not None:
                return self.enum(e)
            check_referable(e, f.full_name)
            return self.ref(key_of(e))
        if f.type == _FD.TYPE_MESSAGE:
            m = ds.msg_type(f)
            if m.full_name == ds.VALUE:
                return True
            if m.full_name == ds.STRUCT:
                return {"type": "object", "additionalProperties": True}
            if m.containing_type is not None:
                return self.message(m)
            check_referable(m, f.full_name)
            return self.ref(key_of(m))
        named = string_type(f)
        if named is not None:
            return self.ref(named)
        return self.scalar(f)

    def enum(self, e: _d.EnumDescriptor) -> dict[str, Any]:
        """An enum: one string enum, or a oneOf of its groups (`enum_groups`)."""
        if e.full_name not in DOCUMENTED_ENUM_VALUES:
            return {"type": "string", "enum": ds.enum_values(e)}
        return {"oneOf": [{"type": "string", "enum": g} for g in enum_groups(e)]}

    def field(self, shape: FieldShape) -> Schema:
        """Schema of a member: element, array/map wrapping, null, default."""
        f = shape.field
        elem = self.element(f)
        s: Schema
        if ds.is_map(f):
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
        union = ds.union_of(desc)
        if union is not None:
            if tag is not None:
                raise RuntimeError(f"{desc.full_name}: a union cannot be a tagged variant")
            return self.union(union)
        props: dict[str, Any] = {}
        required: list[str] = []
        if tag is not None:
            props[tag[0]] = {
                "type": "string",
                "enum": [tag[1]],
                "title": f"{variant_title(tag[1], tag[2])}Type",
            }
            required.append(tag[0])
        for shape in ds.object_fields(desc):
            if shape.experimental:
                # The reference's schema leaves experimental members out.
                continue
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
        if ds.extra_field(desc):
            out["additionalProperties"] = True
        return out

    def union(self, union: ds.UnionShape) -> dict[str, Any]:
        if union.kind == ds.UNTAGGED:
            return {"anyOf": [self.element(v.field) for v in union.variants]}
        variants: list[Schema] = []
        if union.kind == ds.TAGGED:
            for v in union.variants:
                body = self.message(ds.msg_type(v.field), (union.tag_field, v.tag, union.name))
                body["title"] = variant_title(v.tag, union.name)
                variants.append(body)
            return {"oneOf": variants}
        # External: unit variants are bare strings, the others {"<tag>": payload}.
        for v in union.variants:
            if v.unit:
                unit = self.enum(ds.enum_type(v.field))
                variants.extend(unit.get("oneOf", [unit]))
                continue
            variants.append(
                {
                    "type": "object",
                    "required": [v.tag],
                    "properties": {v.tag: self.element(v.field)},
                    "additionalProperties": False,
                    "title": variant_title(v.tag, union.name),
                }
            )
        return {"oneOf": variants}

    def named(self, t: ExportedType) -> dict[str, Any]:
        """Schema of an exported proto type (no `$schema`, no `definitions`)."""
        if isinstance(t.desc, _d.EnumDescriptor):
            body: dict[str, Any] = self.enum(t.desc)
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
    for key in STRING_TYPE_KEYS:
        units.append(_Unit(key, lambda c, n=key.name: {"title": n, "type": "string"}))  # type: ignore[misc]
    units.append(_Unit(TypeKey("", MESSAGE_UNION), lambda c: c.message_union()))
    for name, (kind, entries) in union_methods().items():
        units.append(
            _Unit(
                TypeKey("", name),
                lambda c, n=name, k=kind, e=entries: c.method_union(n, k, e),  # type: ignore[misc]
            )
        )
    return units


_Flat = dict[TypeKey, tuple[dict[str, Any], set[TypeKey]]]


def _placement(flat: _Flat) -> dict[TypeKey, str]:
    """The namespace of each type in the bundle and the per-type files.

    The reference's layout: a type sits in its package's namespace, except
    the params and responses of server requests, which sit at the root with
    every v2 type only they refer to (`CommandExecutionApprovalDecision`);
    a named string type sits where the types referring to it sit.
    """
    place = {k: k.namespace for k in flat}
    for e in union_methods()["ServerRequest"][1]:
        for k in (e.params, e.result):
            if k is not None:
                place[k] = ""
    synthetic = {TypeKey("", n) for n in (*UNION_TYPES, MESSAGE_UNION)}
    referrers: dict[TypeKey, set[TypeKey]] = {k: set() for k in flat}
    for k, (_, deps) in flat.items():
        if k not in synthetic:
            for d in deps:
                referrers[d].add(k)
    for k in STRING_TYPE_KEYS:
        place[k] = "v2" if any(place[r] == "v2" for r in referrers[k]) else ""
    moved = True
    while moved:
        moved = False
        for k, refs in referrers.items():
            if place[k] == "v2" and refs and all(place[r] == "" for r in refs):
                place[k] = ""
                moved = True
    return place


def _flat(units: list[_Unit]) -> _Flat:
    """Flat-ref bodies and their direct dependencies, built once per type."""
    flat: _Flat = {}
    for u in units:
        ctx = _Ctx(_flat_ref)
        flat[u.key] = (u.build(ctx), ctx.deps)
    return flat


def schema_path(key: TypeKey) -> str:
    """Where the JSON Schema layout puts a type: `v2/Thread`, or
    `CommandExecutionRequestApprovalParams` (a server request's params sit at
    the root, as in the reference); also its path under `#/definitions/`."""
    place = _placement(_flat(_units()))
    return _path(place[key], key.name)


def _flat_ref(key: TypeKey) -> str:
    return f"#/definitions/{key.name}"


def _path(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def build_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file to write, by path relative to the output folder.

    Keys are `<Type>.json` (root types, method unions, server-request params
    and responses), `v2/<Type>.json` and `codex_app_server_protocol.schemas.json`
    (the bundle).
    """
    units = _units()
    flat = _flat(units)
    place = _placement(flat)
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
        out[f"{_path(place[u.key], u.key.name)}.json"] = doc
    defs_by_ns: dict[str, dict[str, Any]] = {"": {}, "v2": {}}
    for u in units:
        ctx = _Ctx(lambda k: "#/definitions/" + _path(place[k], k.name))
        defs_by_ns[place[u.key]][u.key.name] = u.build(ctx)
    out[BUNDLE_FILE] = {
        "$schema": SCHEMA_URI,
        "title": BUNDLE_TITLE,
        "type": "object",
        "definitions": {
            **dict(sorted(defs_by_ns[""].items())),
            "v2": dict(sorted(defs_by_ns["v2"].items())),
        },
    }
    return out


def _closure(start: TypeKey, flat: _Flat) -> set[TypeKey]:
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
