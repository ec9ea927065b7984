from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DynamicToolCallParams(_message.Message):
    __slots__ = ("thread_id", "turn_id", "call_id", "tool", "arguments")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    call_id: str
    tool: str
    arguments: _struct_pb2.Value
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., call_id: _Optional[str] = ..., tool: _Optional[str] = ..., arguments: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class DynamicToolCallResponse(_message.Message):
    __slots__ = ("content_items", "success")
    CONTENT_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    content_items: _containers.RepeatedCompositeFieldContainer[DynamicToolCallOutputContentItem]
    success: bool
    def __init__(self, content_items: _Optional[_Iterable[_Union[DynamicToolCallOutputContentItem, _Mapping]]] = ..., success: _Optional[bool] = ...) -> None: ...

class DynamicToolCallOutputContentItem(_message.Message):
    __slots__ = ("input_text", "input_image")
    class InputText(_message.Message):
        __slots__ = ("text",)
        TEXT_FIELD_NUMBER: _ClassVar[int]
        text: str
        def __init__(self, text: _Optional[str] = ...) -> None: ...
    class InputImage(_message.Message):
        __slots__ = ("image_url",)
        IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
        image_url: str
        def __init__(self, image_url: _Optional[str] = ...) -> None: ...
    INPUT_TEXT_FIELD_NUMBER: _ClassVar[int]
    INPUT_IMAGE_FIELD_NUMBER: _ClassVar[int]
    input_text: DynamicToolCallOutputContentItem.InputText
    input_image: DynamicToolCallOutputContentItem.InputImage
    def __init__(self, input_text: _Optional[_Union[DynamicToolCallOutputContentItem.InputText, _Mapping]] = ..., input_image: _Optional[_Union[DynamicToolCallOutputContentItem.InputImage, _Mapping]] = ...) -> None: ...
