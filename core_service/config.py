"""Configuration of the core: `$CODEX_HOME/config.toml`, `-c` overrides, per-thread overrides.

The file is parsed with :mod:`tomllib`, then checked against the subset of the
codex 0.104 keys the core understands. Problems never raise at load time: a
syntax error or a value of the wrong type yields a :class:`ConfigDiagnostic`
naming file, line and column (the shape of the reference's `configWarning`) and
the defaults are used instead. Keys the core does not know are kept verbatim
(they show up in `config/read`) and otherwise ignored.

Writes (`config/value/write`, `config/batchWrite`) go through :mod:`tomlkit` so
that comments and formatting survive, and replace the file atomically.

Everything here does blocking file I/O; async callers wrap it in
``asyncio.to_thread``.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from app_server_protocol.codec import describe_value

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

Position = tuple[int, int]
KeyPath = tuple[str | int, ...]


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
# Keys of the `Config` type of `config/read`, always present in its answer.
_READ_KEYS = (
    "model", "review_model", "model_context_window", "model_auto_compact_token_limit",
    "model_provider", "approval_policy", "sandbox_mode", "sandbox_workspace_write",
    "forced_chatgpt_workspace_id", "forced_login_method", "web_search", "tools", "profile",
    "instructions", "developer_instructions", "compact_prompt", "model_reasoning_effort",
    "model_reasoning_summary", "model_verbosity", "analytics",
)


def _first_problem(data: dict[str, Any]) -> _Problem | None:
    try:
        _CHECK_TOP(data, ())
    except _Problem as problem:
        return problem
    return None


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


# --------------------------------------------------------------------------- source positions

class _SpanScanner:
    """Maps each key path of a (valid) TOML text to the character span of its value.

    tomllib gives no positions, so this walks the text with just enough of the
    TOML grammar to know where every value starts and ends.
    """

    _BARE = re.compile(r"[A-Za-z0-9_-]+")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.spans: dict[KeyPath, tuple[int, int]] = {}
        self._aot_index: dict[KeyPath, int] = {}

    def scan(self) -> dict[KeyPath, tuple[int, int]]:
        """Walk the whole document; the result maps key paths to [start, end) offsets."""
        t = self.text
        table: KeyPath = ()
        while True:
            self._skip(newlines=True)
            if self.i >= len(t):
                return self.spans
            start = self.i
            if t.startswith("[[", self.i):
                self.i += 2
                keys = self._key()
                self._skip()
                self.i += 2
                resolved = self._resolve(keys, array=True)
                index = self._aot_index.get(resolved, -1) + 1
                self._aot_index[resolved] = index
                table = (*resolved, index)
                self.spans.setdefault(table, (start, self.i))
            elif t[self.i] == "[":
                self.i += 1
                keys = self._key()
                self._skip()
                self.i += 1
                table = self._resolve(keys, array=False)
                self.spans.setdefault(table, (start, self.i))
            else:
                self._key_value(table)

    def _resolve(self, keys: list[str], *, array: bool) -> KeyPath:
        # A header below an array of tables refers to its latest element.
        out: KeyPath = ()
        for n, key in enumerate(keys):
            out = (*out, key)
            last = n == len(keys) - 1
            if out in self._aot_index and not (array and last):
                out = (*out, self._aot_index[out])
        return out

    def _skip(self, newlines: bool = False) -> None:
        t = self.text
        while self.i < len(t):
            c = t[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#" and newlines:
                while self.i < len(t) and t[self.i] != "\n":
                    self.i += 1
            else:
                return

    def _key(self) -> list[str]:
        t = self.text
        keys: list[str] = []
        while True:
            self._skip()
            c = t[self.i]
            if c in "\"'":
                start = self.i
                self._string()
                keys.append(tomllib.loads(f"k = {t[start:self.i]}")["k"])
            else:
                m = self._BARE.match(t, self.i)
                end = m.end() if m else self.i + 1
                keys.append(t[self.i:end])
                self.i = end
            self._skip()
            if self.i < len(t) and t[self.i] == ".":
                self.i += 1
                continue
            return keys

    def _key_value(self, prefix: KeyPath) -> None:
        keys = self._key()
        self._skip()
        self.i += 1  # the '='
        self._skip()
        self._value((*prefix, *keys))

    def _string(self) -> None:
        t = self.text
        quote = t[self.i]
        if t.startswith(quote * 3, self.i):
            j = self.i + 3
            while not t.startswith(quote * 3, j):
                j += 2 if quote == '"' and t[j] == "\\" else 1
            j += 3
            # Up to two quotes may directly precede the closing delimiter.
            extra = 0
            while extra < 2 and j < len(t) and t[j] == quote:
                j += 1
                extra += 1
            self.i = j
            return
        j = self.i + 1
        while t[j] != quote:
            j += 2 if quote == '"' and t[j] == "\\" else 1
        self.i = j + 1

    def _value(self, path: KeyPath) -> None:
        t = self.text
        start = self.i
        c = t[self.i]
        if c in "\"'":
            self._string()
        elif c == "{":
            self.i += 1
            while True:
                self._skip(newlines=True)
                if t[self.i] == "}":
                    self.i += 1
                    break
                self._key_value(path)
                self._skip(newlines=True)
                if t[self.i] == ",":
                    self.i += 1
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if t[self.i] == "]":
                    self.i += 1
                    break
                self._value((*path, index))
                index += 1
                self._skip(newlines=True)
                if t[self.i] == ",":
                    self.i += 1
        else:
            j = self.i
            while j < len(t) and t[j] not in ",]}#\r\n":
                j += 1
            self.i = len(t[:j].rstrip(" \t"))
        self.spans[path] = (start, self.i)


def _scan_spans(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Value spans of `text`; empty if the scanner trips (a diagnostic then lacks a range)."""
    try:
        return _SpanScanner(text).scan()
    except (IndexError, ValueError, tomllib.TOMLDecodeError):
        log.debug("cannot locate values in the config text", exc_info=True)
        return {}


