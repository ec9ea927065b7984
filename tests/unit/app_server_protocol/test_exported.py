"""Which proto types make up the JSON API, under which names (`exported`).

The named types, the method unions built from the method tables, the titles
of union variants and the named string types, checked against the method
tables and, when it is present, against the reference bundle (codex 0.104).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from google.protobuf import descriptor as _d
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from app_server_protocol import descriptors as ds
from app_server_protocol import exported, methods
from app_server_protocol.exported import (
    ENVELOPE_TYPES,
    MESSAGE_UNION,
    NOT_EXPORTED,
    STRING_TYPE_KEYS,
    STRING_TYPES,
    UNION_TYPES,
    TypeKey,
    check_referable,
    exported_types,
    key_of,
    string_type,
    union_methods,
    variant_title,
)
from app_server_protocol.v2 import config_pb2, service_pb2, thread_pb2

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference" / "codex-0.104" / "json-schema"
REFERENCE_BUNDLE = REFERENCE_DIR / "codex_app_server_protocol.schemas.json"

needs_reference = pytest.mark.skipif(
    not REFERENCE_BUNDLE.is_file(),
    reason=f"reference schema not available at {REFERENCE_BUNDLE}",
)

TABLES: dict[str, dict[str, methods.Method]] = {
    "ClientRequest": methods.CLIENT_REQUESTS,
    "ServerRequest": methods.SERVER_REQUESTS,
    "ServerNotification": methods.SERVER_NOTIFICATIONS,
}


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The reference bundle's `definitions` (root types, and `v2`)."""
    defs: dict[str, Any] = json.loads(REFERENCE_BUNDLE.read_text(encoding="utf-8"))["definitions"]
    return defs


def _descriptor(cls: type[Message]) -> _d.Descriptor:
    """The descriptor of a generated message class, as the exporter's type.

    The stubs also allow the upb class, which is the same object at run time.
    """
    return cast(_d.Descriptor, cls.DESCRIPTOR)


def _field(cls: type[Message], name: str) -> _d.FieldDescriptor:
    """A field of a generated message class, by proto name."""
    return _descriptor(cls).fields_by_name[name]


def _reference_type(reference: dict[str, Any], name: str) -> Any:
    """The reference's definition of `name`, in whichever namespace holds it."""
    return reference.get(name, reference["v2"].get(name))


def _reference_variants(union: str) -> dict[str, dict[str, Any]]:
    """The reference's method union file, method name -> variant."""
    doc = json.loads((REFERENCE_DIR / f"{union}.json").read_text(encoding="utf-8"))
    return {v["properties"]["method"]["enum"][0]: v for v in doc["oneOf"]}


def _protocol_types() -> list[_d.Descriptor | _d.EnumDescriptor]:
    """Every top-level message and enum of the protocol modules."""
    out: list[_d.Descriptor | _d.EnumDescriptor] = []
    for module in methods.PROTOCOL_MODULES:
        out += [*module.DESCRIPTOR.message_types_by_name.values()]
        out += [*module.DESCRIPTOR.enum_types_by_name.values()]
    return out


def _reachable(desc: _d.Descriptor, seen: set[str]) -> None:
    """Collect the full names of the top-level types `desc` uses (itself included)."""
    if desc.full_name in seen:
        return
    if desc.containing_type is None:
        seen.add(desc.full_name)
    for f in desc.fields:
        if f.enum_type is not None and f.enum_type.containing_type is None:
            seen.add(f.enum_type.full_name)
        elif f.message_type is not None:
            _reachable(f.message_type, seen)
    for nested in desc.nested_types:
        _reachable(nested, seen)


# --------------------------------------------------------------------------
# The named types


def test_exported_types_are_the_protocols_top_level_types() -> None:
    """Every top-level type of the two protocol packages is exported, except the
    gRPC plumbing and the option types, each under its package's namespace."""
    types = exported_types()
    by_name = {t.desc.full_name: t for t in types}
    for desc in _protocol_types():
        plumbing = desc.name in NOT_EXPORTED or desc.file.name == exported.OPTIONS_FILE
        assert (desc.full_name in by_name) is not plumbing, desc.full_name
    for t in types:
        assert t.key == key_of(t.desc)
        assert t.key.namespace == {"app_server_protocol": "", "app_server_protocol.v2": "v2"}[
            t.desc.file.package
        ]
        assert t.desc.containing_type is None


def test_exported_types_are_ordered_root_first_then_by_name() -> None:
    """Root types come first, then v2 types, each group sorted by name; no name repeats."""
    keys = [t.key for t in exported_types()]
    assert keys == sorted(keys, key=lambda k: (k.namespace != "", k.name))
    assert keys[0].namespace == "" and keys[-1].namespace == "v2"
    assert len({k.name for k in keys}) == len(keys)


