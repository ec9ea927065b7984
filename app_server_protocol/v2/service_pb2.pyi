from app_server_protocol import initialize_pb2 as _initialize_pb2
from app_server_protocol import jsonrpc_pb2 as _jsonrpc_pb2
from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from app_server_protocol.v2 import turn_pb2 as _turn_pb2
from app_server_protocol.v2 import model_pb2 as _model_pb2
from app_server_protocol.v2 import account_pb2 as _account_pb2
from app_server_protocol.v2 import config_pb2 as _config_pb2
from app_server_protocol.v2 import command_pb2 as _command_pb2
from app_server_protocol.v2 import mcp_pb2 as _mcp_pb2
from app_server_protocol.v2 import skills_pb2 as _skills_pb2
from app_server_protocol.v2 import listing_pb2 as _listing_pb2
from app_server_protocol.v2 import review_pb2 as _review_pb2
from app_server_protocol import fuzzy_file_search_pb2 as _fuzzy_file_search_pb2
from app_server_protocol import dynamic_tools_pb2 as _dynamic_tools_pb2
from app_server_protocol.v2 import raw_events_pb2 as _raw_events_pb2
from app_server_protocol.v2 import approval_pb2 as _approval_pb2
from app_server_protocol.v2 import notification_pb2 as _notification_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
CONNECTION_REQUIRED_FIELD_NUMBER: _ClassVar[int]
connection_required: _descriptor.FieldDescriptor

class WatchRateLimitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RateLimitSnapshotsUpdate(_message.Message):
    __slots__ = ("snapshots",)
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[_account_pb2.RateLimitSnapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[_account_pb2.RateLimitSnapshot, _Mapping]]] = ...) -> None: ...

