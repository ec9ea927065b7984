"""Conformance of the generated JSON Schema with the reference (codex 0.104).

Every type we export that the reference also has is compared structurally
with the reference bundle, strictly: each type in the same namespace of the
bundle (root or `v2`), property names, required sets, nullability per
property, `$ref` targets (named string types such as `AbsolutePathBuf`
included), scalar types, enum value sets and their shape (one string enum,
or one single-value enum per value), union tags and variant property sets.
Only what carries no structure is ignored: titles, descriptions, defaults
and the `allOf` wrapper the reference puts around a described `$ref`. The
output itself must be valid draft-07 with every `$ref` resolving.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app_server_protocol import schema_export
from app_server_protocol.schema_export import BUNDLE_FILE, build_schemas, iter_refs

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference" / "codex-0.104" / "json-schema"
REFERENCE_BUNDLE = REFERENCE_DIR / BUNDLE_FILE

needs_reference = pytest.mark.skipif(
    not REFERENCE_BUNDLE.is_file(),
    reason=f"reference schema not available at {REFERENCE_BUNDLE}",
)

# Deliberate or proto-level deviations from the reference, as
# "<namespace/Type>: <difference>" -> reason. A test checks each one still
# occurs, so a fixed deviation must be removed from here.
KNOWN_DIFFERENCES: dict[str, str] = {
    "v2/RawResponseItemCompletedNotification.item: kind any vs reference ref": (
        "the reference's ResponseItem schema does not describe what it sends (a function "
        "output is a string or content list, not FunctionCallOutputPayload): the item is "
        "free-form JSON"),
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    """The generated schema files, by relative path."""
    return build_schemas()


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The reference bundle."""
    return json.loads(REFERENCE_BUNDLE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Structural normalisation


_NOISE = {"description", "title", "default", "$schema", "definitions"}


def _unwrap(s: Any) -> tuple[bool | None, Any]:
    """(nullable, core) of a property schema; nullable None for any-JSON."""
    if s is True or (isinstance(s, dict) and not (set(s) - _NOISE)):
        return None, True
    assert isinstance(s, dict), s
    s = {k: v for k, v in s.items() if k not in _NOISE}
    if set(s) == {"allOf"} and len(s["allOf"]) == 1:
        return _unwrap(s["allOf"][0])
    if set(s) == {"anyOf"}:
        rest = [x for x in s["anyOf"] if x != {"type": "null"}]
        if len(rest) < len(s["anyOf"]) and len(rest) == 1:
            return True, _unwrap(rest[0])[1]
    t = s.get("type")
    if isinstance(t, list) and "null" in t:
        others = [x for x in t if x != "null"]
        return True, {**s, "type": others[0] if len(others) == 1 else others}
    return False, s


def _tag_of(variant: dict[str, Any]) -> tuple[str, str] | None:
    """(tag member, tag) of a tagged-union variant: a required single-value enum."""
    for key in variant.get("required", []):
        p = variant.get("properties", {}).get(key)
        if isinstance(p, dict) and isinstance(p.get("enum"), list) and len(p["enum"]) == 1:
            if len(variant["properties"]) > 1 or len(variant["required"]) == 1:
                if variant.get("additionalProperties") is not False:
                    return key, p["enum"][0]
    return None


def _single_value_enum(v: Any) -> bool:
    return isinstance(v, dict) and v.get("type") == "string" and len(v.get("enum", [])) == 1


def _classify(s: Any) -> tuple[str, Any]:
    """Kind of a type body: enum, object, tagged, external, untagged, ref, scalar, any."""
    nullable, core = _unwrap(s)
    del nullable
    if core is True:
        return "any", None
    if "$ref" in core:
        return "ref", core["$ref"]
    if "enum" in core:
        return "enum", set(core["enum"])
    if "oneOf" in core:
        variants = core["oneOf"]
        tags = [_tag_of(v) for v in variants]
        if all(t is not None for t in tags) and len({t[0] for t in tags if t}) == 1:
            return "tagged", {t[1]: v for t, v in zip(tags, variants, strict=True) if t}
        # Unit variants: each string enum schema is one group (a documented
        # enum has one single-value group per value).
        units: list[frozenset[str]] = []
        objects: dict[str, Any] = {}
        for v in variants:
            if "enum" in v:
                units.append(frozenset(v["enum"]))
            else:
                (key,) = v["properties"]
                objects[key] = v["properties"][key]
        if not objects and all(_single_value_enum(v) for v in variants):
            return "one-of-enum", set().union(*units)
        return "external", (sorted(units, key=sorted), objects)
    if "anyOf" in core:
        return "untagged", len(core["anyOf"])
    if core.get("type") == "object" and "additionalProperties" in core and "properties" not in core:
        return "map", core["additionalProperties"]
    if core.get("type") == "object" or "properties" in core:
        return "object", core
    if core.get("type") == "array":
        return "array", core.get("items")
    return "scalar", core.get("type")


def _diff_object(
    ours: dict[str, Any], theirs: dict[str, Any], where: str, skip: str = ""
) -> list[str]:
    out: list[str] = []
    op = {k: v for k, v in ours.get("properties", {}).items() if k != skip}
    tp = {k: v for k, v in theirs.get("properties", {}).items() if k != skip}
    if set(op) != set(tp):
        out.append(
            f"{where}: properties differ: only ours {sorted(set(op) - set(tp))}, "
            f"only reference {sorted(set(tp) - set(op))}"
        )
    oreq = set(ours.get("required", [])) - {skip}
    treq = set(theirs.get("required", [])) - {skip}
    if oreq != treq:
        out.append(
            f"{where}: required differs: only ours {sorted(oreq - treq)}, "
            f"only reference {sorted(treq - oreq)}"
        )
    for k in sorted(set(op) & set(tp)):
        on, _ = _unwrap(op[k])
        tn, _ = _unwrap(tp[k])
        if on is not None and tn is not None and on != tn:
            out.append(f"{where}.{k}: nullable {on} vs reference {tn}")
        out.extend(_diff_inline(op[k], tp[k], f"{where}.{k}"))
    return out


def _diff_inline(ours: Any, theirs: Any, where: str) -> list[str]:
    """Compare inline bodies (recursing into inline objects, unions and enums)."""
    ok, ov = _classify(ours)
    tk, tv = _classify(theirs)
    if ok != tk:
        return [f"{where}: kind {ok} vs reference {tk}"]
    if ok in ("array", "map"):
        return _diff_inline(ov, tv, f"{where}[]")
    return _diff_body(ok, ov, tv, where)


def _diff_body(kind: str, ov: Any, tv: Any, where: str) -> list[str]:
    if kind in ("enum", "one-of-enum"):
        if ov != tv:
            return [f"{where}: enum only ours {sorted(ov - tv)}, only reference {sorted(tv - ov)}"]
        return []
    if kind in ("ref", "scalar"):
        return [] if ov == tv else [f"{where}: {kind} {ov} vs reference {tv}"]
    if kind == "object":
        return _diff_object(ov, tv, where)
    if kind == "tagged":
        out: list[str] = []
        if set(ov) != set(tv):
            out.append(
                f"{where}: tags only ours {sorted(set(ov) - set(tv))}, "
                f"only reference {sorted(set(tv) - set(ov))}"
            )
        for tag in sorted(set(ov) & set(tv)):
            tag_member = _tag_of(ov[tag])
            assert tag_member is not None
            out.extend(_diff_object(ov[tag], tv[tag], f"{where}<{tag}>", skip=tag_member[0]))
        return out
    if kind == "external":
        (ou, oo), (tu, to) = ov, tv
        out = []
        if ou != tu:
            out.append(f"{where}: unit variants {[sorted(u) for u in ou]} vs reference "
                       f"{[sorted(u) for u in tu]}")
        if set(oo) != set(to):
            out.append(
                f"{where}: variants only ours {sorted(set(oo) - set(to))}, "
                f"only reference {sorted(set(to) - set(oo))}"
            )
        for tag in sorted(set(oo) & set(to)):
            out.extend(_diff_inline(oo[tag], to[tag], f"{where}<{tag}>"))
        return out
    if kind == "untagged":
        return [] if ov == tv else [f"{where}: {ov} untagged members vs reference {tv}"]
    return []


def structural_diff(ours: Any, theirs: Any, where: str) -> list[str]:
    """Every structural difference between two named type bodies."""
    ok, ov = _classify(ours)
    tk, tv = _classify(theirs)
    if ok != tk:
        return [f"{where}: kind {ok} vs reference {tk}"]
    return _diff_body(ok, ov, tv, where)


def _reference_def(reference: dict[str, Any], namespace: str, name: str) -> Any:
    """The reference's definition of `name` in that same namespace of the bundle."""
    defs = reference["definitions"]
    return (defs["v2"] if namespace == "v2" else defs).get(name)


def _all_differences(schemas: dict[str, dict[str, Any]], reference: dict[str, Any]) -> list[str]:
    bundle = schemas[BUNDLE_FILE]["definitions"]
    diffs: list[str] = []
    for ns, defs in (("", {k: v for k, v in bundle.items() if k != "v2"}), ("v2", bundle["v2"])):
        for name, body in defs.items():
            if name in schema_export.UNION_TYPES:
                continue  # method unions: see test_methods.py
            theirs = _reference_def(reference, ns, name)
            if theirs is None:
                continue
            diffs.extend(structural_diff(body, theirs, f"{ns}/{name}" if ns else name))
    return diffs


# --------------------------------------------------------------------------
# Tests


@needs_reference
def test_every_shared_type_matches_the_reference_structurally(
    schemas: dict[str, dict[str, Any]], reference: dict[str, Any]
) -> None:
    """Shared types have the reference's members, required sets, nulls, enums and tags."""
    diffs = _all_differences(schemas, reference)
    unexpected = [d for d in diffs if d not in KNOWN_DIFFERENCES]
    assert not unexpected, "\n".join(unexpected)


@needs_reference
def test_every_shared_type_sits_in_the_reference_namespace(
    schemas: dict[str, dict[str, Any]], reference: dict[str, Any]
) -> None:
    """A type the reference defines only at the root (server-request params and
    responses, and what only they use) or only in v2 is defined there by us too."""
    bundle = schemas[BUNDLE_FILE]["definitions"]
    ref_defs = reference["definitions"]
    misplaced = []
    for ns, ours, theirs, other in (
        ("", {k for k in bundle if k != "v2"}, set(ref_defs) - {"v2"}, set(ref_defs["v2"])),
        ("v2", set(bundle["v2"]), set(ref_defs["v2"]), set(ref_defs) - {"v2"}),
    ):
        misplaced += [f"{ns or 'root'}/{n}" for n in sorted(ours - theirs) if n in other]
    assert not misplaced, misplaced


@needs_reference
def test_known_differences_are_still_current(
    schemas: dict[str, dict[str, Any]], reference: dict[str, Any]
) -> None:
    """Every listed deviation still occurs (a fixed one must leave the list)."""
    diffs = set(_all_differences(schemas, reference))
    stale = [d for d in KNOWN_DIFFERENCES if d not in diffs]
    assert not stale, stale


@needs_reference
def test_most_exported_types_exist_in_the_reference(
    schemas: dict[str, dict[str, Any]], reference: dict[str, Any]
) -> None:
    """The comparison is not vacuous: nearly every exported type is in the reference."""
    bundle = schemas[BUNDLE_FILE]["definitions"]
    names = [("v2", n) for n in bundle["v2"]] + [("", n) for n in bundle if n != "v2"]
    found = [n for ns, n in names if _reference_def(reference, ns, n) is not None]
    assert len(found) >= 0.9 * len(names), sorted(
        n for ns, n in names if _reference_def(reference, ns, n) is None
    )


def test_structural_diff_detects_changes() -> None:
    """The comparison reports a renamed member, a lost null, a missing tag and enum value."""
    obj = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "string"}, "b": {"type": ["string", "null"]}},
    }
    assert structural_diff(obj, obj, "T") == []
    renamed = {**obj, "properties": {"a": {"type": "string"}, "c": {"type": ["string", "null"]}}}
    assert structural_diff(renamed, obj, "T")
    not_null = {**obj, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert structural_diff(not_null, obj, "T") == ["T.b: nullable False vs reference True"]
    assert structural_diff({"type": "object", "properties": obj["properties"]}, obj, "T")
    e1 = {"type": "string", "enum": ["x", "y"]}
    assert structural_diff(e1, {"type": "string", "enum": ["x"]}, "E")

    def variant(tag: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": [tag]}},
        }

    u = {"oneOf": [variant("a"), variant("b")]}
    assert structural_diff(u, u, "U") == []
    assert structural_diff({"oneOf": [variant("a")]}, u, "U")


def test_output_is_valid_draft07(schemas: dict[str, dict[str, Any]]) -> None:
    """The bundle and every per-type file are valid draft-07 schemas."""
    for rel, doc in schemas.items():
        assert doc["$schema"] == "http://json-schema.org/draft-07/schema#", rel
        jsonschema.Draft7Validator.check_schema(doc)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_every_ref_resolves(schemas: dict[str, dict[str, Any]]) -> None:
    """Each `$ref` of each file points at a definition of that same file."""
    for rel, doc in schemas.items():
        for ref in iter_refs(doc):
            try:
                target = _resolve(doc, ref)
            except KeyError:
                pytest.fail(f"{rel}: unresolved {ref}")
            assert isinstance(target, dict | bool), (rel, ref)


def test_layout(schemas: dict[str, dict[str, Any]]) -> None:
    """Root types at the top, v2 types under v2/, unions and envelope at the root."""
    for name in (
        "RequestId",
        "JSONRPCRequest",
        "JSONRPCNotification",
        "JSONRPCResponse",
        "JSONRPCError",
        "JSONRPCErrorError",
        "JSONRPCMessage",
        "ClientRequest",
        "ServerRequest",
        "ServerNotification",
        "ClientNotification",
        "InitializeParams",
    ):
        assert schemas[f"{name}.json"]["title"] == name
    assert schemas["v2/ThreadStartParams.json"]["title"] == "ThreadStartParams"
    bundle = schemas[BUNDLE_FILE]
    assert "ThreadStartParams" in bundle["definitions"]["v2"]
    assert "ThreadStartParams" not in bundle["definitions"]
    assert "RequestId" in bundle["definitions"]
    refs = set(iter_refs(bundle))
    assert "#/definitions/v2/Thread" in refs
    assert "#/definitions/RequestId" in refs
    # Plumbing and option types stay out.
    for hidden in ("GatewayFrame", "CoreFrame", "Delivery", "UnionKind", "ServerRequestParams"):
        assert hidden not in bundle["definitions"]["v2"]
    assert "ServerNotification" not in bundle["definitions"]["v2"]


def test_field_conventions(schemas: dict[str, dict[str, Any]]) -> None:
    """Optional → type|null, omit_unset → not required, defaults, nullable lists, formats."""
    v2 = schemas[BUNDLE_FILE]["definitions"]["v2"]
    start = v2["ThreadStartParams"]["properties"]
    assert start["model"] == {"type": ["string", "null"]}
    assert start["approvalPolicy"] == {
        "anyOf": [{"$ref": "#/definitions/v2/AskForApproval"}, {"type": "null"}]
    }
    assert "required" not in v2["ThreadStartParams"]
    lst = v2["ThreadListParams"]["properties"]
    assert lst["limit"] == {"type": ["integer", "null"], "format": "uint32", "minimum": 0}
    assert lst["modelProviders"] == {"type": ["array", "null"], "items": {"type": "string"}}
    model = v2["Model"]
    assert model["properties"]["supportsPersonality"] == {"default": False, "type": "boolean"}
    assert "supportsPersonality" not in model["required"]
    assert "isDefault" in model["required"]
    name_updated = v2["ThreadNameUpdatedNotification"]
    assert name_updated["required"] == ["threadId"]
    config = v2["Config"]
    assert config["additionalProperties"] is True
    assert "extra" not in config["properties"]
    assert config["properties"]["review_model"] == {"type": ["string", "null"]}


def test_unions(schemas: dict[str, dict[str, Any]]) -> None:
    """Tagged unions carry the tag member; external unions mix strings and objects."""
    v2 = schemas[BUNDLE_FILE]["definitions"]["v2"]
    first = v2["ThreadItem"]["oneOf"][0]
    assert first["properties"]["type"] == {
        "type": "string",
        "enum": ["userMessage"],
        "title": "UserMessageThreadItemType",
    }
    assert set(first["required"]) == {"type", "id", "content"}
    source = v2["SessionSource"]["oneOf"]
    assert source[0] == {
        "type": "string",
        "enum": ["cli", "vscode", "exec", "appServer", "unknown"],
    }
    assert source[1]["required"] == ["subAgent"]
    assert source[1]["additionalProperties"] is False
    request_id = schemas[BUNDLE_FILE]["definitions"]["RequestId"]
    assert request_id["anyOf"] == [{"type": "string"}, {"type": "integer", "format": "int64"}]


def test_instances_validate(schemas: dict[str, dict[str, Any]]) -> None:
    """Real messages validate against the union files; malformed ones do not."""
    client = jsonschema.Draft7Validator(schemas["ClientRequest.json"])
    ok = {"id": 1, "method": "thread/start", "params": {"model": None, "cwd": "/tmp"}}
    assert client.is_valid(ok)
    assert client.is_valid({"id": "a", "method": "account/logout"})
    assert client.is_valid({"id": "a", "method": "account/logout", "params": None})
    assert not client.is_valid({"id": "a", "method": "thread/archive", "params": None})
    assert not client.is_valid({"id": 1, "method": "thread/start", "params": {"model": 3}})
    assert not client.is_valid({"id": 1, "method": "no/such"})
    turn = {
        "id": 2,
        "method": "turn/start",
        "params": {
            "threadId": "t",
            "input": [{"type": "text", "text": "hi", "text_elements": []}],
            "outputSchema": None,
        },
    }
    assert client.is_valid(turn)
    bad_turn = json.loads(json.dumps(turn))
    bad_turn["params"]["input"][0]["type"] = "nope"
    assert not client.is_valid(bad_turn)
    message = jsonschema.Draft7Validator(schemas["JSONRPCMessage.json"])
    assert message.is_valid({"id": 1, "result": {}})
    assert message.is_valid({"id": 1, "error": {"code": -32600, "message": "x"}})
    assert not message.is_valid({"id": 1.5, "error": {"code": -32600, "message": "x"}})


def test_write_json_schema(tmp_path: Path) -> None:
    """write_json_schema writes the files build_schemas describes, as JSON."""
    written = schema_export.write_json_schema(tmp_path / "out")
    rels = {p.relative_to(tmp_path / "out").as_posix() for p in written}
    assert rels == set(build_schemas())
    doc = json.loads((tmp_path / "out" / "v2" / "Thread.json").read_text(encoding="utf-8"))
    assert doc["title"] == "Thread"
    assert "Turn" in doc["definitions"]


def test_cli_generate_json_schema(tmp_path: Path) -> None:
    """`generate-json-schema --out DIR` (cli_generate) writes the schema tree and exits 0."""
    import argparse

    from app_server.cli_generate import add_generate_commands

    parser = argparse.ArgumentParser(prog="app-server")
    add_generate_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["generate-json-schema", "--out", str(tmp_path / "schema")])
    assert args.func(args) == 0
    assert (tmp_path / "schema" / BUNDLE_FILE).is_file()
    assert (tmp_path / "schema" / "v2" / "ThreadStartParams.json").is_file()
    assert (tmp_path / "schema" / "ClientRequest.json").is_file()
