from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FileChangeApprovalDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILE_CHANGE_APPROVAL_DECISION_UNSPECIFIED: _ClassVar[FileChangeApprovalDecision]
    FILE_CHANGE_APPROVAL_DECISION_ACCEPT: _ClassVar[FileChangeApprovalDecision]
    FILE_CHANGE_APPROVAL_DECISION_ACCEPT_FOR_SESSION: _ClassVar[FileChangeApprovalDecision]
    FILE_CHANGE_APPROVAL_DECISION_DECLINE: _ClassVar[FileChangeApprovalDecision]
    FILE_CHANGE_APPROVAL_DECISION_CANCEL: _ClassVar[FileChangeApprovalDecision]
FILE_CHANGE_APPROVAL_DECISION_UNSPECIFIED: FileChangeApprovalDecision
FILE_CHANGE_APPROVAL_DECISION_ACCEPT: FileChangeApprovalDecision
FILE_CHANGE_APPROVAL_DECISION_ACCEPT_FOR_SESSION: FileChangeApprovalDecision
FILE_CHANGE_APPROVAL_DECISION_DECLINE: FileChangeApprovalDecision
FILE_CHANGE_APPROVAL_DECISION_CANCEL: FileChangeApprovalDecision

class CommandExecutionRequestApprovalParams(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "approval_id", "reason", "command", "cwd", "command_actions", "proposed_execpolicy_amendment")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_EXECPOLICY_AMENDMENT_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    approval_id: str
    reason: str
    command: str
    cwd: str
    command_actions: _containers.RepeatedCompositeFieldContainer[_thread_pb2.CommandAction]
    proposed_execpolicy_amendment: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., approval_id: _Optional[str] = ..., reason: _Optional[str] = ..., command: _Optional[str] = ..., cwd: _Optional[str] = ..., command_actions: _Optional[_Iterable[_Union[_thread_pb2.CommandAction, _Mapping]]] = ..., proposed_execpolicy_amendment: _Optional[_Iterable[str]] = ...) -> None: ...

class CommandExecutionRequestApprovalResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: CommandExecutionApprovalDecision
    def __init__(self, decision: _Optional[_Union[CommandExecutionApprovalDecision, _Mapping]] = ...) -> None: ...

class CommandExecutionApprovalDecision(_message.Message):
    __slots__ = ("unit", "accept_with_execpolicy_amendment")
    class Unit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_UNSPECIFIED: _ClassVar[CommandExecutionApprovalDecision.Unit]
        COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_ACCEPT: _ClassVar[CommandExecutionApprovalDecision.Unit]
        COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_ACCEPT_FOR_SESSION: _ClassVar[CommandExecutionApprovalDecision.Unit]
        COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_DECLINE: _ClassVar[CommandExecutionApprovalDecision.Unit]
        COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_CANCEL: _ClassVar[CommandExecutionApprovalDecision.Unit]
    COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_UNSPECIFIED: CommandExecutionApprovalDecision.Unit
    COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_ACCEPT: CommandExecutionApprovalDecision.Unit
    COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_ACCEPT_FOR_SESSION: CommandExecutionApprovalDecision.Unit
    COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_DECLINE: CommandExecutionApprovalDecision.Unit
    COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_CANCEL: CommandExecutionApprovalDecision.Unit
    class AcceptWithExecpolicyAmendment(_message.Message):
        __slots__ = ("execpolicy_amendment",)
        EXECPOLICY_AMENDMENT_FIELD_NUMBER: _ClassVar[int]
        execpolicy_amendment: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, execpolicy_amendment: _Optional[_Iterable[str]] = ...) -> None: ...
    UNIT_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_WITH_EXECPOLICY_AMENDMENT_FIELD_NUMBER: _ClassVar[int]
    unit: CommandExecutionApprovalDecision.Unit
    accept_with_execpolicy_amendment: CommandExecutionApprovalDecision.AcceptWithExecpolicyAmendment
    def __init__(self, unit: _Optional[_Union[CommandExecutionApprovalDecision.Unit, str]] = ..., accept_with_execpolicy_amendment: _Optional[_Union[CommandExecutionApprovalDecision.AcceptWithExecpolicyAmendment, _Mapping]] = ...) -> None: ...

class FileChangeRequestApprovalParams(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "reason", "grant_root")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    GRANT_ROOT_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    reason: str
    grant_root: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., reason: _Optional[str] = ..., grant_root: _Optional[str] = ...) -> None: ...

class FileChangeRequestApprovalResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: FileChangeApprovalDecision
    def __init__(self, decision: _Optional[_Union[FileChangeApprovalDecision, str]] = ...) -> None: ...
