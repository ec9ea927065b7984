"""TypeScript export of the protocol, generated from the proto descriptors.

`app-server generate-ts --out DIR` writes:

- `DIR/<Type>.ts` for each root type (the JSON-RPC envelope, `initialize`)
  and the method unions `ClientRequest`, `ServerRequest`,
  `ServerNotification`, `ClientNotification` (plus `JSONRPCMessage`);
- `DIR/v2/<Type>.ts` for each type of package `app_server_protocol.v2`;
- `DIR/serde_json/JsonValue.ts` (free-form JSON);
- `DIR/index.ts` (root types and `export * as v2 from "./v2"`) and
  `DIR/v2/index.ts`.

Each file holds one `export type X = ...;` with `import type` lines for what
it references. The wire shapes are those of `descriptors` (the walk the codec
and the other exporters share): optional members are `field: T | null`; only
`(omit_unset)` members are `field?: T`; never `field?: T | null`. Members
keep the proto declaration order. The named string types (`AbsolutePathBuf`,
`ThreadId`) are root files, referenced where the reference references them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import descriptor as _d

from app_server_protocol import descriptors as ds
from app_server_protocol.descriptors import FieldShape
from app_server_protocol.exported import (
    ENVELOPE_TYPES,
    MESSAGE_UNION,
    STRING_TYPE_KEYS,
    ExportedType,
    MethodEntry,
    TypeKey,
    check_referable,
    exported_types,
    key_of,
    string_type,
    union_methods,
)

_FD = _d.FieldDescriptor

HEADER = "// GENERATED CODE! DO NOT MODIFY BY HAND!\n"
JSON_VALUE = TypeKey("serde_json", "JsonValue")
JSON_VALUE_DEF = (
    "export type JsonValue = number | string | boolean | Array<JsonValue> "
    "| { [key in string]?: JsonValue } | null;"
)
JSON_OBJECT = "{ [key in string]?: JsonValue }"

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# Scalar field types TypeScript writes as `number`.
_NUMBERS = ds.INTEGER_TYPES | {_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT}


def _lit(s: str) -> str:
    """A TypeScript string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _member(name: str) -> str:
    """A property name, quoted unless it is an identifier."""
    return name if _IDENT.match(name) else _lit(name)


@dataclass
class _Ctx:
    """Renders type expressions for one file, recording what it imports."""

    imports: set[TypeKey] = field(default_factory=set)

    def ref(self, key: TypeKey) -> str:
        self.imports.add(key)
        return key.name

    def element(self, f: _d.FieldDescriptor) -> str:
        """Type of one value of `f` (an element when repeated)."""
        if ds.is_map(f):
            return self.element(ds.map_value(f))
        t = f.type
        if t == _FD.TYPE_ENUM:
            e = ds.enum_type(f)
            if e.containing_type is not None:
                return " | ".join(_lit(v) for v in ds.enum_values(e))
            check_referable(e, f.full_name)
            return self.ref(key_of(e))
        if t == _FD.TYPE_MESSAGE:
            m = ds.msg_type(f)
            if m.full_name == "google.protobuf.Value":
                return self.ref(JSON_VALUE)
            if m.full_name == "google.protobuf.Struct":
                self.ref(JSON_VALUE)
                return JSON_OBJECT
            if m.containing_type is not None:
                return self.message(m)
            check_referable(m, f.full_name)
            return self.ref(key_of(m))
        named = string_type(f)
        if named is not None:
            return self.ref(named)
        if t in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
            return "string"
        if t == _FD.TYPE_BOOL:
            return "boolean"
        if t in _NUMBERS:
            # The codec writes every integer as a JSON number.
            return "number"
        raise RuntimeError(f"unsupported field type {t} of {f.full_name}")

    def field(self, shape: FieldShape) -> str:
        """`name: T`, `name: T | null` or `name?: T`."""
        f = shape.field
        elem = self.element(f)
        if ds.is_map(f):
            ty = f"{{ [key in string]?: {elem} }}"
        elif f.is_repeated:
            ty = f"Array<{elem}>"
        else:
            ty = elem
        if shape.nullable and ty != JSON_VALUE.name:
            ty = f"{ty} | null"
        return f"{_member(shape.key)}{'?' if shape.omit_unset else ''}: {ty}"

    def message(self, desc: _d.Descriptor, tag: tuple[str, str] | None = None) -> str:
        """Inline type of a message body; `tag` = (tag member, tag) of a variant."""
        union = ds.union_of(desc)
        if union is not None:
            if tag is not None:
                raise RuntimeError(f"{desc.full_name}: a union cannot be a tagged variant")
            return self.union(union)
        # Experimental members are left out, as in the reference's TypeScript.
        members = [self.field(s) for s in ds.object_fields(desc) if not s.experimental]
        if tag is not None:
            members.insert(0, f"{_lit(tag[0])}: {_lit(tag[1])}")
        extra = bool(ds.extra_field(desc))
        if extra:
            self.ref(JSON_VALUE)
        if not members:
            return JSON_OBJECT if extra else "Record<string, never>"
        body = "{ " + ", ".join(members) + ", }"
        if extra:
            # The flattened Struct: any further member holds free-form JSON.
            return f"{body} & ({JSON_OBJECT})"
        return body

    def union(self, union: ds.UnionShape) -> str:
        parts: list[str] = []
        for v in union.variants:
            f = v.field
            if union.kind == ds.TAGGED:
                parts.append(self.message(ds.msg_type(f), (union.tag_field, v.tag)))
            elif v.unit:
                parts.extend(_lit(x) for x in ds.enum_values(ds.enum_type(f)))
            elif union.kind == ds.EXTERNAL:
                parts.append(f"{{ {_lit(v.tag)}: {self.element(f)} }}")
            else:
                parts.append(self.element(f))
        return " | ".join(_paren(p) for p in parts)

    def named(self, t: ExportedType) -> str:
        if isinstance(t.desc, _d.EnumDescriptor):
            return " | ".join(_lit(v) for v in ds.enum_values(t.desc))
        return self.message(t.desc)

    def method_union(self, kind: str, entries: list[MethodEntry]) -> str:
        parts: list[str] = []
        for e in entries:
            members = [f'"method": {_lit(e.name)}']
            if kind == "request":
                members.append(f"id: {self.ref(TypeKey('', 'RequestId'))}")
            if e.params is not None:
                # Methods without params in the reference (empty params
                # message) may leave `params` out.
                q = "?" if e.params_optional else ""
                members.append(f"params{q}: {self.ref(e.params)}")
            parts.append("{ " + ", ".join(members) + ", }")
        return " | ".join(parts) if parts else "never"


