"""The `[mcp_servers.NAME]` tables of config.toml, read into typed records.

Keys as the reference reads them: a stdio server has `command` (with `args`,
`env`, `cwd`), a streamable HTTP server has `url` (with `bearer_token_env_var`,
`http_headers`, `env_http_headers`); both take `enabled`, `startup_timeout_sec`
(or the older `startup_timeout_ms`), `tool_timeout_sec`, `enabled_tools` and
`disabled_tools`. A table that fits neither shape is kept as a server that
fails to start with the reason, so it shows in `mcpServerStatus/list`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core_service.config.schema import Config

# The reference's defaults: 10 s to start (initialize and list tools), 60 s per call.
DEFAULT_STARTUP_TIMEOUT = 10.0
DEFAULT_TOOL_TIMEOUT = 60.0
# Server names the reference accepts (others are listed but never started).
_VALID_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


@dataclass(frozen=True)
class McpServerConfig:
    """One configured MCP server (`problem` set when it cannot be started)."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    bearer_token_env_var: str | None = None
    http_headers: Mapping[str, str] = field(default_factory=dict)
    env_http_headers: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    tool_timeout: float = DEFAULT_TOOL_TIMEOUT
    enabled_tools: frozenset[str] | None = None
    disabled_tools: frozenset[str] = frozenset()
    problem: str | None = None

    def offers(self, tool: str) -> bool:
        """Whether the tool `tool` of this server is offered (enabled_tools/disabled_tools)."""
        if self.enabled_tools is not None and tool not in self.enabled_tools:
            return False
        return tool not in self.disabled_tools


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _string_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _seconds(table: Mapping[str, Any], key: str, default: float) -> float:
    value = table.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


def server_config(name: str, table: Any) -> McpServerConfig:
    """The record of `[mcp_servers.<name>]` (with `problem` when it cannot run)."""
    if not isinstance(table, dict):
        return McpServerConfig(name, problem="invalid MCP server configuration")
    startup = _seconds(table, "startup_timeout_sec", DEFAULT_STARTUP_TIMEOUT)
    if "startup_timeout_sec" not in table and "startup_timeout_ms" in table:
        startup = _seconds(table, "startup_timeout_ms", DEFAULT_STARTUP_TIMEOUT * 1000) / 1000
    enabled_tools = table.get("enabled_tools")
    command, url = table.get("command"), table.get("url")
    problem = None
    if not _VALID_NAME.match(name):
        problem = f"invalid server name '{name}': must match pattern ^[a-zA-Z0-9_-]+$"
    elif not isinstance(command, str) and not isinstance(url, str):
        problem = "invalid transport: expected `command` or `url`"
    return McpServerConfig(
        name=name,
        command=command if isinstance(command, str) else None,
        args=_strings(table.get("args")),
        env=_string_map(table.get("env")),
        cwd=str(table["cwd"]) if isinstance(table.get("cwd"), str) else None,
        url=url if isinstance(url, str) and not isinstance(command, str) else None,
        bearer_token_env_var=(str(table["bearer_token_env_var"])
                              if isinstance(table.get("bearer_token_env_var"), str) else None),
        http_headers=_string_map(table.get("http_headers")),
        env_http_headers=_string_map(table.get("env_http_headers")),
        enabled=table.get("enabled") is not False,
        startup_timeout=startup,
        tool_timeout=_seconds(table, "tool_timeout_sec", DEFAULT_TOOL_TIMEOUT),
        enabled_tools=(frozenset(_strings(enabled_tools))
                       if isinstance(enabled_tools, list) else None),
        disabled_tools=frozenset(_strings(table.get("disabled_tools"))),
        problem=problem,
    )


def servers_from(config: Config) -> dict[str, McpServerConfig]:
    """Every `[mcp_servers.*]` table of `config`, by name, sorted by name."""
    tables = config.raw.get("mcp_servers")
    if not isinstance(tables, dict):
        return {}
    return {name: server_config(str(name), tables[name]) for name in sorted(tables)}
