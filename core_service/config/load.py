"""Configuration of the core: `$CODEX_HOME/config.toml`, `-c` overrides, per-thread overrides.

The file is parsed with :mod:`tomllib`, then checked against the subset of the
codex 0.104 keys the core understands. Problems never raise at load time: a
syntax error or a value of the wrong type yields a :class:`ConfigDiagnostic`
naming file, line and column (the shape of the reference's `configWarning`) and
the defaults are used instead. Keys the core does not know are kept verbatim
(they show up in `config/read`) and otherwise ignored.

Two parts live in their own modules: :mod:`core_service.config.scan` locates
values in the text for the diagnostics' line:column ranges, and
:mod:`core_service.config.write` answers `config/read` and performs the writes
(`config/value/write`, `config/batchWrite`). Their public functions are
re-exported here, so callers import everything from this module.

Everything here does blocking file I/O; async callers wrap it in
``asyncio.to_thread``.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app_server_protocol.codec import describe_value
from core_service.config.scan import KeyPath, Position, _Lines, _scan_spans
from core_service.config.scan import _SpanScanner as _SpanScanner  # re-export (tests use it)

log = logging.getLogger(__name__)

INVALID_CONFIG_SUMMARY = "Invalid configuration; using defaults."
DEFAULT_MODEL = "gpt-5.1-codex"
DEFAULT_PROVIDER_ID = "openai"
DEFAULT_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/"
OPENAI_API_BASE_URL = "https://api.openai.com/v1"
# Where the built-in provider sends requests when the user signed in with ChatGPT.
OPENAI_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/codex"

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


class ConfigError(Exception):
    """A configuration problem reported to a caller (bad override, bad write, bad file).

    ``code`` is a stable machine-readable reason for write errors
    (``configVersionConflict``, ``configValidationError``, ``configLayerReadonly``)
    and ``None`` otherwise.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ConfigDiagnostic:
    """Why `config.toml` was rejected, in the shape of the `configWarning` notification.

    ``range`` holds 1-based (line, column) pairs; the end is the last character
    of the offending text (equal to the start for a syntax error).
    ``message`` is the bare problem and ``read_error`` the message `config/read`
    fails with while the file stays broken.
    """

    summary: str
    details: str
    path: str
    range: tuple[Position, Position] | None
    message: str
    read_error: str

    @property
    def thread_error(self) -> str:
        """The message with which thread creation fails while the file is broken."""
        return f"error deriving config: {self.details}"

    def to_notification(self) -> dict[str, Any]:
        """The `configWarning` notification params as JSON."""
        rng = None
        if self.range is not None:
            (sl, sc), (el, ec) = self.range
            rng = {"start": {"line": sl, "column": sc}, "end": {"line": el, "column": ec}}
        return {"summary": self.summary, "details": self.details, "path": self.path, "range": rng}


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
_PROVIDER_ENV_KEYS = ("OPENAI_BASE_URL", "CODEX_OSS_PORT", "CODEX_OSS_BASE_URL")


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


@dataclass
class LoadResult:
    """What load_config produced: a usable config and, if the file was rejected, why."""

    config: Config
    diagnostic: ConfigDiagnostic | None


# --------------------------------------------------------------------------- schema

class _Problem(Exception):
    """A value does not fit the schema; ``path`` says where."""

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
            raise _Problem(path, f"invalid type: {describe_value(value)}, expected {expected}")
    return check


_STR = _type("a string", lambda v: isinstance(v, str))
_BOOL = _type("a boolean", lambda v: isinstance(v, bool))
_I64 = _type("i64", lambda v: isinstance(v, int) and not isinstance(v, bool))


def _u64(value: Any, path: KeyPath) -> None:
    _type("u64", lambda v: isinstance(v, int) and not isinstance(v, bool))(value, path)
    if value < 0:
        raise _Problem(path, f"invalid value: integer `{value}`, expected u64")


