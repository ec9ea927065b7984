from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InitializeParams(_message.Message):
    __slots__ = ("client_info", "capabilities")
    CLIENT_INFO_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    client_info: ClientInfo
    capabilities: InitializeCapabilities
    def __init__(self, client_info: _Optional[_Union[ClientInfo, _Mapping]] = ..., capabilities: _Optional[_Union[InitializeCapabilities, _Mapping]] = ...) -> None: ...

class InitializeCapabilities(_message.Message):
    __slots__ = ("experimental_api", "opt_out_notification_methods")
    EXPERIMENTAL_API_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_NOTIFICATION_METHODS_FIELD_NUMBER: _ClassVar[int]
    experimental_api: bool
    opt_out_notification_methods: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, experimental_api: _Optional[bool] = ..., opt_out_notification_methods: _Optional[_Iterable[str]] = ...) -> None: ...

class ClientInfo(_message.Message):
    __slots__ = ("name", "title", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    version: str
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class InitializeResponse(_message.Message):
    __slots__ = ("user_agent",)
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    user_agent: str
    def __init__(self, user_agent: _Optional[str] = ...) -> None: ...
