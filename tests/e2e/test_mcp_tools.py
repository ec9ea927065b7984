"""End to end: MCP servers of config.toml as tools of the agent (codex 0.104's behaviour).

A small stdio MCP server written with the SDK (tests/support/mcp_fixture.py)
is configured in config.toml beside one that crashes at start and one that
never answers; the mock model calls the fixture's tools. Every expected
shape and text was observed from the reference against the same fixture.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.mock_model import MockModelServer

REPO = Path(__file__).resolve().parents[2]


def _server(name: str, mode: str = "ok", extra: str = "") -> str:
    return (f'[mcp_servers.{name}]\ncommand = "{sys.executable}"\n'
            f'args = ["-m", "tests.support.mcp_fixture", "--mode", "{mode}"]\n'
            f'cwd = "{REPO}"\n{extra}')


SERVERS = (_server("fixture", extra='enabled_tools = ["echo", "add", "pid", "sleepy"]\n'
                   "tool_timeout_sec = 1\n")
           + _server("crashy", "crash") + _server("hangy", "hang", "startup_timeout_sec = 2\n"))


def _outputs(body: dict[str, Any]) -> dict[str, Any]:
    return {i["call_id"]: i["output"] for i in body["input"]
            if i["type"] == "function_call_output"}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_mcp_tools_are_offered_called_and_reported(
    launch: Launcher, mock: MockModelServer
) -> None:
    """Under `untrusted`, without asking approval: the first request (after the
    servers started or failed) offers the resource
    tools and the ready server's tools; a call is an mcpToolCall item with the tool's
    real result, the next request carries it as the reference formats it; a timeout
    fails its item; the failed servers are listed with nothing offered and never stick
    the turn; a reload stops the server and starts it again; and the server process
    ends with the app-server."""
    mock.enqueue(
        {"kind": "function_call", "name": "mcp__fixture__echo", "call_id": "c1",
         "arguments": {"text": "hi"}},
        {"kind": "function_call", "name": "mcp__fixture__add", "call_id": "c2",
         "arguments": {"a": 1, "b": 2}},
        {"kind": "function_call", "name": "mcp__fixture__sleepy", "call_id": "c3",
         "arguments": {"seconds": 30}},
        {"kind": "function_call", "name": "mcp__crashy__echo", "call_id": "c4",
         "arguments": {}},
        {"kind": "function_call", "name": "mcp__fixture__pid", "call_id": "c5",
         "arguments": {}},
        {"kind": "text", "text": "done"},
    )
    client = await launch("stdio", extra=SERVERS, approval_policy="untrusted")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    start = len(client.notifications)
    turn = await run_turn(client, tid, "use the tools")
    assert turn["status"] == "completed"
    assert client.server_requests == []  # no approval for MCP tools, even when untrusted

    names = [t.get("name") for t in mock.responses_requests[0].body["tools"]]
    assert names[2:5] == ["list_mcp_resources", "list_mcp_resource_templates",
                          "read_mcp_resource"]
    assert names[-4:] == ["mcp__fixture__add", "mcp__fixture__echo", "mcp__fixture__pid",
                          "mcp__fixture__sleepy"]
    echo = next(t for t in mock.responses_requests[0].body["tools"]
                if t.get("name") == "mcp__fixture__echo")
    assert echo == {"type": "function", "name": "mcp__fixture__echo",
                    "description": "Echo the text back.", "strict": False,
                    "parameters": {"type": "object", "properties": {"text": {"type": "string"}},
                                   "required": ["text"]}}

    items = [(n["method"], n["params"]["item"]) for n in client.notifications[start:]
             if n["method"] in ("item/started", "item/completed")
             and n["params"]["item"]["type"] == "mcpToolCall"]
    assert [(m, i["id"], i["status"]) for m, i in items] == [
        ("item/started", "c1", "inProgress"), ("item/completed", "c1", "completed"),
        ("item/started", "c2", "inProgress"), ("item/completed", "c2", "completed"),
        ("item/started", "c3", "inProgress"), ("item/completed", "c3", "failed"),
        ("item/started", "c5", "inProgress"), ("item/completed", "c5", "completed")]
    echo_done = items[1][1]
    assert (echo_done["server"], echo_done["tool"], echo_done["arguments"]) == (
        "fixture", "echo", {"text": "hi"})
    assert echo_done["result"] == {"content": [{"type": "text", "text": "echo: hi"}],
                                   "structuredContent": {"result": "echo: hi"}}
    assert items[5][1]["error"]["message"] == (
        "tool call error: tool call failed for `fixture/sleepy`\n\nCaused by:\n"
        "    0: timed out awaiting tools/call after 1s\n    1: deadline has elapsed")

    outputs = _outputs(mock.responses_requests[-1].body)
    assert outputs["c1"] == '{"result":"echo: hi"}'
    assert outputs["c2"] == '{"total":3}'
    assert outputs["c3"].startswith('err: "tool call error: tool call failed for ')
    assert outputs["c4"] == "unsupported call: mcp__crashy__echo"
    pid = int(outputs["c5"].split(":")[1].rstrip("}"))

    status = await client.call("mcpServerStatus/list", {})
    assert [s["name"] for s in status["data"]] == ["crashy", "fixture", "hangy"]
    assert status["data"][0]["tools"] == {} and status["data"][2]["tools"] == {}
    assert sorted(status["data"][1]["tools"]) == ["add", "echo", "pid", "sleepy"]
    assert status["nextCursor"] is None
    # The failures are reported in the core's log, with the reference's words.
    logged = client.process.stderr_lines  # type: ignore[attr-defined]
    await client.wait_for(lambda: any("MCP client for `hangy` timed out after 2 seconds"
                                      in line for line in logged))
    assert any("MCP client for `crashy` failed to start: MCP startup failed: handshaking "
               "with MCP server failed" in line for line in logged)
    assert await client.call("config/mcpServer/reload") == {}
    assert _gone(pid)  # the reload stopped the old server

    mock.enqueue({"kind": "function_call", "name": "mcp__fixture__pid", "call_id": "c6",
                  "arguments": {}}, {"kind": "text", "text": "again"})
    assert (await run_turn(client, tid, "again"))["status"] == "completed"
    pid = int(_outputs(mock.responses_requests[-1].body)["c6"].split(":")[1].rstrip("}"))
    assert not _gone(pid)
    await client.close()
    await client.process.stop(signal.SIGTERM)  # type: ignore[attr-defined]
    assert _gone(pid)
