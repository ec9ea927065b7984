"""The core's MCP servers: started in the background, offered once started."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_service.config.schema import Config
from core_service.mcp.manager import NO_MCP, McpManager
from tests.unit.core_service.mcp.support import config_with, fixture_table


async def test_offer_waits_for_start_up_and_lists_ready_tools(tmp_path: Path) -> None:
    """Start-up does not wait; the offer does (bounded by the start-up timeouts) and
    holds the ready server's tools sorted, none of the failed one's; reload restarts."""
    current: list[Config] = [config_with(tmp_path, {
        "fixture": fixture_table(enabled_tools=["echo", "add"]),
        "crashy": fixture_table("crash"),
        "off": {**fixture_table(), "enabled": False},
    })]
    manager = McpManager(lambda: current[0])
    manager.start()
    try:
        assert [s.state for s in manager.servers.values()] == ["starting", "starting",
                                                                "disabled"]
        offer = await asyncio.wait_for(manager.offer(), timeout=30)
        assert offer.resources
        assert [t["name"] for t in offer.tools] == ["mcp__fixture__add", "mcp__fixture__echo"]
        assert offer is await manager.offer()  # cached while nothing changes
        assert set(manager.tools()) == {"mcp__fixture__add", "mcp__fixture__echo"}
        assert manager.servers["crashy"].state == "failed"
        await manager.reload()  # the same servers again: new connections are offered
        await asyncio.wait_for(manager.offer(), timeout=30)
        assert manager.tools()["mcp__fixture__echo"].server is manager.servers["fixture"]
        current[0] = config_with(tmp_path, {"other": fixture_table(enabled_tools=["pid"])})
        await manager.reload()
        offer = await asyncio.wait_for(manager.offer(), timeout=30)
        assert [t["name"] for t in offer.tools] == ["mcp__other__pid"]
    finally:
        await manager.close()
    assert manager.servers == {}


async def test_without_servers_nothing_is_offered(tmp_path: Path) -> None:
    """No `[mcp_servers]`: no resource tools, no tools, nothing to wait for."""
    manager = McpManager(lambda: config_with(tmp_path, {}))
    manager.start()
    assert await asyncio.wait_for(manager.offer(), timeout=1) == NO_MCP
    await manager.close()
