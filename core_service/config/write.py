"""`config/read` answers and config writes (`config/value/write`, `config/batchWrite`).

:func:`read_config_response` reports the merged configuration of a
:class:`~core_service.config.LoadResult` with the origin of every key and,
on request, its layers. :func:`write_values` edits `config.toml` through
:mod:`tomlkit` so that comments and formatting survive, validates the result
against the schema of :mod:`core_service.config.load` before anything is written,
guards against lost updates with `sha256:` versions, and replaces the file
atomically.

Both are re-exported by :mod:`core_service.config.load`, where callers import them.
Everything here does blocking file I/O; async callers wrap it in
``asyncio.to_thread``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit

from core_service.config.load import (
    ConfigError,
    LoadResult,
    _dotted,
    _first_problem,
    _nested,
    _split_key,
    _version,
)

# --------------------------------------------------------------------------- config/read

# Keys of the `Config` type of `config/read`, always present in its answer.
_READ_KEYS = (
    "model", "review_model", "model_context_window", "model_auto_compact_token_limit",
    "model_provider", "approval_policy", "sandbox_mode", "sandbox_workspace_write",
    "forced_chatgpt_workspace_id", "forced_login_method", "web_search", "tools", "profile",
    "instructions", "developer_instructions", "compact_prompt", "model_reasoning_effort",
    "model_reasoning_summary", "model_verbosity", "analytics",
)


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
