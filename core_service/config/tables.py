"""TOML documents as nested dicts: key paths, setting, merging, looking up, versions.

The loader, the per-thread overrides and the writes all address values by
dotted key paths and layer tables over one another; they share these
functions. Pure functions, no I/O.
"""

from __future__ import annotations

import copy
import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

# Where a value sits in a parsed document: table keys and array indices.
KeyPath = tuple[str | int, ...]
# One `-c`-style override: a key path and the TOML value to put there.
Override = tuple[Sequence[str], Any]


def split_key(key: str) -> list[str]:
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


def dotted(path: KeyPath) -> str:
    """A key path as the dotted text the reference's messages show."""
    return ".".join(str(p) for p in path)


def set_path(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Put `value` at `path` in `data`, creating (or replacing non-table) parents."""
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value


def nested(overrides: Sequence[Override]) -> dict[str, Any]:
    """Override pairs as one nested table (later pairs win); values are copied."""
    out: dict[str, Any] = {}
    for path, value in overrides:
        set_path(out, path, copy.deepcopy(value))
    return out


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` layered over `base` table by table; neither input is changed."""
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def lookup(data: Mapping[str, Any], path: Sequence[str]) -> tuple[bool, Any]:
    """Whether `path` exists in `data`, and the value there."""
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False, None
        node = node[key]
    return True, node


def layer_version(content: bytes) -> str:
    """The `sha256:<hex>` version of a layer's bytes (what `expectedVersion` compares)."""
    return "sha256:" + hashlib.sha256(content).hexdigest()
