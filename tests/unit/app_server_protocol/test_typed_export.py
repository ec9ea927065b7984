"""The wire `TypedDict` generator (`typed_export.render_wire_types`).

The generated source compiles; every exported type keeps its name; union
variants are named `<Tag><Union>` with a `Literal` tag so that mypy narrows
a union on `"type"`; a nullable member is `T | None` and an `(omit_unset)`
one `NotRequired[T]`; enums are `Literal`s of their wire strings; maps and
lists are `dict[str, T]` and `list[T]`. Generator branches the protocol does
not use today (nested messages, keys that are not identifiers, name clashes)
are driven with a small synthetic proto.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any, cast, is_typeddict

import pytest
from google.protobuf import descriptor as _d
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message import Message

from app_server_protocol import descriptors as ds
from app_server_protocol import typed_export
from app_server_protocol.exported import (
    STRING_TYPE_KEYS,
    ExportedType,
    TypeKey,
    exported_types,
    variant_title,
)
from app_server_protocol.typed_export import render_wire_types
from app_server_protocol.v2 import thread_pb2

MYPY_TIMEOUT = 240

_FDP = descriptor_pb2.FieldDescriptorProto


class Generated:
    """The definitions of a generated source, read back from its syntax tree.

    `members[name]` holds a `TypedDict`'s (key -> annotation) in order, in
    either the class or the functional form; `aliases[name]` the text of a
    type alias.
    """

    def __init__(self, source: str) -> None:
        self.members: dict[str, dict[str, str]] = {}
        self.aliases: dict[str, str] = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef):
                self.members[node.name] = {
                    cast(ast.Name, s.target).id: ast.unparse(s.annotation)
                    for s in node.body
                    if isinstance(s, ast.AnnAssign)
                }
            elif isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant):
                self.aliases[cast(ast.Name, node.target).id] = str(node.value.value)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                (target,) = node.targets
                fields = cast(dict[str, str], ast.literal_eval(node.value.args[1]))
                self.members[cast(ast.Name, target).id] = fields


@pytest.fixture(scope="module")
def source() -> str:
    """The generated source of the protocol's wire types."""
    return render_wire_types()


@pytest.fixture(scope="module")
def gen(source: str) -> Generated:
    """The protocol's generated definitions."""
    return Generated(source)


def _descriptor(cls: type[Message]) -> _d.Descriptor:
    """The descriptor of a generated message class (the stubs also allow the upb class)."""
    return cast(_d.Descriptor, cls.DESCRIPTOR)


def _lit(values: list[str]) -> str:
    return "Literal[" + ", ".join(repr(v) for v in values) + "]"


# --------------------------------------------------------------------------
# The protocol's types


def test_source_compiles_and_defines_every_exported_type(source: str) -> None:
    """The source runs as a module and defines every exported type and named
    string under its exported name, the messages as `TypedDict`s."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "wire_types.py", "exec"), namespace)
    assert source.startswith('"""Wire types') and "GENERATED" in source
    for key in STRING_TYPE_KEYS:
        assert key.name in namespace, key.name
    for t in exported_types():
        assert t.key.name in namespace, t.key.name
        if isinstance(t.desc, _d.Descriptor) and ds.union_of(t.desc) is None:
            assert is_typeddict(namespace[t.key.name]), t.key.name


def test_rendering_is_deterministic(source: str) -> None:
    """Two renderings are identical (the committed module can be checked for staleness)."""
    assert render_wire_types() == source


def test_tagged_union_is_the_union_of_its_titled_variants(gen: Generated) -> None:
    """`ThreadItem` is an alias of `<Tag>ThreadItem` variants, each a `TypedDict`
    whose first member is its tag as a one-value `Literal`, then the body's members."""
    union = ds.union_of(_descriptor(thread_pb2.ThreadItem))
    assert union is not None
    titles = [variant_title(v.tag, "ThreadItem") for v in union.variants]
    assert gen.aliases["ThreadItem"] == " | ".join(titles)
    assert titles[0] == "UserMessageThreadItem"
    for v, title in zip(union.variants, titles, strict=True):
        first = next(iter(gen.members[title].items()))
        assert first == ("type", _lit([v.tag])), title
    assert gen.members["UserMessageThreadItem"] == {
        "type": "Literal['userMessage']",
        "id": "str",
        "content": "list[UserInput]",
    }


def test_external_union_mixes_string_literals_and_one_key_variants(gen: Generated) -> None:
    """An external union's unit variants are string literals; an object variant is a
    `TypedDict` holding the single `{tag: payload}` member."""
    assert gen.aliases["SessionSource"] == (
        "Literal['cli', 'vscode', 'exec', 'appServer', 'unknown'] | SubagentSessionSource"
    )
    assert gen.members["SubagentSessionSource"] == {"subAgent": "SubAgentSource"}