def _paren(expr: str) -> str:
    """Parenthesize an intersection inside a union for readability."""
    return f"({expr})" if " & " in expr and not expr.startswith("(") else expr


def _import_path(src: TypeKey, dst: TypeKey) -> str:
    """Relative module path from the file of `src` to the file of `dst`."""
    if src.namespace == dst.namespace:
        return f"./{dst.name}"
    up = "../" if src.namespace else "./"
    sub = f"{dst.namespace}/" if dst.namespace else ""
    return f"{up}{sub}{dst.name}"


def _render(key: TypeKey, expr: str, imports: set[TypeKey]) -> str:
    lines = [HEADER, "\n"]
    deps = sorted(imports - {key}, key=lambda k: _import_path(key, k))
    for d in deps:
        lines.append(f'import type {{ {d.name} }} from "{_import_path(key, d)}";\n')
    if deps:
        lines.append("\n")
    lines.append(f"export type {key.name} = {expr};\n")
    return "".join(lines)


def build_typescript() -> dict[str, str]:
    """Every TypeScript file to write, by path relative to the output folder."""
    files: dict[str, str] = {}
    keys: list[TypeKey] = []
    for t in exported_types():
        ctx = _Ctx()
        expr = ctx.named(t)
        files[f"{t.key.path}.ts"] = _render(t.key, expr, ctx.imports)
        keys.append(t.key)
    ctx = _Ctx()
    envelope = " | ".join(ctx.ref(TypeKey("", n)) for n in ENVELOPE_TYPES)
    msg_key = TypeKey("", MESSAGE_UNION)
    files[f"{MESSAGE_UNION}.ts"] = _render(msg_key, envelope, ctx.imports)
    keys.append(msg_key)
    for name, (kind, entries) in union_methods().items():
        ctx = _Ctx()
        key = TypeKey("", name)
        files[f"{name}.ts"] = _render(key, ctx.method_union(kind, entries), ctx.imports)
        keys.append(key)
    files[f"{JSON_VALUE.path}.ts"] = HEADER + "\n" + JSON_VALUE_DEF + "\n"
    for key in STRING_TYPE_KEYS:
        files[f"{key.path}.ts"] = _render(key, "string", set())
        keys.append(key)
    for ns in ("", "v2"):
        names = sorted(k.name for k in keys if k.namespace == ns)
        lines = [HEADER, "\n"]
        lines += [f'export type {{ {n} }} from "./{n}";\n' for n in names]
        if ns == "":
            lines.append(f'export type {{ JsonValue }} from "./{JSON_VALUE.path}";\n')
            lines.append('export * as v2 from "./v2";\n')
        files[f"{ns}/index.ts" if ns else "index.ts"] = "".join(lines)
    return files


def write_typescript(out_dir: str | Path) -> list[Path]:
    """Write every TypeScript file under `out_dir` (created if needed); returns the paths."""
    root = Path(out_dir)
    written: list[Path] = []
    for rel, text in build_typescript().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
