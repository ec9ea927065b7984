"""The method tables, derived once from the proto descriptors.

Every JSON-RPC method of the protocol is bound here to its params and
response message types: client requests from the rpcs of the core's services
(annotated with `(method)`), server requests from the `ServerRequests` table
service, notifications from messages annotated with `(notification)`. The
tables are built and checked at import, and the codec's converters of every
protocol message are built then too: a missing or inconsistent binding or
annotation fails the process at start, never at the first request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from google.protobuf import message_factory

from app_server_protocol import (
    codec,
    dynamic_tools_pb2,
    fuzzy_file_search_pb2,
    initialize_pb2,
    jsonrpc_pb2,
)
from app_server_protocol.descriptors import (
    is_experimental_method,
    method_name,
    notification_name,
)
from app_server_protocol.v2 import (
    account_pb2,
    approval_pb2,
    command_pb2,
    config_pb2,
    listing_pb2,
    mcp_pb2,
    model_pb2,
    notification_pb2,
    raw_events_pb2,
    review_pb2,
    service_pb2,
    skills_pb2,
    thread_pb2,
    turn_pb2,
)

# Modules whose messages make up the protocol (kept referenced so that every
# descriptor is registered before the tables are built).
PROTOCOL_MODULES = (
    jsonrpc_pb2,
    initialize_pb2,
    thread_pb2,
    turn_pb2,
    model_pb2,
    account_pb2,
    config_pb2,
    command_pb2,
    mcp_pb2,
    skills_pb2,
    listing_pb2,
    review_pb2,
    fuzzy_file_search_pb2,
    dynamic_tools_pb2,
    raw_events_pb2,
    approval_pb2,
    notification_pb2,
    service_pb2,
)

SERVICE_FILE = service_pb2.DESCRIPTOR
CORE_SERVICES = (
    "SessionService",
    "ThreadService",
    "TurnService",
    "ModelService",
    "AccountService",
    "ConfigService",
    "CommandService",
    "McpService",
    "SkillsService",
    "ListingService",
    "ReviewService",
    "SearchService",
)


@dataclass(frozen=True)
class Method:
    """One JSON-RPC method bound to its types (and, for requests, its rpc)."""

    name: str
    params: Any
    result: Any
    service: str | None = None
    rpc: str | None = None
    experimental: bool = False

    @property
    def grpc_path(self) -> str:
        """Full gRPC method path (`/app_server_protocol.v2.ThreadService/ThreadStart`)."""
        return f"/{SERVICE_FILE.package}.{self.service}/{self.rpc}"


def message_class(desc: Any) -> Any:
    """The generated Python class of a message descriptor."""
    return message_factory.GetMessageClass(desc)


def _build_requests(service_names: tuple[str, ...]) -> dict[str, Method]:
    table: dict[str, Method] = {}
    for sname in service_names:
        sdesc = SERVICE_FILE.services_by_name[sname]
        for m in sdesc.methods:
            if m.client_streaming or m.server_streaming:
                continue
            name = method_name(m)
            if not name:
                raise RuntimeError(f"rpc {sname}.{m.name} has no (method) annotation")
            if name in table:
                raise RuntimeError(f"method {name} bound twice")
            table[name] = Method(
                name=name,
                params=message_class(m.input_type),
                result=message_class(m.output_type),
                service=sname,
                rpc=m.name,
                experimental=is_experimental_method(m),
            )
    return table


def _build_notifications() -> dict[str, Method]:
    table: dict[str, Method] = {}
    oneof: Any = service_pb2.ServerNotification.DESCRIPTOR.oneofs_by_name["notification"]
    for field in oneof.fields:
        name = notification_name(field.message_type)
        if not name:
            raise RuntimeError(f"{field.message_type.full_name} lacks (notification)")
        table[name] = Method(name=name, params=message_class(field.message_type), result=None)
    # Every annotated notification message must be reachable from the envelope.
    for fdesc in (notification_pb2.DESCRIPTOR,):
        for mdesc in fdesc.message_types_by_name.values():
            name = notification_name(mdesc)
            if name and name not in table:
                raise RuntimeError(f"notification {name} missing from ServerNotification")
    return table


CLIENT_REQUESTS: dict[str, Method] = _build_requests(CORE_SERVICES)
SERVER_REQUESTS: dict[str, Method] = _build_requests(("ServerRequests",))
SERVER_NOTIFICATIONS: dict[str, Method] = _build_notifications()
# Client notifications carry no params.
CLIENT_NOTIFICATIONS: tuple[str, ...] = ("initialized",)

# ServerNotification oneof member name by notification message full name, and
# the reverse, for the event path.
_NOTIFICATION_FIELDS: Any = service_pb2.ServerNotification.DESCRIPTOR.oneofs_by_name[
    "notification"
].fields
NOTIFICATION_FIELD_BY_TYPE: dict[str, str] = {
    f.message_type.full_name: f.name for f in _NOTIFICATION_FIELDS
}
NOTIFICATION_METHOD_BY_FIELD: dict[str, str] = {
    f.name: notification_name(f.message_type) for f in _NOTIFICATION_FIELDS
}
SERVER_REQUEST_FIELD_BY_METHOD: dict[str, str] = {}
_PARAM_FIELDS: Any = service_pb2.ServerRequestParams.DESCRIPTOR.oneofs_by_name["params"].fields
for _f in _PARAM_FIELDS:
    for _m in SERVER_REQUESTS.values():
        if _m.params.DESCRIPTOR.full_name == _f.message_type.full_name:
            SERVER_REQUEST_FIELD_BY_METHOD[_m.name] = _f.name
if set(SERVER_REQUEST_FIELD_BY_METHOD) != set(SERVER_REQUESTS):
    raise RuntimeError("ServerRequestParams does not cover every server request")


_BYTES_FRAMES = frozenset(
    {"CoreFrame", "GatewayFrame", "CallRequests", "CallRequest", "CallResult"})


def protocol_messages() -> list[Any]:
    """Every top-level message descriptor of the protocol modules (JSON and gRPC)."""
    return [d for mod in PROTOCOL_MODULES for d in mod.DESCRIPTOR.message_types_by_name.values()]


# Every JSON converter is built now, so a bad annotation on a rarely used type
# fails the process at start rather than the first request that carries it.
# (The Connect frames carrying stream calls hold serialized messages as bytes
# and never cross as JSON.)
codec.build_all([d for d in protocol_messages() if d.name not in _BYTES_FRAMES])

# Requests whose success subscribes the calling connection to the thread in
# their result (`result.thread.id`), and the one that unsubscribes it
# (`params.threadId`). The gateway remembers these so that, after the core
# restarts, it can restore the subscriptions of its still-open connections.
SUBSCRIBING_METHODS: frozenset[str] = frozenset({"thread/start", "thread/resume", "thread/fork"})
UNSUBSCRIBING_METHODS: frozenset[str] = frozenset({"thread/unsubscribe"})
RESUME_METHOD = "thread/resume"

# Methods of the reference (0.104) that we deliberately do not serve, with the
# reason. Kept as data: docs/PROTOCOL.md lists them and a test checks that
# every reference method is either bound or listed here.
UNSUPPORTED_METHODS: dict[str, str] = {
    "mcpServer/oauth/login": "MCP servers are not implemented",
    "newConversation": "v1 API (superseded by thread/start)",
    "getConversationSummary": "v1 API (superseded by thread/read)",
    "listConversations": "v1 API (superseded by thread/list)",
    "resumeConversation": "v1 API (superseded by thread/resume)",
    "forkConversation": "v1 API (superseded by thread/fork)",
    "archiveConversation": "v1 API (superseded by thread/archive)",
    "sendUserMessage": "v1 API (superseded by turn/start)",
    "sendUserTurn": "v1 API (superseded by turn/start)",
    "interruptConversation": "v1 API (superseded by turn/interrupt)",
    "addConversationListener": "v1 API (superseded by thread/resume)",
    "removeConversationListener": "v1 API (superseded by thread/unsubscribe)",
    "gitDiffToRemote": "v1 API",
    "loginApiKey": "v1 API (superseded by account/login/start)",
    "loginChatGpt": "v1 API (superseded by account/login/start)",
    "cancelLoginChatGpt": "v1 API (superseded by account/login/cancel)",
    "logoutChatGpt": "v1 API (superseded by account/logout)",
    "getAuthStatus": "v1 API (superseded by account/read)",
    "getUserSavedConfig": "v1 API (superseded by config/read)",
    "setDefaultModel": "v1 API (superseded by config/value/write)",
    "getUserAgent": "v1 API (the user agent is in the initialize response)",
    "userInfo": "v1 API (superseded by account/read)",
    "execOneOffCommand": "v1 API (superseded by command/exec)",
}


@functools.cache
def _names_a_thread(descriptor: Any) -> bool:
    return "thread_id" in descriptor.fields_by_name


def thread_id_of(params: Any) -> str | None:
    """The `threadId` a request's params name (None: no such field, or empty).

    Looked up once per message type: it labels the logs of every request.
    """
    if not _names_a_thread(params.DESCRIPTOR):
        return None
    value = getattr(params, "thread_id", "")
    return value if isinstance(value, str) and value else None