class ServerNotification(_message.Message):
    __slots__ = ("error", "thread_started", "thread_archived", "thread_unarchived", "thread_name_updated", "thread_token_usage_updated", "context_compacted", "turn_started", "turn_completed", "turn_diff_updated", "turn_plan_updated", "item_started", "item_completed", "agent_message_delta", "plan_delta", "reasoning_summary_text_delta", "reasoning_summary_part_added", "reasoning_text_delta", "command_execution_output_delta", "file_change_output_delta", "account_updated", "account_login_completed", "account_rate_limits_updated", "model_rerouted", "config_warning", "deprecation_notice", "thread_closed", "server_request_resolved", "terminal_interaction", "app_list_updated", "raw_response_item_completed", "fuzzy_file_search_session_updated", "fuzzy_file_search_session_completed")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    THREAD_STARTED_FIELD_NUMBER: _ClassVar[int]
    THREAD_ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    THREAD_UNARCHIVED_FIELD_NUMBER: _ClassVar[int]
    THREAD_NAME_UPDATED_FIELD_NUMBER: _ClassVar[int]
    THREAD_TOKEN_USAGE_UPDATED_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_COMPACTED_FIELD_NUMBER: _ClassVar[int]
    TURN_STARTED_FIELD_NUMBER: _ClassVar[int]
    TURN_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TURN_DIFF_UPDATED_FIELD_NUMBER: _ClassVar[int]
    TURN_PLAN_UPDATED_FIELD_NUMBER: _ClassVar[int]
    ITEM_STARTED_FIELD_NUMBER: _ClassVar[int]
    ITEM_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    AGENT_MESSAGE_DELTA_FIELD_NUMBER: _ClassVar[int]
    PLAN_DELTA_FIELD_NUMBER: _ClassVar[int]
    REASONING_SUMMARY_TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    REASONING_SUMMARY_PART_ADDED_FIELD_NUMBER: _ClassVar[int]
    REASONING_TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    COMMAND_EXECUTION_OUTPUT_DELTA_FIELD_NUMBER: _ClassVar[int]
    FILE_CHANGE_OUTPUT_DELTA_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_UPDATED_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_LOGIN_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_RATE_LIMITS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    MODEL_REROUTED_FIELD_NUMBER: _ClassVar[int]
    CONFIG_WARNING_FIELD_NUMBER: _ClassVar[int]
    DEPRECATION_NOTICE_FIELD_NUMBER: _ClassVar[int]
    THREAD_CLOSED_FIELD_NUMBER: _ClassVar[int]
    SERVER_REQUEST_RESOLVED_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_INTERACTION_FIELD_NUMBER: _ClassVar[int]
    APP_LIST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    RAW_RESPONSE_ITEM_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    FUZZY_FILE_SEARCH_SESSION_UPDATED_FIELD_NUMBER: _ClassVar[int]
    FUZZY_FILE_SEARCH_SESSION_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    error: _notification_pb2.ErrorNotification
    thread_started: _notification_pb2.ThreadStartedNotification
    thread_archived: _notification_pb2.ThreadArchivedNotification
    thread_unarchived: _notification_pb2.ThreadUnarchivedNotification
    thread_name_updated: _notification_pb2.ThreadNameUpdatedNotification
    thread_token_usage_updated: _notification_pb2.ThreadTokenUsageUpdatedNotification
    context_compacted: _notification_pb2.ContextCompactedNotification
    turn_started: _notification_pb2.TurnStartedNotification
    turn_completed: _notification_pb2.TurnCompletedNotification
    turn_diff_updated: _notification_pb2.TurnDiffUpdatedNotification
    turn_plan_updated: _notification_pb2.TurnPlanUpdatedNotification
    item_started: _notification_pb2.ItemStartedNotification
    item_completed: _notification_pb2.ItemCompletedNotification
    agent_message_delta: _notification_pb2.AgentMessageDeltaNotification
    plan_delta: _notification_pb2.PlanDeltaNotification
    reasoning_summary_text_delta: _notification_pb2.ReasoningSummaryTextDeltaNotification
    reasoning_summary_part_added: _notification_pb2.ReasoningSummaryPartAddedNotification
    reasoning_text_delta: _notification_pb2.ReasoningTextDeltaNotification
    command_execution_output_delta: _notification_pb2.CommandExecutionOutputDeltaNotification
    file_change_output_delta: _notification_pb2.FileChangeOutputDeltaNotification
    account_updated: _notification_pb2.AccountUpdatedNotification
    account_login_completed: _notification_pb2.AccountLoginCompletedNotification
    account_rate_limits_updated: _notification_pb2.AccountRateLimitsUpdatedNotification
    model_rerouted: _notification_pb2.ModelReroutedNotification
    config_warning: _notification_pb2.ConfigWarningNotification
    deprecation_notice: _notification_pb2.DeprecationNoticeNotification
    thread_closed: _notification_pb2.ThreadClosedNotification
    server_request_resolved: _notification_pb2.ServerRequestResolvedNotification
    terminal_interaction: _notification_pb2.TerminalInteractionNotification
    app_list_updated: _listing_pb2.AppListUpdatedNotification
    raw_response_item_completed: _raw_events_pb2.RawResponseItemCompletedNotification
    fuzzy_file_search_session_updated: _fuzzy_file_search_pb2.FuzzyFileSearchSessionUpdatedNotification
    fuzzy_file_search_session_completed: _fuzzy_file_search_pb2.FuzzyFileSearchSessionCompletedNotification
    def __init__(self, error: _Optional[_Union[_notification_pb2.ErrorNotification, _Mapping]] = ..., thread_started: _Optional[_Union[_notification_pb2.ThreadStartedNotification, _Mapping]] = ..., thread_archived: _Optional[_Union[_notification_pb2.ThreadArchivedNotification, _Mapping]] = ..., thread_unarchived: _Optional[_Union[_notification_pb2.ThreadUnarchivedNotification, _Mapping]] = ..., thread_name_updated: _Optional[_Union[_notification_pb2.ThreadNameUpdatedNotification, _Mapping]] = ..., thread_token_usage_updated: _Optional[_Union[_notification_pb2.ThreadTokenUsageUpdatedNotification, _Mapping]] = ..., context_compacted: _Optional[_Union[_notification_pb2.ContextCompactedNotification, _Mapping]] = ..., turn_started: _Optional[_Union[_notification_pb2.TurnStartedNotification, _Mapping]] = ..., turn_completed: _Optional[_Union[_notification_pb2.TurnCompletedNotification, _Mapping]] = ..., turn_diff_updated: _Optional[_Union[_notification_pb2.TurnDiffUpdatedNotification, _Mapping]] = ..., turn_plan_updated: _Optional[_Union[_notification_pb2.TurnPlanUpdatedNotification, _Mapping]] = ..., item_started: _Optional[_Union[_notification_pb2.ItemStartedNotification, _Mapping]] = ..., item_completed: _Optional[_Union[_notification_pb2.ItemCompletedNotification, _Mapping]] = ..., agent_message_delta: _Optional[_Union[_notification_pb2.AgentMessageDeltaNotification, _Mapping]] = ..., plan_delta: _Optional[_Union[_notification_pb2.PlanDeltaNotification, _Mapping]] = ..., reasoning_summary_text_delta: _Optional[_Union[_notification_pb2.ReasoningSummaryTextDeltaNotification, _Mapping]] = ..., reasoning_summary_part_added: _Optional[_Union[_notification_pb2.ReasoningSummaryPartAddedNotification, _Mapping]] = ..., reasoning_text_delta: _Optional[_Union[_notification_pb2.ReasoningTextDeltaNotification, _Mapping]] = ..., command_execution_output_delta: _Optional[_Union[_notification_pb2.CommandExecutionOutputDeltaNotification, _Mapping]] = ..., file_change_output_delta: _Optional[_Union[_notification_pb2.FileChangeOutputDeltaNotification, _Mapping]] = ..., account_updated: _Optional[_Union[_notification_pb2.AccountUpdatedNotification, _Mapping]] = ..., account_login_completed: _Optional[_Union[_notification_pb2.AccountLoginCompletedNotification, _Mapping]] = ..., account_rate_limits_updated: _Optional[_Union[_notification_pb2.AccountRateLimitsUpdatedNotification, _Mapping]] = ..., model_rerouted: _Optional[_Union[_notification_pb2.ModelReroutedNotification, _Mapping]] = ..., config_warning: _Optional[_Union[_notification_pb2.ConfigWarningNotification, _Mapping]] = ..., deprecation_notice: _Optional[_Union[_notification_pb2.DeprecationNoticeNotification, _Mapping]] = ..., thread_closed: _Optional[_Union[_notification_pb2.ThreadClosedNotification, _Mapping]] = ..., server_request_resolved: _Optional[_Union[_notification_pb2.ServerRequestResolvedNotification, _Mapping]] = ..., terminal_interaction: _Optional[_Union[_notification_pb2.TerminalInteractionNotification, _Mapping]] = ..., app_list_updated: _Optional[_Union[_listing_pb2.AppListUpdatedNotification, _Mapping]] = ..., raw_response_item_completed: _Optional[_Union[_raw_events_pb2.RawResponseItemCompletedNotification, _Mapping]] = ..., fuzzy_file_search_session_updated: _Optional[_Union[_fuzzy_file_search_pb2.FuzzyFileSearchSessionUpdatedNotification, _Mapping]] = ..., fuzzy_file_search_session_completed: _Optional[_Union[_fuzzy_file_search_pb2.FuzzyFileSearchSessionCompletedNotification, _Mapping]] = ...) -> None: ...

