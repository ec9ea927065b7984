"""Loading the configuration: `config.toml` with `-c` overrides on top, into a :class:`Config`.

The file is parsed with :mod:`tomllib` and checked against
:mod:`core_service.config.schema`. Problems never raise at load time: a
syntax error or a value of the wrong type yields a
:class:`~core_service.config.diagnostics.ConfigDiagnostic` and the defaults
(plus the overrides) are used instead.

Everything here does blocking file I/O; async callers wrap it in
``asyncio.to_thread``.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core_service.config.diagnostics import (
    INVALID_CONFIG_SUMMARY,
    ConfigDiagnostic,
    problem_diagnostic,
    syntax_diagnostic,
    unreadable_diagnostic,
)
from core_service.config.schema import (
    DEFAULT_CHATGPT_BASE_URL,
    DEFAULT_CHATGPT_LOGIN_CALLBACK_PORT,
    DEFAULT_CHATGPT_LOGIN_CLIENT_ID,
    DEFAULT_CHATGPT_LOGIN_ISSUER,
    DEFAULT_MODEL,
    DEFAULT_PROVIDER_ID,
    KNOWN_FEATURES,
    OPENAI_API_BASE_URL,
    PROFILE_FIELDS,
    PROVIDER_ENV_KEYS,
    Config,
    Problem,
    ProviderConfig,
    SandboxWorkspaceWrite,
    builtin_providers,
    first_problem,
)
from core_service.config.tables import KeyPath, Override, deep_merge, layer_version, nested

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    """What load_config produced: a usable config and, if the file was rejected, why."""

    config: Config
    diagnostic: ConfigDiagnostic | None


def codex_home_from_env(env: Mapping[str, str] | None = None) -> Path:
    """`$CODEX_HOME`, or `~/.codex` when unset or empty."""
    env = os.environ if env is None else env
    home = env.get("CODEX_HOME")
    return Path(home).expanduser() if home else Path.home() / ".codex"


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
    """Turn validated TOML data into a Config; raises Problem on semantic errors."""
    data = merged
    profile = data.get("profile")
    if profile is not None:
        profiles = data.get("profiles") or {}
        if profile not in profiles:
            raise Problem(("profile",), f"config profile `{profile}` not found")
        data = deep_merge(
            data, {k: v for k, v in profiles[profile].items() if k in PROFILE_FIELDS}
        )

    providers = builtin_providers(env)
    for pid, table in (data.get("model_providers") or {}).items():
        providers[pid] = _provider(pid, table, providers.get(pid))
    provider_id = data.get("model_provider", DEFAULT_PROVIDER_ID)
    if provider_id not in providers:
        raise Problem(("model_provider",), f"Model provider `{provider_id}` not found")

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
        chatgpt_login_issuer=data.get("chatgpt_login_issuer", DEFAULT_CHATGPT_LOGIN_ISSUER),
        chatgpt_login_client_id=data.get("chatgpt_login_client_id",
                                         DEFAULT_CHATGPT_LOGIN_CLIENT_ID),
        chatgpt_login_callback_port=data.get("chatgpt_login_callback_port",
                                             DEFAULT_CHATGPT_LOGIN_CALLBACK_PORT),
        web_search=data.get("web_search"),
        tools=dict(data.get("tools") or {}),
        analytics=dict(data.get("analytics") or {}),
        features=features,
        raw=merged,
        env={k: env[k] for k in PROVIDER_ENV_KEYS if k in env},
    )


def build_config(codex_home: Path, merged: dict[str, Any], env: Mapping[str, str]) -> Config:
    """Check merged TOML data and build its Config; raises Problem when it does not fit."""
    problem = first_problem(merged)
    if problem is not None:
        raise problem
    return _build(codex_home, merged, env)


def load_config(
    codex_home: Path | None = None,
    overrides: Sequence[Override] = (),
    env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Load `config.toml` from `codex_home` (default `$CODEX_HOME` or `~/.codex`).

    `overrides` (from :func:`~core_service.config.overrides.parse_cli_overrides`)
    apply on top of the file. Never raises for a bad file: the result then carries a
    diagnostic and a config built from the defaults plus the overrides (or
    from the defaults alone when the overrides are themselves invalid).
    """
    env = dict(os.environ if env is None else env)
    home = codex_home if codex_home is not None else codex_home_from_env(env)
    path = home / "config.toml"
    session = nested(overrides)

    content = b""
    text: str | None = None
    diagnostic: ConfigDiagnostic | None = None
    user: dict[str, Any] = {}
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as exc:
        diagnostic = unreadable_diagnostic(path, str(exc.strerror))
    if content:
        text = content.decode("utf-8", errors="replace")
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            diagnostic = syntax_diagnostic(path, text, err)

    config: Config | None = None
    if diagnostic is None:
        problem = first_problem(user)
        if problem is None:
            try:
                config = build_config(home, deep_merge(user, session), env)
            except Problem as late:
                problem = late
        if problem is not None:
            in_file = not _set_by_overrides(session, problem.path)
            diagnostic = problem_diagnostic(
                path, problem.path, problem.message, text if in_file else None
            )

    if config is None:
        user = {}
        log.error("%s %s", INVALID_CONFIG_SUMMARY, diagnostic.details if diagnostic else "")
        try:
            config = build_config(home, copy.deepcopy(session), env)
        except Problem:
            config = _build(home, {}, env)
    config.user_layer = user
    config.session_flags = session
    config.user_version = layer_version(content)
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
