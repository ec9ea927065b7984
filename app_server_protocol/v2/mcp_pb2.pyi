from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class McpAuthStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MCP_AUTH_STATUS_UNSPECIFIED: _ClassVar[McpAuthStatus]
    MCP_AUTH_STATUS_UNSUPPORTED: _ClassVar[McpAuthStatus]
    MCP_AUTH_STATUS_NOT_LOGGED_IN: _ClassVar[McpAuthStatus]
    MCP_AUTH_STATUS_BEARER_TOKEN: _ClassVar[McpAuthStatus]
    MCP_AUTH_STATUS_O_AUTH: _ClassVar[McpAuthStatus]
MCP_AUTH_STATUS_UNSPECIFIED: McpAuthStatus
MCP_AUTH_STATUS_UNSUPPORTED: McpAuthStatus
MCP_AUTH_STATUS_NOT_LOGGED_IN: McpAuthStatus
MCP_AUTH_STATUS_BEARER_TOKEN: McpAuthStatus
MCP_AUTH_STATUS_O_AUTH: McpAuthStatus

class ListMcpServerStatusParams(_message.Message):
    __slots__ = ("cursor", "limit")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListMcpServerStatusResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[McpServerStatus]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[McpServerStatus, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class McpServerStatus(_message.Message):
    __slots__ = ("name", "tools", "resources", "resource_templates", "auth_status")
    class ToolsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Tool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    AUTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    name: str
    tools: _containers.MessageMap[str, Tool]
    resources: _containers.RepeatedCompositeFieldContainer[Resource]
    resource_templates: _containers.RepeatedCompositeFieldContainer[ResourceTemplate]
    auth_status: McpAuthStatus
    def __init__(self, name: _Optional[str] = ..., tools: _Optional[_Mapping[str, Tool]] = ..., resources: _Optional[_Iterable[_Union[Resource, _Mapping]]] = ..., resource_templates: _Optional[_Iterable[_Union[ResourceTemplate, _Mapping]]] = ..., auth_status: _Optional[_Union[McpAuthStatus, str]] = ...) -> None: ...

class Tool(_message.Message):
    __slots__ = ("meta", "annotations", "description", "icons", "input_schema", "name", "output_schema", "title")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ICONS_FIELD_NUMBER: _ClassVar[int]
    INPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    meta: _struct_pb2.Value
    annotations: _struct_pb2.Value
    description: str
    icons: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    input_schema: _struct_pb2.Value
    name: str
    output_schema: _struct_pb2.Value
    title: str
    def __init__(self, meta: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., annotations: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., description: _Optional[str] = ..., icons: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., input_schema: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., name: _Optional[str] = ..., output_schema: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., title: _Optional[str] = ...) -> None: ...

class Resource(_message.Message):
    __slots__ = ("meta", "annotations", "description", "icons", "mime_type", "name", "size", "title", "uri")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ICONS_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    meta: _struct_pb2.Value
    annotations: _struct_pb2.Value
    description: str
    icons: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    mime_type: str
    name: str
    size: int
    title: str
    uri: str
    def __init__(self, meta: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., annotations: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., description: _Optional[str] = ..., icons: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., mime_type: _Optional[str] = ..., name: _Optional[str] = ..., size: _Optional[int] = ..., title: _Optional[str] = ..., uri: _Optional[str] = ...) -> None: ...

class ResourceTemplate(_message.Message):
    __slots__ = ("annotations", "description", "mime_type", "name", "title", "uri_template")
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    URI_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    annotations: _struct_pb2.Value
    description: str
    mime_type: str
    name: str
    title: str
    uri_template: str
    def __init__(self, annotations: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., description: _Optional[str] = ..., mime_type: _Optional[str] = ..., name: _Optional[str] = ..., title: _Optional[str] = ..., uri_template: _Optional[str] = ...) -> None: ...

class McpServerRefreshParams(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class McpServerRefreshResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
