"""How MCP tools are named and described to the model, as the reference does it.

A tool `T` of server `S` is offered as `mcp__S__T`, with every character
outside `[A-Za-z0-9_-]` replaced by `_`; a name over 64 characters keeps its
first 24 and ends with the SHA-1 of the unsanitised name (64 in all). The
model sees the tool's description ("" when it has none) and its input
schema reduced to what the Responses API takes (`sanitize_schema`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

PREFIX = "mcp"
DELIMITER = "__"
MAX_TOOL_NAME_LENGTH = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SCALARS = ("object", "array", "string", "number", "integer", "boolean")
_NUMERIC_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def qualified_name(server: str, tool: str) -> str:
    """The name the model calls `tool` of `server` by."""
    raw = f"{PREFIX}{DELIMITER}{server}{DELIMITER}{tool}"
    name = _UNSAFE.sub("_", raw) or "unnamed"
    if len(name) > MAX_TOOL_NAME_LENGTH:
        digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()
        name = name[: MAX_TOOL_NAME_LENGTH - len(digest)] + digest
    return name


def status_key(server: str, qualified: str) -> str:
    """The key of a tool in `mcpServerStatus/list` (its qualified name without
    the `mcp__<server>__` prefix, as the reference keys it)."""
    prefix = f"{PREFIX}{DELIMITER}{server}{DELIMITER}"
    return qualified[len(prefix):] if qualified.startswith(prefix) else qualified


def _schema_type(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        for t in declared:
            if t in _SCALARS:
                return str(t)
    if any(k in schema for k in ("properties", "required", "additionalProperties")):
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("enum", "const", "format")):
        return "string"
    if any(k in schema for k in _NUMERIC_KEYS):
        return "number"
    return "string"


def sanitize_schema(schema: Any) -> dict[str, Any]:
    """`schema` as the reference hands it to the model: only `type` (integer read
    as number, a missing type inferred, default string), `description` of
    scalars and arrays, `items`, and an object's `properties` (sorted),
    `required` and `additionalProperties`; everything else is dropped."""
    if not isinstance(schema, dict):
        return {"type": "string"}
    kind = _schema_type(schema)
    description = schema.get("description")
    if kind == "object":
        props = schema.get("properties")
        out: dict[str, Any] = {"type": "object", "properties": {
            str(k): sanitize_schema(v)
            for k, v in sorted(props.items())} if isinstance(props, dict) else {}}
        required = schema.get("required")
        if isinstance(required, list):
            out["required"] = [str(r) for r in required]
        extra = schema.get("additionalProperties")
        if isinstance(extra, bool):
            out["additionalProperties"] = extra
        elif isinstance(extra, dict):
            out["additionalProperties"] = sanitize_schema(extra)
        return out
    out = {"type": "number" if kind == "integer" else kind}
    if kind == "array":
        out["items"] = sanitize_schema(schema.get("items", {"type": "string"}))
    elif kind not in ("string", "number", "integer", "boolean"):
        out["type"] = "string"
    if isinstance(description, str):
        out["description"] = description
    return out


def model_tool_spec(qualified: str, description: str | None, input_schema: Any) -> dict[str, Any]:
    """The function tool the model is offered for one MCP tool."""
    return {
        "type": "function",
        "name": qualified,
        "description": description or "",
        "strict": False,
        "parameters": sanitize_schema(input_schema),
    }
