"""One MCP server run by the SDK's client: started, failed, timed out, closed."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from mcp import types
from mcp.shared.exceptions import MCPError

from core_service.mcp.config import server_config
from core_service.mcp.connection import McpConnection
from tests.support.mcp_fixture import build_server
from tests.unit.core_service.mcp.support import fixture_table


async def _started(table: dict[str, object]) -> McpConnection:
    conn = McpConnection(server_config("fixture", table))
    conn.start()
    await asyncio.wait_for(conn.wait_started(), timeout=30)
    return conn


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_server_starts_lists_and_answers_then_its_process_ends() -> None:
    """Ready with its tools (enabled_tools honoured) and resources; a call answers;
    after close the server process is gone (the stdio client owned it)."""
    conn = await _started(fixture_table(enabled_tools=["echo", "pid"]))
    try:
        assert conn.state == "ready" and conn.error is None
        assert sorted(t.name for t in conn.tools) == ["echo", "pid"]
        assert [r["uri"] for r in conn.resources] == ["fixture://readme"]
        assert conn.session is not None
        result = await conn.session.call_tool("pid", {})
        assert isinstance(result, types.CallToolResult)
        block = result.content[0]
        assert isinstance(block, types.TextContent)
        pid = int(block.text)
    finally:
        await conn.close()
    assert _gone(pid)
    await conn.close()  # idempotent


async def test_a_server_that_dies_after_start_is_failed() -> None:
    """A server process that exits mid-session fails the call (connection closed) and
    the server is failed without any further call: no tools offered, no session."""
    conn = await _started(fixture_table())
    assert conn.session is not None
    with pytest.raises(MCPError, match="Connection closed"):
        await asyncio.wait_for(conn.session.call_tool("die", {}), timeout=30)
    await conn.wait_stopped()
    assert (conn.state, conn.error) == ("failed", "connection closed")
    assert conn.session is None
    await conn.close()


async def test_a_server_that_crashes_at_start_is_failed_not_fatal() -> None:
    """A server that exits before answering `initialize` is failed with the
    reference's cause (what calls report) and a log line."""
    conn = await _started(fixture_table("crash"))
    assert conn.state == "failed" and conn.session is None
    assert conn.error == ("handshaking with MCP server failed: connection closed: "
                          "initialize response")
    await conn.close()


async def test_a_server_that_hangs_fails_at_its_startup_timeout() -> None:
    """A server that never answers is failed once `startup_timeout_sec` passes, with
    the reference's cause."""
    started = time.monotonic()
    conn = await _started(fixture_table("hang", startup_timeout_sec=1))
    assert conn.state == "failed"
    assert conn.error == "timed out handshaking with MCP server after 1s"
    assert time.monotonic() - started < 10
    await conn.close()


async def test_closing_a_server_that_is_still_starting_does_not_wait_for_its_timeout() -> None:
    """Core stop (or a reload) while a server hangs in its start-up ends the start at
    once, not after `startup_timeout_sec`."""
    conn = McpConnection(server_config("fixture", fixture_table("hang",
                                                                startup_timeout_sec=120)))
    conn.start()
    started = time.monotonic()
    await asyncio.wait_for(conn.close(), timeout=30)
    # Well under the 10 s a stuck close would wait (measured: about 2 s, the
    # transport's grace for the process to exit).
    assert time.monotonic() - started < 8
    await asyncio.wait_for(conn.wait_started(), timeout=1)
    assert conn.session is None


async def test_a_missing_command_and_a_disabled_server() -> None:
    """A command that does not exist fails with the OS's words; a disabled server
    never starts."""
    conn = await _started({"command": "/nonexistent/mcp-server"})
    assert (conn.state, conn.error) == ("failed", "No such file or directory (os error 2)")
    disabled = McpConnection(server_config("off", {**fixture_table(), "enabled": False}))
    disabled.start()
    await asyncio.wait_for(disabled.wait_started(), timeout=1)
    assert disabled.state == "disabled" and disabled.session is None
    await conn.close()
    await disabled.close()


@pytest.fixture
async def http_fixture() -> AsyncIterator[tuple[str, list[str]]]:
    """The fixture server over streamable HTTP on a port of its own; the URL and the
    Authorization headers it received."""
    seen: list[str] = []
    app = build_server().streamable_http_app()

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.extend(v.decode() for k, v in scope["headers"] if k == b"authorization")
        await app(scope, receive, send)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(recording, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    yield f"http://127.0.0.1:{port}/mcp", seen
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)
    sock.close()


async def test_a_streamable_http_server_with_a_bearer_token(
        http_fixture: tuple[str, list[str]]) -> None:
    """`url` with `bearer_token_env_var`: the token from the environment is sent as
    a bearer; tools are listed and called as over stdio."""
    url, seen = http_fixture
    conn = McpConnection(server_config("web", {"url": url, "bearer_token_env_var": "TOK"}),
                         env={"TOK": "s3cret"})
    conn.start()
    await asyncio.wait_for(conn.wait_started(), timeout=30)
    try:
        assert conn.state == "ready", conn.error
        assert "echo" in [t.name for t in conn.tools]
        assert conn.session is not None
        result = await asyncio.wait_for(conn.session.call_tool("echo", {"text": "hi"}), 30)
        assert isinstance(result, types.CallToolResult)
        assert result.structured_content == {"result": "echo: hi"}
        assert seen and set(seen) == {"Bearer s3cret"}
    finally:
        await conn.close()


async def test_http_servers_that_cannot_start() -> None:
    """A token variable that is not set, and an endpoint nobody listens on, fail with
    the reference's words."""
    conn = McpConnection(server_config("web", {"url": "http://127.0.0.1:9/mcp",
                                               "bearer_token_env_var": "NOPE"}), env={})
    conn.start()
    await asyncio.wait_for(conn.wait_started(), timeout=30)
    assert conn.error == "Environment variable NOPE for MCP server 'web' is not set"
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed.getsockname()[1]}/mcp"
    conn2 = McpConnection(server_config("web2", {"url": url}), env={})
    conn2.start()
    await asyncio.wait_for(conn2.wait_started(), timeout=30)
    closed.close()
    assert conn2.state == "failed" and conn2.error is not None
    assert conn2.error.endswith(f"error sending request for url ({url}), "
                                "when send initialize request")
    await conn.close()
    await conn2.close()
