from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SkillScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SKILL_SCOPE_UNSPECIFIED: _ClassVar[SkillScope]
    SKILL_SCOPE_USER: _ClassVar[SkillScope]
    SKILL_SCOPE_REPO: _ClassVar[SkillScope]
    SKILL_SCOPE_SYSTEM: _ClassVar[SkillScope]
    SKILL_SCOPE_ADMIN: _ClassVar[SkillScope]

class HazelnutScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HAZELNUT_SCOPE_UNSPECIFIED: _ClassVar[HazelnutScope]
    HAZELNUT_SCOPE_EXAMPLE: _ClassVar[HazelnutScope]
    HAZELNUT_SCOPE_WORKSPACE_SHARED: _ClassVar[HazelnutScope]
    HAZELNUT_SCOPE_ALL_SHARED: _ClassVar[HazelnutScope]
    HAZELNUT_SCOPE_PERSONAL: _ClassVar[HazelnutScope]

class ProductSurface(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRODUCT_SURFACE_UNSPECIFIED: _ClassVar[ProductSurface]
    PRODUCT_SURFACE_CHATGPT: _ClassVar[ProductSurface]
    PRODUCT_SURFACE_CODEX: _ClassVar[ProductSurface]
    PRODUCT_SURFACE_API: _ClassVar[ProductSurface]
    PRODUCT_SURFACE_ATLAS: _ClassVar[ProductSurface]
SKILL_SCOPE_UNSPECIFIED: SkillScope
SKILL_SCOPE_USER: SkillScope
SKILL_SCOPE_REPO: SkillScope
SKILL_SCOPE_SYSTEM: SkillScope
SKILL_SCOPE_ADMIN: SkillScope
HAZELNUT_SCOPE_UNSPECIFIED: HazelnutScope
HAZELNUT_SCOPE_EXAMPLE: HazelnutScope
HAZELNUT_SCOPE_WORKSPACE_SHARED: HazelnutScope
HAZELNUT_SCOPE_ALL_SHARED: HazelnutScope
HAZELNUT_SCOPE_PERSONAL: HazelnutScope
PRODUCT_SURFACE_UNSPECIFIED: ProductSurface
PRODUCT_SURFACE_CHATGPT: ProductSurface
PRODUCT_SURFACE_CODEX: ProductSurface
PRODUCT_SURFACE_API: ProductSurface
PRODUCT_SURFACE_ATLAS: ProductSurface

class SkillsListParams(_message.Message):
    __slots__ = ("cwds", "force_reload", "per_cwd_extra_user_roots")
    CWDS_FIELD_NUMBER: _ClassVar[int]
    FORCE_RELOAD_FIELD_NUMBER: _ClassVar[int]
    PER_CWD_EXTRA_USER_ROOTS_FIELD_NUMBER: _ClassVar[int]
    cwds: _containers.RepeatedScalarFieldContainer[str]
    force_reload: bool
    per_cwd_extra_user_roots: _containers.RepeatedCompositeFieldContainer[SkillsListExtraRootsForCwd]
    def __init__(self, cwds: _Optional[_Iterable[str]] = ..., force_reload: _Optional[bool] = ..., per_cwd_extra_user_roots: _Optional[_Iterable[_Union[SkillsListExtraRootsForCwd, _Mapping]]] = ...) -> None: ...

class SkillsListExtraRootsForCwd(_message.Message):
    __slots__ = ("cwd", "extra_user_roots")
    CWD_FIELD_NUMBER: _ClassVar[int]
    EXTRA_USER_ROOTS_FIELD_NUMBER: _ClassVar[int]
    cwd: str
    extra_user_roots: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cwd: _Optional[str] = ..., extra_user_roots: _Optional[_Iterable[str]] = ...) -> None: ...

class SkillsListResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[SkillsListEntry]
    def __init__(self, data: _Optional[_Iterable[_Union[SkillsListEntry, _Mapping]]] = ...) -> None: ...

class SkillsListEntry(_message.Message):
    __slots__ = ("cwd", "skills", "errors")
    CWD_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    cwd: str
    skills: _containers.RepeatedCompositeFieldContainer[SkillMetadata]
    errors: _containers.RepeatedCompositeFieldContainer[SkillErrorInfo]
    def __init__(self, cwd: _Optional[str] = ..., skills: _Optional[_Iterable[_Union[SkillMetadata, _Mapping]]] = ..., errors: _Optional[_Iterable[_Union[SkillErrorInfo, _Mapping]]] = ...) -> None: ...

