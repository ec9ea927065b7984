from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AskForApproval(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASK_FOR_APPROVAL_UNSPECIFIED: _ClassVar[AskForApproval]
    ASK_FOR_APPROVAL_UNTRUSTED: _ClassVar[AskForApproval]
    ASK_FOR_APPROVAL_ON_FAILURE: _ClassVar[AskForApproval]
    ASK_FOR_APPROVAL_ON_REQUEST: _ClassVar[AskForApproval]
    ASK_FOR_APPROVAL_NEVER: _ClassVar[AskForApproval]

class Personality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERSONALITY_UNSPECIFIED: _ClassVar[Personality]
    PERSONALITY_NONE: _ClassVar[Personality]
    PERSONALITY_FRIENDLY: _ClassVar[Personality]
    PERSONALITY_PRAGMATIC: _ClassVar[Personality]

class SandboxMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANDBOX_MODE_UNSPECIFIED: _ClassVar[SandboxMode]
    SANDBOX_MODE_READ_ONLY: _ClassVar[SandboxMode]
    SANDBOX_MODE_WORKSPACE_WRITE: _ClassVar[SandboxMode]
    SANDBOX_MODE_DANGER_FULL_ACCESS: _ClassVar[SandboxMode]

class ReasoningEffort(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASONING_EFFORT_UNSPECIFIED: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_NONE: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_MINIMAL: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_LOW: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_MEDIUM: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_HIGH: _ClassVar[ReasoningEffort]
    REASONING_EFFORT_XHIGH: _ClassVar[ReasoningEffort]

class NetworkAccess(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NETWORK_ACCESS_UNSPECIFIED: _ClassVar[NetworkAccess]
    NETWORK_ACCESS_RESTRICTED: _ClassVar[NetworkAccess]
    NETWORK_ACCESS_ENABLED: _ClassVar[NetworkAccess]

class CommandExecutionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMAND_EXECUTION_STATUS_UNSPECIFIED: _ClassVar[CommandExecutionStatus]
    COMMAND_EXECUTION_STATUS_IN_PROGRESS: _ClassVar[CommandExecutionStatus]
    COMMAND_EXECUTION_STATUS_COMPLETED: _ClassVar[CommandExecutionStatus]
    COMMAND_EXECUTION_STATUS_FAILED: _ClassVar[CommandExecutionStatus]
    COMMAND_EXECUTION_STATUS_DECLINED: _ClassVar[CommandExecutionStatus]

class PatchApplyStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PATCH_APPLY_STATUS_UNSPECIFIED: _ClassVar[PatchApplyStatus]
    PATCH_APPLY_STATUS_IN_PROGRESS: _ClassVar[PatchApplyStatus]
    PATCH_APPLY_STATUS_COMPLETED: _ClassVar[PatchApplyStatus]
    PATCH_APPLY_STATUS_FAILED: _ClassVar[PatchApplyStatus]
    PATCH_APPLY_STATUS_DECLINED: _ClassVar[PatchApplyStatus]

class McpToolCallStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MCP_TOOL_CALL_STATUS_UNSPECIFIED: _ClassVar[McpToolCallStatus]
    MCP_TOOL_CALL_STATUS_IN_PROGRESS: _ClassVar[McpToolCallStatus]
    MCP_TOOL_CALL_STATUS_COMPLETED: _ClassVar[McpToolCallStatus]
    MCP_TOOL_CALL_STATUS_FAILED: _ClassVar[McpToolCallStatus]

class CollabAgentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLLAB_AGENT_STATUS_UNSPECIFIED: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_PENDING_INIT: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_RUNNING: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_COMPLETED: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_ERRORED: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_SHUTDOWN: _ClassVar[CollabAgentStatus]
    COLLAB_AGENT_STATUS_NOT_FOUND: _ClassVar[CollabAgentStatus]

class CollabAgentToolCallStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLLAB_AGENT_TOOL_CALL_STATUS_UNSPECIFIED: _ClassVar[CollabAgentToolCallStatus]
    COLLAB_AGENT_TOOL_CALL_STATUS_IN_PROGRESS: _ClassVar[CollabAgentToolCallStatus]
    COLLAB_AGENT_TOOL_CALL_STATUS_COMPLETED: _ClassVar[CollabAgentToolCallStatus]
    COLLAB_AGENT_TOOL_CALL_STATUS_FAILED: _ClassVar[CollabAgentToolCallStatus]

class CollabAgentTool(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLLAB_AGENT_TOOL_UNSPECIFIED: _ClassVar[CollabAgentTool]
    COLLAB_AGENT_TOOL_SPAWN_AGENT: _ClassVar[CollabAgentTool]
    COLLAB_AGENT_TOOL_SEND_INPUT: _ClassVar[CollabAgentTool]
    COLLAB_AGENT_TOOL_RESUME_AGENT: _ClassVar[CollabAgentTool]
    COLLAB_AGENT_TOOL_WAIT: _ClassVar[CollabAgentTool]
    COLLAB_AGENT_TOOL_CLOSE_AGENT: _ClassVar[CollabAgentTool]

class TurnStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TURN_STATUS_UNSPECIFIED: _ClassVar[TurnStatus]
    TURN_STATUS_COMPLETED: _ClassVar[TurnStatus]
    TURN_STATUS_INTERRUPTED: _ClassVar[TurnStatus]
    TURN_STATUS_FAILED: _ClassVar[TurnStatus]
    TURN_STATUS_IN_PROGRESS: _ClassVar[TurnStatus]

class ThreadSortKey(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THREAD_SORT_KEY_UNSPECIFIED: _ClassVar[ThreadSortKey]
    THREAD_SORT_KEY_CREATED_AT: _ClassVar[ThreadSortKey]
    THREAD_SORT_KEY_UPDATED_AT: _ClassVar[ThreadSortKey]

class ThreadSourceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THREAD_SOURCE_KIND_UNSPECIFIED: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_CLI: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_VSCODE: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_EXEC: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_APP_SERVER: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_SUB_AGENT: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_SUB_AGENT_REVIEW: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_SUB_AGENT_COMPACT: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_SUB_AGENT_THREAD_SPAWN: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_SUB_AGENT_OTHER: _ClassVar[ThreadSourceKind]
    THREAD_SOURCE_KIND_UNKNOWN: _ClassVar[ThreadSourceKind]

class ThreadUnsubscribeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THREAD_UNSUBSCRIBE_STATUS_UNSPECIFIED: _ClassVar[ThreadUnsubscribeStatus]
    THREAD_UNSUBSCRIBE_STATUS_NOT_LOADED: _ClassVar[ThreadUnsubscribeStatus]
    THREAD_UNSUBSCRIBE_STATUS_NOT_SUBSCRIBED: _ClassVar[ThreadUnsubscribeStatus]
    THREAD_UNSUBSCRIBE_STATUS_UNSUBSCRIBED: _ClassVar[ThreadUnsubscribeStatus]
ASK_FOR_APPROVAL_UNSPECIFIED: AskForApproval
ASK_FOR_APPROVAL_UNTRUSTED: AskForApproval
ASK_FOR_APPROVAL_ON_FAILURE: AskForApproval
ASK_FOR_APPROVAL_ON_REQUEST: AskForApproval
ASK_FOR_APPROVAL_NEVER: AskForApproval
PERSONALITY_UNSPECIFIED: Personality
PERSONALITY_NONE: Personality
PERSONALITY_FRIENDLY: Personality
PERSONALITY_PRAGMATIC: Personality
SANDBOX_MODE_UNSPECIFIED: SandboxMode
SANDBOX_MODE_READ_ONLY: SandboxMode
SANDBOX_MODE_WORKSPACE_WRITE: SandboxMode
SANDBOX_MODE_DANGER_FULL_ACCESS: SandboxMode
REASONING_EFFORT_UNSPECIFIED: ReasoningEffort
REASONING_EFFORT_NONE: ReasoningEffort
REASONING_EFFORT_MINIMAL: ReasoningEffort
REASONING_EFFORT_LOW: ReasoningEffort
REASONING_EFFORT_MEDIUM: ReasoningEffort
REASONING_EFFORT_HIGH: ReasoningEffort
REASONING_EFFORT_XHIGH: ReasoningEffort
NETWORK_ACCESS_UNSPECIFIED: NetworkAccess
NETWORK_ACCESS_RESTRICTED: NetworkAccess
NETWORK_ACCESS_ENABLED: NetworkAccess
COMMAND_EXECUTION_STATUS_UNSPECIFIED: CommandExecutionStatus
COMMAND_EXECUTION_STATUS_IN_PROGRESS: CommandExecutionStatus
COMMAND_EXECUTION_STATUS_COMPLETED: CommandExecutionStatus
COMMAND_EXECUTION_STATUS_FAILED: CommandExecutionStatus
COMMAND_EXECUTION_STATUS_DECLINED: CommandExecutionStatus
PATCH_APPLY_STATUS_UNSPECIFIED: PatchApplyStatus
PATCH_APPLY_STATUS_IN_PROGRESS: PatchApplyStatus
PATCH_APPLY_STATUS_COMPLETED: PatchApplyStatus
PATCH_APPLY_STATUS_FAILED: PatchApplyStatus
PATCH_APPLY_STATUS_DECLINED: PatchApplyStatus
MCP_TOOL_CALL_STATUS_UNSPECIFIED: McpToolCallStatus
MCP_TOOL_CALL_STATUS_IN_PROGRESS: McpToolCallStatus
MCP_TOOL_CALL_STATUS_COMPLETED: McpToolCallStatus
MCP_TOOL_CALL_STATUS_FAILED: McpToolCallStatus
COLLAB_AGENT_STATUS_UNSPECIFIED: CollabAgentStatus
COLLAB_AGENT_STATUS_PENDING_INIT: CollabAgentStatus
COLLAB_AGENT_STATUS_RUNNING: CollabAgentStatus
COLLAB_AGENT_STATUS_COMPLETED: CollabAgentStatus
COLLAB_AGENT_STATUS_ERRORED: CollabAgentStatus
COLLAB_AGENT_STATUS_SHUTDOWN: CollabAgentStatus
COLLAB_AGENT_STATUS_NOT_FOUND: CollabAgentStatus
COLLAB_AGENT_TOOL_CALL_STATUS_UNSPECIFIED: CollabAgentToolCallStatus
COLLAB_AGENT_TOOL_CALL_STATUS_IN_PROGRESS: CollabAgentToolCallStatus
COLLAB_AGENT_TOOL_CALL_STATUS_COMPLETED: CollabAgentToolCallStatus
COLLAB_AGENT_TOOL_CALL_STATUS_FAILED: CollabAgentToolCallStatus
COLLAB_AGENT_TOOL_UNSPECIFIED: CollabAgentTool
COLLAB_AGENT_TOOL_SPAWN_AGENT: CollabAgentTool
COLLAB_AGENT_TOOL_SEND_INPUT: CollabAgentTool
COLLAB_AGENT_TOOL_RESUME_AGENT: CollabAgentTool
COLLAB_AGENT_TOOL_WAIT: CollabAgentTool
COLLAB_AGENT_TOOL_CLOSE_AGENT: CollabAgentTool
TURN_STATUS_UNSPECIFIED: TurnStatus
TURN_STATUS_COMPLETED: TurnStatus
TURN_STATUS_INTERRUPTED: TurnStatus
TURN_STATUS_FAILED: TurnStatus
TURN_STATUS_IN_PROGRESS: TurnStatus
THREAD_SORT_KEY_UNSPECIFIED: ThreadSortKey
THREAD_SORT_KEY_CREATED_AT: ThreadSortKey
THREAD_SORT_KEY_UPDATED_AT: ThreadSortKey
THREAD_SOURCE_KIND_UNSPECIFIED: ThreadSourceKind
THREAD_SOURCE_KIND_CLI: ThreadSourceKind
THREAD_SOURCE_KIND_VSCODE: ThreadSourceKind
THREAD_SOURCE_KIND_EXEC: ThreadSourceKind
THREAD_SOURCE_KIND_APP_SERVER: ThreadSourceKind
THREAD_SOURCE_KIND_SUB_AGENT: ThreadSourceKind
THREAD_SOURCE_KIND_SUB_AGENT_REVIEW: ThreadSourceKind
THREAD_SOURCE_KIND_SUB_AGENT_COMPACT: ThreadSourceKind
THREAD_SOURCE_KIND_SUB_AGENT_THREAD_SPAWN: ThreadSourceKind
THREAD_SOURCE_KIND_SUB_AGENT_OTHER: ThreadSourceKind
THREAD_SOURCE_KIND_UNKNOWN: ThreadSourceKind
THREAD_UNSUBSCRIBE_STATUS_UNSPECIFIED: ThreadUnsubscribeStatus
THREAD_UNSUBSCRIBE_STATUS_NOT_LOADED: ThreadUnsubscribeStatus
THREAD_UNSUBSCRIBE_STATUS_NOT_SUBSCRIBED: ThreadUnsubscribeStatus
THREAD_UNSUBSCRIBE_STATUS_UNSUBSCRIBED: ThreadUnsubscribeStatus

class ThreadStartParams(_message.Message):
    __slots__ = ("model", "model_provider", "cwd", "approval_policy", "sandbox", "config", "base_instructions", "developer_instructions", "personality", "ephemeral", "dynamic_tools", "mock_experimental_field", "experimental_raw_events")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    BASE_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    PERSONALITY_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_TOOLS_FIELD_NUMBER: _ClassVar[int]
    MOCK_EXPERIMENTAL_FIELD_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENTAL_RAW_EVENTS_FIELD_NUMBER: _ClassVar[int]
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxMode
    config: _struct_pb2.Struct
    base_instructions: str
    developer_instructions: str
    personality: Personality
    ephemeral: bool
    dynamic_tools: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    mock_experimental_field: str
    experimental_raw_events: bool
    def __init__(self, model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxMode, str]] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., base_instructions: _Optional[str] = ..., developer_instructions: _Optional[str] = ..., personality: _Optional[_Union[Personality, str]] = ..., ephemeral: _Optional[bool] = ..., dynamic_tools: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., mock_experimental_field: _Optional[str] = ..., experimental_raw_events: _Optional[bool] = ...) -> None: ...

class ThreadStartResponse(_message.Message):
    __slots__ = ("thread", "model", "model_provider", "cwd", "approval_policy", "sandbox", "reasoning_effort")
    THREAD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxPolicy
    reasoning_effort: ReasoningEffort
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ..., model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxPolicy, _Mapping]] = ..., reasoning_effort: _Optional[_Union[ReasoningEffort, str]] = ...) -> None: ...

