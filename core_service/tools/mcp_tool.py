"""MCP tool calls (`mcp__<server>__<tool>`) and the resource tools, as the reference runs them.

A call of a tool a ready server offers becomes an `mcpToolCall` item
(item/started, then item/completed `completed`, or `failed` when the server
answers with `isError` or never answers within the server's
`tool_timeout_sec`). The reference asks no approval for MCP tools under any
policy (probed: untrusted, on-request, on-failure, never) and sends no
`item/mcpToolCall/progress` (probed with a tool reporting progress). Names no
ready server offers answer "unsupported call: <name>", arguments that are not
JSON answer "err: <serde's message>", both without an item. The resource
tools (`list_mcp_resources`, `list_mcp_resource_templates`,
`read_mcp_resource`) are items too, of server "codex" when they name none.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app_server_protocol.wire_types import JsonValue, McpToolCallThreadItem
from core_service.mcp import output
from core_service.mcp.manager import McpManager, McpTool
from core_service.serde import ArgumentError, Opt, Str, Struct, decode
from core_service.tools.context import ToolCall, ToolContext, ToolResult

if TYPE_CHECKING:
    from core_service.mcp.connection import McpConnection

PREFIX = "mcp__"
RESOURCE_TOOLS = ("list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource")
# The pseudo server of the resource tools when the call names no server.
CODEX_SERVER = "codex"
_ANY_OBJECT = Struct("JsonObject", {})
_POSITION = re.compile(r" at line \d+ column \d+$")
# The resource tools' arguments, read like the reference's typed structs.
_RESOURCE_ARGS = {
    "list_mcp_resources": Struct("ListResourcesArgs", {"server": Opt(Str()),
                                                       "cursor": Opt(Str())}),
    "list_mcp_resource_templates": Struct("ListResourceTemplatesArgs",
                                          {"server": Opt(Str()), "cursor": Opt(Str())}),
    "read_mcp_resource": Struct("ReadResourceArgs", {"server": Str(), "uri": Str()},
                                frozenset({"server", "uri"})),
}


class _BadArguments(Exception):
    """Arguments that are not JSON: the text the model reads."""


def _arguments(text: str) -> JsonValue:
    if not text.strip():
        return None
    try:
        value: JsonValue = json.loads(text)
    except ValueError:
        try:
            decode(text, _ANY_OBJECT)
        except ArgumentError as err:
            raise _BadArguments(f"err: {err}") from None
        raise _BadArguments("err: invalid JSON") from None
    return value


def _item(call: ToolCall, server: str, tool: str, arguments: JsonValue) -> McpToolCallThreadItem:
    return {"type": "mcpToolCall", "id": call.call_id, "server": server, "tool": tool,
            "status": "inProgress", "arguments": arguments, "result": None, "error": None,
            "durationMs": None}


def _complete(ctx: ToolContext, item: McpToolCallThreadItem, started: float, *,
              content: list[JsonValue] | None = None, structured: JsonValue = None,
              is_error: bool = False, error: str | None = None) -> None:
    done: McpToolCallThreadItem = {
        **item,
        "status": "failed" if is_error or error is not None else "completed",
        "result": None if content is None else {"content": content,
                                                "structuredContent": structured},
        "error": None if error is None else {"message": error},
        "durationMs": round((time.monotonic() - started) * 1000),
    }
    ctx.item_completed(done)


async def handle_mcp_call(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Run a `mcp__<server>__<tool>` call on its server, or the resource tools."""
    manager = ctx.mcp
    if call.name in RESOURCE_TOOLS and manager is not None and manager.configured:
        return await _resource_call(ctx, manager, call)
    found = manager.tools().get(call.name) if manager is not None else None
    if found is None:
        return ToolResult(f"unsupported call: {call.name}")
    try:
        arguments = _arguments(call.arguments)
    except _BadArguments as bad:
        return ToolResult(str(bad))
    return await _call_tool(ctx, call, found, arguments)


async def _call_tool(ctx: ToolContext, call: ToolCall, found: McpTool,
                     arguments: JsonValue) -> ToolResult:
    server, tool = found.server, found.tool.name
    item = _item(call, server.name, tool, arguments)
    ctx.item_started(item)
    started = time.monotonic()
    session = server.session
    timeout = server.config.tool_timeout
    try:
        if session is None:
            raise ConnectionError(server.error or "server is not running")
        result = await asyncio.wait_for(session.call_tool(
            tool, arguments if isinstance(arguments, dict) else None), timeout)
    except TimeoutError:
        message = output.call_failed_message(
            server.name, tool, f"timed out awaiting tools/call after "
            f"{output.duration_text(timeout)}", "deadline has elapsed")
        _complete(ctx, item, started, error=message)
        return ToolResult(output.failed_output(message))
    except Exception as err:  # noqa: BLE001 - a broken server is the model's answer
        reason = _error_text(err)
        if isinstance(err, (ConnectionError, EOFError)) or "closed" in reason.lower():
            server.fail(reason)
        message = output.call_failed_message(server.name, tool, reason)
        _complete(ctx, item, started, error=message)
        return ToolResult(output.failed_output(message))
    from mcp import types  # imported by the connection that answered

    if not isinstance(result, types.CallToolResult):
        message = output.call_failed_message(server.name, tool, "unexpected result")
        _complete(ctx, item, started, error=message)
        return ToolResult(output.failed_output(message))
    content: list[JsonValue] = [
        b.model_dump(by_alias=True, exclude_none=True, mode="json") for b in result.content]
    structured: JsonValue = result.structured_content
    _complete(ctx, item, started, content=content, structured=structured,
              is_error=bool(result.is_error))
    told = output.model_output([c for c in content if isinstance(c, dict)], structured)
    return ToolResult(told) if isinstance(told, str) else ToolResult("", items=told)


