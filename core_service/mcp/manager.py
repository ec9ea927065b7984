"""The core's MCP servers: started at core start, offered to every thread.

`McpManager` owns one `McpConnection` per `[mcp_servers.NAME]` table. It
starts them in the background (start-up never waits for a server), tells a
model request which tools to offer once every server has started or failed
(each bounded by its start-up timeout), finds the server and tool a model's
call names, and restarts everything on `config/mcpServer/reload`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core_service.config.schema import Config
from core_service.mcp.config import McpServerConfig, servers_from
from core_service.mcp.names import model_tool_spec, qualified_name

if TYPE_CHECKING:
    # The MCP SDK takes ~0.4 s to import: only a configured server needs it.
    from mcp import types

    from core_service.mcp.connection import McpConnection


@dataclass(frozen=True)
class McpOffer:
    """What a model request offers of the MCP servers: the resource tools (when
    any server is configured) and the servers' tools, sorted by name."""

    resources: bool = False
    tools: tuple[dict[str, Any], ...] = ()


NO_MCP = McpOffer()


@dataclass(frozen=True)
class McpTool:
    """A tool of a ready server under the name the model calls it by."""

    qualified: str
    server: McpConnection
    tool: types.Tool


class McpManager:
    """Every configured MCP server of the core, by name (sorted)."""

    def __init__(self, config: Callable[[], Config], env: dict[str, str] | None = None) -> None:
        self._config = config
        self._env = env
        self.servers: dict[str, McpConnection] = {}
        # Rebuilt whenever a server's state changes (see `tools`).
        self._tools: dict[str, McpTool] = {}
        self._offer = NO_MCP
        self._tools_key: tuple[int, tuple[str, ...]] = (0, ())
        self._generation = 0

    def start(self) -> None:
        """Start every enabled server in the background."""
        self._generation += 1
        configs = servers_from(self._config())
        self.servers = _connections(configs, self._env) if configs else {}
        for server in self.servers.values():
            server.start()

    async def reload(self) -> None:
        """Stop the servers and start them again from the current configuration."""
        await self.close()
        self.start()

    async def close(self) -> None:
        """Stop every server (idempotent)."""
        servers, self.servers = list(self.servers.values()), {}
        await asyncio.gather(*(s.close() for s in servers), return_exceptions=True)

    @property
    def configured(self) -> bool:
        """Whether any enabled server is configured (the resource tools are offered then)."""
        return any(s.config.enabled for s in self.servers.values())

    async def wait_started(self) -> None:
        """Wait until every server is ready or failed (each bounded by its timeout)."""
        await asyncio.gather(*(s.wait_started() for s in list(self.servers.values())))

    def tools(self) -> dict[str, McpTool]:
        """The tools of the ready servers by qualified name (the first of a duplicate wins)."""
        # A reload makes new connections: the generation tells them apart.
        key = (self._generation, tuple(s.state for s in self.servers.values()))
        if key != self._tools_key:
            tools: dict[str, McpTool] = {}
            for server in self.servers.values():
                if server.state != "ready":
                    continue
                for tool in server.tools:
                    tools.setdefault(qualified_name(server.name, tool.name),
                                     McpTool(qualified_name(server.name, tool.name), server, tool))
            specs = tuple(model_tool_spec(name, tools[name].tool.description,
                                          tools[name].tool.input_schema)
                          for name in sorted(tools))
            self._tools, self._tools_key = tools, key
            self._offer = McpOffer(self.configured, specs)
        return self._tools

    async def offer(self) -> McpOffer:
        """What the next model request offers (waits for the servers' start-up)."""
        await self.wait_started()
        self.tools()
        return self._offer


def _connections(configs: dict[str, McpServerConfig],
                 env: dict[str, str] | None) -> dict[str, McpConnection]:
    # Imported with the first configured server: the SDK is slow to import.
    from core_service.mcp.connection import McpConnection

    return {name: McpConnection(cfg, env) for name, cfg in configs.items()}
