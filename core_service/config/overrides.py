"""Overrides of the configuration: `-c key=value` and the per-thread params.

The process-wide overrides (`--enable X` arrives as `-c features.X=true`)
are parsed here into (key path, value) pairs that
:func:`~core_service.config.load.load_config` layers over the file; the
per-thread ones (`thread/start`, `thread/resume`, `thread/fork` params) are
applied by :func:`derive_thread_config`, which owns the one list of them.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from core_service.config.errors import ConfigError
from core_service.config.load import build_config
from core_service.config.schema import Config, Problem
from core_service.config.tables import Override, dotted, set_path, split_key

# The thread params that set a config.toml key, and the key each one sets.
_TOML_KEY_BY_PARAM: Final[Mapping[str, str]] = {
    "model": "model",
    "modelProvider": "model_provider",
    "approvalPolicy": "approval_policy",
    "sandbox": "sandbox_mode",
    "baseInstructions": "base_instructions",
    "developerInstructions": "developer_instructions",
}
# Every param of `thread/start` (and resume/fork) that overrides the configuration
# of one thread: the keys above, the working directory, and dotted `config` keys.
THREAD_OVERRIDE_KEYS: Final[tuple[str, ...]] = (*_TOML_KEY_BY_PARAM, "cwd", "config")


def _parse_toml_value(text: str) -> Any:
    """A `-c` value: TOML when it parses as such, the plain string otherwise."""
    try:
        return tomllib.loads(f"_ = {text}")["_"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def parse_cli_overrides(pairs: Sequence[str]) -> list[Override]:
    """Parse `-c key=value` strings into (key path, value) pairs.

    The value is read as a TOML value (`true`, `3`, `"x"`, `[1, 2]`,
    `{a = 1}`) and taken as a plain string when it is not valid TOML. A pair
    without `=` or with an empty key raises ConfigError.
    """
    out: list[Override] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"Invalid override (missing '='): {pair}")
        out.append((split_key(key), _parse_toml_value(value.strip())))
    return out


def derive_thread_config(base: Config, params: Mapping[str, Any]) -> Config:
    """The effective config of a thread: `base` plus the overrides among `params`.

    `params` are `thread/start`-style params; only THREAD_OVERRIDE_KEYS are
    read, absent or null ones change nothing. `config` maps dotted key paths
    to JSON values and is applied first; the explicit params win over it.
    `base` is never changed and shares no mutable state with the result.
    Raises ConfigError with a client-facing message when `base` came from a
    rejected file or when an override is invalid (unknown provider, bad enum
    value, wrong type).
    """
    if base.diagnostic is not None:
        raise ConfigError(base.diagnostic.thread_error)
    merged = copy.deepcopy(base.raw)
    for key, value in (params.get("config") or {}).items():
        if value is not None:
            set_path(merged, split_key(key), copy.deepcopy(value))
    active = merged.get("profile")
    for param, toml_key in _TOML_KEY_BY_PARAM.items():
        value = params.get(param)
        if value is not None:
            merged[toml_key] = value
            # An explicit choice beats whatever the active profile says.
            if active in (merged.get("profiles") or {}):
                merged["profiles"][active].pop(toml_key, None)
    try:
        config = build_config(base.codex_home, merged, base.env)
    except Problem as problem:
        where = f" in `{dotted(problem.path)}`" if problem.path else ""
        raise ConfigError(f"invalid config override: {problem.message}{where}") from None
    config.user_layer = copy.deepcopy(base.user_layer)
    config.session_flags = copy.deepcopy(base.session_flags)
    config.user_version = base.user_version
    cwd = params.get("cwd")
    if cwd is not None:
        config.cwd = Path(cwd)
    return config
