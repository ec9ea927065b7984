"""What the model and the clients see of an MCP tool call, as the reference words it.

The `mcpToolCall` item carries the server's content blocks unchanged and its
`structuredContent` (or null). The model reads the structured content as
compact JSON when there is some; otherwise, when a block is an image, the
blocks as Responses API content items (`input_text`, `input_image` with a
data URL); otherwise the blocks themselves as compact JSON. A call that
fails before the server answers (a timeout, a closed connection) fails the
item with a message and tells the model `err: "<message>"`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Field order of resources and resource templates in the resource tools'
# answers (the reference's serialisation order); other fields follow.
_RESOURCE_ORDER = ("uri", "uriTemplate", "name", "title", "description", "mimeType", "size")


def compact(value: Any) -> str:
    """`value` as the reference's compact JSON (no spaces, non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def model_output(
    content: Sequence[Mapping[str, Any]], structured: Any
) -> str | list[dict[str, Any]]:
    """What the model reads of a tool result: a text, or content items with an image."""
    if structured is not None:
        return compact(structured)
    if any(block.get("type") == "image" for block in content):
        items = [_content_item(block) for block in content]
        if all(item is not None for item in items):
            return [item for item in items if item is not None]
    return compact(list(content))


def _content_item(block: Mapping[str, Any]) -> dict[str, Any] | None:
    if block.get("type") == "text":
        return {"type": "input_text", "text": str(block.get("text", ""))}
    if block.get("type") == "image":
        data = str(block.get("data", ""))
        if not data.startswith("data:"):
            mime = block.get("mimeType") or "application/octet-stream"
            data = f"data:{mime};base64,{data}"
        return {"type": "input_image", "image_url": data}
    return None


def failed_output(message: str) -> str:
    """What the model reads when the call failed before the server answered."""
    return "err: " + json.dumps(message, ensure_ascii=False)


def duration_text(seconds: float) -> str:
    """A timeout as the reference prints it (`1s`, `1.5s`, `500ms`)."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:g}s"


def call_failed_message(server: str, tool: str, *causes: str) -> str:
    """The error of a tool call the server never answered, with its causes."""
    lines = [f"tool call error: tool call failed for `{server}/{tool}`", "", "Caused by:"]
    if len(causes) == 1:
        lines.append(f"    {causes[0]}")
    else:
        lines += [f"    {i}: {cause}" for i, cause in enumerate(causes)]
    return "\n".join(lines)


def ordered_resource(server: str | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A resource (or template) as the resource tools report it: `server` first."""
    out: dict[str, Any] = {} if server is None else {"server": server}
    for key in _RESOURCE_ORDER:
        if key in fields:
            out[key] = fields[key]
    for key, value in fields.items():
        out.setdefault(key, value)
    return out
