"""What `config.toml` may say: the typed :class:`Config` and the checks of its keys.

The core understands a subset of the codex 0.104 keys. :func:`first_problem`
checks parsed TOML against that subset with the reference's (serde) wording;
keys the core does not know pass unchecked (they show up in `config/read`
and are otherwise ignored). :class:`Config` is the effective configuration
built from checked data by :mod:`core_service.config.load`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app_server_protocol.codec_common import describe_value
from core_service.config.diagnostics import ConfigDiagnostic
from core_service.config.tables import KeyPath

DEFAULT_MODEL = "gpt-5.1-codex"
DEFAULT_PROVIDER_ID = "openai"
DEFAULT_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/"
OPENAI_API_BASE_URL = "https://api.openai.com/v1"
# Where the built-in provider sends requests when the user signed in with ChatGPT.
OPENAI_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/codex"
# The ChatGPT sign-in: the OAuth issuer, our client id there, the local callback port.
DEFAULT_CHATGPT_LOGIN_ISSUER = "https://auth.openai.com"
DEFAULT_CHATGPT_LOGIN_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
DEFAULT_CHATGPT_LOGIN_CALLBACK_PORT = 1455

APPROVAL_POLICIES = ("untrusted", "on-failure", "on-request", "never")
SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
REASONING_SUMMARIES = ("auto", "concise", "detailed", "none")
VERBOSITIES = ("low", "medium", "high")
FORCED_LOGIN_METHODS = ("chatgpt", "api")
WEB_SEARCH_MODES = ("disabled", "cached", "live")

# Feature flags codex 0.104 knows about; any other key only earns a warning,
# exactly like the reference (which keeps running).
KNOWN_FEATURES = frozenset(
    {
        "apply_patch_freeform", "apps", "child_agents_md", "collab", "collaboration_modes",
        "connectors", "elevated_windows_sandbox", "enable_request_compression", "exec_policy",
        "experimental_windows_sandbox", "ghost_commit", "js_repl", "memory_tool", "multi_agent",
        "personality", "powershell_utf8", "remote_compaction", "remote_models", "request_rule",
        "responses_websockets", "responses_websockets_v2", "rmcp_client", "runtime_metrics",
        "shell_snapshot", "shell_tool", "skills", "sqlite", "steer", "tui2", "undo",
        "unified_exec", "use_linux_sandbox_bwrap", "view_image_tool", "web_search_cached",
        "web_search_request", "windows_sandbox",
    }
)


@dataclass
class SandboxWorkspaceWrite:
    """The `[sandbox_workspace_write]` table: what `workspace-write` may touch."""

    writable_roots: list[str] = field(default_factory=list)
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False


@dataclass
class ProviderConfig:
    """One model provider (`[model_providers.<id>]` or a built-in one)."""

    id: str
    name: str
    base_url: str
    wire_api: str = "responses"
    env_key: str | None = None
    env_key_instructions: str | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    env_http_headers: dict[str, str] = field(default_factory=dict)
    query_params: dict[str, str] = field(default_factory=dict)
    request_max_retries: int = 4
    stream_max_retries: int = 5
    stream_idle_timeout_ms: int = 300_000
    requires_openai_auth: bool = False
    supports_websockets: bool = False
    # False for the built-in OpenAI provider without OPENAI_BASE_URL: its URL
    # then depends on the kind of sign-in (API key vs ChatGPT).
    base_url_explicit: bool = True

    def base_url_for(self, *, chatgpt_auth: bool) -> str:
        """The base URL to call, given whether the request uses ChatGPT credentials."""
        if chatgpt_auth and not self.base_url_explicit:
            return OPENAI_CHATGPT_BASE_URL
        return self.base_url


# The environment variables builtin_providers reads (kept on Config for per-thread rebuilds).
PROVIDER_ENV_KEYS = ("OPENAI_BASE_URL", "CODEX_OSS_PORT", "CODEX_OSS_BASE_URL")


def builtin_providers(env: Mapping[str, str]) -> dict[str, ProviderConfig]:
    """The providers that exist without any configuration (`OPENAI_BASE_URL` honoured)."""
    override = env.get("OPENAI_BASE_URL") or None
    openai = ProviderConfig(
        id="openai",
        name="OpenAI",
        base_url=override or OPENAI_API_BASE_URL,
        env_key="OPENAI_API_KEY",
        requires_openai_auth=True,
        base_url_explicit=override is not None,
    )
    oss_port = env.get("CODEX_OSS_PORT") or "11434"
    ollama = ProviderConfig(
        id="ollama",
        name="gpt-oss",
        base_url=env.get("CODEX_OSS_BASE_URL") or f"http://localhost:{oss_port}/v1",
    )
    lmstudio = ProviderConfig(id="lmstudio", name="gpt-oss", base_url="http://localhost:1234/v1")
    return {p.id: p for p in (openai, ollama, lmstudio)}


@dataclass
class Config:
    """The effective configuration of the core (or of one thread, see derive_thread_config)."""

    codex_home: Path
    config_path: Path
    model: str = DEFAULT_MODEL
    model_provider_id: str = DEFAULT_PROVIDER_ID
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    approval_policy: str = "on-request"
    sandbox_mode: str = "read-only"
    sandbox_workspace_write: SandboxWorkspaceWrite = field(default_factory=SandboxWorkspaceWrite)
    chatgpt_base_url: str = DEFAULT_CHATGPT_BASE_URL
    review_model: str | None = None
    model_context_window: int | None = None
    model_auto_compact_token_limit: int | None = None
    model_reasoning_effort: str | None = None
    model_reasoning_summary: str | None = None
    model_verbosity: str | None = None
    instructions: str | None = None
    base_instructions: str | None = None
    developer_instructions: str | None = None
    compact_prompt: str | None = None
    profile: str | None = None
    forced_login_method: str | None = None
    forced_chatgpt_workspace_id: str | None = None
    chatgpt_login_issuer: str = DEFAULT_CHATGPT_LOGIN_ISSUER
    chatgpt_login_client_id: str = DEFAULT_CHATGPT_LOGIN_CLIENT_ID
    chatgpt_login_callback_port: int = DEFAULT_CHATGPT_LOGIN_CALLBACK_PORT
    web_search: str | None = None
    tools: dict[str, Any] = field(default_factory=dict)
    analytics: dict[str, Any] = field(default_factory=dict)
    features: dict[str, bool] = field(default_factory=dict)
    cwd: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    """The merged TOML data (file, then `-c` / per-thread overrides), unknown keys included."""
    user_layer: dict[str, Any] = field(default_factory=dict)
    """What `config.toml` contains (empty when it is missing or broken)."""
    session_flags: dict[str, Any] = field(default_factory=dict)
    """The `-c` / `--enable` / `--disable` overrides as a nested table."""
    user_version: str = ""
    diagnostic: ConfigDiagnostic | None = None
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def provider(self) -> ProviderConfig:
        """The provider selected by `model_provider` (always present after validation)."""
        return self.providers[self.model_provider_id]

    def feature_enabled(self, name: str, default: bool = False) -> bool:
        """Whether `[features].<name>` is on, `default` when the file does not say."""
        return self.features.get(name, default)


# --------------------------------------------------------------------------- checks

class Problem(Exception):
    """A value does not fit the schema; ``path`` says where, ``message`` says how.

    The message is the reference's (serde) wording, e.g. ``invalid type:
    string "x", expected a boolean``.
    """

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _one_of(values: Sequence[str]) -> str:
    quoted = [f"`{v}`" for v in values]
    if len(quoted) == 1:
        return f"expected {quoted[0]}"
    if len(quoted) == 2:
        return f"expected {quoted[0]} or {quoted[1]}"
    return "expected one of " + ", ".join(quoted)


_Check = Callable[[Any, KeyPath], None]


def _type(expected: str, test: Callable[[Any], bool]) -> _Check:
    def check(value: Any, path: KeyPath) -> None:
        if not test(value):
            raise Problem(path, f"invalid type: {describe_value(value)}, expected {expected}")
    return check


_STR = _type("a string", lambda v: isinstance(v, str))
_BOOL = _type("a boolean", lambda v: isinstance(v, bool))
_I64 = _type("i64", lambda v: isinstance(v, int) and not isinstance(v, bool))


def _u64(value: Any, path: KeyPath) -> None:
    _type("u64", lambda v: isinstance(v, int) and not isinstance(v, bool))(value, path)
    if value < 0:
        raise Problem(path, f"invalid value: integer `{value}`, expected u64")


def _enum(values: Sequence[str], hints: Mapping[str, str] | None = None) -> _Check:
    def check(value: Any, path: KeyPath) -> None:
        _STR(value, path)
        if hints and value in hints:
            raise Problem(path, hints[value])
        if value not in values:
            raise Problem(path, f"unknown variant `{value}`, {_one_of(values)}")
    return check


def _list_of(item: _Check) -> _Check:
    def check(value: Any, path: KeyPath) -> None:
        _type("a sequence", lambda v: isinstance(v, list))(value, path)
        for i, v in enumerate(value):
            item(v, (*path, i))
    return check


def _map_of(item: _Check) -> _Check:
    def check(value: Any, path: KeyPath) -> None:
        _type("a map", lambda v: isinstance(v, dict))(value, path)
        for k, v in value.items():
            item(v, (*path, k))
    return check


def _struct(name: str, fields: Mapping[str, _Check]) -> _Check:
    """A table with known fields; other keys are allowed (and ignored)."""
    def check(value: Any, path: KeyPath) -> None:
        _type(f"struct {name}", lambda v: isinstance(v, dict))(value, path)
        for k, v in value.items():
            if k in fields:
                fields[k](v, (*path, k))
    return check


_STR_MAP = _map_of(_STR)
_PROVIDER_FIELDS: dict[str, _Check] = {
    "name": _STR,
    "base_url": _STR,
    "env_key": _STR,
    "env_key_instructions": _STR,
    "experimental_bearer_token": _STR,
    "wire_api": _enum(
        ("responses",),
        {"chat": '`wire_api = "chat"` is no longer supported; use `wire_api = "responses"`'},
    ),
    "http_headers": _STR_MAP,
    "env_http_headers": _STR_MAP,
    "query_params": _STR_MAP,
    "request_max_retries": _u64,
    "stream_max_retries": _u64,
    "stream_idle_timeout_ms": _u64,
    "requires_openai_auth": _BOOL,
    "supports_websockets": _BOOL,
}
PROFILE_FIELDS: dict[str, _Check] = {
    "model": _STR,
    "review_model": _STR,
    "model_provider": _STR,
    "model_context_window": _I64,
    "model_auto_compact_token_limit": _I64,
    "model_reasoning_effort": _enum(REASONING_EFFORTS),
    "model_reasoning_summary": _enum(REASONING_SUMMARIES),
    "model_verbosity": _enum(VERBOSITIES),
    "approval_policy": _enum(APPROVAL_POLICIES),
    "sandbox_mode": _enum(SANDBOX_MODES),
    "chatgpt_base_url": _STR,
    "instructions": _STR,
    "base_instructions": _STR,
    "developer_instructions": _STR,
    "compact_prompt": _STR,
    "web_search": _enum(WEB_SEARCH_MODES),
    "tools": _struct("ToolsToml", {"web_search": _BOOL, "view_image": _BOOL}),
    "features": _map_of(_BOOL),
}
_TOP_FIELDS: dict[str, _Check] = {
    **PROFILE_FIELDS,
    "profile": _STR,
    "profiles": _map_of(_struct("ConfigProfile", PROFILE_FIELDS)),
    "forced_login_method": _enum(FORCED_LOGIN_METHODS),
    "forced_chatgpt_workspace_id": _STR,
    "chatgpt_login_issuer": _STR,
    "chatgpt_login_client_id": _STR,
    "chatgpt_login_callback_port": _u64,
    "sandbox_workspace_write": _struct(
        "SandboxWorkspaceWrite",
        {
            "writable_roots": _list_of(_STR),
            "network_access": _BOOL,
            "exclude_tmpdir_env_var": _BOOL,
            "exclude_slash_tmp": _BOOL,
        },
    ),
    "analytics": _struct("AnalyticsConfigToml", {"enabled": _BOOL}),
    "model_providers": _map_of(_struct("ModelProviderInfo", _PROVIDER_FIELDS)),
}
_CHECK_TOP = _struct("ConfigToml", _TOP_FIELDS)


def first_problem(data: dict[str, Any]) -> Problem | None:
    """The first place where `data` (a parsed config.toml) does not fit the schema."""
    try:
        _CHECK_TOP(data, ())
    except Problem as problem:
        return problem
    return None
