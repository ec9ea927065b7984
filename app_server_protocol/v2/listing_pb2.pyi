from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from app_server_protocol.v2 import config_pb2 as _config_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExperimentalFeatureStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPERIMENTAL_FEATURE_STAGE_UNSPECIFIED: _ClassVar[ExperimentalFeatureStage]
    EXPERIMENTAL_FEATURE_STAGE_BETA: _ClassVar[ExperimentalFeatureStage]
    EXPERIMENTAL_FEATURE_STAGE_UNDER_DEVELOPMENT: _ClassVar[ExperimentalFeatureStage]
    EXPERIMENTAL_FEATURE_STAGE_STABLE: _ClassVar[ExperimentalFeatureStage]
    EXPERIMENTAL_FEATURE_STAGE_DEPRECATED: _ClassVar[ExperimentalFeatureStage]
    EXPERIMENTAL_FEATURE_STAGE_REMOVED: _ClassVar[ExperimentalFeatureStage]

class ResidencyRequirement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESIDENCY_REQUIREMENT_UNSPECIFIED: _ClassVar[ResidencyRequirement]
    RESIDENCY_REQUIREMENT_US: _ClassVar[ResidencyRequirement]
EXPERIMENTAL_FEATURE_STAGE_UNSPECIFIED: ExperimentalFeatureStage
EXPERIMENTAL_FEATURE_STAGE_BETA: ExperimentalFeatureStage
EXPERIMENTAL_FEATURE_STAGE_UNDER_DEVELOPMENT: ExperimentalFeatureStage
EXPERIMENTAL_FEATURE_STAGE_STABLE: ExperimentalFeatureStage
EXPERIMENTAL_FEATURE_STAGE_DEPRECATED: ExperimentalFeatureStage
EXPERIMENTAL_FEATURE_STAGE_REMOVED: ExperimentalFeatureStage
RESIDENCY_REQUIREMENT_UNSPECIFIED: ResidencyRequirement
RESIDENCY_REQUIREMENT_US: ResidencyRequirement

