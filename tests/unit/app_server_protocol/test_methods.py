"""The method tables against both exporters and the reference method list.

Every method has its params (and, for requests, response) type; both the
JSON Schema and the TypeScript unions list it with that params type; every
type reachable from the tables is exported; and every method of the
reference (codex 0.104) is either bound or listed as unsupported with a
reason.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor as _d
from google.protobuf.message import Message

from app_server_protocol import methods, unsupported
from app_server_protocol.exported import exported_types, is_exported_message, key_of
from app_server_protocol.schema_export import BUNDLE_FILE, build_schemas, schema_path
from app_server_protocol.ts_export import build_typescript

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference" / "codex-0.104" / "json-schema"

needs_reference = pytest.mark.skipif(
    not (REFERENCE_DIR / "ClientRequest.json").is_file(),
    reason=f"reference schema not available at {REFERENCE_DIR}",
)

REQUEST_TABLES = {
    "ClientRequest": methods.CLIENT_REQUESTS,
    "ServerRequest": methods.SERVER_REQUESTS,
}
ALL_TABLES: dict[str, dict[str, methods.Method]] = {
    **REQUEST_TABLES,
    "ServerNotification": methods.SERVER_NOTIFICATIONS,
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    """The generated JSON Schema files."""
    return build_schemas()


@pytest.fixture(scope="module")
def ts_files() -> dict[str, str]:
    """The generated TypeScript files."""
    return build_typescript()


def _path(cls: type) -> str:
    """Exported path (`v2/ThreadStartParams`) of a message class."""
    return key_of(cls.DESCRIPTOR).path  # type: ignore[attr-defined]


@functools.cache
def _schema_path(cls: type) -> str:
    """JSON Schema path of a message class (server-request types at the root)."""
    return schema_path(key_of(cls.DESCRIPTOR))  # type: ignore[attr-defined]


def _union_variants(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["properties"]["method"]["enum"][0]: v for v in doc["oneOf"]}


def test_every_method_has_its_types() -> None:
    """Requests have params and response message types; notifications have params."""
    for union, table in ALL_TABLES.items():
        assert table, union
        for name, m in table.items():
            assert m.name == name
            assert issubclass(m.params, Message), name
            if union == "ServerNotification":
                assert m.result is None, name
            else:
                assert m.result is not None and issubclass(m.result, Message), name


def test_method_types_are_exported(
    schemas: dict[str, dict[str, Any]], ts_files: dict[str, str]
) -> None:
    """Each params / response type has a schema file, a bundle entry and a .ts file."""
    bundle = schemas[BUNDLE_FILE]["definitions"]
    for table in ALL_TABLES.values():
        for m in table.values():
            for cls in (m.params, m.result):
                if cls is None:
                    continue
                path = _schema_path(cls)
                assert f"{path}.json" in schemas, path
                assert f"{_path(cls)}.ts" in ts_files, path
                ns, _, name = path.rpartition("/")
                assert name in (bundle[ns] if ns else bundle), path


def test_json_schema_unions_list_each_method(schemas: dict[str, dict[str, Any]]) -> None:
    """ClientRequest/ServerRequest/ServerNotification.json bind each method to its params."""
    for union, table in ALL_TABLES.items():
        for doc, prefix in (
            (schemas[f"{union}.json"], "#/definitions/"),
            (schemas[BUNDLE_FILE]["definitions"][union], None),
        ):
            variants = _union_variants(doc)
            assert list(variants) == list(table), union
            for name, m in table.items():
                params = variants[name]["properties"]["params"]
                if "anyOf" in params:
                    assert not m.params.DESCRIPTOR.fields, name  # type: ignore[attr-defined]
                    assert params["anyOf"][1] == {"type": "null"}
                    params = params["anyOf"][0]
                ref = params["$ref"]
                path = _schema_path(m.params)
                want = f"{prefix}{path.rpartition('/')[2]}" if prefix else f"#/definitions/{path}"
                assert ref == want, (union, name, ref)
                if union in REQUEST_TABLES:
                    assert "id" in variants[name]["required"]
    notes = _union_variants(schemas["ClientNotification.json"])
    assert list(notes) == list(methods.CLIENT_NOTIFICATIONS)


def test_requests_without_params_may_omit_them(schemas: dict[str, dict[str, Any]]) -> None:
    """account/logout and account/rateLimits/read (no params in 0.104) do not require params."""
    variants = _union_variants(schemas["ClientRequest.json"])
    for name in ("account/logout", "account/rateLimits/read"):
        assert "params" not in variants[name]["required"], name
    assert "params" in variants["thread/start"]["required"]


def test_typescript_unions_bind_each_method(ts_files: dict[str, str]) -> None:
    """Each TS union variant names the method and its params type (imported)."""
    for union, table in ALL_TABLES.items():
        text = ts_files[f"{union}.ts"]
        for name, m in table.items():
            pname = _path(m.params).rpartition("/")[2]
            q = "?" if not m.params.DESCRIPTOR.fields else ""  # type: ignore[attr-defined]
            assert f'"method": "{name}", ' in text, name
            variant = text.split(f'"method": "{name}", ', 1)[1].split("}", 1)[0]
            assert f"params{q}: {pname}," in variant, (union, name, variant)
            assert f"import type {{ {pname} }} from" in text, (union, pname)


def _referenced(desc: _d.Descriptor, seen: set[str]) -> None:
    """Collect full names of every message/enum reachable from `desc`."""
    if desc.full_name in seen:
        return
    seen.add(desc.full_name)
    for f in desc.fields:
        if f.enum_type is not None:
            seen.add(f.enum_type.full_name)
        elif f.message_type is not None:
            _referenced(f.message_type, seen)


def test_every_reachable_type_is_exported() -> None:
    """Each top-level type reachable from a method's params/response is exported."""
    exported = {t.desc.full_name for t in exported_types()}
    seen: set[str] = set()
    for table in ALL_TABLES.values():
        for m in table.values():
            for cls in (m.params, m.result):
                if cls is not None:
                    _referenced(cls.DESCRIPTOR, seen)  # type: ignore[attr-defined]
    pool = methods.SERVICE_FILE.pool
    missing = []
    for full in seen:
        try:
            desc: Any = pool.FindMessageTypeByName(full)
        except KeyError:
            desc = pool.FindEnumTypeByName(full)
        if desc.containing_type is not None or desc.file.package == "google.protobuf":
            continue
        if full not in exported:
            missing.append(full)
    assert not missing
    assert all(is_exported_message(t.desc) for t in exported_types())


