from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InputModality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INPUT_MODALITY_UNSPECIFIED: _ClassVar[InputModality]
    INPUT_MODALITY_TEXT: _ClassVar[InputModality]
    INPUT_MODALITY_IMAGE: _ClassVar[InputModality]
INPUT_MODALITY_UNSPECIFIED: InputModality
INPUT_MODALITY_TEXT: InputModality
INPUT_MODALITY_IMAGE: InputModality

class ModelListParams(_message.Message):
    __slots__ = ("cursor", "limit", "include_hidden")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HIDDEN_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    include_hidden: bool
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ..., include_hidden: _Optional[bool] = ...) -> None: ...

class ModelListResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Model]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[Model, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class Model(_message.Message):
    __slots__ = ("id", "model", "upgrade", "display_name", "description", "hidden", "supported_reasoning_efforts", "default_reasoning_effort", "input_modalities", "supports_personality", "is_default")
    ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    UPGRADE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_REASONING_EFFORTS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    INPUT_MODALITIES_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_PERSONALITY_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    id: str
    model: str
    upgrade: str
    display_name: str
    description: str
    hidden: bool
    supported_reasoning_efforts: _containers.RepeatedCompositeFieldContainer[ReasoningEffortOption]
    default_reasoning_effort: _thread_pb2.ReasoningEffort
    input_modalities: _containers.RepeatedScalarFieldContainer[InputModality]
    supports_personality: bool
    is_default: bool
    def __init__(self, id: _Optional[str] = ..., model: _Optional[str] = ..., upgrade: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., hidden: _Optional[bool] = ..., supported_reasoning_efforts: _Optional[_Iterable[_Union[ReasoningEffortOption, _Mapping]]] = ..., default_reasoning_effort: _Optional[_Union[_thread_pb2.ReasoningEffort, str]] = ..., input_modalities: _Optional[_Iterable[_Union[InputModality, str]]] = ..., supports_personality: _Optional[bool] = ..., is_default: _Optional[bool] = ...) -> None: ...

class ReasoningEffortOption(_message.Message):
    __slots__ = ("reasoning_effort", "description")
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    reasoning_effort: _thread_pb2.ReasoningEffort
    description: str
    def __init__(self, reasoning_effort: _Optional[_Union[_thread_pb2.ReasoningEffort, str]] = ..., description: _Optional[str] = ...) -> None: ...
