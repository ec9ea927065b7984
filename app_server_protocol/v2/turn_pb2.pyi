from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReasoningSummary(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASONING_SUMMARY_UNSPECIFIED: _ClassVar[ReasoningSummary]
    REASONING_SUMMARY_AUTO: _ClassVar[ReasoningSummary]
    REASONING_SUMMARY_CONCISE: _ClassVar[ReasoningSummary]
    REASONING_SUMMARY_DETAILED: _ClassVar[ReasoningSummary]
    REASONING_SUMMARY_NONE: _ClassVar[ReasoningSummary]
REASONING_SUMMARY_UNSPECIFIED: ReasoningSummary
REASONING_SUMMARY_AUTO: ReasoningSummary
REASONING_SUMMARY_CONCISE: ReasoningSummary
REASONING_SUMMARY_DETAILED: ReasoningSummary
REASONING_SUMMARY_NONE: ReasoningSummary

class TurnStartParams(_message.Message):
    __slots__ = ("thread_id", "input", "cwd", "approval_policy", "sandbox_policy", "model", "effort", "summary", "personality", "output_schema")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_POLICY_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    EFFORT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PERSONALITY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    input: _containers.RepeatedCompositeFieldContainer[_thread_pb2.UserInput]
    cwd: str
    approval_policy: _thread_pb2.AskForApproval
    sandbox_policy: _thread_pb2.SandboxPolicy
    model: str
    effort: _thread_pb2.ReasoningEffort
    summary: ReasoningSummary
    personality: _thread_pb2.Personality
    output_schema: _struct_pb2.Value
    def __init__(self, thread_id: _Optional[str] = ..., input: _Optional[_Iterable[_Union[_thread_pb2.UserInput, _Mapping]]] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[_thread_pb2.AskForApproval, str]] = ..., sandbox_policy: _Optional[_Union[_thread_pb2.SandboxPolicy, _Mapping]] = ..., model: _Optional[str] = ..., effort: _Optional[_Union[_thread_pb2.ReasoningEffort, str]] = ..., summary: _Optional[_Union[ReasoningSummary, str]] = ..., personality: _Optional[_Union[_thread_pb2.Personality, str]] = ..., output_schema: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class TurnStartResponse(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: _thread_pb2.Turn
    def __init__(self, turn: _Optional[_Union[_thread_pb2.Turn, _Mapping]] = ...) -> None: ...

class TurnSteerParams(_message.Message):
    __slots__ = ("thread_id", "input", "expected_turn_id")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_TURN_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    input: _containers.RepeatedCompositeFieldContainer[_thread_pb2.UserInput]
    expected_turn_id: str
    def __init__(self, thread_id: _Optional[str] = ..., input: _Optional[_Iterable[_Union[_thread_pb2.UserInput, _Mapping]]] = ..., expected_turn_id: _Optional[str] = ...) -> None: ...

class TurnSteerResponse(_message.Message):
    __slots__ = ("turn_id",)
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    turn_id: str
    def __init__(self, turn_id: _Optional[str] = ...) -> None: ...

class TurnInterruptParams(_message.Message):
    __slots__ = ("thread_id", "turn_id")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class TurnInterruptResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
