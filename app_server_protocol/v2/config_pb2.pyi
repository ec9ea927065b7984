from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from app_server_protocol.v2 import turn_pb2 as _turn_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebSearchMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEB_SEARCH_MODE_UNSPECIFIED: _ClassVar[WebSearchMode]
    WEB_SEARCH_MODE_DISABLED: _ClassVar[WebSearchMode]
    WEB_SEARCH_MODE_CACHED: _ClassVar[WebSearchMode]
    WEB_SEARCH_MODE_LIVE: _ClassVar[WebSearchMode]

class ForcedLoginMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FORCED_LOGIN_METHOD_UNSPECIFIED: _ClassVar[ForcedLoginMethod]
    FORCED_LOGIN_METHOD_CHATGPT: _ClassVar[ForcedLoginMethod]
    FORCED_LOGIN_METHOD_API: _ClassVar[ForcedLoginMethod]

class Verbosity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERBOSITY_UNSPECIFIED: _ClassVar[Verbosity]
    VERBOSITY_LOW: _ClassVar[Verbosity]
    VERBOSITY_MEDIUM: _ClassVar[Verbosity]
    VERBOSITY_HIGH: _ClassVar[Verbosity]

class MergeStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MERGE_STRATEGY_UNSPECIFIED: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_REPLACE: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_UPSERT: _ClassVar[MergeStrategy]

class WriteStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WRITE_STATUS_UNSPECIFIED: _ClassVar[WriteStatus]
    WRITE_STATUS_OK: _ClassVar[WriteStatus]
    WRITE_STATUS_OK_OVERRIDDEN: _ClassVar[WriteStatus]
WEB_SEARCH_MODE_UNSPECIFIED: WebSearchMode
WEB_SEARCH_MODE_DISABLED: WebSearchMode
WEB_SEARCH_MODE_CACHED: WebSearchMode
WEB_SEARCH_MODE_LIVE: WebSearchMode
FORCED_LOGIN_METHOD_UNSPECIFIED: ForcedLoginMethod
FORCED_LOGIN_METHOD_CHATGPT: ForcedLoginMethod
FORCED_LOGIN_METHOD_API: ForcedLoginMethod
VERBOSITY_UNSPECIFIED: Verbosity
VERBOSITY_LOW: Verbosity
VERBOSITY_MEDIUM: Verbosity
VERBOSITY_HIGH: Verbosity
MERGE_STRATEGY_UNSPECIFIED: MergeStrategy
MERGE_STRATEGY_REPLACE: MergeStrategy
MERGE_STRATEGY_UPSERT: MergeStrategy
WRITE_STATUS_UNSPECIFIED: WriteStatus
WRITE_STATUS_OK: WriteStatus
WRITE_STATUS_OK_OVERRIDDEN: WriteStatus

class ConfigReadParams(_message.Message):
    __slots__ = ("include_layers", "cwd")
    INCLUDE_LAYERS_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    include_layers: bool
    cwd: str
    def __init__(self, include_layers: _Optional[bool] = ..., cwd: _Optional[str] = ...) -> None: ...

class ConfigReadResponse(_message.Message):
    __slots__ = ("config", "origins", "layers")
    class OriginsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ConfigLayerMetadata
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ConfigLayerMetadata, _Mapping]] = ...) -> None: ...
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ORIGINS_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    config: Config
    origins: _containers.MessageMap[str, ConfigLayerMetadata]
    layers: _containers.RepeatedCompositeFieldContainer[ConfigLayer]
    def __init__(self, config: _Optional[_Union[Config, _Mapping]] = ..., origins: _Optional[_Mapping[str, ConfigLayerMetadata]] = ..., layers: _Optional[_Iterable[_Union[ConfigLayer, _Mapping]]] = ...) -> None: ...