class ServerRequestParams(_message.Message):
    __slots__ = ("command_execution_request_approval", "file_change_request_approval", "chatgpt_auth_tokens_refresh", "dynamic_tool_call")
    COMMAND_EXECUTION_REQUEST_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    FILE_CHANGE_REQUEST_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_AUTH_TOKENS_REFRESH_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    command_execution_request_approval: _approval_pb2.CommandExecutionRequestApprovalParams
    file_change_request_approval: _approval_pb2.FileChangeRequestApprovalParams
    chatgpt_auth_tokens_refresh: _account_pb2.ChatgptAuthTokensRefreshParams
    dynamic_tool_call: _dynamic_tools_pb2.DynamicToolCallParams
    def __init__(self, command_execution_request_approval: _Optional[_Union[_approval_pb2.CommandExecutionRequestApprovalParams, _Mapping]] = ..., file_change_request_approval: _Optional[_Union[_approval_pb2.FileChangeRequestApprovalParams, _Mapping]] = ..., chatgpt_auth_tokens_refresh: _Optional[_Union[_account_pb2.ChatgptAuthTokensRefreshParams, _Mapping]] = ..., dynamic_tool_call: _Optional[_Union[_dynamic_tools_pb2.DynamicToolCallParams, _Mapping]] = ...) -> None: ...

