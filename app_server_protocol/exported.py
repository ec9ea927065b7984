"""Which proto types make up the JSON API, and under which names.

Shared by the three exporters (JSON Schema, TypeScript, wire `TypedDict`s):
the named types (every top-level message and enum of the protocol packages,
minus the gRPC plumbing of `service.proto`), their namespaces (`""` for the
root package, `"v2"`), and the method unions (`ClientRequest`, ...) built
from the method tables. How each type looks on the wire is
`app_server_protocol.descriptors`' business.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import descriptor as _d

from app_server_protocol import methods
from app_server_protocol.descriptors import STRUCT, VALUE

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
        "SessionAttached",
        "CallRequest",
        "CallRequests",
        "CallResult",
        "CallCancel",
        # gRPC only (AccountService.WatchRateLimits): no JSON-RPC face.
        "WatchRateLimitsRequest",
        "RateLimitSnapshotsUpdate",
    }
)
OPTIONS_FILE = "app_server_protocol/v2/options.proto"

# The JSON-RPC envelope types, in the order of the JSONRPCMessage union.
ENVELOPE_TYPES = ("JSONRPCRequest", "JSONRPCNotification", "JSONRPCResponse", "JSONRPCError")
# Names of the synthetic (not proto-backed) root types.
UNION_TYPES = ("ClientRequest", "ServerRequest", "ServerNotification", "ClientNotification")
MESSAGE_UNION = "JSONRPCMessage"


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
        if desc.full_name in (VALUE, STRUCT):
            return
        raise RuntimeError(f"{where} refers to {desc.full_name}, which is not exported")


@dataclass(frozen=True)
class MethodEntry:
    """One method of a union (`ClientRequest`, ...) with its params type."""

    name: str
    params: TypeKey | None
    params_optional: bool
    """The reference takes no params for this method (empty params message)."""
    result: TypeKey | None = None
    """The response type of a request."""


def _method_entries(table: dict[str, methods.Method]) -> list[MethodEntry]:
    out: list[MethodEntry] = []
    for m in table.values():
        desc = m.params.DESCRIPTOR
        out.append(
            MethodEntry(
                name=m.name,
                params=key_of(desc),
                params_optional=len(desc.fields) == 0,
                result=None if m.result is None else key_of(m.result.DESCRIPTOR),
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


# Variants the reference titles from its own (Rust) variant name rather than
# from the wire tag: (union, tag) -> title.
VARIANT_TITLES: dict[tuple[str, str], str] = {
    ("SessionSource", "subAgent"): "SubagentSessionSource",
}


def variant_title(tag: str, union: str) -> str:
    """Name of a union's object variant as the reference titles it.

    The tag in PascalCase (`open_page` -> `OpenPage`, `userMessage` ->
    `UserMessage`) followed by the union's name: `OpenPageWebSearchAction`,
    except where `VARIANT_TITLES` names the reference's own title.
    """
    title = VARIANT_TITLES.get((union, tag))
    if title is not None:
        return title
    return "".join(p[:1].upper() + p[1:] for p in tag.split("_")) + union


# String members the reference types with a named string type (its
# `AbsolutePathBuf` and `ThreadId`), by proto field: the exporters reference
# the named type there, exactly where the reference does. Checked at import.
STRING_TYPES: dict[str, str] = {
    "app_server_protocol.v2.SandboxPolicy.WorkspaceWrite.writable_roots": "AbsolutePathBuf",
    "app_server_protocol.v2.ReadOnlyAccess.Restricted.readable_roots": "AbsolutePathBuf",
    "app_server_protocol.v2.ConfigLayerSource.System.file": "AbsolutePathBuf",
    "app_server_protocol.v2.ConfigLayerSource.User.file": "AbsolutePathBuf",
    "app_server_protocol.v2.ConfigLayerSource.Project.dot_codex_folder": "AbsolutePathBuf",
    "app_server_protocol.v2.ConfigLayerSource.LegacyManagedConfigTomlFromFile.file": (
        "AbsolutePathBuf"
    ),
    "app_server_protocol.v2.ConfigWriteResponse.file_path": "AbsolutePathBuf",
    "app_server_protocol.v2.SubAgentSource.ThreadSpawn.parent_thread_id": "ThreadId",
}
# The named string types themselves: root types (`AbsolutePathBuf.ts`).
STRING_TYPE_KEYS: tuple[TypeKey, ...] = tuple(
    TypeKey("", n) for n in sorted(set(STRING_TYPES.values()))
)


def string_type(f: _d.FieldDescriptor) -> TypeKey | None:
    """The named string type of a string field (one element of it), if it has one."""
    name = STRING_TYPES.get(f.full_name)
    return None if name is None else TypeKey("", name)


def _check_string_types() -> None:
    pool = methods.SERVICE_FILE.pool
    for full in STRING_TYPES:
        f = pool.FindFieldByName(full)
        if f.type != _d.FieldDescriptor.TYPE_STRING:
            raise RuntimeError(f"{full} has a named string type but is not a string")


_check_string_types()