def _enum(values: Sequence[str], hints: Mapping[str, str] | None = None) -> _Check:
    def check(value: Any, path: KeyPath) -> None:
        _STR(value, path)
        if hints and value in hints:
            raise _Problem(path, hints[value])
        if value not in values:
            raise _Problem(path, f"unknown variant `{value}`, {_one_of(values)}")
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
_PROFILE_FIELDS: dict[str, _Check] = {
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
    **_PROFILE_FIELDS,
    "profile": _STR,
    "profiles": _map_of(_struct("ConfigProfile", _PROFILE_FIELDS)),
    "forced_login_method": _enum(FORCED_LOGIN_METHODS),
    "forced_chatgpt_workspace_id": _STR,
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


def _first_problem(data: dict[str, Any]) -> _Problem | None:
    try:
        _CHECK_TOP(data, ())
    except _Problem as problem:
        return problem
    return None


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


# --------------------------------------------------------------------------- diagnostics

_TOMLLIB_POS = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)
# tomllib's wording for the most common mistakes, rephrased the way toml-rs
# (hence the reference) says it.
_TOML_MESSAGES = {
    "Expected '=' after a key in a key/value pair": "key with no value, expected `=`",
    "Invalid value": "invalid value",
    "Cannot overwrite a value": "duplicate key",
}


def _syntax_diagnostic(path: Path, text: str, err: tomllib.TOMLDecodeError) -> ConfigDiagnostic:
    m = _TOMLLIB_POS.match(str(err))
    if m is None:
        message, pos = str(err), _Lines(text).position(len(text))
    else:
        message = m.group("msg")
        if m.group("line"):
            pos = (int(m.group("line")), int(m.group("col")))
        else:
            pos = _Lines(text).position(len(text))
    message = _TOML_MESSAGES.get(message, message)
    details = f"{path}:{pos[0]}:{pos[1]}: {message}"
    return ConfigDiagnostic(
        summary=INVALID_CONFIG_SUMMARY,
        details=details,
        path=str(path),
        range=(pos, pos),
        message=message,
        read_error=f"failed to read configuration layers: {details}",
    )


def _problem_diagnostic(
    path: Path, problem: _Problem, text: str | None, spans: Mapping[KeyPath, tuple[int, int]]
) -> ConfigDiagnostic:
    """A diagnostic for a schema problem, located in the text when the value came from it."""
    rng: tuple[Position, Position] | None = None
    if text is not None:
        probe = problem.path
        while probe and probe not in spans:
            probe = probe[:-1]
        if probe:
            lines = _Lines(text)
            start, end = spans[probe]
            rng = (lines.position(start), lines.position(max(start, end - 1)))
    where = problem.path[:-1] or problem.path
    in_clause = f"\nin `{_dotted(where)}`\n" if where else "\n"
    if rng is not None:
        details = f"{path}:{rng[0][0]}:{rng[0][1]}: {problem.message}"
    else:
        details = f"{problem.message} in `{_dotted(problem.path)}`"
    return ConfigDiagnostic(
        summary=INVALID_CONFIG_SUMMARY,
        details=details,
        path=str(path),
        range=rng,
        message=problem.message,
        read_error=f"invalid configuration: {problem.message}{in_clause}",
    )


# --------------------------------------------------------------------------- overrides