def _reference_methods(union: str) -> list[str]:
    doc = json.loads((REFERENCE_DIR / f"{union}.json").read_text(encoding="utf-8"))
    return [v["properties"]["method"]["enum"][0] for v in doc["oneOf"]]


UNSUPPORTED = {
    "ClientRequest": methods.UNSUPPORTED_METHODS,
    "ServerRequest": unsupported.UNSUPPORTED_SERVER_REQUESTS,
    "ServerNotification": unsupported.UNSUPPORTED_NOTIFICATIONS,
}


@needs_reference
@pytest.mark.parametrize("union", sorted(UNSUPPORTED))
def test_every_reference_method_is_bound_or_unsupported(union: str) -> None:
    """A reference method is either in our table or listed as unsupported with a reason."""
    table = ALL_TABLES[union]
    skipped = UNSUPPORTED[union]
    neither = [n for n in _reference_methods(union) if n not in table and n not in skipped]
    assert not neither, f"{union}: neither bound nor unsupported: {neither}"


@needs_reference
def test_client_notifications_match_the_reference() -> None:
    """The only client notification of the reference is ours too."""
    assert set(_reference_methods("ClientNotification")) == set(methods.CLIENT_NOTIFICATIONS)


@pytest.mark.parametrize("union", sorted(UNSUPPORTED))
def test_unsupported_lists_are_consistent(union: str) -> None:
    """An unsupported method is not also bound, and has a reason."""
    table = ALL_TABLES[union]
    for name, reason in UNSUPPORTED[union].items():
        assert name not in table, name
        assert reason.strip(), name


@needs_reference
@pytest.mark.parametrize("union", ["ServerRequest", "ServerNotification"])
def test_unsupported_lists_are_not_stale(union: str) -> None:
    """Every unsupported server request/notification is a method of the reference."""
    ref = set(_reference_methods(union))
    assert not [n for n in UNSUPPORTED[union] if n not in ref]


def test_thread_id_of_names_the_thread_a_request_is_about() -> None:
    read = methods.CLIENT_REQUESTS["thread/read"].params
    listed = methods.CLIENT_REQUESTS["thread/loaded/list"].params
    assert methods.thread_id_of(read(thread_id="t-1")) == "t-1"
    assert methods.thread_id_of(read()) is None            # the field, unset
    assert methods.thread_id_of(listed()) is None          # no such field
