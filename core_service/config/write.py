"""`config/read` answers and config writes (`config/value/write`, `config/batchWrite`).

:func:`read_config_response` reports the merged configuration of a
:class:`~core_service.config.load.LoadResult` with the origin of every key
and, on request, its layers. :func:`write_values` edits `config.toml` through
:mod:`tomlkit` so that comments and formatting survive, validates the result
against :mod:`core_service.config.schema` before anything is written, guards
against lost updates with `sha256:` versions, and replaces the file
atomically. Refusals carry the reference's messages and write error codes.

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
from typing import Any, cast

import tomlkit

from app_server_protocol.wire_types import Config as WireConfig
from app_server_protocol.wire_types import (
    ConfigLayer,
    ConfigLayerMetadata,
    ConfigReadResponse,
    ConfigWriteResponse,
    JsonValue,
    OverriddenMetadata,
)
from core_service.config.diagnostics import in_clause
from core_service.config.errors import ConfigError
from core_service.config.load import LoadResult
from core_service.config.schema import first_problem
from core_service.config.tables import Override, layer_version, lookup, nested, split_key

# The reference's messages for refused writes.
READONLY_MESSAGE = "Only writes to the user config are allowed"
CONFLICT_MESSAGE = "Configuration was modified since last read. Fetch latest version and retry."
NULL_VALUE_MESSAGE = "invalid value: invalid type: null, expected any valid TOML value"
EMPTY_KEY_MESSAGE = "keyPath must not be empty"

# One edit: dotted key path, JSON value (null removes the key), merge strategy.
Edit = tuple[str, JsonValue, str]

# --------------------------------------------------------------------------- config/read

# Keys of the `Config` type of `config/read`, always present in its answer.
_READ_KEYS = tuple(WireConfig.__annotations__)


def _jsonable(value: object) -> JsonValue:
    """TOML data as JSON: dates and times become their ISO 8601 text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"not TOML data: {type(value).__name__}")


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            yield from _leaves(v, key + ".")
        else:
            yield key


def _flags_meta(session: Mapping[str, Any]) -> ConfigLayerMetadata:
    """The ConfigLayerMetadata of the `-c` / `--enable` / `--disable` layer."""
    version = layer_version(json.dumps(_jsonable(session), sort_keys=True).encode())
    return {"name": {"type": "sessionFlags"}, "version": version}


def read_config_response(
    result: LoadResult, include_layers: bool = False, cwd: str | None = None
) -> ConfigReadResponse:
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
    # The merged TOML: unknown keys ride along with the wire Config's own.
    config = cast(dict[str, JsonValue], _jsonable(copy.deepcopy(cfg.raw)))
    config.setdefault("profiles", {})
    for key in _READ_KEYS:
        config.setdefault(key, None)

    user_meta: ConfigLayerMetadata = {
        "name": {"type": "user", "file": str(cfg.config_path)},
        "version": cfg.user_version,
    }
    flags_meta = _flags_meta(cfg.session_flags)
    origins = {key: user_meta for key in _leaves(cfg.user_layer)}
    origins.update({key: flags_meta for key in _leaves(cfg.session_flags)})

    layers: list[ConfigLayer] | None = None
    if include_layers:
        layers = []
        if cfg.session_flags:
            layers.append(_layer(flags_meta, cfg.session_flags))
        layers.append(_layer(user_meta, cfg.user_layer))
    return {"config": cast(WireConfig, config), "origins": origins, "layers": layers}


def _layer(meta: ConfigLayerMetadata, data: Mapping[str, Any]) -> ConfigLayer:
    return {
        "name": meta["name"], "version": meta["version"], "config": _jsonable(data),
        "disabledReason": None,
    }


# --------------------------------------------------------------------------- writes

def _has_null(value: Any) -> bool:
    """Whether a JSON value holds a null below its top (TOML has no null)."""
    if isinstance(value, dict):
        return any(v is None or _has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(v is None or _has_null(v) for v in value)
    return False


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
    edits: Sequence[Edit],
    expected_version: str | None = None,
    *,
    file_path: str | None = None,
    overrides: Sequence[Override] = (),
) -> ConfigWriteResponse:
    """Apply `(keyPath, value, mergeStrategy)` edits to `config.toml`; the ConfigWriteResponse.

    A null value removes the key; "upsert" merges a table value into an
    existing table, "replace" overwrites. Comments and layout are kept. The
    result is validated before anything is written and the file is replaced
    atomically. `file_path`, when given, must name the user config.toml (the
    only writable layer); `expected_version` (a previous `sha256:` version)
    guards against lost updates. When a `-c` override shadows an edited key
    the status is "okOverridden". Raises ConfigError with a `code` on failure.
    """
    path = codex_home / "config.toml"
    if file_path is not None and Path(file_path).expanduser().resolve() != path.resolve():
        raise ConfigError(READONLY_MESSAGE, code="configLayerReadonly")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        content = b""
    if expected_version is not None and expected_version != layer_version(content):
        raise ConfigError(CONFLICT_MESSAGE, code="configVersionConflict")
    new_content, paths = _edited(path, content, edits)
    _atomic_write(path, new_content)
    session = nested(overrides)
    overridden: OverriddenMetadata | None = None
    for parts in paths:
        found, effective = lookup(session, parts)
        if found:
            overridden = {
                "message": f"`{'.'.join(parts)}` is overridden by session flags (-c / --config)",
                "overridingLayer": _flags_meta(session),
                "effectiveValue": _jsonable(effective),
            }
            break
    return {
        "status": "okOverridden" if overridden else "ok",
        "version": layer_version(new_content),
        "filePath": str(path.absolute()),
        "overriddenMetadata": overridden,
    }


def _edited(
    path: Path, content: bytes, edits: Sequence[Edit]
) -> tuple[bytes, list[list[str]]]:
    """The file's new content after `edits`, validated, and the key paths they touched."""
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
        if not key_path:
            raise ConfigError(EMPTY_KEY_MESSAGE, code="configValidationError")
        parts = split_key(key_path)
        if not all(parts):
            raise ConfigError(f"invalid key path: {key_path!r}", code="configValidationError")
        if _has_null(value):
            raise ConfigError(NULL_VALUE_MESSAGE, code="configValidationError")
        _apply_edit(doc, parts, value, strategy)
        paths.append(parts)
    new_text = tomlkit.dumps(doc)
    try:
        problem = first_problem(tomllib.loads(new_text))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid configuration: {err}", code="configValidationError") from err
    if problem is not None:
        raise ConfigError(
            f"Invalid configuration: {problem.message}{in_clause(problem.path)}",
            code="configValidationError",
        )
    return new_text.encode("utf-8"), paths