class Config(_message.Message):
    __slots__ = ("model", "review_model", "model_context_window", "model_auto_compact_token_limit", "model_provider", "approval_policy", "sandbox_mode", "sandbox_workspace_write", "forced_chatgpt_workspace_id", "forced_login_method", "web_search", "tools", "profile", "profiles", "instructions", "developer_instructions", "compact_prompt", "model_reasoning_effort", "model_reasoning_summary", "model_verbosity", "analytics", "extra")
    class ProfilesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ProfileV2
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ProfileV2, _Mapping]] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REVIEW_MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_CONTEXT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MODEL_AUTO_COMPACT_TOKEN_LIMIT_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_MODE_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_WORKSPACE_WRITE_FIELD_NUMBER: _ClassVar[int]
    FORCED_CHATGPT_WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    FORCED_LOGIN_METHOD_FIELD_NUMBER: _ClassVar[int]
    WEB_SEARCH_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    PROFILES_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    COMPACT_PROMPT_FIELD_NUMBER: _ClassVar[int]
    MODEL_REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    MODEL_REASONING_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERBOSITY_FIELD_NUMBER: _ClassVar[int]
    ANALYTICS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    model: str
    review_model: str
    model_context_window: int
    model_auto_compact_token_limit: int
    model_provider: str
    approval_policy: _thread_pb2.AskForApproval
    sandbox_mode: _thread_pb2.SandboxMode
    sandbox_workspace_write: SandboxWorkspaceWrite
    forced_chatgpt_workspace_id: str
    forced_login_method: ForcedLoginMethod
    web_search: WebSearchMode
    tools: ToolsV2
    profile: str
    profiles: _containers.MessageMap[str, ProfileV2]
    instructions: str
    developer_instructions: str
    compact_prompt: str
    model_reasoning_effort: _thread_pb2.ReasoningEffort
    model_reasoning_summary: _turn_pb2.ReasoningSummary
    model_verbosity: Verbosity
    analytics: AnalyticsConfig
    extra: _struct_pb2.Struct
    def __init__(self, model: _Optional[str] = ..., review_model: _Optional[str] = ..., model_context_window: _Optional[int] = ..., model_auto_compact_token_limit: _Optional[int] = ..., model_provider: _Optional[str] = ..., approval_policy: _Optional[_Union[_thread_pb2.AskForApproval, str]] = ..., sandbox_mode: _Optional[_Union[_thread_pb2.SandboxMode, str]] = ..., sandbox_workspace_write: _Optional[_Union[SandboxWorkspaceWrite, _Mapping]] = ..., forced_chatgpt_workspace_id: _Optional[str] = ..., forced_login_method: _Optional[_Union[ForcedLoginMethod, str]] = ..., web_search: _Optional[_Union[WebSearchMode, str]] = ..., tools: _Optional[_Union[ToolsV2, _Mapping]] = ..., profile: _Optional[str] = ..., profiles: _Optional[_Mapping[str, ProfileV2]] = ..., instructions: _Optional[str] = ..., developer_instructions: _Optional[str] = ..., compact_prompt: _Optional[str] = ..., model_reasoning_effort: _Optional[_Union[_thread_pb2.ReasoningEffort, str]] = ..., model_reasoning_summary: _Optional[_Union[_turn_pb2.ReasoningSummary, str]] = ..., model_verbosity: _Optional[_Union[Verbosity, str]] = ..., analytics: _Optional[_Union[AnalyticsConfig, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AnalyticsConfig(_message.Message):
    __slots__ = ("enabled", "extra")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    extra: _struct_pb2.Struct
    def __init__(self, enabled: _Optional[bool] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ProfileV2(_message.Message):
    __slots__ = ("model", "model_provider", "approval_policy", "model_reasoning_effort", "model_reasoning_summary", "model_verbosity", "web_search", "chatgpt_base_url", "extra")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_POLICY_FIELD_NUMBER: _ClassVar[int]
    MODEL_REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    MODEL_REASONING_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERBOSITY_FIELD_NUMBER: _ClassVar[int]
    WEB_SEARCH_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_BASE_URL_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    model: str
    model_provider: str
    approval_policy: _thread_pb2.AskForApproval
    model_reasoning_effort: _thread_pb2.ReasoningEffort
    model_reasoning_summary: _turn_pb2.ReasoningSummary
    model_verbosity: Verbosity
    web_search: WebSearchMode
    chatgpt_base_url: str
    extra: _struct_pb2.Struct
    def __init__(self, model: _Optional[str] = ..., model_provider: _Optional[str] = ..., approval_policy: _Optional[_Union[_thread_pb2.AskForApproval, str]] = ..., model_reasoning_effort: _Optional[_Union[_thread_pb2.ReasoningEffort, str]] = ..., model_reasoning_summary: _Optional[_Union[_turn_pb2.ReasoningSummary, str]] = ..., model_verbosity: _Optional[_Union[Verbosity, str]] = ..., web_search: _Optional[_Union[WebSearchMode, str]] = ..., chatgpt_base_url: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class SandboxWorkspaceWrite(_message.Message):
    __slots__ = ("writable_roots", "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp")
    WRITABLE_ROOTS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_ACCESS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_TMPDIR_ENV_VAR_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_SLASH_TMP_FIELD_NUMBER: _ClassVar[int]
    writable_roots: _containers.RepeatedScalarFieldContainer[str]
    network_access: bool
    exclude_tmpdir_env_var: bool
    exclude_slash_tmp: bool
    def __init__(self, writable_roots: _Optional[_Iterable[str]] = ..., network_access: _Optional[bool] = ..., exclude_tmpdir_env_var: _Optional[bool] = ..., exclude_slash_tmp: _Optional[bool] = ...) -> None: ...

class ToolsV2(_message.Message):
    __slots__ = ("web_search", "view_image")
    WEB_SEARCH_FIELD_NUMBER: _ClassVar[int]
    VIEW_IMAGE_FIELD_NUMBER: _ClassVar[int]
    web_search: bool
    view_image: bool
    def __init__(self, web_search: _Optional[bool] = ..., view_image: _Optional[bool] = ...) -> None: ...

class ConfigLayer(_message.Message):
    __slots__ = ("name", "version", "config", "disabled_reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    DISABLED_REASON_FIELD_NUMBER: _ClassVar[int]
    name: ConfigLayerSource
    version: str
    config: _struct_pb2.Value
    disabled_reason: str
    def __init__(self, name: _Optional[_Union[ConfigLayerSource, _Mapping]] = ..., version: _Optional[str] = ..., config: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., disabled_reason: _Optional[str] = ...) -> None: ...

class ConfigLayerSource(_message.Message):
    __slots__ = ("mdm", "system", "user", "project", "session_flags", "legacy_managed_config_toml_from_file", "legacy_managed_config_toml_from_mdm")
    class Mdm(_message.Message):
        __slots__ = ("domain", "key")
        DOMAIN_FIELD_NUMBER: _ClassVar[int]
        KEY_FIELD_NUMBER: _ClassVar[int]
        domain: str
        key: str
        def __init__(self, domain: _Optional[str] = ..., key: _Optional[str] = ...) -> None: ...
    class System(_message.Message):
        __slots__ = ("file",)
        FILE_FIELD_NUMBER: _ClassVar[int]
        file: str
        def __init__(self, file: _Optional[str] = ...) -> None: ...
    class User(_message.Message):
        __slots__ = ("file",)
        FILE_FIELD_NUMBER: _ClassVar[int]
        file: str
        def __init__(self, file: _Optional[str] = ...) -> None: ...
    class Project(_message.Message):
        __slots__ = ("dot_codex_folder",)
        DOT_CODEX_FOLDER_FIELD_NUMBER: _ClassVar[int]
        dot_codex_folder: str
        def __init__(self, dot_codex_folder: _Optional[str] = ...) -> None: ...
    class SessionFlags(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class LegacyManagedConfigTomlFromFile(_message.Message):
        __slots__ = ("file",)
        FILE_FIELD_NUMBER: _ClassVar[int]
        file: str
        def __init__(self, file: _Optional[str] = ...) -> None: ...
    class LegacyManagedConfigTomlFromMdm(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    MDM_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SESSION_FLAGS_FIELD_NUMBER: _ClassVar[int]
    LEGACY_MANAGED_CONFIG_TOML_FROM_FILE_FIELD_NUMBER: _ClassVar[int]
    LEGACY_MANAGED_CONFIG_TOML_FROM_MDM_FIELD_NUMBER: _ClassVar[int]
    mdm: ConfigLayerSource.Mdm
    system: ConfigLayerSource.System
    user: ConfigLayerSource.User
    project: ConfigLayerSource.Project
    session_flags: ConfigLayerSource.SessionFlags
    legacy_managed_config_toml_from_file: ConfigLayerSource.LegacyManagedConfigTomlFromFile
    legacy_managed_config_toml_from_mdm: ConfigLayerSource.LegacyManagedConfigTomlFromMdm
    def __init__(self, mdm: _Optional[_Union[ConfigLayerSource.Mdm, _Mapping]] = ..., system: _Optional[_Union[ConfigLayerSource.System, _Mapping]] = ..., user: _Optional[_Union[ConfigLayerSource.User, _Mapping]] = ..., project: _Optional[_Union[ConfigLayerSource.Project, _Mapping]] = ..., session_flags: _Optional[_Union[ConfigLayerSource.SessionFlags, _Mapping]] = ..., legacy_managed_config_toml_from_file: _Optional[_Union[ConfigLayerSource.LegacyManagedConfigTomlFromFile, _Mapping]] = ..., legacy_managed_config_toml_from_mdm: _Optional[_Union[ConfigLayerSource.LegacyManagedConfigTomlFromMdm, _Mapping]] = ...) -> None: ...

class ConfigLayerMetadata(_message.Message):
    __slots__ = ("name", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: ConfigLayerSource
    version: str
    def __init__(self, name: _Optional[_Union[ConfigLayerSource, _Mapping]] = ..., version: _Optional[str] = ...) -> None: ...

class ConfigValueWriteParams(_message.Message):
    __slots__ = ("key_path", "value", "merge_strategy", "file_path", "expected_version")
    KEY_PATH_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MERGE_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    key_path: str
    value: _struct_pb2.Value
    merge_strategy: MergeStrategy
    file_path: str
    expected_version: str
    def __init__(self, key_path: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., merge_strategy: _Optional[_Union[MergeStrategy, str]] = ..., file_path: _Optional[str] = ..., expected_version: _Optional[str] = ...) -> None: ...

class ConfigWriteResponse(_message.Message):
    __slots__ = ("status", "version", "file_path", "overridden_metadata")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    OVERRIDDEN_METADATA_FIELD_NUMBER: _ClassVar[int]
    status: WriteStatus
    version: str
    file_path: str
    overridden_metadata: OverriddenMetadata
    def __init__(self, status: _Optional[_Union[WriteStatus, str]] = ..., version: _Optional[str] = ..., file_path: _Optional[str] = ..., overridden_metadata: _Optional[_Union[OverriddenMetadata, _Mapping]] = ...) -> None: ...

class OverriddenMetadata(_message.Message):
    __slots__ = ("message", "overriding_layer", "effective_value")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDING_LAYER_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_VALUE_FIELD_NUMBER: _ClassVar[int]
    message: str
    overriding_layer: ConfigLayerMetadata
    effective_value: _struct_pb2.Value
    def __init__(self, message: _Optional[str] = ..., overriding_layer: _Optional[_Union[ConfigLayerMetadata, _Mapping]] = ..., effective_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class ConfigBatchWriteParams(_message.Message):
    __slots__ = ("edits", "file_path", "expected_version")
    EDITS_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    edits: _containers.RepeatedCompositeFieldContainer[ConfigEdit]
    file_path: str
    expected_version: str
    def __init__(self, edits: _Optional[_Iterable[_Union[ConfigEdit, _Mapping]]] = ..., file_path: _Optional[str] = ..., expected_version: _Optional[str] = ...) -> None: ...

class ConfigEdit(_message.Message):
    __slots__ = ("key_path", "value", "merge_strategy")
    KEY_PATH_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MERGE_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    key_path: str
    value: _struct_pb2.Value
    merge_strategy: MergeStrategy
    def __init__(self, key_path: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., merge_strategy: _Optional[_Union[MergeStrategy, str]] = ...) -> None: ...