class ServerRequestResult(_message.Message):
    __slots__ = ("command_execution_request_approval", "file_change_request_approval", "chatgpt_auth_tokens_refresh", "dynamic_tool_call")
    COMMAND_EXECUTION_REQUEST_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    FILE_CHANGE_REQUEST_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_AUTH_TOKENS_REFRESH_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    command_execution_request_approval: _approval_pb2.CommandExecutionRequestApprovalResponse
    file_change_request_approval: _approval_pb2.FileChangeRequestApprovalResponse
    chatgpt_auth_tokens_refresh: _account_pb2.ChatgptAuthTokensRefreshResponse
    dynamic_tool_call: _dynamic_tools_pb2.DynamicToolCallResponse
    def __init__(self, command_execution_request_approval: _Optional[_Union[_approval_pb2.CommandExecutionRequestApprovalResponse, _Mapping]] = ..., file_change_request_approval: _Optional[_Union[_approval_pb2.FileChangeRequestApprovalResponse, _Mapping]] = ..., chatgpt_auth_tokens_refresh: _Optional[_Union[_account_pb2.ChatgptAuthTokensRefreshResponse, _Mapping]] = ..., dynamic_tool_call: _Optional[_Union[_dynamic_tools_pb2.DynamicToolCallResponse, _Mapping]] = ...) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("connection_ids", "all_initialized")
    CONNECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    ALL_INITIALIZED_FIELD_NUMBER: _ClassVar[int]
    connection_ids: _containers.RepeatedScalarFieldContainer[str]
    all_initialized: bool
    def __init__(self, connection_ids: _Optional[_Iterable[str]] = ..., all_initialized: _Optional[bool] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("to", "notification", "after_connection_id", "after_request_seq")
    TO_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    AFTER_CONNECTION_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_REQUEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    to: Delivery
    notification: ServerNotification
    after_connection_id: str
    after_request_seq: int
    def __init__(self, to: _Optional[_Union[Delivery, _Mapping]] = ..., notification: _Optional[_Union[ServerNotification, _Mapping]] = ..., after_connection_id: _Optional[str] = ..., after_request_seq: _Optional[int] = ...) -> None: ...

class ServerRequestOut(_message.Message):
    __slots__ = ("to", "after_connection_id", "after_request_seq", "request_id", "params")
    TO_FIELD_NUMBER: _ClassVar[int]
    AFTER_CONNECTION_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_REQUEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    to: Delivery
    after_connection_id: str
    after_request_seq: int
    request_id: int
    params: ServerRequestParams
    def __init__(self, to: _Optional[_Union[Delivery, _Mapping]] = ..., after_connection_id: _Optional[str] = ..., after_request_seq: _Optional[int] = ..., request_id: _Optional[int] = ..., params: _Optional[_Union[ServerRequestParams, _Mapping]] = ...) -> None: ...

class CoreFrame(_message.Message):
    __slots__ = ("events", "server_requests", "attached", "results")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    SERVER_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    server_requests: _containers.RepeatedCompositeFieldContainer[ServerRequestOut]
    attached: SessionAttached
    results: _containers.RepeatedCompositeFieldContainer[CallResult]
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., server_requests: _Optional[_Iterable[_Union[ServerRequestOut, _Mapping]]] = ..., attached: _Optional[_Union[SessionAttached, _Mapping]] = ..., results: _Optional[_Iterable[_Union[CallResult, _Mapping]]] = ...) -> None: ...

