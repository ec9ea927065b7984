"""`[mcp_servers.NAME]` tables read as the reference reads them."""

from __future__ import annotations

from pathlib import Path

from core_service.mcp.config import DEFAULT_STARTUP_TIMEOUT, DEFAULT_TOOL_TIMEOUT, servers_from
from tests.unit.core_service.mcp.support import config_with


def test_stdio_and_http_servers_with_their_options(tmp_path: Path) -> None:
    """Every key is read; defaults are 10 s to start and 60 s per call; names are sorted."""
    servers = servers_from(config_with(tmp_path, {
        "web": {"url": "http://x/mcp", "bearer_token_env_var": "TOKEN",
                "http_headers": {"a": "b"}, "tool_timeout_sec": 2.5, "enabled": False},
        "local": {"command": "srv", "args": ["-v"], "env": {"K": "V"}, "cwd": "/tmp",
                  "startup_timeout_ms": 1500, "enabled_tools": ["a", "b"],
                  "disabled_tools": ["b"]},
    }))
    assert list(servers) == ["local", "web"]
    local, web = servers["local"], servers["web"]
    assert (local.command, local.args, dict(local.env), local.cwd) == ("srv", ("-v",),
                                                                       {"K": "V"}, "/tmp")
    assert local.startup_timeout == 1.5 and local.tool_timeout == DEFAULT_TOOL_TIMEOUT
    assert local.offers("a") and not local.offers("b") and not local.offers("c")
    assert local.enabled and local.problem is None
    assert (web.url, web.bearer_token_env_var, dict(web.http_headers)) == (
        "http://x/mcp", "TOKEN", {"a": "b"})
    assert web.tool_timeout == 2.5 and web.startup_timeout == DEFAULT_STARTUP_TIMEOUT
    assert not web.enabled and web.offers("anything")


def test_unusable_tables_carry_their_problem(tmp_path: Path) -> None:
    """A name the reference refuses, a table without command or url and a non-table
    are kept (they are listed) with the reason they never start."""
    servers = servers_from(config_with(tmp_path, {
        "my.srv": {"command": "x"}, "empty": {}, "scalar": 3}))
    assert servers["my.srv"].problem is not None and "my.srv" in servers["my.srv"].problem
    assert servers["empty"].problem == "invalid transport: expected `command` or `url`"
    assert servers["scalar"].problem == "invalid MCP server configuration"


def test_no_table_means_no_servers(tmp_path: Path) -> None:
    """Without `[mcp_servers]` (or with a non-table there) nothing is configured."""
    assert servers_from(config_with(tmp_path, {})) == {}