class _Lines:
    """Converts character offsets to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


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


# --------------------------------------------------------------------------- config/read

def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            yield from _leaves(v, key + ".")
        else:
            yield key


def read_config_response(
    result: LoadResult, include_layers: bool = False, cwd: str | None = None
) -> dict[str, Any]:
    """The `config/read` response: merged values, where each came from, and the layers.

    `config` holds the merged user file and `-c` overrides (unknown keys
    included, known keys null when unset); `origins` maps each dotted leaf key
    to the layer that set it; `layers` (highest precedence first) only when
    asked. `cwd` is accepted for project layers, which this core does not
    load. Raises ConfigError (the reference's message) when the file is broken.
    """
    del cwd  # project `.codex/` layers are not supported
    if result.diagnostic is not None:
        raise ConfigError(result.diagnostic.read_error)
    cfg = result.config
    config = _jsonable(copy.deepcopy(cfg.raw))
    for key in _READ_KEYS:
        config.setdefault(key, None)
    config.setdefault("profiles", {})

    user_meta = {
        "name": {"type": "user", "file": str(cfg.config_path)},
        "version": cfg.user_version,
    }
    flags_version = _version(json.dumps(_jsonable(cfg.session_flags), sort_keys=True).encode())
    flags_meta = {"name": {"type": "sessionFlags"}, "version": flags_version}
    origins: dict[str, Any] = {key: user_meta for key in _leaves(cfg.user_layer)}
    origins.update({key: flags_meta for key in _leaves(cfg.session_flags)})

    layers = None
    if include_layers:
        layers = []
        if cfg.session_flags:
            layers.append(
                {**flags_meta, "config": _jsonable(cfg.session_flags), "disabledReason": None}
            )
        layers.append({**user_meta, "config": _jsonable(cfg.user_layer), "disabledReason": None})
    return {"config": config, "origins": origins, "layers": layers}


# --------------------------------------------------------------------------- writes

def _lookup(data: Mapping[str, Any], path: Sequence[str]) -> tuple[bool, Any]:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False, None
        node = node[key]
    return True, node


def _apply_edit(doc: tomlkit.TOMLDocument, path: list[str], value: Any, strategy: str) -> None:
    container: Any = doc
    for key in path[:-1]:
        child = container.get(key)
        if not isinstance(child, dict):
            if value is None:
                return  # nothing to remove
            # A header-less parent keeps the file free of empty `[a]` lines.
            child = tomlkit.table(is_super_table=True)
            container[key] = child
        container = child
    last = path[-1]
    if value is None:
        container.pop(last, None)
    elif strategy == "upsert" and isinstance(value, dict) and isinstance(container.get(last), dict):
        for k, v in value.items():
            _apply_edit(doc, [*path, k], v, "upsert")
    else:
        container[last] = value


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=".config.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_values(
    codex_home: Path,
    edits: Sequence[tuple[str, Any, str]],
    expected_version: str | None = None,
    *,
    file_path: str | None = None,
    overrides: Sequence[tuple[Sequence[str], Any]] = (),
) -> dict[str, Any]:
    """Apply `(keyPath, value, mergeStrategy)` edits to `config.toml`; the ConfigWriteResponse.

    A null value removes the key; "upsert" merges a table value into an
    existing table, "replace" overwrites. Comments and layout are kept. The
    result is validated before anything is written and the file is replaced
    atomically. `expected_version` (a previous `sha256:` version) guards
    against lost updates. When a `-c` override shadows an edited key the status
    is "okOverridden". Raises ConfigError with a `code` on failure.
    """
    path = codex_home / "config.toml"
    if file_path is not None and Path(file_path).expanduser().resolve() != path.resolve():
        raise ConfigError(
            f"only the user config can be written: {path}", code="configLayerReadonly"
        )
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        content = b""
    current = _version(content)
    if expected_version is not None and expected_version != current:
        raise ConfigError(
            "config version conflict: the configuration was modified since it was read "
            f"(expected {expected_version}, found {current})",
            code="configVersionConflict",
        )
    try:
        doc = tomlkit.parse(content.decode("utf-8"))
    except Exception as exc:  # tomlkit raises several unrelated types
        raise ConfigError(
            f"invalid configuration file {path}: {exc}", code="configValidationError"
        ) from exc

    paths: list[list[str]] = []
    for key_path, value, strategy in edits:
        if strategy not in ("replace", "upsert"):
            raise ConfigError(f"unknown merge strategy: {strategy}", code="configValidationError")
        parts = _split_key(key_path)
        if not key_path or not all(parts):
            raise ConfigError(f"invalid key path: {key_path!r}", code="configValidationError")
        _apply_edit(doc, parts, value, strategy)
        paths.append(parts)

    new_text = tomlkit.dumps(doc)
    try:
        data = tomllib.loads(new_text)
        problem = _first_problem(data)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid configuration: {err}", code="configValidationError") from err
    if problem is not None:
        raise ConfigError(
            f"invalid configuration: {problem.message} in `{_dotted(problem.path)}`",
            code="configValidationError",
        )
    new_content = new_text.encode("utf-8")
    _atomic_write(path, new_content)
    version = _version(new_content)

    session = _nested(overrides)
    overridden = None
    for parts in paths:
        found, effective = _lookup(session, parts)
        if found:
            flags_version = _version(json.dumps(_jsonable(session), sort_keys=True).encode())
            overridden = {
                "message": f"`{'.'.join(parts)}` is overridden by session flags (-c / --config)",
                "overridingLayer": {"name": {"type": "sessionFlags"}, "version": flags_version},
                "effectiveValue": _jsonable(effective),
            }
            break
    return {
        "status": "okOverridden" if overridden else "ok",
        "version": version,
        "filePath": str(path.absolute()),
        "overriddenMetadata": overridden,
    }
