from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CancelLoginAccountStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCEL_LOGIN_ACCOUNT_STATUS_UNSPECIFIED: _ClassVar[CancelLoginAccountStatus]
    CANCEL_LOGIN_ACCOUNT_STATUS_CANCELED: _ClassVar[CancelLoginAccountStatus]
    CANCEL_LOGIN_ACCOUNT_STATUS_NOT_FOUND: _ClassVar[CancelLoginAccountStatus]

class PlanType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_TYPE_UNSPECIFIED: _ClassVar[PlanType]
    PLAN_TYPE_FREE: _ClassVar[PlanType]
    PLAN_TYPE_GO: _ClassVar[PlanType]
    PLAN_TYPE_PLUS: _ClassVar[PlanType]
    PLAN_TYPE_PRO: _ClassVar[PlanType]
    PLAN_TYPE_TEAM: _ClassVar[PlanType]
    PLAN_TYPE_BUSINESS: _ClassVar[PlanType]
    PLAN_TYPE_ENTERPRISE: _ClassVar[PlanType]
    PLAN_TYPE_EDU: _ClassVar[PlanType]
    PLAN_TYPE_UNKNOWN: _ClassVar[PlanType]

class ChatgptAuthTokensRefreshReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNSPECIFIED: _ClassVar[ChatgptAuthTokensRefreshReason]
    CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNAUTHORIZED: _ClassVar[ChatgptAuthTokensRefreshReason]
CANCEL_LOGIN_ACCOUNT_STATUS_UNSPECIFIED: CancelLoginAccountStatus
CANCEL_LOGIN_ACCOUNT_STATUS_CANCELED: CancelLoginAccountStatus
CANCEL_LOGIN_ACCOUNT_STATUS_NOT_FOUND: CancelLoginAccountStatus
PLAN_TYPE_UNSPECIFIED: PlanType
PLAN_TYPE_FREE: PlanType
PLAN_TYPE_GO: PlanType
PLAN_TYPE_PLUS: PlanType
PLAN_TYPE_PRO: PlanType
PLAN_TYPE_TEAM: PlanType
PLAN_TYPE_BUSINESS: PlanType
PLAN_TYPE_ENTERPRISE: PlanType
PLAN_TYPE_EDU: PlanType
PLAN_TYPE_UNKNOWN: PlanType
CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNSPECIFIED: ChatgptAuthTokensRefreshReason
CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNAUTHORIZED: ChatgptAuthTokensRefreshReason