def test_untagged_union_is_the_plain_union_of_its_members(gen: Generated) -> None:
    """`RequestId` is a string or an integer, without a wrapper."""
    assert gen.aliases["RequestId"] == "str | int"


def test_enums_are_literals_of_their_wire_strings(gen: Generated) -> None:
    """Every exported enum is an alias of the `Literal` of its wire strings, in order."""
    enums = [t for t in exported_types() if isinstance(t.desc, _d.EnumDescriptor)]
    assert enums
    for t in enums:
        assert gen.aliases[t.key.name] == _lit(ds.enum_values(cast(_d.EnumDescriptor, t.desc)))
    assert gen.aliases["AskForApproval"] == (
        "Literal['untrusted', 'on-failure', 'on-request', 'never']"
    )


def test_member_presence_follows_the_field_shapes(gen: Generated) -> None:
    """For every member of every exported message: `NotRequired[...]` exactly when
    the member is `(omit_unset)`, `... | None` exactly when it is nullable (any
    JSON, which holds null itself, excepted), in declaration order."""
    checked = 0
    for t in exported_types():
        if not isinstance(t.desc, _d.Descriptor) or ds.union_of(t.desc) is not None:
            continue
        members = gen.members[t.key.name]
        shapes = ds.object_fields(t.desc)
        assert list(members) == [s.key for s in shapes], t.key.name
        for s in shapes:
            ann = members[s.key]
            assert ann.startswith("NotRequired[") == s.omit_unset, (t.key.name, s.key, ann)
            inner = ann.removeprefix("NotRequired[").removesuffix("]") if s.omit_unset else ann
            any_json = inner == "JsonValue"
            assert inner.endswith(" | None") == (s.nullable and not any_json), (s.key, ann)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    ("type_name", "key", "annotation"),
    [
        ("ThreadStartParams", "model", "str | None"),
        ("ThreadStartParams", "approvalPolicy", "AskForApproval | None"),
        ("ThreadStartParams", "config", "dict[str, JsonValue] | None"),
        ("ThreadNameUpdatedNotification", "threadId", "str"),
        ("ThreadNameUpdatedNotification", "threadName", "NotRequired[str]"),
        ("JSONRPCRequest", "params", "NotRequired[JsonValue]"),
        ("JSONRPCResponse", "result", "JsonValue"),
        (
            "GetAccountRateLimitsResponse",
            "rateLimitsByLimitId",
            "dict[str, RateLimitSnapshot] | None",
        ),
        ("Config", "profiles", "dict[str, ProfileV2]"),
        ("ThreadListParams", "modelProviders", "list[str] | None"),
        ("WorkspaceWriteSandboxPolicy", "writableRoots", "list[AbsolutePathBuf]"),
        ("ThreadListParams", "limit", "int | None"),
    ],
)
def test_member_annotations(gen: Generated, type_name: str, key: str, annotation: str) -> None:
    """Nullable members, omit_unset members, any JSON, Structs, maps, lists, named
    strings and integers have the documented annotations."""
    assert gen.members[type_name][key] == annotation


def test_named_strings_are_aliases_of_str(gen: Generated) -> None:
    """`AbsolutePathBuf` and `ThreadId` are `str` aliases."""
    assert {k.name: gen.aliases[k.name] for k in STRING_TYPE_KEYS} == {
        "AbsolutePathBuf": "str",
        "ThreadId": "str",
    }


# --------------------------------------------------------------------------
# mypy on the generated module


