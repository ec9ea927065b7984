from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RawResponseItemCompletedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item: _struct_pb2.Value
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