class LoginAccountParams(_message.Message):
    __slots__ = ("api_key", "chatgpt", "chatgpt_auth_tokens")
    class ApiKey(_message.Message):
        __slots__ = ("api_key",)
        API_KEY_FIELD_NUMBER: _ClassVar[int]
        api_key: str
        def __init__(self, api_key: _Optional[str] = ...) -> None: ...
    class Chatgpt(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class ChatgptAuthTokens(_message.Message):
        __slots__ = ("access_token", "chatgpt_account_id", "chatgpt_plan_type")
        ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
        CHATGPT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
        CHATGPT_PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
        access_token: str
        chatgpt_account_id: str
        chatgpt_plan_type: str
        def __init__(self, access_token: _Optional[str] = ..., chatgpt_account_id: _Optional[str] = ..., chatgpt_plan_type: _Optional[str] = ...) -> None: ...
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_AUTH_TOKENS_FIELD_NUMBER: _ClassVar[int]
    api_key: LoginAccountParams.ApiKey
    chatgpt: LoginAccountParams.Chatgpt
    chatgpt_auth_tokens: LoginAccountParams.ChatgptAuthTokens
    def __init__(self, api_key: _Optional[_Union[LoginAccountParams.ApiKey, _Mapping]] = ..., chatgpt: _Optional[_Union[LoginAccountParams.Chatgpt, _Mapping]] = ..., chatgpt_auth_tokens: _Optional[_Union[LoginAccountParams.ChatgptAuthTokens, _Mapping]] = ...) -> None: ...

class LoginAccountResponse(_message.Message):
    __slots__ = ("api_key", "chatgpt", "chatgpt_auth_tokens")
    class ApiKey(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Chatgpt(_message.Message):
        __slots__ = ("login_id", "auth_url")
        LOGIN_ID_FIELD_NUMBER: _ClassVar[int]
        AUTH_URL_FIELD_NUMBER: _ClassVar[int]
        login_id: str
        auth_url: str
        def __init__(self, login_id: _Optional[str] = ..., auth_url: _Optional[str] = ...) -> None: ...
    class ChatgptAuthTokens(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_AUTH_TOKENS_FIELD_NUMBER: _ClassVar[int]
    api_key: LoginAccountResponse.ApiKey
    chatgpt: LoginAccountResponse.Chatgpt
    chatgpt_auth_tokens: LoginAccountResponse.ChatgptAuthTokens
    def __init__(self, api_key: _Optional[_Union[LoginAccountResponse.ApiKey, _Mapping]] = ..., chatgpt: _Optional[_Union[LoginAccountResponse.Chatgpt, _Mapping]] = ..., chatgpt_auth_tokens: _Optional[_Union[LoginAccountResponse.ChatgptAuthTokens, _Mapping]] = ...) -> None: ...

class CancelLoginAccountParams(_message.Message):
    __slots__ = ("login_id",)
    LOGIN_ID_FIELD_NUMBER: _ClassVar[int]
    login_id: str
    def __init__(self, login_id: _Optional[str] = ...) -> None: ...

class CancelLoginAccountResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: CancelLoginAccountStatus
    def __init__(self, status: _Optional[_Union[CancelLoginAccountStatus, str]] = ...) -> None: ...

class LogoutAccountResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAccountParams(_message.Message):
    __slots__ = ("refresh_token",)
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: bool
    def __init__(self, refresh_token: _Optional[bool] = ...) -> None: ...

class GetAccountResponse(_message.Message):
    __slots__ = ("account", "requires_openai_auth")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_OPENAI_AUTH_FIELD_NUMBER: _ClassVar[int]
    account: Account
    requires_openai_auth: bool
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ..., requires_openai_auth: _Optional[bool] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("api_key", "chatgpt")
    class ApiKey(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Chatgpt(_message.Message):
        __slots__ = ("email", "plan_type")
        EMAIL_FIELD_NUMBER: _ClassVar[int]
        PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
        email: str
        plan_type: PlanType
        def __init__(self, email: _Optional[str] = ..., plan_type: _Optional[_Union[PlanType, str]] = ...) -> None: ...
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_FIELD_NUMBER: _ClassVar[int]
    api_key: Account.ApiKey
    chatgpt: Account.Chatgpt
    def __init__(self, api_key: _Optional[_Union[Account.ApiKey, _Mapping]] = ..., chatgpt: _Optional[_Union[Account.Chatgpt, _Mapping]] = ...) -> None: ...

class GetAccountRateLimitsResponse(_message.Message):
    __slots__ = ("rate_limits", "rate_limits_by_limit_id")
    class RateLimitsByLimitIdEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: RateLimitSnapshot
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[RateLimitSnapshot, _Mapping]] = ...) -> None: ...
    RATE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITS_BY_LIMIT_ID_FIELD_NUMBER: _ClassVar[int]
    rate_limits: RateLimitSnapshot
    rate_limits_by_limit_id: _containers.MessageMap[str, RateLimitSnapshot]
    def __init__(self, rate_limits: _Optional[_Union[RateLimitSnapshot, _Mapping]] = ..., rate_limits_by_limit_id: _Optional[_Mapping[str, RateLimitSnapshot]] = ...) -> None: ...

class RateLimitSnapshot(_message.Message):
    __slots__ = ("limit_id", "limit_name", "primary", "secondary", "credits", "plan_type")
    LIMIT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_NAME_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
    limit_id: str
    limit_name: str
    primary: RateLimitWindow
    secondary: RateLimitWindow
    credits: CreditsSnapshot
    plan_type: PlanType
    def __init__(self, limit_id: _Optional[str] = ..., limit_name: _Optional[str] = ..., primary: _Optional[_Union[RateLimitWindow, _Mapping]] = ..., secondary: _Optional[_Union[RateLimitWindow, _Mapping]] = ..., credits: _Optional[_Union[CreditsSnapshot, _Mapping]] = ..., plan_type: _Optional[_Union[PlanType, str]] = ...) -> None: ...

class CreditsSnapshot(_message.Message):
    __slots__ = ("has_credits", "unlimited", "balance")
    HAS_CREDITS_FIELD_NUMBER: _ClassVar[int]
    UNLIMITED_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    has_credits: bool
    unlimited: bool
    balance: str
    def __init__(self, has_credits: _Optional[bool] = ..., unlimited: _Optional[bool] = ..., balance: _Optional[str] = ...) -> None: ...

class RateLimitWindow(_message.Message):
    __slots__ = ("used_percent", "window_duration_mins", "resets_at")
    USED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DURATION_MINS_FIELD_NUMBER: _ClassVar[int]
    RESETS_AT_FIELD_NUMBER: _ClassVar[int]
    used_percent: int
    window_duration_mins: int
    resets_at: int
    def __init__(self, used_percent: _Optional[int] = ..., window_duration_mins: _Optional[int] = ..., resets_at: _Optional[int] = ...) -> None: ...

class ChatgptAuthTokensRefreshParams(_message.Message):
    __slots__ = ("reason", "previous_account_id")
    REASON_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    reason: ChatgptAuthTokensRefreshReason
    previous_account_id: str
    def __init__(self, reason: _Optional[_Union[ChatgptAuthTokensRefreshReason, str]] = ..., previous_account_id: _Optional[str] = ...) -> None: ...

class ChatgptAuthTokensRefreshResponse(_message.Message):
    __slots__ = ("access_token", "chatgpt_account_id", "chatgpt_plan_type")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHATGPT_PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    chatgpt_account_id: str
    chatgpt_plan_type: str
    def __init__(self, access_token: _Optional[str] = ..., chatgpt_account_id: _Optional[str] = ..., chatgpt_plan_type: _Optional[str] = ...) -> None: ...

class LogoutAccountParams(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAccountRateLimitsParams(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
