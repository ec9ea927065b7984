"""Dynamic tools: tools the client declares on thread/start and answers itself.

`thread/start.dynamicTools` (experimental) lists `{name, description,
inputSchema}`; the thread offers each to the model after its own tools, as a
non-strict function with the schema as its parameters. A call is sent to the
thread's subscribers as `item/tool/call` (sticky, like approvals: it waits
for an answer, and a connection that subscribes meanwhile gets it too) and
its answer's content items go back to the model as the function call's
output (`input_text` / `input_image`), whatever `success` says. A client
error answer reads `dynamic tool request failed` to the model; arguments
that are not JSON read the decoder's text and nobody is asked. No item is
shown for the call. All as the reference does (probed on 0.104).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from app_server_protocol import codec, dynamic_tools_pb2
from app_server_protocol.errors import invalid_request
from app_server_protocol.wire_types import JsonValue
from core_service.hub import ServerRequestError
from core_service.serde import ArgumentError, Struct, decode
from core_service.tools.context import ToolCall, ToolContext, ToolResult

TOOL_CALL = "item/tool/call"
FAILED = "dynamic tool request failed"
RESERVED_PREFIX = "mcp__"


class DynamicTool(TypedDict):
    """A tool the client declared (`DynamicToolSpec`)."""

    name: str
    description: str
    inputSchema: JsonValue


def checked_tools(declared: Sequence[JsonValue] | None) -> list[DynamicTool]:
    """`dynamicTools` as declared, refused with the reference's texts when a spec
    lacks a member, has a blank, reserved or repeated name."""
    tools: list[DynamicTool] = []
    for spec in declared or ():
        if not isinstance(spec, dict):
            raise invalid_request("Invalid request: invalid type: expected struct DynamicToolSpec")
        for key in ("name", "description", "inputSchema"):
            if key not in spec:
                raise invalid_request(f"Invalid request: missing field `{key}`")
        name, description = spec["name"], spec["description"]
        if not isinstance(name, str) or not isinstance(description, str):
            raise invalid_request("Invalid request: invalid type: expected a string")
        if not name.strip():
            raise invalid_request("dynamic tool name must not be empty")
        if name.startswith(RESERVED_PREFIX):
            raise invalid_request(f"dynamic tool name is reserved: {name}")
        if any(t["name"] == name for t in tools):
            raise invalid_request(f"duplicate dynamic tool name: {name}")
        tools.append({"name": name, "description": description,
                      "inputSchema": spec["inputSchema"]})
    return tools


def tool_specs(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The `tools` entries offering `tools` to the model."""
    return [{"type": "function", "name": t["name"], "description": t["description"],
             "strict": False, "parameters": t["inputSchema"]} for t in tools]


def is_dynamic(ctx: ToolContext, name: str) -> bool:
    """Whether `name` is one of the thread's dynamic tools."""
    return any(t["name"] == name for t in ctx.thread.dynamic_tools)


def _arguments(text: str) -> Any:
    """The call's arguments as JSON; ArgumentError (serde_json's text) when not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        # The positional reader words the syntax error as serde_json does.
        decode(text, Struct("DynamicToolArguments", {}))
        raise ArgumentError("expected value at line 1 column 1") from None


async def handle_dynamic_call(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Ask the thread's client to run the call; its content is what the model reads."""
    try:
        arguments = _arguments(call.arguments)
    except ArgumentError as err:
        return ToolResult(err.model_text())
    msg = codec.from_json(dynamic_tools_pb2.DynamicToolCallParams, {
        "threadId": ctx.thread_id, "turnId": ctx.turn_id, "callId": call.call_id,
        "tool": call.name, "arguments": arguments})
    try:
        result = await ctx.approvals.request(ctx, TOOL_CALL, msg)
    except ServerRequestError:
        return ToolResult(FAILED, items=[{"type": "input_text", "text": FAILED}])
    items: list[dict[str, Any]] = []
    for content in codec.to_json(result).get("contentItems") or []:
        if content.get("type") == "inputImage":
            items.append({"type": "input_image", "image_url": content.get("imageUrl", "")})
        else:
            items.append({"type": "input_text", "text": content.get("text", "")})
    text = "\n".join(i["text"] for i in items if i["type"] == "input_text")
    return ToolResult(text, items=items)
