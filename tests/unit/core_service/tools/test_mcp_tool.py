"""MCP tool calls and the resource tools: items and model texts as the reference's (probed)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest

from core_service.mcp.manager import McpManager
from core_service.sandbox.policy import SandboxPolicy
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.context import Decision, ToolCall, ToolContext, ToolResult
from core_service.tools.router import aborted, dispatch, output_item
from tests.unit.core_service.mcp.support import config_with, fixture_table


class NoApprovals:
    """MCP tools ask no approval: any question fails the test."""

    async def ask_command(self, ctx: ToolContext, item_id: str,
                          params: Mapping[str, object]) -> Decision:
        raise AssertionError("no approval for MCP tools")

    async def ask_file_change(self, ctx: ToolContext, item_id: str,
                              params: Mapping[str, object]) -> Decision:
        raise AssertionError("no approval for MCP tools")

    def approved_for_session(self, ctx: ToolContext, key: str) -> bool:
        return False

    def remember(self, ctx: ToolContext, key: str) -> None:
        raise AssertionError("no approval for MCP tools")


@pytest.fixture
async def manager(tmp_path: Path) -> AsyncIterator[McpManager]:
    """The fixture server (1 s tool timeout) and one that crashes at start."""
    mgr = McpManager(lambda: config_with(tmp_path, {
        "fixture": fixture_table(tool_timeout_sec=1), "crashy": fixture_table("crash"),
        "off": {**fixture_table(), "enabled": False}}))
    mgr.start()
    await asyncio.wait_for(mgr.wait_started(), timeout=30)
    yield mgr
    await mgr.close()


def _ctx(mgr: McpManager | None, events: list[tuple[str, Any]]) -> ToolContext:
    return ToolContext(
        thread=cast(LoadedThread, type("Thread", (), {"id": "thr"})()),
        active=ActiveTurn("turn"), cwd="/", approval_policy="untrusted",
        sandbox=SandboxPolicy("read-only", ()), approvals=NoApprovals(),
        item_started=lambda item: events.append(("started", item)),
        item_completed=lambda item: events.append(("completed", item)),
        emit=lambda cls, payload: events.append(("emit", payload)), mcp=mgr)


async def _call(mgr: McpManager | None, name: str, args: Any
                ) -> tuple[ToolResult, list[tuple[str, Any]]]:
    events: list[tuple[str, Any]] = []
    text = args if isinstance(args, str) else json.dumps(args)
    result = await asyncio.wait_for(
        dispatch(_ctx(mgr, events), ToolCall("c1", name, "function", text, {})), 30)
    return result, events


async def test_a_call_is_an_item_and_the_model_reads_structured_content(
        manager: McpManager) -> None:
    """item/started inProgress, then completed with the server's content; no approval
    under `untrusted`; the model reads the structured content."""
    result, events = await _call(manager, "mcp__fixture__echo", {"text": "hi"})
    assert [(k, e["status"]) for k, e in events] == [("started", "inProgress"),
                                                     ("completed", "completed")]
    started, done = events[0][1], events[1][1]
    assert started == {"type": "mcpToolCall", "id": "c1", "server": "fixture", "tool": "echo",
                       "status": "inProgress", "arguments": {"text": "hi"}, "result": None,
                       "error": None, "durationMs": None}
    assert done["result"] == {"content": [{"type": "text", "text": "echo: hi"}],
                              "structuredContent": {"result": "echo: hi"}}
    assert isinstance(done["durationMs"], int)
    assert result.output == '{"result":"echo: hi"}'


async def test_images_errors_and_timeouts(manager: McpManager) -> None:
    """An image reaches the model as content items; `isError` fails the item with its
    result; a call past `tool_timeout_sec` fails it with the reference's message."""
    result, _ = await _call(manager, "mcp__fixture__pixel", {})
    answer = output_item(ToolCall("c1", "x", "function", "", {}), result)
    assert answer["output"][0]["image_url"].startswith("data:image/png;base64,iVBOR")
    result, events = await _call(manager, "mcp__fixture__boom", {})
    assert events[1][1]["status"] == "failed" and events[1][1]["error"] is None
    assert result.output == '[{"type":"text","text":"Error executing tool boom: boom failed"}]'
    result, events = await _call(manager, "mcp__fixture__sleepy", {"seconds": 5})
    assert events[1][1]["status"] == "failed" and events[1][1]["result"] is None
    assert "timed out awaiting tools/call after 1s" in events[1][1]["error"]["message"]
    assert result.output.startswith('err: "tool call error: tool call failed for '
                                    '`fixture/sleepy`')


async def test_unknown_names_and_bad_arguments_have_no_item(manager: McpManager) -> None:
    """A tool no ready server offers is an unsupported call; JSON that does not parse
    answers serde's message; neither shows an item."""
    for name in ("mcp__fixture__nosuch", "mcp__crashy__echo", "mcp__nosrv__x"):
        result, events = await _call(manager, name, {})
        assert (result.output, events) == (f"unsupported call: {name}", [])
    result, events = await _call(manager, "mcp__fixture__echo", "{bad json")
    assert (result.output, events) == ("err: key must be a string at line 1 column 2", [])
    result, _ = await _call(None, "list_mcp_resources", {})
    assert result.output == "unsupported call: list_mcp_resources"


async def test_resource_tools(manager: McpManager) -> None:
    """list/read as the reference answers them: server "codex" without a named
    server, the resource's fields in its order, a failed server's error, a disabled
    one unknown, missing arguments refused without an item."""
    result, events = await _call(manager, "list_mcp_resources", {})
    assert events[0][1]["server"] == "codex"
    assert result.output == ('{"resources":[{"server":"fixture","uri":"fixture://readme",'
                             '"name":"readme","description":"The fixture\'s readme.",'
                             '"mimeType":"text/plain"}]}')
    result, _ = await _call(manager, "list_mcp_resource_templates", {})
    assert result.output == '{"resourceTemplates":[]}'
    result, events = await _call(manager, "read_mcp_resource",
                                 {"server": "fixture", "uri": "fixture://readme"})
    assert events[1][1]["server"] == "fixture"
    assert result.output == ('{"server":"fixture","uri":"fixture://readme","contents":'
                             '[{"uri":"fixture://readme","mimeType":"text/plain",'
                             '"text":"fixture readme"}]}')
    result, events = await _call(manager, "read_mcp_resource", {"server": "crashy", "uri": "x"})
    assert events[1][1]["status"] == "failed"
    assert result.output == ("resources/read failed: failed to get client: MCP startup "
                             "failed: handshaking with MCP server failed: connection closed: "
                             "initialize response")
    result, _ = await _call(manager, "read_mcp_resource", {"server": "off", "uri": "x"})
    assert result.output == "resources/read failed: unknown MCP server 'off'"
    result, events = await _call(manager, "read_mcp_resource", {"server": "fixture"})
    assert (result.output, events) == (
        "failed to parse function arguments: missing field `uri`", [])


def test_an_interrupted_mcp_call_reads_as_an_error_string() -> None:
    """turn/interrupt during an MCP call: the model reads `err: "aborted by user after
    N.Ns"` (probed), other tools the bare text."""
    mcp = ToolCall("c1", "mcp__fixture__sleepy", "function", "{}", {})
    assert aborted(mcp, 0.14).output == 'err: "aborted by user after 0.1s"'
    shell = ToolCall("c2", "shell", "function", "{}", {})
    assert aborted(shell, 2.0).output == "aborted by user after 2.0s"