class SandboxPolicy(_message.Message):
    __slots__ = ("danger_full_access", "read_only", "external_sandbox", "workspace_write")
    class DangerFullAccess(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class ReadOnly(_message.Message):
        __slots__ = ("access",)
        ACCESS_FIELD_NUMBER: _ClassVar[int]
        access: ReadOnlyAccess
        def __init__(self, access: _Optional[_Union[ReadOnlyAccess, _Mapping]] = ...) -> None: ...
    class ExternalSandbox(_message.Message):
        __slots__ = ("network_access",)
        NETWORK_ACCESS_FIELD_NUMBER: _ClassVar[int]
        network_access: NetworkAccess
        def __init__(self, network_access: _Optional[_Union[NetworkAccess, str]] = ...) -> None: ...
    class WorkspaceWrite(_message.Message):
        __slots__ = ("writable_roots", "read_only_access", "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp")
        WRITABLE_ROOTS_FIELD_NUMBER: _ClassVar[int]
        READ_ONLY_ACCESS_FIELD_NUMBER: _ClassVar[int]
        NETWORK_ACCESS_FIELD_NUMBER: _ClassVar[int]
        EXCLUDE_TMPDIR_ENV_VAR_FIELD_NUMBER: _ClassVar[int]
        EXCLUDE_SLASH_TMP_FIELD_NUMBER: _ClassVar[int]
        writable_roots: _containers.RepeatedScalarFieldContainer[str]
        read_only_access: ReadOnlyAccess
        network_access: bool
        exclude_tmpdir_env_var: bool
        exclude_slash_tmp: bool
        def __init__(self, writable_roots: _Optional[_Iterable[str]] = ..., read_only_access: _Optional[_Union[ReadOnlyAccess, _Mapping]] = ..., network_access: _Optional[bool] = ..., exclude_tmpdir_env_var: _Optional[bool] = ..., exclude_slash_tmp: _Optional[bool] = ...) -> None: ...
    DANGER_FULL_ACCESS_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SANDBOX_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_WRITE_FIELD_NUMBER: _ClassVar[int]
    danger_full_access: SandboxPolicy.DangerFullAccess
    read_only: SandboxPolicy.ReadOnly
    external_sandbox: SandboxPolicy.ExternalSandbox
    workspace_write: SandboxPolicy.WorkspaceWrite
    def __init__(self, danger_full_access: _Optional[_Union[SandboxPolicy.DangerFullAccess, _Mapping]] = ..., read_only: _Optional[_Union[SandboxPolicy.ReadOnly, _Mapping]] = ..., external_sandbox: _Optional[_Union[SandboxPolicy.ExternalSandbox, _Mapping]] = ..., workspace_write: _Optional[_Union[SandboxPolicy.WorkspaceWrite, _Mapping]] = ...) -> None: ...

class ReadOnlyAccess(_message.Message):
    __slots__ = ("restricted", "full_access")
    class Restricted(_message.Message):
        __slots__ = ("include_platform_defaults", "readable_roots")
        INCLUDE_PLATFORM_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
        READABLE_ROOTS_FIELD_NUMBER: _ClassVar[int]
        include_platform_defaults: bool
        readable_roots: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, include_platform_defaults: _Optional[bool] = ..., readable_roots: _Optional[_Iterable[str]] = ...) -> None: ...
    class FullAccess(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    RESTRICTED_FIELD_NUMBER: _ClassVar[int]
    FULL_ACCESS_FIELD_NUMBER: _ClassVar[int]
    restricted: ReadOnlyAccess.Restricted
    full_access: ReadOnlyAccess.FullAccess
    def __init__(self, restricted: _Optional[_Union[ReadOnlyAccess.Restricted, _Mapping]] = ..., full_access: _Optional[_Union[ReadOnlyAccess.FullAccess, _Mapping]] = ...) -> None: ...

class Thread(_message.Message):
    __slots__ = ("id", "preview", "model_provider", "created_at", "updated_at", "path", "cwd", "cli_version", "source", "git_info", "turns")
    ID_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    CLI_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    GIT_INFO_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    id: str
    preview: str
    model_provider: str
    created_at: int
    updated_at: int
    path: str
    cwd: str
    cli_version: str
    source: SessionSource
    git_info: GitInfo
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    def __init__(self, id: _Optional[str] = ..., preview: _Optional[str] = ..., model_provider: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., path: _Optional[str] = ..., cwd: _Optional[str] = ..., cli_version: _Optional[str] = ..., source: _Optional[_Union[SessionSource, _Mapping]] = ..., git_info: _Optional[_Union[GitInfo, _Mapping]] = ..., turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ...) -> None: ...

class GitInfo(_message.Message):
    __slots__ = ("sha", "branch", "origin_url")
    SHA_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_URL_FIELD_NUMBER: _ClassVar[int]
    sha: str
    branch: str
    origin_url: str
    def __init__(self, sha: _Optional[str] = ..., branch: _Optional[str] = ..., origin_url: _Optional[str] = ...) -> None: ...

class SessionSource(_message.Message):
    __slots__ = ("unit", "sub_agent")
    class Unit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SESSION_SOURCE_UNIT_UNSPECIFIED: _ClassVar[SessionSource.Unit]
        SESSION_SOURCE_UNIT_CLI: _ClassVar[SessionSource.Unit]
        SESSION_SOURCE_UNIT_VSCODE: _ClassVar[SessionSource.Unit]
        SESSION_SOURCE_UNIT_EXEC: _ClassVar[SessionSource.Unit]
        SESSION_SOURCE_UNIT_APP_SERVER: _ClassVar[SessionSource.Unit]
        SESSION_SOURCE_UNIT_UNKNOWN: _ClassVar[SessionSource.Unit]
    SESSION_SOURCE_UNIT_UNSPECIFIED: SessionSource.Unit
    SESSION_SOURCE_UNIT_CLI: SessionSource.Unit
    SESSION_SOURCE_UNIT_VSCODE: SessionSource.Unit
    SESSION_SOURCE_UNIT_EXEC: SessionSource.Unit
    SESSION_SOURCE_UNIT_APP_SERVER: SessionSource.Unit
    SESSION_SOURCE_UNIT_UNKNOWN: SessionSource.Unit
    UNIT_FIELD_NUMBER: _ClassVar[int]
    SUB_AGENT_FIELD_NUMBER: _ClassVar[int]
    unit: SessionSource.Unit
    sub_agent: SubAgentSource
    def __init__(self, unit: _Optional[_Union[SessionSource.Unit, str]] = ..., sub_agent: _Optional[_Union[SubAgentSource, _Mapping]] = ...) -> None: ...

class SubAgentSource(_message.Message):
    __slots__ = ("unit", "thread_spawn", "other")
    class Unit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SUB_AGENT_SOURCE_UNIT_UNSPECIFIED: _ClassVar[SubAgentSource.Unit]
        SUB_AGENT_SOURCE_UNIT_REVIEW: _ClassVar[SubAgentSource.Unit]
        SUB_AGENT_SOURCE_UNIT_COMPACT: _ClassVar[SubAgentSource.Unit]
        SUB_AGENT_SOURCE_UNIT_MEMORY_CONSOLIDATION: _ClassVar[SubAgentSource.Unit]
    SUB_AGENT_SOURCE_UNIT_UNSPECIFIED: SubAgentSource.Unit
    SUB_AGENT_SOURCE_UNIT_REVIEW: SubAgentSource.Unit
    SUB_AGENT_SOURCE_UNIT_COMPACT: SubAgentSource.Unit
    SUB_AGENT_SOURCE_UNIT_MEMORY_CONSOLIDATION: SubAgentSource.Unit
    class ThreadSpawn(_message.Message):
        __slots__ = ("depth", "parent_thread_id")
        DEPTH_FIELD_NUMBER: _ClassVar[int]
        PARENT_THREAD_ID_FIELD_NUMBER: _ClassVar[int]
        depth: int
        parent_thread_id: str
        def __init__(self, depth: _Optional[int] = ..., parent_thread_id: _Optional[str] = ...) -> None: ...
    UNIT_FIELD_NUMBER: _ClassVar[int]
    THREAD_SPAWN_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    unit: SubAgentSource.Unit
    thread_spawn: SubAgentSource.ThreadSpawn
    other: str
    def __init__(self, unit: _Optional[_Union[SubAgentSource.Unit, str]] = ..., thread_spawn: _Optional[_Union[SubAgentSource.ThreadSpawn, _Mapping]] = ..., other: _Optional[str] = ...) -> None: ...

class Turn(_message.Message):
    __slots__ = ("id", "items", "status", "error")
    ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    items: _containers.RepeatedCompositeFieldContainer[ThreadItem]
    status: TurnStatus
    error: TurnError
    def __init__(self, id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ThreadItem, _Mapping]]] = ..., status: _Optional[_Union[TurnStatus, str]] = ..., error: _Optional[_Union[TurnError, _Mapping]] = ...) -> None: ...