def test_not_exported_names_existing_plumbing() -> None:
    """Each name kept out of the export is a type of the protocol modules (no stale entry)."""
    names = {d.name for d in _protocol_types()}
    assert sorted(NOT_EXPORTED - names) == []
    assert "GatewayFrame" in NOT_EXPORTED and "Thread" not in NOT_EXPORTED


def test_type_key_path() -> None:
    """A root type's path is its name; a v2 type's path is `v2/<name>`."""
    assert key_of(_descriptor(thread_pb2.Thread)) == TypeKey("v2", "Thread")
    assert TypeKey("v2", "Thread").path == "v2/Thread"
    assert TypeKey("", "RequestId").path == "RequestId"


def test_envelope_types_are_exported_root_types() -> None:
    """The JSON-RPC envelope types and `RequestId` are exported at the root."""
    root = {t.key.name for t in exported_types() if t.key.namespace == ""}
    assert set(ENVELOPE_TYPES) | {"RequestId", "InitializeParams"} <= root
    names = {t.key.name for t in exported_types()}
    assert not names & {*UNION_TYPES, MESSAGE_UNION}, "method unions are synthetic"


def test_check_referable() -> None:
    """Referring to an exported type, a nested type or any-JSON is fine; referring to
    a top-level type that is not exported (gRPC plumbing) fails, naming both ends."""
    check_referable(_descriptor(thread_pb2.Thread), "here")
    check_referable(_descriptor(struct_pb2.Value), "here")
    check_referable(_descriptor(struct_pb2.Struct), "here")
    nested = _descriptor(thread_pb2.ThreadItem).nested_types[0]
    check_referable(nested, "here")
    with pytest.raises(RuntimeError, match=r"x\.y refers to app_server_protocol\.v2\.GatewayFrame"):
        check_referable(_descriptor(service_pb2.GatewayFrame), "x.y")


# --------------------------------------------------------------------------
# The method unions


def test_union_methods_follow_the_method_tables() -> None:
    """Each union lists its table's methods in table order with their params and
    result types; params are optional exactly when the params message is empty."""
    unions = union_methods()
    assert list(unions) == list(UNION_TYPES)
    for union, table in TABLES.items():
        kind, entries = unions[union]
        assert kind == ("notification" if union == "ServerNotification" else "request")
        assert [e.name for e in entries] == list(table), union
        for e in entries:
            m = table[e.name]
            assert e.params == key_of(m.params.DESCRIPTOR), e.name
            assert e.params_optional == (not m.params.DESCRIPTOR.fields), e.name
            want = None if m.result is None else key_of(m.result.DESCRIPTOR)
            assert e.result == want, e.name
    exported_keys = {t.key for t in exported_types()}
    for _, entries in unions.values():
        for e in entries:
            assert e.params is None or e.params in exported_keys, e.name
            assert e.result is None or e.result in exported_keys, e.name


def test_client_notifications_carry_no_params() -> None:
    """`ClientNotification` lists `initialized` with neither params nor result."""
    kind, entries = union_methods()["ClientNotification"]
    assert kind == "notification"
    assert [(e.name, e.params, e.params_optional, e.result) for e in entries] == [
        ("initialized", None, True, None)
    ]


def test_logout_takes_no_params() -> None:
    """`account/logout` (no params in the reference) is an optional-params request."""
    (entry,) = [e for e in union_methods()["ClientRequest"][1] if e.name == "account/logout"]
    assert entry.params_optional
    (start,) = [e for e in union_methods()["ClientRequest"][1] if e.name == "thread/start"]
    assert not start.params_optional and start.params == TypeKey("v2", "ThreadStartParams")


@needs_reference
@pytest.mark.parametrize("union", [*TABLES, "ClientNotification"])
def test_method_unions_agree_with_the_reference(union: str) -> None:
    """For every method the reference also has: the same params type name, and
    params optional exactly where the reference does not require them."""
    ref = _reference_variants(union)
    shared = [e for e in union_methods()[union][1] if e.name in ref]
    assert shared, union
    for e in shared:
        variant = ref[e.name]
        assert e.params_optional == ("params" not in variant["required"]), e.name
        if e.params is not None and not e.params_optional:
            assert variant["properties"]["params"]["$ref"].rpartition("/")[2] == e.params.name


@needs_reference
def test_result_types_are_the_references(reference: dict[str, Any]) -> None:
    """Each request's result type is a type of the reference, by name."""
    for union in ("ClientRequest", "ServerRequest"):
        ref = _reference_variants(union)
        for e in union_methods()[union][1]:
            assert e.result is not None
            if e.name in ref:
                assert _reference_type(reference, e.result.name) is not None, e.name


