"""McpService: `mcpServerStatus/list` and `config/mcpServer/reload`, as the reference serves them.

The status lists every configured server by name (disabled and failed ones
too, with nothing offered), each with the tools it offers keyed by their
qualified name without the `mcp__<server>__` prefix, its resources and
resource templates, and `authStatus` "bearerToken" for a server given a
token variable, else "unsupported" (no OAuth here). Pages
are cut by an offset cursor (a decimal string); the reference's words for a
bad cursor are kept. The reload reads config.toml again and restarts the
servers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app_server_protocol.errors import INVALID_REQUEST, ProtocolError
from app_server_protocol.wire_types import (
    ListMcpServerStatusParams,
    ListMcpServerStatusResponse,
    McpServerRefreshParams,
    McpServerRefreshResponse,
    McpServerStatus,
    Resource,
    ResourceTemplate,
    Tool,
)
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo
from core_service.mcp.manager import McpManager
from core_service.mcp.names import qualified_name, status_key

if TYPE_CHECKING:
    from core_service.mcp.connection import McpConnection


def _tool(dumped: dict[str, Any]) -> Tool:
    return {"_meta": dumped.get("_meta"), "annotations": dumped.get("annotations"),
            "description": dumped.get("description"), "icons": dumped.get("icons"),
            "inputSchema": dumped.get("inputSchema"), "name": str(dumped.get("name", "")),
            "outputSchema": dumped.get("outputSchema"), "title": dumped.get("title")}


def _resource(r: dict[str, Any]) -> Resource:
    return {"_meta": r.get("_meta"), "annotations": r.get("annotations"),
            "description": r.get("description"), "icons": r.get("icons"),
            "mimeType": r.get("mimeType"), "name": str(r.get("name", "")), "size": r.get("size"),
            "title": r.get("title"), "uri": str(r.get("uri", ""))}


def _template(r: dict[str, Any]) -> ResourceTemplate:
    return {"annotations": r.get("annotations"), "description": r.get("description"),
            "mimeType": r.get("mimeType"), "name": str(r.get("name", "")),
            "title": r.get("title"), "uriTemplate": str(r.get("uriTemplate", ""))}


def server_status(server: McpConnection) -> McpServerStatus:
    """One server's entry of `mcpServerStatus/list`."""
    ready = server.state == "ready"
    tools: dict[str, Tool] = {}
    for tool in server.tools if ready else ():
        key = status_key(server.name, qualified_name(server.name, tool.name))
        tools.setdefault(key, _tool(tool.model_dump(by_alias=True, exclude_none=True,
                                                    mode="json")))
    return {
        "name": server.name,
        "tools": tools,
        "resources": [_resource(r) for r in server.resources] if ready else [],
        "resourceTemplates": [_template(t) for t in server.templates] if ready else [],
        "authStatus": "bearerToken" if server.config.bearer_token_env_var else "unsupported",
    }


def page_bounds(cursor: str | None, limit: int | None, total: int) -> tuple[int, int]:
    """The [start, end) of a page; the reference's errors for a bad cursor."""
    start = 0
    if cursor is not None:
        if not cursor.isdigit():
            raise ProtocolError(INVALID_REQUEST, f"invalid cursor: {cursor}")
        start = int(cursor)
        if start > total:
            raise ProtocolError(INVALID_REQUEST,
                                f"cursor {start} exceeds total MCP servers {total}")
    size = total if limit is None else max(1, limit)
    return start, min(total, start + size)


class McpApi:
    """The MCP methods, on the core's one McpManager."""

    def __init__(self, manager: McpManager, source: ConfigSource) -> None:
        self.manager = manager
        self.source = source

    async def status_list(
        self, params: ListMcpServerStatusParams, call: CallInfo | None
    ) -> ListMcpServerStatusResponse:
        """mcpServerStatus/list (waits for the servers' start-up, bounded by its timeouts)."""
        await self.manager.wait_started()
        servers = list(self.manager.servers.values())
        start, end = page_bounds(params.get("cursor"), params.get("limit"), len(servers))
        return {"data": [server_status(s) for s in servers[start:end]],
                "nextCursor": str(end) if end < len(servers) else None}

    async def reload(
        self, params: McpServerRefreshParams, call: CallInfo | None
    ) -> McpServerRefreshResponse:
        """config/mcpServer/reload: read config.toml again, restart the servers."""
        await self.source.reload()
        await self.manager.reload()
        return {}
