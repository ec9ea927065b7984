"""Exhaustive round trips and reference conformance of the JSON codec.

Representative payloads of every protocol message type are generated from
the descriptors, so coverage is complete by construction: one payload per
union variant (tagged, external, untagged) and per enum value, nullable
fields both null and set, `omit_unset` fields both absent and set, maps
with two entries, empty lists, free-form JSON with nesting, extra keys for
`additional_properties` messages. Every payload must survive
JSON -> proto -> JSON unchanged, and the JSON our encoder writes must be
valid against the reference JSON Schema (codex 0.104) of that type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from google.protobuf import descriptor as _d

from app_server_protocol import codec, methods
from app_server_protocol import descriptors as ds
from app_server_protocol.v2 import options_pb2

_FD = _d.FieldDescriptor

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_BUNDLE = (
    REPO_ROOT.parent
    / "shared"
    / "reference"
    / "codex-0.104"
    / "json-schema"
    / "codex_app_server_protocol.schemas.json"
)

# Our additions beyond 0.104: no reference schema to validate against.
NOT_IN_REFERENCE = {
    "ThreadUnsubscribeParams": "thread/unsubscribe is beyond 0.104",
    "ThreadUnsubscribeResponse": "thread/unsubscribe is beyond 0.104",
    "ThreadClosedNotification": "thread/closed is beyond 0.104",
    "ServerRequestResolvedNotification": "serverRequest/resolved is beyond 0.104",
    "LogoutAccountParams": "account/logout takes no params in 0.104",
    "GetAccountRateLimitsParams": "account/rateLimits/read takes no params in 0.104",
    "ConfigRequirementsReadParams": "configRequirements/read takes no params in 0.104",
    "McpServerRefreshParams": "config/mcpServer/reload takes no params in 0.104",
    **{f"FuzzyFileSearchSession{m}{k}": f"fuzzyFileSearch/session{m} is experimental in 0.104"
       for m in ("Start", "Update", "Stop") for k in ("Params", "Response")},
}

ABSENT = object()  # marks a member left out of the payload


def _protocol_messages() -> list[_d.Descriptor]:
    """Every top-level message of the protocol (service.proto is gRPC plumbing)."""
    out = []
    for module in methods.PROTOCOL_MODULES:
        if module is methods.service_pb2:
            continue
        out.extend(module.DESCRIPTOR.message_types_by_name.values())
    return out


MESSAGES = _protocol_messages()


def _opt(desc: Any, ext: Any) -> Any:
    return desc.GetOptions().Extensions[ext]


def _union(desc: _d.Descriptor) -> _d.OneofDescriptor | None:
    u = ds.union_of(desc)
    return None if u is None else u.oneof


# --------------------------------------------------------------------------
# Payload generator: first sample is the "base", the others vary one thing.

_INT_SAMPLES = {
    _FD.TYPE_INT32: [7, -(2**31), 2**31 - 1],
    _FD.TYPE_INT64: [1_760_000_000, -1, 2**63 - 1],
    _FD.TYPE_UINT32: [7, 0, 2**32 - 1],
    _FD.TYPE_UINT64: [42, 0, 2**64 - 1],
}
VALUE_SAMPLES: list[Any] = [
    {"nested": [1, "two", None, True, {"x": 1.5, "deep": {"y": []}}], "empty": {}},
    None,
    "text",
    -3,
    2.5,
    False,
    [],
    {},
    [{"a": [1, [2, [3]]]}],
]
STRUCT_SAMPLES: list[Any] = [{"a": 1, "b": {"c": [True, None, "x"]}}, {}]


def _scalar_samples(f: _d.FieldDescriptor) -> list[Any]:
    t = f.type
    if t == _FD.TYPE_STRING:
        return [f"{f.json_name}-é\u2028✓"]
    if t == _FD.TYPE_BOOL:
        return [True, False]
    if t in _INT_SAMPLES:
        return list(_INT_SAMPLES[t])
    if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        return [1.5, 0.25]
    if t == _FD.TYPE_ENUM:
        assert f.enum_type is not None
        return list(ds.enum_wire(f.enum_type).values())
    raise AssertionError(f"no samples for {f.full_name}")


def _element_samples(f: _d.FieldDescriptor) -> list[Any]:
    """Samples of one value of `f` (an element, for a repeated field)."""
    mt = f.message_type
    if mt is None:
        return _scalar_samples(f)
    if mt.full_name == "google.protobuf.Value":
        return VALUE_SAMPLES
    if mt.full_name == "google.protobuf.Struct":
        return STRUCT_SAMPLES
    return payloads(mt)


def _field_samples(f: _d.FieldDescriptor) -> list[Any]:
    """Samples of the whole member of field `f`; the first is the base."""
    if ds.is_map(f):
        assert f.message_type is not None
        values = _element_samples(f.message_type.fields_by_name["value"])
        samples: list[Any] = [{"first": values[0], "second": values[-1]}]
        samples += [{"only": v} for v in values[1:]]
        samples.append(None if ds.field_shape(f).nullable else {})
        return samples
    if f.is_repeated:
        elements = _element_samples(f)
        samples = [[elements[0], elements[-1]]]
        samples += [[e] for e in elements[1:]]
        samples.append(None if ds.field_shape(f).nullable else [])
        return samples
    samples = list(_element_samples(f))
    if ds.field_shape(f).nullable and None not in samples:
        samples.append(None)
    if _opt(f, options_pb2.omit_unset):
        # `field?: T` reads null as absent (serde's Option + skip_serializing_if),
        # so null is not a canonical form of it; see test_codec for that case.
        samples = [s for s in samples if s is not None] + [ABSENT]
    return samples


def _message_payloads(desc: _d.Descriptor) -> list[dict[str, Any]]:
    extra = _opt(desc, options_pb2.additional_properties)
    fields = [f for f in desc.fields if f.name != extra]
    per_field = {f.json_name: _field_samples(f) for f in fields}
    base = {k: s[0] for k, s in per_field.items()}
    out = [base]
    for key, samples in per_field.items():
        for s in samples[1:]:
            out.append({**base, key: s})
    if extra:
        out.append({**base, "someFutureKey": {"nested": [1, None, "x"]}, "another_key": 3})
    return [{k: v for k, v in p.items() if v is not ABSENT} for p in out]


def _union_payloads(union: _d.OneofDescriptor) -> list[Any]:
    kind = _opt(union, options_pb2.union_kind)
    tag_field = _opt(union, options_pb2.tag_field) or "type"
    out: list[Any] = []
    for f in union.fields:
        tag = _opt(f, options_pb2.tag) or f.json_name
        if kind == options_pb2.UNION_KIND_TAGGED:
            assert f.message_type is not None
            out += [{tag_field: tag, **p} for p in payloads(f.message_type)]
        elif kind == options_pb2.UNION_KIND_EXTERNAL and f.type == _FD.TYPE_ENUM:
            out += _scalar_samples(f)
        elif kind == options_pb2.UNION_KIND_EXTERNAL:
            out += [{tag: p} for p in _element_samples(f)]
        else:
            out += _element_samples(f)
    return out


@cache
def _payloads_by_name(full_name: str) -> list[Any]:
    desc = _DESCRIPTORS[full_name]
    union = _union(desc)
    if union is not None:
        return _union_payloads(union)
    return _message_payloads(desc)


def _all_descriptors() -> dict[str, _d.Descriptor]:
    out: dict[str, _d.Descriptor] = {}

    def walk(d: _d.Descriptor) -> None:
        out[d.full_name] = d
        for n in d.nested_types:
            walk(n)

    for d in MESSAGES:
        walk(d)
    return out


_DESCRIPTORS = _all_descriptors()


def payloads(desc: _d.Descriptor) -> list[Any]:
    """Representative JSON payloads of a message type, in canonical (output) form."""
    return _payloads_by_name(desc.full_name)


def decode(desc: _d.Descriptor, payload: Any) -> Any:
    """Decode JSON data (`from_json` would parse a bare str payload as JSON text)."""
    return codec.decoder_for(desc)(payload, "", True)


def _walk(data: Any) -> Iterator[Any]:
    yield data
    if isinstance(data, dict):
        for v in data.values():
            yield from _walk(v)
    elif isinstance(data, list):
        for v in data:
            yield from _walk(v)


# --------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("desc", MESSAGES, ids=lambda d: d.name)
def test_round_trip_is_identity(desc: _d.Descriptor) -> None:
    """Every generated payload decodes and re-encodes to exactly the same JSON."""
    for payload in payloads(desc):
        msg = decode(desc, payload)
        assert codec.to_json(msg) == payload, (desc.name, payload)
        # The bytes path agrees and stays on one line.
        line = codec.encode_json_bytes(msg)
        assert b"\n" not in line and "\u2028".encode() not in line
        assert json.loads(line) == payload


def test_generator_covers_every_variant_and_enum_value() -> None:
    """The generated payloads exercise every union tag and every enum wire value.

    Checked on the JSON itself: each tag of a tagged union appears under its
    tag member, each external tag as a key or bare string, and every enum
    wire string appears somewhere in the payloads of a type using it.
    """
    seen_strings: set[str] = set()
    seen_keys: set[str] = set()
    for desc in MESSAGES:
        for p in payloads(desc):
            for node in _walk(p):
                if isinstance(node, str):
                    seen_strings.add(node)
                elif isinstance(node, dict):
                    seen_keys.update(node)
    missing = []
    for d in _DESCRIPTORS.values():
        for f in d.fields:
            if f.enum_type is not None:
                missing += [
                    f"{f.full_name}={w}"
                    for w in ds.enum_wire(f.enum_type).values()
                    if w not in seen_strings
                ]
        union = _union(d)
        if union is None or _opt(union, options_pb2.union_kind) == options_pb2.UNION_KIND_UNTAGGED:
            continue
        for f in union.fields:
            tag = _opt(f, options_pb2.tag) or f.json_name
            if f.type != _FD.TYPE_ENUM and tag not in seen_strings | seen_keys:
                missing.append(f"{d.full_name}:{tag}")
    assert not missing


def test_generator_covers_nulls_absence_and_empties() -> None:
    """Null, absent omit_unset members, empty lists and two-entry maps all occur."""
    kinds: dict[str, int] = {"null": 0, "absent": 0, "empty_list": 0, "map2": 0}
    for desc in MESSAGES:
        for p in payloads(desc):
            if not isinstance(p, dict):
                continue
            members = {f.json_name: f for f in desc.fields}
            for key, f in members.items():
                if key not in p and _opt(f, options_pb2.omit_unset):
                    kinds["absent"] += 1
            for node in _walk(p):
                if isinstance(node, dict):
                    kinds["null"] += sum(v is None for v in node.values())
                    kinds["empty_list"] += sum(v == [] for v in node.values())
                    if set(node) >= {"first", "second"}:
                        kinds["map2"] += 1
    assert all(kinds.values()), kinds


# --------------------------------------------------------------------------
# Conformance with the reference JSON Schema

needs_reference = pytest.mark.skipif(
    not REFERENCE_BUNDLE.is_file(), reason=f"reference schema not available at {REFERENCE_BUNDLE}"
)


@cache
def _bundle() -> dict[str, Any]:
    return json.loads(REFERENCE_BUNDLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _validator(name: str) -> jsonschema.Draft7Validator | None:
    definitions = _bundle()["definitions"]
    if name in definitions.get("v2", {}):
        ref = f"#/definitions/v2/{name}"
    elif name in definitions:
        ref = f"#/definitions/{name}"
    else:
        return None
    return jsonschema.Draft7Validator({"$ref": ref, "definitions": definitions})


@needs_reference
@pytest.mark.parametrize("desc", MESSAGES, ids=lambda d: d.name)
def test_encoder_output_conforms_to_reference_schema(desc: _d.Descriptor) -> None:
    """The JSON we write for every generated payload validates against the reference type."""
    if desc.name in NOT_IN_REFERENCE:
        pytest.skip(f"{desc.name}: {NOT_IN_REFERENCE[desc.name]}")
    if desc.name == "RawResponseItemCompletedNotification":
        pytest.skip("its item is free-form JSON (a known schema difference)")
    validator = _validator(desc.name)
    assert validator is not None, f"{desc.name} is not in the reference bundle"
    for payload in payloads(desc):
        out = codec.to_json(decode(desc, payload))
        errors = sorted(validator.iter_errors(out), key=lambda e: list(e.absolute_path))
        assert not errors, (
            desc.name,
            [(list(e.absolute_path), e.message[:300]) for e in errors[:3]],
            out,
        )


@needs_reference
def test_not_in_reference_list_is_current() -> None:
    """Each type skipped for lack of a reference schema is really absent from it."""
    names = {d.name for d in MESSAGES}
    for name in NOT_IN_REFERENCE:
        assert name in names
        assert _validator(name) is None, f"{name} exists in the reference now"


def _reference_object(name: str) -> dict[str, Any] | None:
    definitions = _bundle()["definitions"]
    schema = definitions.get("v2", {}).get(name, definitions.get(name))
    if not isinstance(schema, dict) or "properties" not in schema:
        return None  # unions and aliases: covered by the variant payloads
    return schema


def _allows_null(prop_schema: Any) -> bool:
    if isinstance(prop_schema, bool):
        return prop_schema
    schema = {"definitions": _bundle()["definitions"], **prop_schema}
    return jsonschema.Draft7Validator(schema).is_valid(None)


@needs_reference
@pytest.mark.parametrize("desc", MESSAGES, ids=lambda d: d.name)
def test_decoder_accepts_what_the_reference_accepts(desc: _d.Descriptor) -> None:
    """A member the reference does not require may be absent, and one it lets be null, null.

    This is the input side of conformance: a client following the reference
    schema is never refused for leaving out an optional member or sending
    null where null is allowed.
    """
    schema = _reference_object(desc.name) if desc.name not in NOT_IN_REFERENCE else None
    if schema is None:
        pytest.skip(f"{desc.name}: no object schema in the reference")
    base = payloads(desc)[0]
    required = set(schema.get("required", []))
    refused = []
    for key, prop in schema["properties"].items():
        variants = []
        if key not in required:
            variants.append(("absent", {k: v for k, v in base.items() if k != key}))
        if _allows_null(prop):
            variants.append(("null", {**base, key: None}))
        for how, payload in variants:
            try:
                decode(desc, payload)
            except (codec.DecodeError, codec.ExperimentalFieldError) as e:
                refused.append(f"{key} {how}: {e}")
    assert not refused, refused