class TurnError(_message.Message):
    __slots__ = ("message", "codex_error_info", "additional_details")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CODEX_ERROR_INFO_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_DETAILS_FIELD_NUMBER: _ClassVar[int]
    message: str
    codex_error_info: CodexErrorInfo
    additional_details: str
    def __init__(self, message: _Optional[str] = ..., codex_error_info: _Optional[_Union[CodexErrorInfo, _Mapping]] = ..., additional_details: _Optional[str] = ...) -> None: ...

class CodexErrorInfo(_message.Message):
    __slots__ = ("unit", "http_connection_failed", "response_stream_connection_failed", "response_stream_disconnected", "response_too_many_failed_attempts")
    class Unit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CODEX_ERROR_INFO_UNIT_UNSPECIFIED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_CONTEXT_WINDOW_EXCEEDED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_USAGE_LIMIT_EXCEEDED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_SERVER_OVERLOADED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_INTERNAL_SERVER_ERROR: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_UNAUTHORIZED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_BAD_REQUEST: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_THREAD_ROLLBACK_FAILED: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_SANDBOX_ERROR: _ClassVar[CodexErrorInfo.Unit]
        CODEX_ERROR_INFO_UNIT_OTHER: _ClassVar[CodexErrorInfo.Unit]
    CODEX_ERROR_INFO_UNIT_UNSPECIFIED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_CONTEXT_WINDOW_EXCEEDED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_USAGE_LIMIT_EXCEEDED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_SERVER_OVERLOADED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_INTERNAL_SERVER_ERROR: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_UNAUTHORIZED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_BAD_REQUEST: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_THREAD_ROLLBACK_FAILED: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_SANDBOX_ERROR: CodexErrorInfo.Unit
    CODEX_ERROR_INFO_UNIT_OTHER: CodexErrorInfo.Unit
    class HttpConnectionFailed(_message.Message):
        __slots__ = ("http_status_code",)
        HTTP_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
        http_status_code: int
        def __init__(self, http_status_code: _Optional[int] = ...) -> None: ...
    class ResponseStreamConnectionFailed(_message.Message):
        __slots__ = ("http_status_code",)
        HTTP_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
        http_status_code: int
        def __init__(self, http_status_code: _Optional[int] = ...) -> None: ...
    class ResponseStreamDisconnected(_message.Message):
        __slots__ = ("http_status_code",)
        HTTP_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
        http_status_code: int
        def __init__(self, http_status_code: _Optional[int] = ...) -> None: ...
    class ResponseTooManyFailedAttempts(_message.Message):
        __slots__ = ("http_status_code",)
        HTTP_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
        http_status_code: int
        def __init__(self, http_status_code: _Optional[int] = ...) -> None: ...
    UNIT_FIELD_NUMBER: _ClassVar[int]
    HTTP_CONNECTION_FAILED_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_STREAM_CONNECTION_FAILED_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_STREAM_DISCONNECTED_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TOO_MANY_FAILED_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    unit: CodexErrorInfo.Unit
    http_connection_failed: CodexErrorInfo.HttpConnectionFailed
    response_stream_connection_failed: CodexErrorInfo.ResponseStreamConnectionFailed
    response_stream_disconnected: CodexErrorInfo.ResponseStreamDisconnected
    response_too_many_failed_attempts: CodexErrorInfo.ResponseTooManyFailedAttempts
    def __init__(self, unit: _Optional[_Union[CodexErrorInfo.Unit, str]] = ..., http_connection_failed: _Optional[_Union[CodexErrorInfo.HttpConnectionFailed, _Mapping]] = ..., response_stream_connection_failed: _Optional[_Union[CodexErrorInfo.ResponseStreamConnectionFailed, _Mapping]] = ..., response_stream_disconnected: _Optional[_Union[CodexErrorInfo.ResponseStreamDisconnected, _Mapping]] = ..., response_too_many_failed_attempts: _Optional[_Union[CodexErrorInfo.ResponseTooManyFailedAttempts, _Mapping]] = ...) -> None: ...