class CallRequest(_message.Message):
    __slots__ = ("call_id", "connection_id", "request_seq", "method", "params", "metadata", "timeout_ms")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    connection_id: str
    request_seq: int
    method: str
    params: bytes
    metadata: _containers.ScalarMap[str, str]
    timeout_ms: int
    def __init__(self, call_id: _Optional[int] = ..., connection_id: _Optional[str] = ..., request_seq: _Optional[int] = ..., method: _Optional[str] = ..., params: _Optional[bytes] = ..., metadata: _Optional[_Mapping[str, str]] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class CallResult(_message.Message):
    __slots__ = ("call_id", "result", "error", "more")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    result: bytes
    error: _jsonrpc_pb2.JSONRPCErrorError
    more: bool
    def __init__(self, call_id: _Optional[int] = ..., result: _Optional[bytes] = ..., error: _Optional[_Union[_jsonrpc_pb2.JSONRPCErrorError, _Mapping]] = ..., more: _Optional[bool] = ...) -> None: ...

class CallRequests(_message.Message):
    __slots__ = ("calls",)
    CALLS_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[CallRequest]
    def __init__(self, calls: _Optional[_Iterable[_Union[CallRequest, _Mapping]]] = ...) -> None: ...

class CallCancel(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    def __init__(self, call_id: _Optional[int] = ...) -> None: ...

class SessionAttached(_message.Message):
    __slots__ = ("gateway_session", "took_over")
    GATEWAY_SESSION_FIELD_NUMBER: _ClassVar[int]
    TOOK_OVER_FIELD_NUMBER: _ClassVar[int]
    gateway_session: str
    took_over: bool
    def __init__(self, gateway_session: _Optional[str] = ..., took_over: _Optional[bool] = ...) -> None: ...

class ClientError(_message.Message):
    __slots__ = ("code", "message", "data")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    data: _struct_pb2.Value
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class ServerRequestReply(_message.Message):
    __slots__ = ("connection_id", "request_id", "result", "error", "malformed_result")
    CONNECTION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    MALFORMED_RESULT_FIELD_NUMBER: _ClassVar[int]
    connection_id: str
    request_id: int
    result: ServerRequestResult
    error: ClientError
    malformed_result: str
    def __init__(self, connection_id: _Optional[str] = ..., request_id: _Optional[int] = ..., result: _Optional[_Union[ServerRequestResult, _Mapping]] = ..., error: _Optional[_Union[ClientError, _Mapping]] = ..., malformed_result: _Optional[str] = ...) -> None: ...

class ConnectionClosed(_message.Message):
    __slots__ = ("connection_id",)
    CONNECTION_ID_FIELD_NUMBER: _ClassVar[int]
    connection_id: str
    def __init__(self, connection_id: _Optional[str] = ...) -> None: ...

class GatewayHello(_message.Message):
    __slots__ = ("gateway_session", "takeover")
    GATEWAY_SESSION_FIELD_NUMBER: _ClassVar[int]
    TAKEOVER_FIELD_NUMBER: _ClassVar[int]
    gateway_session: str
    takeover: bool
    def __init__(self, gateway_session: _Optional[str] = ..., takeover: _Optional[bool] = ...) -> None: ...

class GatewayFrame(_message.Message):
    __slots__ = ("hello", "connection_closed", "reply", "calls", "cancel")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_CLOSED_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    hello: GatewayHello
    connection_closed: ConnectionClosed
    reply: ServerRequestReply
    calls: CallRequests
    cancel: CallCancel
    def __init__(self, hello: _Optional[_Union[GatewayHello, _Mapping]] = ..., connection_closed: _Optional[_Union[ConnectionClosed, _Mapping]] = ..., reply: _Optional[_Union[ServerRequestReply, _Mapping]] = ..., calls: _Optional[_Union[CallRequests, _Mapping]] = ..., cancel: _Optional[_Union[CallCancel, _Mapping]] = ...) -> None: ...