@needs_reference
def test_types_absent_from_the_reference_serve_our_own_methods(reference: dict[str, Any]) -> None:
    """An exported type the reference lacks is used only by a method the reference
    lacks, or is the (empty) params type of a method the reference calls without
    params."""
    allowed: set[str] = set()
    for union, (_, entries) in union_methods().items():
        if union == "ClientNotification":
            continue
        table = TABLES[union]
        ref = _reference_variants(union)
        for e in entries:
            m = table[e.name]
            if e.name not in ref:
                for cls in (m.params, m.result):
                    if cls is not None:
                        _reachable(cls.DESCRIPTOR, allowed)
            elif e.params_optional:
                allowed.add(m.params.DESCRIPTOR.full_name)
    absent = [
        t.desc.full_name
        for t in exported_types()
        if _reference_type(reference, t.key.name) is None
    ]
    assert absent, "the comparison is not vacuous: thread/unsubscribe is ours only"
    assert sorted(set(absent) - allowed) == []


@needs_reference
def test_envelope_order_is_the_references(reference: dict[str, Any]) -> None:
    """`ENVELOPE_TYPES` is the order of the reference's `JSONRPCMessage` union."""
    refs = [v["$ref"].rpartition("/")[2] for v in reference[MESSAGE_UNION]["anyOf"]]
    assert tuple(refs) == ENVELOPE_TYPES


# --------------------------------------------------------------------------
# Variant titles


@pytest.mark.parametrize(
    ("tag", "union", "title"),
    [
        ("open_page", "WebSearchAction", "OpenPageWebSearchAction"),
        ("find_in_page", "WebSearchAction", "FindInPageWebSearchAction"),
        ("userMessage", "ThreadItem", "UserMessageThreadItem"),
        ("subAgent", "SessionSource", "SubagentSessionSource"),
        ("mcpToolCall", "ThreadItem", "McpToolCallThreadItem"),
    ],
)
def test_variant_title(tag: str, union: str, title: str) -> None:
    """A variant's title is its tag in PascalCase (snake_case split on `_`, camelCase
    kept) followed by the union's name, unless the reference titles it otherwise."""
    assert variant_title(tag, union) == title


def _object_unions() -> dict[str, ds.UnionShape]:
    """Shape of every exported tagged or external union, by name."""
    out: dict[str, ds.UnionShape] = {}
    for t in exported_types():
        if isinstance(t.desc, _d.Descriptor):
            u = ds.union_of(t.desc)
            if u is not None and u.kind in (ds.TAGGED, ds.EXTERNAL):
                out[t.key.name] = u
    return out


OBJECT_UNIONS = _object_unions()
# The reference titles this variant after its Rust name (`Subagent`), not its
# wire tag (`subAgent`), so a title derived from the tag differs.


def test_object_unions_are_found() -> None:
    """The union walk of the title test sees both tagged and external unions."""
    kinds = {u.kind for u in OBJECT_UNIONS.values()}
    assert kinds == {ds.TAGGED, ds.EXTERNAL}
    assert {"ThreadItem", "SessionSource", "WebSearchAction"} <= set(OBJECT_UNIONS)


@needs_reference
@pytest.mark.parametrize(
    "name",
    [
        n for n in sorted(OBJECT_UNIONS)
    ],
)
def test_variant_titles_are_the_references(name: str, reference: dict[str, Any]) -> None:
    """Every object variant of a union the reference also has carries the title the
    reference gives it (its unit variants, bare strings, carry none). The
    reference qualifies some titles with the Rust module (`ApiKeyv2::LoginAccountParams`),
    which no identifier can hold: the `v2::` is not compared."""
    theirs = _reference_type(reference, name)
    if theirs is None:
        pytest.skip(f"{name} is not a type of the reference")
    ref_titles = {
        v["title"].replace("v2::", "") for v in theirs["oneOf"] if "title" in v and "enum" not in v
    }
    ours = {variant_title(v.tag, name) for v in OBJECT_UNIONS[name].variants if not v.unit}
    assert ours == ref_titles


# --------------------------------------------------------------------------
# Named string types


def test_string_type_names_the_listed_fields_only() -> None:
    """A listed string field has its root named type; any other field has none."""
    write = _field(config_pb2.ConfigWriteResponse, "file_path")
    assert string_type(write) == TypeKey("", "AbsolutePathBuf")
    cwd = _field(thread_pb2.ThreadStartParams, "cwd")
    assert string_type(cwd) is None
    assert STRING_TYPE_KEYS == (TypeKey("", "AbsolutePathBuf"), TypeKey("", "ThreadId"))
    assert {k.name for k in STRING_TYPE_KEYS} == set(STRING_TYPES.values())


def test_string_types_name_string_fields() -> None:
    """Each listed field exists in the protocol and is a string field."""
    pool = methods.SERVICE_FILE.pool
    for full in STRING_TYPES:
        assert pool.FindFieldByName(full).type == _d.FieldDescriptor.TYPE_STRING, full


@needs_reference
def test_named_string_types_are_reference_strings(reference: dict[str, Any]) -> None:
    """The reference defines each named string type as a plain string."""
    for key in STRING_TYPE_KEYS:
        assert _reference_type(reference, key.name)["type"] == "string", key.name
