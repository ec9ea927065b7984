from app_server_protocol import jsonrpc_pb2 as _jsonrpc_pb2
from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import account_pb2 as _account_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TurnPlanStepStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TURN_PLAN_STEP_STATUS_UNSPECIFIED: _ClassVar[TurnPlanStepStatus]
    TURN_PLAN_STEP_STATUS_PENDING: _ClassVar[TurnPlanStepStatus]
    TURN_PLAN_STEP_STATUS_IN_PROGRESS: _ClassVar[TurnPlanStepStatus]
    TURN_PLAN_STEP_STATUS_COMPLETED: _ClassVar[TurnPlanStepStatus]

class AuthMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUTH_MODE_UNSPECIFIED: _ClassVar[AuthMode]
    AUTH_MODE_APIKEY: _ClassVar[AuthMode]
    AUTH_MODE_CHATGPT: _ClassVar[AuthMode]
    AUTH_MODE_CHATGPT_AUTH_TOKENS: _ClassVar[AuthMode]

class ModelRerouteReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_REROUTE_REASON_UNSPECIFIED: _ClassVar[ModelRerouteReason]
    MODEL_REROUTE_REASON_HIGH_RISK_CYBER_ACTIVITY: _ClassVar[ModelRerouteReason]
TURN_PLAN_STEP_STATUS_UNSPECIFIED: TurnPlanStepStatus
TURN_PLAN_STEP_STATUS_PENDING: TurnPlanStepStatus
TURN_PLAN_STEP_STATUS_IN_PROGRESS: TurnPlanStepStatus
TURN_PLAN_STEP_STATUS_COMPLETED: TurnPlanStepStatus
AUTH_MODE_UNSPECIFIED: AuthMode
AUTH_MODE_APIKEY: AuthMode
AUTH_MODE_CHATGPT: AuthMode
AUTH_MODE_CHATGPT_AUTH_TOKENS: AuthMode
MODEL_REROUTE_REASON_UNSPECIFIED: ModelRerouteReason
MODEL_REROUTE_REASON_HIGH_RISK_CYBER_ACTIVITY: ModelRerouteReason

class ErrorNotification(_message.Message):
    __slots__ = ("error", "will_retry", "thread_id", "turn_id")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    WILL_RETRY_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    error: _thread_pb2.TurnError
    will_retry: bool
    thread_id: str
    turn_id: str
    def __init__(self, error: _Optional[_Union[_thread_pb2.TurnError, _Mapping]] = ..., will_retry: _Optional[bool] = ..., thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class ThreadStartedNotification(_message.Message):
    __slots__ = ("thread",)
    THREAD_FIELD_NUMBER: _ClassVar[int]
    thread: _thread_pb2.Thread
    def __init__(self, thread: _Optional[_Union[_thread_pb2.Thread, _Mapping]] = ...) -> None: ...

class ThreadArchivedNotification(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadUnarchivedNotification(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadNameUpdatedNotification(_message.Message):
    __slots__ = ("thread_id", "thread_name")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    THREAD_NAME_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    thread_name: str
    def __init__(self, thread_id: _Optional[str] = ..., thread_name: _Optional[str] = ...) -> None: ...

class ThreadTokenUsageUpdatedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "token_usage")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_USAGE_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    token_usage: ThreadTokenUsage
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., token_usage: _Optional[_Union[ThreadTokenUsage, _Mapping]] = ...) -> None: ...

class ThreadTokenUsage(_message.Message):
    __slots__ = ("total", "last", "model_context_window")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    MODEL_CONTEXT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    total: TokenUsageBreakdown
    last: TokenUsageBreakdown
    model_context_window: int
    def __init__(self, total: _Optional[_Union[TokenUsageBreakdown, _Mapping]] = ..., last: _Optional[_Union[TokenUsageBreakdown, _Mapping]] = ..., model_context_window: _Optional[int] = ...) -> None: ...

class TokenUsageBreakdown(_message.Message):
    __slots__ = ("total_tokens", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REASONING_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    total_tokens: int
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    reasoning_output_tokens: int
    def __init__(self, total_tokens: _Optional[int] = ..., input_tokens: _Optional[int] = ..., cached_input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., reasoning_output_tokens: _Optional[int] = ...) -> None: ...

class ContextCompactedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class TurnStartedNotification(_message.Message):
    __slots__ = ("thread_id", "turn")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn: _thread_pb2.Turn
    def __init__(self, thread_id: _Optional[str] = ..., turn: _Optional[_Union[_thread_pb2.Turn, _Mapping]] = ...) -> None: ...

class TurnCompletedNotification(_message.Message):
    __slots__ = ("thread_id", "turn")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn: _thread_pb2.Turn
    def __init__(self, thread_id: _Optional[str] = ..., turn: _Optional[_Union[_thread_pb2.Turn, _Mapping]] = ...) -> None: ...

class TurnDiffUpdatedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "diff")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    diff: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., diff: _Optional[str] = ...) -> None: ...

class TurnPlanUpdatedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "explanation", "plan")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    explanation: str
    plan: _containers.RepeatedCompositeFieldContainer[TurnPlanStep]
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., explanation: _Optional[str] = ..., plan: _Optional[_Iterable[_Union[TurnPlanStep, _Mapping]]] = ...) -> None: ...

class TurnPlanStep(_message.Message):
    __slots__ = ("step", "status")
    STEP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    step: str
    status: TurnPlanStepStatus
    def __init__(self, step: _Optional[str] = ..., status: _Optional[_Union[TurnPlanStepStatus, str]] = ...) -> None: ...

class ItemStartedNotification(_message.Message):
    __slots__ = ("item", "thread_id", "turn_id")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    item: _thread_pb2.ThreadItem
    thread_id: str
    turn_id: str
    def __init__(self, item: _Optional[_Union[_thread_pb2.ThreadItem, _Mapping]] = ..., thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class ItemCompletedNotification(_message.Message):
    __slots__ = ("item", "thread_id", "turn_id")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    item: _thread_pb2.ThreadItem
    thread_id: str
    turn_id: str
    def __init__(self, item: _Optional[_Union[_thread_pb2.ThreadItem, _Mapping]] = ..., thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class AgentMessageDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ...) -> None: ...

class PlanDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ...) -> None: ...

class ReasoningSummaryTextDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta", "summary_index")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_INDEX_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    summary_index: int
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ..., summary_index: _Optional[int] = ...) -> None: ...

class ReasoningSummaryPartAddedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "summary_index")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_INDEX_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    summary_index: int
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., summary_index: _Optional[int] = ...) -> None: ...

class ReasoningTextDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta", "content_index")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    CONTENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    content_index: int
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ..., content_index: _Optional[int] = ...) -> None: ...

class CommandExecutionOutputDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ...) -> None: ...

class TerminalInteractionNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "process_id", "stdin")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    PROCESS_ID_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    process_id: str
    stdin: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., process_id: _Optional[str] = ..., stdin: _Optional[str] = ...) -> None: ...

class FileChangeOutputDeltaNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "item_id", "delta")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., item_id: _Optional[str] = ..., delta: _Optional[str] = ...) -> None: ...

class AccountUpdatedNotification(_message.Message):
    __slots__ = ("auth_mode",)
    AUTH_MODE_FIELD_NUMBER: _ClassVar[int]
    auth_mode: AuthMode
    def __init__(self, auth_mode: _Optional[_Union[AuthMode, str]] = ...) -> None: ...

class AccountLoginCompletedNotification(_message.Message):
    __slots__ = ("login_id", "success", "error")
    LOGIN_ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    login_id: str
    success: bool
    error: str
    def __init__(self, login_id: _Optional[str] = ..., success: _Optional[bool] = ..., error: _Optional[str] = ...) -> None: ...

class AccountRateLimitsUpdatedNotification(_message.Message):
    __slots__ = ("rate_limits",)
    RATE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    rate_limits: _account_pb2.RateLimitSnapshot
    def __init__(self, rate_limits: _Optional[_Union[_account_pb2.RateLimitSnapshot, _Mapping]] = ...) -> None: ...

class ModelReroutedNotification(_message.Message):
    __slots__ = ("thread_id", "turn_id", "from_model", "to_model", "reason")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_MODEL_FIELD_NUMBER: _ClassVar[int]
    TO_MODEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    turn_id: str
    from_model: str
    to_model: str
    reason: ModelRerouteReason
    def __init__(self, thread_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., from_model: _Optional[str] = ..., to_model: _Optional[str] = ..., reason: _Optional[_Union[ModelRerouteReason, str]] = ...) -> None: ...

class ConfigWarningNotification(_message.Message):
    __slots__ = ("summary", "details", "path", "range")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    summary: str
    details: str
    path: str
    range: TextRange
    def __init__(self, summary: _Optional[str] = ..., details: _Optional[str] = ..., path: _Optional[str] = ..., range: _Optional[_Union[TextRange, _Mapping]] = ...) -> None: ...

class TextRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: TextPosition
    end: TextPosition
    def __init__(self, start: _Optional[_Union[TextPosition, _Mapping]] = ..., end: _Optional[_Union[TextPosition, _Mapping]] = ...) -> None: ...

class TextPosition(_message.Message):
    __slots__ = ("line", "column")
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    line: int
    column: int
    def __init__(self, line: _Optional[int] = ..., column: _Optional[int] = ...) -> None: ...

class DeprecationNoticeNotification(_message.Message):
    __slots__ = ("summary", "details")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    summary: str
    details: str
    def __init__(self, summary: _Optional[str] = ..., details: _Optional[str] = ...) -> None: ...

class ThreadClosedNotification(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ServerRequestResolvedNotification(_message.Message):
    __slots__ = ("thread_id", "request_id")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    request_id: _jsonrpc_pb2.RequestId
    def __init__(self, thread_id: _Optional[str] = ..., request_id: _Optional[_Union[_jsonrpc_pb2.RequestId, _Mapping]] = ...) -> None: ...