async def _resource_call(ctx: ToolContext, manager: McpManager, call: ToolCall) -> ToolResult:
    text = call.arguments.strip() or "{}"
    try:
        args: Mapping[str, Any] = decode(text, _RESOURCE_ARGS[call.name])
    except ArgumentError as err:
        try:
            json.loads(text)
        except ValueError:
            return ToolResult(err.model_text())
        # Well-formed JSON of the wrong shape: the reference reads the value
        # first, so its message has no position (probed: missing field `uri`).
        return ToolResult(_POSITION.sub("", err.model_text()))
    arguments: JsonValue = json.loads(text) if call.arguments.strip() else None
    named = args.get("server")
    server_name = named if isinstance(named, str) else None
    item = _item(call, server_name or CODEX_SERVER, call.name, arguments)
    ctx.item_started(item)
    started = time.monotonic()
    try:
        text = await _resource_text(manager, call.name, server_name, args)
    except _ResourceError as err:
        _complete(ctx, item, started, error=str(err))
        return ToolResult(str(err))
    _complete(ctx, item, started, content=[{"type": "text", "text": text}])
    return ToolResult(text)


class _ResourceError(Exception):
    """A resource tool failed: the text of the item's error and of the model's answer."""


def _client(manager: McpManager, name: str) -> McpConnection:
    server = manager.servers.get(name)
    if server is None or server.state == "disabled":
        raise KeyError(name)
    if server.state != "ready" or server.session is None:
        raise LookupError(f"MCP startup failed: {server.error or 'server is not running'}")
    return server


def _connection(manager: McpManager, server: str, what: str) -> McpConnection:
    try:
        return _client(manager, server)
    except KeyError:
        raise _ResourceError(f"{what} failed: unknown MCP server '{server}'") from None
    except LookupError as err:
        raise _ResourceError(f"{what} failed: failed to get client: {err}") from None


def _error_text(err: BaseException) -> str:
    """An error as the reference's MCP client words it (`Mcp error: CODE: MESSAGE(DATA)`)."""
    from mcp.shared.exceptions import MCPError  # the SDK is loaded: a server ran

    if isinstance(err, MCPError):
        data = "" if err.data is None else f"({output.compact(err.data)})"
        return f"Mcp error: {err.code}: {err.message}{data}"
    return str(err) or type(err).__name__


async def _resource_text(manager: McpManager, tool: str, server: str | None,
                         args: Mapping[str, Any]) -> str:
    await manager.wait_started()
    if tool == "read_mcp_resource":
        return await _read_resource(manager, server, args)
    key = "resources" if tool == "list_mcp_resources" else "resourceTemplates"
    what = "resources/list" if key == "resources" else "resources/templates/list"
    if server is None:
        found = [output.ordered_resource(s.name, r) for s in manager.servers.values()
                 if s.state == "ready"
                 for r in (s.resources if key == "resources" else s.templates)]
        return output.compact({key: found})
    conn = _connection(manager, server, what)
    listed = conn.resources if key == "resources" else conn.templates
    return output.compact({"server": server,
                           key: [output.ordered_resource(server, r) for r in listed]})


async def _read_resource(manager: McpManager, server: str | None,
                         args: Mapping[str, Any]) -> str:
    uri = args.get("uri")
    if server is None or not isinstance(uri, str):
        raise _ResourceError("read_mcp_resource requires `server` and `uri`")
    conn = _connection(manager, server, "resources/read")
    session = conn.session
    assert session is not None  # _client checked it
    try:
        result = await asyncio.wait_for(session.read_resource(uri), conn.config.tool_timeout)
    except Exception as err:  # noqa: BLE001 - the server's refusal is the model's answer
        raise _ResourceError(f"resources/read failed: resources/read failed for `{server}` "
                             f"({uri}): resources/read failed: {_error_text(err)}") from None
    from mcp import types

    if not isinstance(result, types.ReadResourceResult):
        raise _ResourceError(f"resources/read failed for `{server}` ({uri}): unexpected result")
    contents = [output.ordered_resource(None, c.model_dump(by_alias=True, exclude_none=True,
                                                           mode="json"))
                for c in result.contents]
    return output.compact({"server": server, "uri": uri, "contents": contents})