def _run_mypy(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict on `files` of `folder`, with its own config and cache."""
    config = folder / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(folder / ".mypy_cache"),
            "--no-error-summary",
            "--show-error-codes",
            *files,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=MYPY_TIMEOUT,
        check=False,
    )


NARROWS = '''\
from typing import assert_type

from wire_types import AgentMessageThreadItem, SessionSource, SubAgentSource, ThreadItem


def text_of(item: ThreadItem) -> str:
    if item["type"] == "agentMessage":
        assert_type(item, AgentMessageThreadItem)
        return item["text"]
    return item["id"]


def sub_agent(source: SessionSource) -> SubAgentSource | None:
    if isinstance(source, str):
        return None
    return source["subAgent"]
'''

NOT_NARROWED = '''\
from wire_types import ThreadItem


def text_of(item: ThreadItem) -> str:
    return item["text"]
'''


def test_mypy_narrows_a_union_on_its_tag(source: str, tmp_path: Path) -> None:
    """Under `mypy --strict` the generated module type-checks, a `ThreadItem` narrows
    to its variant on `item["type"]`, and reading a variant's member without
    narrowing is an error."""
    (tmp_path / "wire_types.py").write_text(source, encoding="utf-8")
    (tmp_path / "narrows.py").write_text(NARROWS, encoding="utf-8")
    (tmp_path / "not_narrowed.py").write_text(NOT_NARROWED, encoding="utf-8")
    proc = _run_mypy(tmp_path, "wire_types.py", "narrows.py", "not_narrowed.py")
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert errors, proc.stdout + proc.stderr
    assert all(line.startswith("not_narrowed.py:5:") for line in errors), proc.stdout
    assert all("[typeddict-item]" in line for line in errors), proc.stdout
    assert any('"UserMessageThreadItem" has no key "text"' in line for line in errors)


# --------------------------------------------------------------------------
# Generator branches, on a synthetic proto


def _synthetic() -> descriptor_pb2.FileDescriptorProto:
    """`Outer` (a nested message, a nested enum, a member named `from`) and a
    top-level `OuterInner` whose name is the generated name of `Outer.Inner`."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="test_typed_export_synthetic.proto",
        package="test_typed_export",
        syntax="proto3",
    )
    outer = fdp.message_type.add(name="Outer")
    outer.nested_type.add(name="Inner").field.add(
        name="x", number=1, json_name="x", type=_FDP.TYPE_STRING, label=_FDP.LABEL_OPTIONAL
    )
    mode = outer.enum_type.add(name="Mode")
    mode.value.add(name="MODE_UNSPECIFIED", number=0)
    mode.value.add(name="fast", number=1)
    mode.value.add(name="slow", number=2)
    inner = ".test_typed_export.Outer.Inner"
    outer.field.add(name="inner", number=1, json_name="inner", type=_FDP.TYPE_MESSAGE,
                    type_name=inner, label=_FDP.LABEL_OPTIONAL)
    outer.field.add(name="inners", number=2, json_name="inners", type=_FDP.TYPE_MESSAGE,
                    type_name=inner, label=_FDP.LABEL_REPEATED)
    outer.field.add(name="from_", number=3, json_name="from", type=_FDP.TYPE_STRING,
                    label=_FDP.LABEL_OPTIONAL)
    outer.field.add(name="mode", number=4, json_name="mode", type=_FDP.TYPE_ENUM,
                    type_name=".test_typed_export.Outer.Mode", label=_FDP.LABEL_OPTIONAL)
    fdp.message_type.add(name="OuterInner").field.add(
        name="y", number=1, json_name="y", type=_FDP.TYPE_STRING, label=_FDP.LABEL_OPTIONAL
    )
    return fdp


def _synthetic_types(*names: str) -> list[ExportedType]:
    """The synthetic messages `names`, as exported v2 types."""
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName("test_typed_export_synthetic.proto")
    except KeyError:
        pool.Add(_synthetic())
    return [
        ExportedType(TypeKey("v2", n), pool.FindMessageTypeByName(f"test_typed_export.{n}"))
        for n in names
    ]


def test_nested_message_and_non_identifier_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A nested message is defined once as `<Outer><Inner>`; a nested enum is an
    inline `Literal`; a message with a key that is not an identifier (`from`)
    takes the functional `TypedDict` form; the source still compiles."""
    monkeypatch.setattr(typed_export, "exported_types", lambda: _synthetic_types("Outer"))
    source = render_wire_types()
    gen = Generated(source)
    assert gen.members["Outer"] == {
        "inner": "OuterInner",
        "inners": "list[OuterInner]",
        "from": "str",
        "mode": "Literal['fast', 'slow']",
    }
    assert "Outer = TypedDict('Outer', {" in source
    assert gen.members["OuterInner"] == {"x": "str"}
    assert source.count("class OuterInner(TypedDict)") == 1
    namespace: dict[str, Any] = {}
    exec(compile(source, "wire_types.py", "exec"), namespace)
    assert set(namespace["Outer"].__annotations__) == {"inner", "inners", "from", "mode"}


def test_a_generated_name_used_twice_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two types that would get the same generated name stop the generator, naming both."""
    monkeypatch.setattr(
        typed_export, "exported_types", lambda: _synthetic_types("Outer", "OuterInner")
    )
    with pytest.raises(RuntimeError, match=r"wire type name OuterInner used by "
                       r"test_typed_export\.Outer\.Inner and test_typed_export\.OuterInner"):
        render_wire_types()