class SkillMetadata(_message.Message):
    __slots__ = ("name", "description", "short_description", "interface", "dependencies", "path", "scope", "enabled")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SHORT_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INTERFACE_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    short_description: str
    interface: SkillInterface
    dependencies: SkillDependencies
    path: str
    scope: SkillScope
    enabled: bool
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., short_description: _Optional[str] = ..., interface: _Optional[_Union[SkillInterface, _Mapping]] = ..., dependencies: _Optional[_Union[SkillDependencies, _Mapping]] = ..., path: _Optional[str] = ..., scope: _Optional[_Union[SkillScope, str]] = ..., enabled: _Optional[bool] = ...) -> None: ...

class SkillInterface(_message.Message):
    __slots__ = ("display_name", "short_description", "icon_small", "icon_large", "brand_color", "default_prompt")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SHORT_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ICON_SMALL_FIELD_NUMBER: _ClassVar[int]
    ICON_LARGE_FIELD_NUMBER: _ClassVar[int]
    BRAND_COLOR_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROMPT_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    short_description: str
    icon_small: str
    icon_large: str
    brand_color: str
    default_prompt: str
    def __init__(self, display_name: _Optional[str] = ..., short_description: _Optional[str] = ..., icon_small: _Optional[str] = ..., icon_large: _Optional[str] = ..., brand_color: _Optional[str] = ..., default_prompt: _Optional[str] = ...) -> None: ...

class SkillDependencies(_message.Message):
    __slots__ = ("tools",)
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    tools: _containers.RepeatedCompositeFieldContainer[SkillToolDependency]
    def __init__(self, tools: _Optional[_Iterable[_Union[SkillToolDependency, _Mapping]]] = ...) -> None: ...

class SkillToolDependency(_message.Message):
    __slots__ = ("type", "value", "description", "transport", "command", "url")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    type: str
    value: str
    description: str
    transport: str
    command: str
    url: str
    def __init__(self, type: _Optional[str] = ..., value: _Optional[str] = ..., description: _Optional[str] = ..., transport: _Optional[str] = ..., command: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class SkillErrorInfo(_message.Message):
    __slots__ = ("path", "message")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    path: str
    message: str
    def __init__(self, path: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class SkillsConfigWriteParams(_message.Message):
    __slots__ = ("path", "enabled")
    PATH_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    path: str
    enabled: bool
    def __init__(self, path: _Optional[str] = ..., enabled: _Optional[bool] = ...) -> None: ...

class SkillsConfigWriteResponse(_message.Message):
    __slots__ = ("effective_enabled",)
    EFFECTIVE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    effective_enabled: bool
    def __init__(self, effective_enabled: _Optional[bool] = ...) -> None: ...

class SkillsRemoteReadParams(_message.Message):
    __slots__ = ("hazelnut_scope", "product_surface", "enabled")
    HAZELNUT_SCOPE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_SURFACE_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    hazelnut_scope: HazelnutScope
    product_surface: ProductSurface
    enabled: bool
    def __init__(self, hazelnut_scope: _Optional[_Union[HazelnutScope, str]] = ..., product_surface: _Optional[_Union[ProductSurface, str]] = ..., enabled: _Optional[bool] = ...) -> None: ...

class SkillsRemoteReadResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[RemoteSkillSummary]
    def __init__(self, data: _Optional[_Iterable[_Union[RemoteSkillSummary, _Mapping]]] = ...) -> None: ...

class RemoteSkillSummary(_message.Message):
    __slots__ = ("id", "name", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SkillsRemoteWriteParams(_message.Message):
    __slots__ = ("hazelnut_id",)
    HAZELNUT_ID_FIELD_NUMBER: _ClassVar[int]
    hazelnut_id: str
    def __init__(self, hazelnut_id: _Optional[str] = ...) -> None: ...

class SkillsRemoteWriteResponse(_message.Message):
    __slots__ = ("id", "path")
    ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    id: str
    path: str
    def __init__(self, id: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
