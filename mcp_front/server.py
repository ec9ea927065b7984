"""The MCP front end process: the MCP SDK's server over stdio, the core link, the session.

`run_mcp_server` serves one MCP client on stdin/stdout with the official
SDK (`mcp.server.lowlevel.Server`, `mcp.server.stdio`; the SDK points fd 1
at stderr while it serves, so stdout carries MCP JSON-RPC only) until stdin
closes or TERM/INT, and talks to the core through a `CoreLink` like a
gateway. The SDK handles the MCP protocol (initialize, tools/list and
tools/call dispatch, ids); `McpSession` decides what a call does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import mcp_types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from gateway.core_link import CoreLink
from gateway.stop_signals import StopSignals
from mcp_front.link import CoreBackend, route_frame
from mcp_front.session import McpSession
from mcp_front.tools import tool_listing

log = logging.getLogger(__name__)

SERVER_NAME = "codex-mcp-server"
SERVER_TITLE = "Codex"
# The reference release whose behaviour this front end reproduces (the core
# reports the same version in its user agent).
SERVER_VERSION = "0.104.0"
CLOSE_GRACE = 5.0


class SdkPeer:
    """`Peer` over the SDK's raw channels of one tools/call request.

    The reference's `codex/event` notifications and its elicitation params
    (extra `codex_*` members, an answer read as `{"decision": ...}`) are not
    the SDK's typed models, which drop unknown members and validate answers
    as MCP `ElicitResult`s; they go through the SDK's raw channels, which its
    public session API does not expose (hence the private attributes, read
    here only).
    """

    def __init__(self, ctx: Any, request_ids: Iterator[int]) -> None:
        self._channel = ctx.session._request_outbound
        # Notifications use the connection's channel: the request's one drops
        # what is sent after the client cancelled the call, and the reference
        # still reports the interrupted turn then. On stdio both are stdout.
        self._connection = ctx.session._connection.outbound
        self._request_ids = request_ids

    async def notify(self, method: str, params: dict[str, Any]) -> None:
        """Send a notification (on the connection's channel)."""
        await self._connection.notify(method, params)

    async def elicit(self, params: dict[str, Any], limit: float) -> dict[str, Any] | None:
        """Ask `elicitation/create`; None on an error answer or past `limit` seconds."""
        try:
            # Our own ids, from 0 like the reference's (the SDK's start at 1).
            options = {"timeout": limit, "request_id": next(self._request_ids)}
            result: dict[str, Any] = await self._channel.send_raw_request(
                "elicitation/create", params, options)
        except MCPError as err:
            log.info("elicitation answered with an error: %s", err)
            return None
        return result


def _client_info(session: Any) -> dict[str, Any]:
    """The MCP client's `clientInfo` as the core's `initialize` takes it."""
    params = session.client_params
    info = params.client_info if params is not None else None
    if info is None:
        return {"name": "mcp-client", "title": None, "version": "0"}
    return {"name": info.name, "title": info.title, "version": info.version}


def build_server(session: McpSession, request_ids: Iterator[int]) -> Server[Any]:
    """The SDK server: tools/list answers the listing, tools/call runs the session."""
    listing = tool_listing()

    async def list_tools(ctx: Any, params: mcp_types.PaginatedRequestParams | None
                         ) -> dict[str, Any]:
        return {"tools": listing}

    async def call_tool(ctx: Any, params: mcp_types.CallToolRequestParams) -> dict[str, Any]:
        session.client_info = _client_info(ctx.session)
        request_id = ctx.request_id if ctx.request_id is not None else ""
        return await session.call_tool(params.name, params.arguments, request_id,
                                       SdkPeer(ctx, request_ids))

    return Server(SERVER_NAME, version=SERVER_VERSION, title=SERVER_TITLE,
                  on_list_tools=list_tools, on_call_tool=call_tool)  # type: ignore[arg-type]


async def run_mcp_server(target: str, *, token: str | None = None,
                         tls: grpc.ChannelCredentials | None = None) -> int:
    """Serve one MCP client on stdio until stdin closes or TERM/INT; the exit code."""
    def on_frame(frame: Any) -> None:
        route_frame(frame, session)

    def on_reconnect() -> None:
        session.reconnected()

    core = CoreLink(target, str(uuid.uuid4()), on_frame=on_frame, on_reconnect=on_reconnect,
                    token=token, tls=tls)
    backend = CoreBackend(core)
    session = McpSession(backend)
    server = build_server(session, itertools.count(0))
    stop = asyncio.Event()
    signals = StopSignals(asyncio.get_running_loop(), stop)
    await core.start()
    try:
        async with stdio_server() as (read_stream, write_stream):
            options = server.create_initialization_options(
                NotificationOptions(tools_changed=True))
            serving = asyncio.ensure_future(server.run(read_stream, write_stream, options))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            for task in (serving, stopping):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.gather(serving, stopping), CLOSE_GRACE)
    finally:
        # Calls cut short by stdin's end are interrupting their turns.
        await session.drain(CLOSE_GRACE)
        backend.close_connections(session.connection_ids())
        await core.close()
        signals.ignore_from_now_on()
        log.info("mcp server stopped")
    return 0