class ThreadItem(_message.Message):
    __slots__ = ("user_message", "agent_message", "plan", "reasoning", "command_execution", "file_change", "mcp_tool_call", "collab_agent_tool_call", "web_search", "image_view", "entered_review_mode", "exited_review_mode", "context_compaction")
    class UserMessage(_message.Message):
        __slots__ = ("id", "content")
        ID_FIELD_NUMBER: _ClassVar[int]
        CONTENT_FIELD_NUMBER: _ClassVar[int]
        id: str
        content: _containers.RepeatedCompositeFieldContainer[UserInput]
        def __init__(self, id: _Optional[str] = ..., content: _Optional[_Iterable[_Union[UserInput, _Mapping]]] = ...) -> None: ...
    class AgentMessage(_message.Message):
        __slots__ = ("id", "text")
        ID_FIELD_NUMBER: _ClassVar[int]
        TEXT_FIELD_NUMBER: _ClassVar[int]
        id: str
        text: str
        def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...
    class Plan(_message.Message):
        __slots__ = ("id", "text")
        ID_FIELD_NUMBER: _ClassVar[int]
        TEXT_FIELD_NUMBER: _ClassVar[int]
        id: str
        text: str
        def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...
    class Reasoning(_message.Message):
        __slots__ = ("id", "summary", "content")
        ID_FIELD_NUMBER: _ClassVar[int]
        SUMMARY_FIELD_NUMBER: _ClassVar[int]
        CONTENT_FIELD_NUMBER: _ClassVar[int]
        id: str
        summary: _containers.RepeatedScalarFieldContainer[str]
        content: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, id: _Optional[str] = ..., summary: _Optional[_Iterable[str]] = ..., content: _Optional[_Iterable[str]] = ...) -> None: ...
    class CommandExecution(_message.Message):
        __slots__ = ("id", "command", "cwd", "process_id", "status", "command_actions", "aggregated_output", "exit_code", "duration_ms")
        ID_FIELD_NUMBER: _ClassVar[int]
        COMMAND_FIELD_NUMBER: _ClassVar[int]
        CWD_FIELD_NUMBER: _ClassVar[int]
        PROCESS_ID_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        COMMAND_ACTIONS_FIELD_NUMBER: _ClassVar[int]
        AGGREGATED_OUTPUT_FIELD_NUMBER: _ClassVar[int]
        EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
        DURATION_MS_FIELD_NUMBER: _ClassVar[int]
        id: str
        command: str
        cwd: str
        process_id: str
        status: CommandExecutionStatus
        command_actions: _containers.RepeatedCompositeFieldContainer[CommandAction]
        aggregated_output: str
        exit_code: int
        duration_ms: int
        def __init__(self, id: _Optional[str] = ..., command: _Optional[str] = ..., cwd: _Optional[str] = ..., process_id: _Optional[str] = ..., status: _Optional[_Union[CommandExecutionStatus, str]] = ..., command_actions: _Optional[_Iterable[_Union[CommandAction, _Mapping]]] = ..., aggregated_output: _Optional[str] = ..., exit_code: _Optional[int] = ..., duration_ms: _Optional[int] = ...) -> None: ...
    class FileChange(_message.Message):
        __slots__ = ("id", "changes", "status")
        ID_FIELD_NUMBER: _ClassVar[int]
        CHANGES_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        id: str
        changes: _containers.RepeatedCompositeFieldContainer[FileUpdateChange]
        status: PatchApplyStatus
        def __init__(self, id: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[FileUpdateChange, _Mapping]]] = ..., status: _Optional[_Union[PatchApplyStatus, str]] = ...) -> None: ...
    class McpToolCall(_message.Message):
        __slots__ = ("id", "server", "tool", "status", "arguments", "result", "error", "duration_ms")
        ID_FIELD_NUMBER: _ClassVar[int]
        SERVER_FIELD_NUMBER: _ClassVar[int]
        TOOL_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
        RESULT_FIELD_NUMBER: _ClassVar[int]
        ERROR_FIELD_NUMBER: _ClassVar[int]
        DURATION_MS_FIELD_NUMBER: _ClassVar[int]
        id: str
        server: str
        tool: str
        status: McpToolCallStatus
        arguments: _struct_pb2.Value
        result: McpToolCallResult
        error: McpToolCallError
        duration_ms: int
        def __init__(self, id: _Optional[str] = ..., server: _Optional[str] = ..., tool: _Optional[str] = ..., status: _Optional[_Union[McpToolCallStatus, str]] = ..., arguments: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., result: _Optional[_Union[McpToolCallResult, _Mapping]] = ..., error: _Optional[_Union[McpToolCallError, _Mapping]] = ..., duration_ms: _Optional[int] = ...) -> None: ...
    class CollabAgentToolCall(_message.Message):
        __slots__ = ("id", "tool", "status", "sender_thread_id", "receiver_thread_ids", "prompt", "agents_states")
        class AgentsStatesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: CollabAgentState
            def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[CollabAgentState, _Mapping]] = ...) -> None: ...
        ID_FIELD_NUMBER: _ClassVar[int]
        TOOL_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        SENDER_THREAD_ID_FIELD_NUMBER: _ClassVar[int]
        RECEIVER_THREAD_IDS_FIELD_NUMBER: _ClassVar[int]
        PROMPT_FIELD_NUMBER: _ClassVar[int]
        AGENTS_STATES_FIELD_NUMBER: _ClassVar[int]
        id: str
        tool: CollabAgentTool
        status: CollabAgentToolCallStatus
        sender_thread_id: str
        receiver_thread_ids: _containers.RepeatedScalarFieldContainer[str]
        prompt: str
        agents_states: _containers.MessageMap[str, CollabAgentState]
        def __init__(self, id: _Optional[str] = ..., tool: _Optional[_Union[CollabAgentTool, str]] = ..., status: _Optional[_Union[CollabAgentToolCallStatus, str]] = ..., sender_thread_id: _Optional[str] = ..., receiver_thread_ids: _Optional[_Iterable[str]] = ..., prompt: _Optional[str] = ..., agents_states: _Optional[_Mapping[str, CollabAgentState]] = ...) -> None: ...
    class WebSearch(_message.Message):
        __slots__ = ("id", "query", "action")
        ID_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        ACTION_FIELD_NUMBER: _ClassVar[int]
        id: str
        query: str
        action: WebSearchAction
        def __init__(self, id: _Optional[str] = ..., query: _Optional[str] = ..., action: _Optional[_Union[WebSearchAction, _Mapping]] = ...) -> None: ...
    class ImageView(_message.Message):
        __slots__ = ("id", "path")
        ID_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        id: str
        path: str
        def __init__(self, id: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    class EnteredReviewMode(_message.Message):
        __slots__ = ("id", "review")
        ID_FIELD_NUMBER: _ClassVar[int]
        REVIEW_FIELD_NUMBER: _ClassVar[int]
        id: str
        review: str
        def __init__(self, id: _Optional[str] = ..., review: _Optional[str] = ...) -> None: ...
    class ExitedReviewMode(_message.Message):
        __slots__ = ("id", "review")
        ID_FIELD_NUMBER: _ClassVar[int]
        REVIEW_FIELD_NUMBER: _ClassVar[int]
        id: str
        review: str
        def __init__(self, id: _Optional[str] = ..., review: _Optional[str] = ...) -> None: ...
    class ContextCompaction(_message.Message):
        __slots__ = ("id",)
        ID_FIELD_NUMBER: _ClassVar[int]
        id: str
        def __init__(self, id: _Optional[str] = ...) -> None: ...
    USER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    AGENT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    COMMAND_EXECUTION_FIELD_NUMBER: _ClassVar[int]
    FILE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    MCP_TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    COLLAB_AGENT_TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    WEB_SEARCH_FIELD_NUMBER: _ClassVar[int]
    IMAGE_VIEW_FIELD_NUMBER: _ClassVar[int]
    ENTERED_REVIEW_MODE_FIELD_NUMBER: _ClassVar[int]
    EXITED_REVIEW_MODE_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    user_message: ThreadItem.UserMessage
    agent_message: ThreadItem.AgentMessage
    plan: ThreadItem.Plan
    reasoning: ThreadItem.Reasoning
    command_execution: ThreadItem.CommandExecution
    file_change: ThreadItem.FileChange
    mcp_tool_call: ThreadItem.McpToolCall
    collab_agent_tool_call: ThreadItem.CollabAgentToolCall
    web_search: ThreadItem.WebSearch
    image_view: ThreadItem.ImageView
    entered_review_mode: ThreadItem.EnteredReviewMode
    exited_review_mode: ThreadItem.ExitedReviewMode
    context_compaction: ThreadItem.ContextCompaction
    def __init__(self, user_message: _Optional[_Union[ThreadItem.UserMessage, _Mapping]] = ..., agent_message: _Optional[_Union[ThreadItem.AgentMessage, _Mapping]] = ..., plan: _Optional[_Union[ThreadItem.Plan, _Mapping]] = ..., reasoning: _Optional[_Union[ThreadItem.Reasoning, _Mapping]] = ..., command_execution: _Optional[_Union[ThreadItem.CommandExecution, _Mapping]] = ..., file_change: _Optional[_Union[ThreadItem.FileChange, _Mapping]] = ..., mcp_tool_call: _Optional[_Union[ThreadItem.McpToolCall, _Mapping]] = ..., collab_agent_tool_call: _Optional[_Union[ThreadItem.CollabAgentToolCall, _Mapping]] = ..., web_search: _Optional[_Union[ThreadItem.WebSearch, _Mapping]] = ..., image_view: _Optional[_Union[ThreadItem.ImageView, _Mapping]] = ..., entered_review_mode: _Optional[_Union[ThreadItem.EnteredReviewMode, _Mapping]] = ..., exited_review_mode: _Optional[_Union[ThreadItem.ExitedReviewMode, _Mapping]] = ..., context_compaction: _Optional[_Union[ThreadItem.ContextCompaction, _Mapping]] = ...) -> None: ...

class UserInput(_message.Message):
    __slots__ = ("text", "image", "local_image", "skill", "mention")
    class Text(_message.Message):
        __slots__ = ("text", "text_elements")
        TEXT_FIELD_NUMBER: _ClassVar[int]
        TEXT_ELEMENTS_FIELD_NUMBER: _ClassVar[int]
        text: str
        text_elements: _containers.RepeatedCompositeFieldContainer[TextElement]
        def __init__(self, text: _Optional[str] = ..., text_elements: _Optional[_Iterable[_Union[TextElement, _Mapping]]] = ...) -> None: ...
    class Image(_message.Message):
        __slots__ = ("url",)
        URL_FIELD_NUMBER: _ClassVar[int]
        url: str
        def __init__(self, url: _Optional[str] = ...) -> None: ...
    class LocalImage(_message.Message):
        __slots__ = ("path",)
        PATH_FIELD_NUMBER: _ClassVar[int]
        path: str
        def __init__(self, path: _Optional[str] = ...) -> None: ...
    class Skill(_message.Message):
        __slots__ = ("name", "path")
        NAME_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        name: str
        path: str
        def __init__(self, name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    class Mention(_message.Message):
        __slots__ = ("name", "path")
        NAME_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        name: str
        path: str
        def __init__(self, name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_IMAGE_FIELD_NUMBER: _ClassVar[int]
    SKILL_FIELD_NUMBER: _ClassVar[int]
    MENTION_FIELD_NUMBER: _ClassVar[int]
    text: UserInput.Text
    image: UserInput.Image
    local_image: UserInput.LocalImage
    skill: UserInput.Skill
    mention: UserInput.Mention
    def __init__(self, text: _Optional[_Union[UserInput.Text, _Mapping]] = ..., image: _Optional[_Union[UserInput.Image, _Mapping]] = ..., local_image: _Optional[_Union[UserInput.LocalImage, _Mapping]] = ..., skill: _Optional[_Union[UserInput.Skill, _Mapping]] = ..., mention: _Optional[_Union[UserInput.Mention, _Mapping]] = ...) -> None: ...

class TextElement(_message.Message):
    __slots__ = ("byte_range", "placeholder")
    BYTE_RANGE_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_FIELD_NUMBER: _ClassVar[int]
    byte_range: ByteRange
    placeholder: str
    def __init__(self, byte_range: _Optional[_Union[ByteRange, _Mapping]] = ..., placeholder: _Optional[str] = ...) -> None: ...

class ByteRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class CommandAction(_message.Message):
    __slots__ = ("read", "list_files", "search", "unknown")
    class Read(_message.Message):
        __slots__ = ("command", "name", "path")
        COMMAND_FIELD_NUMBER: _ClassVar[int]
        NAME_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        command: str
        name: str
        path: str
        def __init__(self, command: _Optional[str] = ..., name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    class ListFiles(_message.Message):
        __slots__ = ("command", "path")
        COMMAND_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        command: str
        path: str
        def __init__(self, command: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    class Search(_message.Message):
        __slots__ = ("command", "query", "path")
        COMMAND_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        command: str
        query: str
        path: str
        def __init__(self, command: _Optional[str] = ..., query: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
    class Unknown(_message.Message):
        __slots__ = ("command",)
        COMMAND_FIELD_NUMBER: _ClassVar[int]
        command: str
        def __init__(self, command: _Optional[str] = ...) -> None: ...
    READ_FIELD_NUMBER: _ClassVar[int]
    LIST_FILES_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    read: CommandAction.Read
    list_files: CommandAction.ListFiles
    search: CommandAction.Search
    unknown: CommandAction.Unknown
    def __init__(self, read: _Optional[_Union[CommandAction.Read, _Mapping]] = ..., list_files: _Optional[_Union[CommandAction.ListFiles, _Mapping]] = ..., search: _Optional[_Union[CommandAction.Search, _Mapping]] = ..., unknown: _Optional[_Union[CommandAction.Unknown, _Mapping]] = ...) -> None: ...

class FileUpdateChange(_message.Message):
    __slots__ = ("path", "kind", "diff")
    PATH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    path: str
    kind: PatchChangeKind
    diff: str
    def __init__(self, path: _Optional[str] = ..., kind: _Optional[_Union[PatchChangeKind, _Mapping]] = ..., diff: _Optional[str] = ...) -> None: ...

class PatchChangeKind(_message.Message):
    __slots__ = ("add", "delete", "update")
    class Add(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Delete(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Update(_message.Message):
        __slots__ = ("move_path",)
        MOVE_PATH_FIELD_NUMBER: _ClassVar[int]
        move_path: str
        def __init__(self, move_path: _Optional[str] = ...) -> None: ...
    ADD_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    add: PatchChangeKind.Add
    delete: PatchChangeKind.Delete
    update: PatchChangeKind.Update
    def __init__(self, add: _Optional[_Union[PatchChangeKind.Add, _Mapping]] = ..., delete: _Optional[_Union[PatchChangeKind.Delete, _Mapping]] = ..., update: _Optional[_Union[PatchChangeKind.Update, _Mapping]] = ...) -> None: ...

class McpToolCallError(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class McpToolCallResult(_message.Message):
    __slots__ = ("content", "structured_content")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    STRUCTURED_CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    structured_content: _struct_pb2.Value
    def __init__(self, content: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., structured_content: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class CollabAgentState(_message.Message):
    __slots__ = ("status", "message")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status: CollabAgentStatus
    message: str
    def __init__(self, status: _Optional[_Union[CollabAgentStatus, str]] = ..., message: _Optional[str] = ...) -> None: ...

class WebSearchAction(_message.Message):
    __slots__ = ("search", "open_page", "find_in_page", "other")
    class Search(_message.Message):
        __slots__ = ("query", "queries")
        QUERY_FIELD_NUMBER: _ClassVar[int]
        QUERIES_FIELD_NUMBER: _ClassVar[int]
        query: str
        queries: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, query: _Optional[str] = ..., queries: _Optional[_Iterable[str]] = ...) -> None: ...
    class OpenPage(_message.Message):
        __slots__ = ("url",)
        URL_FIELD_NUMBER: _ClassVar[int]
        url: str
        def __init__(self, url: _Optional[str] = ...) -> None: ...
    class FindInPage(_message.Message):
        __slots__ = ("url", "pattern")
        URL_FIELD_NUMBER: _ClassVar[int]
        PATTERN_FIELD_NUMBER: _ClassVar[int]
        url: str
        pattern: str
        def __init__(self, url: _Optional[str] = ..., pattern: _Optional[str] = ...) -> None: ...
    class Other(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    OPEN_PAGE_FIELD_NUMBER: _ClassVar[int]
    FIND_IN_PAGE_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    search: WebSearchAction.Search
    open_page: WebSearchAction.OpenPage
    find_in_page: WebSearchAction.FindInPage
    other: WebSearchAction.Other
    def __init__(self, search: _Optional[_Union[WebSearchAction.Search, _Mapping]] = ..., open_page: _Optional[_Union[WebSearchAction.OpenPage, _Mapping]] = ..., find_in_page: _Optional[_Union[WebSearchAction.FindInPage, _Mapping]] = ..., other: _Optional[_Union[WebSearchAction.Other, _Mapping]] = ...) -> None: ...

class ThreadResumeParams(_message.Message):
    __slots__ = ("thread_id", "model", "model_provider", "cwd", "approval_policy", "sandbox", "config", "base_instructions", "developer_instructions", "personality")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    BASE_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    PERSONALITY_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxMode
    config: _struct_pb2.Struct
    base_instructions: str
    developer_instructions: str
    personality: Personality
    def __init__(self, thread_id: _Optional[str] = ..., model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxMode, str]] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., base_instructions: _Optional[str] = ..., developer_instructions: _Optional[str] = ..., personality: _Optional[_Union[Personality, str]] = ...) -> None: ...

class ThreadResumeResponse(_message.Message):
    __slots__ = ("thread", "model", "model_provider", "cwd", "approval_policy", "sandbox", "reasoning_effort")
    THREAD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxPolicy
    reasoning_effort: ReasoningEffort
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ..., model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxPolicy, _Mapping]] = ..., reasoning_effort: _Optional[_Union[ReasoningEffort, str]] = ...) -> None: ...

class ThreadForkParams(_message.Message):
    __slots__ = ("thread_id", "model", "model_provider", "cwd", "approval_policy", "sandbox", "config", "base_instructions", "developer_instructions")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    BASE_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxMode
    config: _struct_pb2.Struct
    base_instructions: str
    developer_instructions: str
    def __init__(self, thread_id: _Optional[str] = ..., model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxMode, str]] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., base_instructions: _Optional[str] = ..., developer_instructions: _Optional[str] = ...) -> None: ...

class ThreadForkResponse(_message.Message):
    __slots__ = ("thread", "model", "model_provider", "cwd", "approval_policy", "sandbox", "reasoning_effort")
    THREAD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxPolicy
    reasoning_effort: ReasoningEffort
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ..., model: _Optional[str] = ..., model_provider: _Optional[str] = ..., cwd: _Optional[str] = ..., approval_policy: _Optional[_Union[AskForApproval, str]] = ..., sandbox: _Optional[_Union[SandboxPolicy, _Mapping]] = ..., reasoning_effort: _Optional[_Union[ReasoningEffort, str]] = ...) -> None: ...

class ThreadListParams(_message.Message):
    __slots__ = ("cursor", "limit", "sort_key", "model_providers", "source_kinds", "archived", "cwd")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    SORT_KEY_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KINDS_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    sort_key: ThreadSortKey
    model_providers: _containers.RepeatedScalarFieldContainer[str]
    source_kinds: _containers.RepeatedScalarFieldContainer[ThreadSourceKind]
    archived: bool
    cwd: str
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ..., sort_key: _Optional[_Union[ThreadSortKey, str]] = ..., model_providers: _Optional[_Iterable[str]] = ..., source_kinds: _Optional[_Iterable[_Union[ThreadSourceKind, str]]] = ..., archived: _Optional[bool] = ..., cwd: _Optional[str] = ...) -> None: ...

class ThreadListResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Thread]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[Thread, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class ThreadReadParams(_message.Message):
    __slots__ = ("thread_id", "include_turns")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_TURNS_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    include_turns: bool
    def __init__(self, thread_id: _Optional[str] = ..., include_turns: _Optional[bool] = ...) -> None: ...

class ThreadReadResponse(_message.Message):
    __slots__ = ("thread",)
    THREAD_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ...) -> None: ...

