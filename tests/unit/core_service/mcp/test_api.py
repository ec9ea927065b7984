"""mcpServerStatus/list and config/mcpServer/reload, as the reference answers them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.config.source import ConfigSource
from core_service.mcp.api import McpApi, page_bounds
from core_service.mcp.manager import McpManager
from tests.unit.core_service.mcp.support import REPO


def test_pages_and_the_reference_cursor_errors() -> None:
    """Offsets as cursors; limit 0 reads as 1; the reference's words for bad cursors."""
    assert page_bounds(None, None, 4) == (0, 4)
    assert page_bounds(None, 2, 4) == (0, 2)
    assert page_bounds("2", None, 4) == (2, 4)
    assert page_bounds(None, 0, 4) == (0, 1)
    with pytest.raises(ProtocolError, match="^invalid cursor: bogus$"):
        page_bounds("bogus", None, 4)
    with pytest.raises(ProtocolError, match="^cursor 9 exceeds total MCP servers 4$"):
        page_bounds("9", None, 4)


async def test_status_lists_every_server_and_reload_rereads_the_file(tmp_path: Path) -> None:
    """Each configured server by name with what it offers (a failed one empty;
    authStatus bearerToken with a token variable, else unsupported); after the file
    changes, reload restarts from it."""
    toml = (f'[mcp_servers.fixture]\ncommand = "{REPO}/.venv/bin/python"\n'
            f'args = ["-m", "tests.support.mcp_fixture"]\ncwd = "{REPO}"\n'
            'enabled_tools = ["echo", "dotted.name"]\n'
            '[mcp_servers.crashy]\ncommand = "/nonexistent"\n'
            '[mcp_servers.web]\nurl = "http://127.0.0.1:9/mcp"\nbearer_token_env_var = "NOPE"\n')
    (tmp_path / "config.toml").write_text(toml)
    source = ConfigSource(tmp_path, env={})
    manager = McpManager(lambda: source.config)
    api = McpApi(manager, source)
    manager.start()
    try:
        got = await asyncio.wait_for(api.status_list({"cursor": None, "limit": None}, None), 30)
        assert [s["name"] for s in got["data"]] == ["crashy", "fixture", "web"]
        assert got["nextCursor"] is None
        crashy, fixture, web = got["data"]
        assert (web["authStatus"], web["tools"]) == ("bearerToken", {})
        assert dict(crashy) == {"name": "crashy", "tools": {}, "resources": [],
                                "resourceTemplates": [], "authStatus": "unsupported"}
        assert sorted(fixture["tools"]) == ["dotted_name", "echo"]
        assert fixture["tools"]["dotted_name"]["name"] == "dotted.name"
        assert fixture["resources"][0]["uri"] == "fixture://readme"
        page = await api.status_list({"cursor": None, "limit": 1}, None)
        assert [s["name"] for s in page["data"]] == ["crashy"] and page["nextCursor"] == "1"
        (tmp_path / "config.toml").write_text(toml.split("[mcp_servers.crashy]")[0])
        assert await api.reload({}, None) == {}
        got = await asyncio.wait_for(api.status_list({"cursor": None, "limit": None}, None), 30)
        assert [s["name"] for s in got["data"]] == ["fixture"]
    finally:
        await manager.close()