def _parse_toml_value(text: str) -> Any:
    """A `-c` value: TOML when it parses as such, the plain string otherwise."""
    try:
        return tomllib.loads(f"_ = {text}")["_"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def _split_key(key: str) -> list[str]:
    """Split a dotted key path, honouring TOML quoting (`a."b.c"`)."""
    try:
        node: Any = tomllib.loads(f"{key} = 0")
    except tomllib.TOMLDecodeError:
        return [part.strip() for part in key.split(".")]
    parts: list[str] = []
    while isinstance(node, dict):
        (name, node), = node.items()
        parts.append(name)
    return parts


def parse_cli_overrides(pairs: list[str]) -> list[tuple[list[str], Any]]:
    """Parse `-c key=value` strings into (key path, value) pairs.

    The value is read as a TOML value (`true`, `3`, `"x"`, `[1, 2]`,
    `{a = 1}`) and taken as a plain string when it is not valid TOML. A pair
    without `=` or with an empty key raises ConfigError.
    """
    out: list[tuple[list[str], Any]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"Invalid override (missing '='): {pair}")
        out.append((_split_key(key), _parse_toml_value(value.strip())))
    return out


def feature_overrides(
    enable: Sequence[str] = (), disable: Sequence[str] = ()
) -> list[tuple[list[str], Any]]:
    """`--enable X` / `--disable X` as override pairs on `features.X`."""
    return [(["features", f], True) for f in enable] + [(["features", f], False) for f in disable]


def _set_path(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value


def _nested(overrides: Sequence[tuple[Sequence[str], Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in overrides:
        _set_path(out, path, copy.deepcopy(value))
    return out


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# --------------------------------------------------------------------------- building

def codex_home_from_env(env: Mapping[str, str] | None = None) -> Path:
    """`$CODEX_HOME`, or `~/.codex` when unset or empty."""
    env = os.environ if env is None else env
    home = env.get("CODEX_HOME")
    return Path(home).expanduser() if home else Path.home() / ".codex"


def _version(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _provider(pid: str, table: Mapping[str, Any], base: ProviderConfig | None) -> ProviderConfig:
    fields = {f.name for f in dataclasses.fields(ProviderConfig)}
    values = {k: copy.deepcopy(v) for k, v in table.items() if k in fields and k != "id"}
    if base is not None:
        # Same id as a built-in: the user's table replaces it, unset fields keep built-in values.
        out = dataclasses.replace(base, **values)
        if "base_url" in values:
            out.base_url_explicit = True
        return out
    values.setdefault("name", pid)
    values.setdefault("base_url", OPENAI_API_BASE_URL)
    return ProviderConfig(id=pid, **values)


def _build(
    codex_home: Path,
    merged: dict[str, Any],
    env: Mapping[str, str],
) -> Config:
    """Turn validated TOML data into a Config; raises _Problem on semantic errors."""
    data = merged
    profile = data.get("profile")
    if profile is not None:
        profiles = data.get("profiles") or {}
        if profile not in profiles:
            raise _Problem(("profile",), f"config profile `{profile}` not found")
        data = _deep_merge(
            data, {k: v for k, v in profiles[profile].items() if k in _PROFILE_FIELDS}
        )

    providers = builtin_providers(env)
    for pid, table in (data.get("model_providers") or {}).items():
        providers[pid] = _provider(pid, table, providers.get(pid))
    provider_id = data.get("model_provider", DEFAULT_PROVIDER_ID)
    if provider_id not in providers:
        raise _Problem(("model_provider",), f"Model provider `{provider_id}` not found")

    features = dict(data.get("features") or {})
    for name in features:
        if name not in KNOWN_FEATURES:
            log.warning("unknown feature key in config: %s", name)

    sww = data.get("sandbox_workspace_write") or {}
    return Config(
        codex_home=codex_home,
        config_path=codex_home / "config.toml",
        model=data.get("model", DEFAULT_MODEL),
        model_provider_id=provider_id,
        providers=providers,
        approval_policy=data.get("approval_policy", "on-request"),
        sandbox_mode=data.get("sandbox_mode", "read-only"),
        sandbox_workspace_write=SandboxWorkspaceWrite(
            writable_roots=list(sww.get("writable_roots", [])),
            network_access=sww.get("network_access", False),
            exclude_tmpdir_env_var=sww.get("exclude_tmpdir_env_var", False),
            exclude_slash_tmp=sww.get("exclude_slash_tmp", False),
        ),
        chatgpt_base_url=data.get("chatgpt_base_url", DEFAULT_CHATGPT_BASE_URL),
        review_model=data.get("review_model"),
        model_context_window=data.get("model_context_window"),
        model_auto_compact_token_limit=data.get("model_auto_compact_token_limit"),
        model_reasoning_effort=data.get("model_reasoning_effort"),
        model_reasoning_summary=data.get("model_reasoning_summary"),
        model_verbosity=data.get("model_verbosity"),
        instructions=data.get("instructions"),
        base_instructions=data.get("base_instructions"),
        developer_instructions=data.get("developer_instructions"),
        compact_prompt=data.get("compact_prompt"),
        profile=profile,
        forced_login_method=data.get("forced_login_method"),
        forced_chatgpt_workspace_id=data.get("forced_chatgpt_workspace_id"),
        web_search=data.get("web_search"),
        tools=dict(data.get("tools") or {}),
        analytics=dict(data.get("analytics") or {}),
        features=features,
        raw=merged,
        env={k: env[k] for k in _PROVIDER_ENV_KEYS if k in env},
    )


def _check_and_build(codex_home: Path, merged: dict[str, Any], env: Mapping[str, str]) -> Config:
    problem = _first_problem(merged)
    if problem is not None:
        raise problem
    return _build(codex_home, merged, env)


def load_config(
    codex_home: Path | None = None,
    overrides: Sequence[tuple[Sequence[str], Any]] = (),
    env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Load `config.toml` from `codex_home` (default `$CODEX_HOME` or `~/.codex`).

    `overrides` (from parse_cli_overrides / feature_overrides) apply on top of
    the file. Never raises for a bad file: the result then carries a
    diagnostic and a config built from the defaults plus the overrides (or
    from the defaults alone when the overrides are themselves invalid).
    """
    env = dict(os.environ if env is None else env)
    home = codex_home if codex_home is not None else codex_home_from_env(env)
    path = home / "config.toml"
    session = _nested(overrides)

    content = b""
    text: str | None = None
    diagnostic: ConfigDiagnostic | None = None
    user: dict[str, Any] = {}
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as exc:
        diagnostic = ConfigDiagnostic(
            INVALID_CONFIG_SUMMARY, f"{path}: {exc.strerror}", str(path), None,
            str(exc.strerror), f"failed to read configuration layers: {path}: {exc.strerror}",
        )
    if content:
        text = content.decode("utf-8", errors="replace")
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            diagnostic = _syntax_diagnostic(path, text, err)

    config: Config | None = None
    if diagnostic is None:
        problem = _first_problem(user)
        if problem is None:
            try:
                config = _check_and_build(home, _deep_merge(user, session), env)
            except _Problem as late:
                problem = late
        if problem is not None:
            in_file = not _set_by_overrides(session, problem.path)
            spans = _scan_spans(text) if (in_file and text) else {}
            diagnostic = _problem_diagnostic(path, problem, text if in_file else None, spans)

    if config is None:
        user = {}
        log.error("%s %s", INVALID_CONFIG_SUMMARY, diagnostic.details if diagnostic else "")
        try:
            config = _check_and_build(home, copy.deepcopy(session), env)
        except _Problem:
            config = _build(home, {}, env)
    config.user_layer = user
    config.session_flags = session
    config.user_version = _version(content)
    config.diagnostic = diagnostic
    return LoadResult(config=config, diagnostic=diagnostic)


def _set_by_overrides(session: Mapping[str, Any], path: KeyPath) -> bool:
    """Whether the value at `path` (or a table holding it) comes from an override."""
    node: Any = session
    for key in path:
        if not isinstance(node, Mapping):
            return True  # an override replaced a whole parent value
        if key not in node:
            return False
        node = node[key]
    return True


def derive_thread_config(
    base: Config,
    *,
    model: str | None = None,
    model_provider: str | None = None,
    cwd: str | Path | None = None,
    approval_policy: str | None = None,
    sandbox: str | None = None,
    base_instructions: str | None = None,
    developer_instructions: str | None = None,
    config_overrides: Mapping[str, Any] | None = None,
) -> Config:
    """The effective config of a new thread: `base` plus `thread/start`-style overrides.

    `config_overrides` maps dotted key paths to JSON values and is applied
    first; the explicit arguments win over it. Raises ConfigError with a
    client-facing message when `base` came from a rejected file or when an
    override is invalid (unknown provider, bad enum value, wrong type).
    """
    if base.diagnostic is not None:
        raise ConfigError(base.diagnostic.thread_error)
    merged = copy.deepcopy(base.raw)
    for key, value in (config_overrides or {}).items():
        if value is None:
            continue
        _set_path(merged, _split_key(key), copy.deepcopy(value))
    explicit = {
        "model": model,
        "model_provider": model_provider,
        "approval_policy": approval_policy,
        "sandbox_mode": sandbox,
        "base_instructions": base_instructions,
        "developer_instructions": developer_instructions,
    }
    for key, value in explicit.items():
        if value is not None:
            merged[key] = value
            # An explicit choice beats whatever the active profile says.
            if merged.get("profile") in (merged.get("profiles") or {}):
                merged["profiles"][merged["profile"]].pop(key, None)
    try:
        config = _check_and_build(base.codex_home, merged, base.env)
    except _Problem as problem:
        where = f" in `{_dotted(problem.path)}`" if problem.path else ""
        raise ConfigError(f"invalid config override: {problem.message}{where}") from None
    config.user_layer = base.user_layer
    config.session_flags = base.session_flags
    config.user_version = base.user_version
    if cwd is not None:
        config.cwd = Path(cwd)
    return config


# --------------------------------------------------------------------------- re-exports

# `config/read` and the writes live in core_service.config.write, which builds
# on this module (ConfigError, the schema check, key splitting); importing it
# here eagerly would be an import cycle, so its public functions are
# re-exported lazily (PEP 562) for the callers that import them from here.
if TYPE_CHECKING:
    from core_service.config.write import read_config_response as read_config_response
    from core_service.config.write import write_values as write_values

_CONFIG_WRITE_NAMES = frozenset({"read_config_response", "write_values"})


def __getattr__(name: str) -> Any:
    """Resolve the names re-exported from :mod:`core_service.config.write` on first use."""
    if name in _CONFIG_WRITE_NAMES:
        from core_service.config import write as config_write

        return getattr(config_write, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