class ThreadArchiveParams(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadArchiveResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ThreadUnarchiveParams(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadUnarchiveResponse(_message.Message):
    __slots__ = ("thread",)
    THREAD_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ...) -> None: ...

class ThreadSetNameParams(_message.Message):
    __slots__ = ("thread_id", "name")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    name: str
    def __init__(self, thread_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ThreadSetNameResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ThreadLoadedListParams(_message.Message):
    __slots__ = ("cursor", "limit")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ThreadLoadedListResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedScalarFieldContainer[str]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[str]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class ThreadRollbackParams(_message.Message):
    __slots__ = ("thread_id", "num_turns")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    NUM_TURNS_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    num_turns: int
    def __init__(self, thread_id: _Optional[str] = ..., num_turns: _Optional[int] = ...) -> None: ...

class ThreadRollbackResponse(_message.Message):
    __slots__ = ("thread",)
    THREAD_FIELD_NUMBER: _ClassVar[int]
    thread: Thread
    def __init__(self, thread: _Optional[_Union[Thread, _Mapping]] = ...) -> None: ...

class ThreadCompactStartParams(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadCompactStartResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ThreadUnsubscribeParams(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...

class ThreadUnsubscribeResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ThreadUnsubscribeStatus
    def __init__(self, status: _Optional[_Union[ThreadUnsubscribeStatus, str]] = ...) -> None: ...