class ExperimentalFeatureListParams(_message.Message):
    __slots__ = ("cursor", "limit")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ExperimentalFeatureListResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[ExperimentalFeature]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[ExperimentalFeature, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class ExperimentalFeature(_message.Message):
    __slots__ = ("name", "stage", "display_name", "description", "announcement", "enabled", "default_enabled")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ENABLED_FIELD_NUMBER: _ClassVar[int]
    name: str
    stage: ExperimentalFeatureStage
    display_name: str
    description: str
    announcement: str
    enabled: bool
    default_enabled: bool
    def __init__(self, name: _Optional[str] = ..., stage: _Optional[_Union[ExperimentalFeatureStage, str]] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., announcement: _Optional[str] = ..., enabled: _Optional[bool] = ..., default_enabled: _Optional[bool] = ...) -> None: ...

class ConfigRequirementsReadParams(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConfigRequirementsReadResponse(_message.Message):
    __slots__ = ("requirements",)
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    requirements: ConfigRequirements
    def __init__(self, requirements: _Optional[_Union[ConfigRequirements, _Mapping]] = ...) -> None: ...

class ConfigRequirements(_message.Message):
    __slots__ = ("allowed_approval_policies", "allowed_sandbox_modes", "allowed_web_search_modes", "enforce_residency")
    ALLOWED_APPROVAL_POLICIES_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_SANDBOX_MODES_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_WEB_SEARCH_MODES_FIELD_NUMBER: _ClassVar[int]
    ENFORCE_RESIDENCY_FIELD_NUMBER: _ClassVar[int]
    allowed_approval_policies: _containers.RepeatedScalarFieldContainer[_thread_pb2.AskForApproval]
    allowed_sandbox_modes: _containers.RepeatedScalarFieldContainer[_thread_pb2.SandboxMode]
    allowed_web_search_modes: _containers.RepeatedScalarFieldContainer[_config_pb2.WebSearchMode]
    enforce_residency: ResidencyRequirement
    def __init__(self, allowed_approval_policies: _Optional[_Iterable[_Union[_thread_pb2.AskForApproval, str]]] = ..., allowed_sandbox_modes: _Optional[_Iterable[_Union[_thread_pb2.SandboxMode, str]]] = ..., allowed_web_search_modes: _Optional[_Iterable[_Union[_config_pb2.WebSearchMode, str]]] = ..., enforce_residency: _Optional[_Union[ResidencyRequirement, str]] = ...) -> None: ...

class AppsListParams(_message.Message):
    __slots__ = ("cursor", "limit", "thread_id", "force_refetch")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_REFETCH_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    thread_id: str
    force_refetch: bool
    def __init__(self, cursor: _Optional[str] = ..., limit: _Optional[int] = ..., thread_id: _Optional[str] = ..., force_refetch: _Optional[bool] = ...) -> None: ...

class AppsListResponse(_message.Message):
    __slots__ = ("data", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[AppInfo]
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[AppInfo, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class AppListUpdatedNotification(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[AppInfo]
    def __init__(self, data: _Optional[_Iterable[_Union[AppInfo, _Mapping]]] = ...) -> None: ...

class AppInfo(_message.Message):
    __slots__ = ("id", "name", "description", "logo_url", "logo_url_dark", "distribution_channel", "branding", "app_metadata", "labels", "install_url", "is_accessible", "is_enabled")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOGO_URL_FIELD_NUMBER: _ClassVar[int]
    LOGO_URL_DARK_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTION_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    BRANDING_FIELD_NUMBER: _ClassVar[int]
    APP_METADATA_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    INSTALL_URL_FIELD_NUMBER: _ClassVar[int]
    IS_ACCESSIBLE_FIELD_NUMBER: _ClassVar[int]
    IS_ENABLED_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    logo_url: str
    logo_url_dark: str
    distribution_channel: str
    branding: AppBranding
    app_metadata: AppMetadata
    labels: _containers.ScalarMap[str, str]
    install_url: str
    is_accessible: bool
    is_enabled: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., logo_url: _Optional[str] = ..., logo_url_dark: _Optional[str] = ..., distribution_channel: _Optional[str] = ..., branding: _Optional[_Union[AppBranding, _Mapping]] = ..., app_metadata: _Optional[_Union[AppMetadata, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., install_url: _Optional[str] = ..., is_accessible: _Optional[bool] = ..., is_enabled: _Optional[bool] = ...) -> None: ...

class AppBranding(_message.Message):
    __slots__ = ("category", "developer", "website", "privacy_policy", "terms_of_service", "is_discoverable_app")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    PRIVACY_POLICY_FIELD_NUMBER: _ClassVar[int]
    TERMS_OF_SERVICE_FIELD_NUMBER: _ClassVar[int]
    IS_DISCOVERABLE_APP_FIELD_NUMBER: _ClassVar[int]
    category: str
    developer: str
    website: str
    privacy_policy: str
    terms_of_service: str
    is_discoverable_app: bool
    def __init__(self, category: _Optional[str] = ..., developer: _Optional[str] = ..., website: _Optional[str] = ..., privacy_policy: _Optional[str] = ..., terms_of_service: _Optional[str] = ..., is_discoverable_app: _Optional[bool] = ...) -> None: ...

class AppMetadata(_message.Message):
    __slots__ = ("review", "categories", "sub_categories", "seo_description", "screenshots", "developer", "version", "version_id", "version_notes", "first_party_type", "first_party_requires_install", "show_in_composer_when_unlinked")
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    SUB_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    SEO_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCREENSHOTS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_NOTES_FIELD_NUMBER: _ClassVar[int]
    FIRST_PARTY_TYPE_FIELD_NUMBER: _ClassVar[int]
    FIRST_PARTY_REQUIRES_INSTALL_FIELD_NUMBER: _ClassVar[int]
    SHOW_IN_COMPOSER_WHEN_UNLINKED_FIELD_NUMBER: _ClassVar[int]
    review: AppReview
    categories: _containers.RepeatedScalarFieldContainer[str]
    sub_categories: _containers.RepeatedScalarFieldContainer[str]
    seo_description: str
    screenshots: _containers.RepeatedCompositeFieldContainer[AppScreenshot]
    developer: str
    version: str
    version_id: str
    version_notes: str
    first_party_type: str
    first_party_requires_install: bool
    show_in_composer_when_unlinked: bool
    def __init__(self, review: _Optional[_Union[AppReview, _Mapping]] = ..., categories: _Optional[_Iterable[str]] = ..., sub_categories: _Optional[_Iterable[str]] = ..., seo_description: _Optional[str] = ..., screenshots: _Optional[_Iterable[_Union[AppScreenshot, _Mapping]]] = ..., developer: _Optional[str] = ..., version: _Optional[str] = ..., version_id: _Optional[str] = ..., version_notes: _Optional[str] = ..., first_party_type: _Optional[str] = ..., first_party_requires_install: _Optional[bool] = ..., show_in_composer_when_unlinked: _Optional[bool] = ...) -> None: ...

class AppReview(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class AppScreenshot(_message.Message):
    __slots__ = ("url", "file_id", "user_prompt")
    URL_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_PROMPT_FIELD_NUMBER: _ClassVar[int]
    url: str
    file_id: str
    user_prompt: str
    def __init__(self, url: _Optional[str] = ..., file_id: _Optional[str] = ..., user_prompt: _Optional[str] = ...) -> None: ...

class FeedbackUploadParams(_message.Message):
    __slots__ = ("classification", "reason", "thread_id", "include_logs")
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_LOGS_FIELD_NUMBER: _ClassVar[int]
    classification: str
    reason: str
    thread_id: str
    include_logs: bool
    def __init__(self, classification: _Optional[str] = ..., reason: _Optional[str] = ..., thread_id: _Optional[str] = ..., include_logs: _Optional[bool] = ...) -> None: ...

class FeedbackUploadResponse(_message.Message):
    __slots__ = ("thread_id",)
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    def __init__(self, thread_id: _Optional[str] = ...) -> None: ...
