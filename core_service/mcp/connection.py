"""One configured MCP server: its client session, kept in a task of its own.

The SDK's transports and `ClientSession` are async context managers whose
task groups must be entered and left by one task, so each server runs in a
task that opens the transport (the stdio client owns the child process),
initializes the session and lists tools and resources within the start-up
timeout, then waits to be closed. Calls from turns go through the session
from other tasks. A server that cannot start records why (`error`) and logs
it; nothing of it reaches the rest of the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Literal, Self

import anyio
import httpx2
from mcp import types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared._stream_protocols import ReadStream
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

from core_service.mcp.config import McpServerConfig
from core_service.mcp.output import duration_text

log = logging.getLogger(__name__)

# How long closing a server may take beyond the transport's own bounded shutdown.
_STOP_DEADLINE = 10.0

State = Literal["starting", "ready", "failed", "disabled"]
CLIENT_INFO = types.Implementation(name="codex-mcp-client", version="0.104.0", title="Codex")


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped


class _WatchedStream:
    """The transport's read stream, telling when it ends (the server went away).

    The session reads it to the end and then only fails calls; this is how
    the connection learns of a server that died after start.
    """

    def __init__(self, stream: ReadStream[SessionMessage | Exception],
                 ended: asyncio.Event) -> None:
        self._stream = stream
        self._ended = ended

    @property
    def last_context(self) -> Any:
        """The sender's context of the last item (the streamable HTTP transport's)."""
        return getattr(self._stream, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        """The next item; the end of the stream is noted."""
        try:
            return await self._stream.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._ended.set()
            raise

    async def aclose(self) -> None:
        """Close the underlying stream."""
        await self._stream.aclose()

    def __aiter__(self) -> _WatchedStream:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self._stream.__anext__()
        except (StopAsyncIteration, anyio.ClosedResourceError):
            self._ended.set()
            raise

    async def __aenter__(self) -> Self:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc_val: BaseException | None, exc_tb: TracebackType | None
                        ) -> bool | None:
        self._ended.set()
        return await self._stream.__aexit__(exc_type, exc_val, exc_tb)


class McpConnection:
    """A started (or starting, or failed) MCP server and what it offers."""

    def __init__(self, config: McpServerConfig, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.name = config.name
        self.state: State = "starting" if config.enabled and not config.problem else "disabled"
        self.error: str | None = config.problem
        self.tools: list[types.Tool] = []
        self.resources: list[dict[str, Any]] = []
        self.templates: list[dict[str, Any]] = []
        self._env = dict(os.environ if env is None else env)
        self._session: ClientSession | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        if self.state != "starting":
            self._ready.set()

    def start(self) -> None:
        """Start the server in the background (a no-op when disabled or invalid)."""
        if self.state == "starting" and self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"mcp-server:{self.name}")

    async def wait_started(self) -> None:
        """Return once the server is ready or has failed (bounded by its start-up timeout)."""
        await self._ready.wait()

    @property
    def session(self) -> ClientSession | None:
        """The live session, or None unless the server is ready."""
        return self._session if self.state == "ready" else None

    async def close(self) -> None:
        """Close the session and stop the server process (idempotent)."""
        self._stop.set()
        if self.state == "starting" and self._task is not None:
            # A start still under way (a server that does not answer) ends
            # now rather than at its timeout; the transport still stops it.
            self._task.cancel()
        await self.wait_stopped()

    async def wait_stopped(self) -> None:
        """Return once the session has ended (closed, or the server went away) and
        the server process is gone."""
        task = self._task
        if task is not None:
            # The transport's own shutdown is bounded (it kills a server that
            # does not exit); this deadline only guards against a stuck task.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout=_STOP_DEADLINE)

    def fail(self, reason: str) -> None:
        """The session broke after start: report the server failed from now on."""
        if self.state == "ready":
            log.warning("MCP server %s stopped: %s", self.name, reason)
            self.state, self.error = "failed", reason

    async def _run(self) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await self._open(stack)
                ended = asyncio.Event()
                session = await stack.enter_async_context(
                    ClientSession(_WatchedStream(read, ended), write, client_info=CLIENT_INFO))
                with anyio.fail_after(self.config.startup_timeout):
                    await session.initialize()
                    await self._list(session)
                self._session, self.state = session, "ready"
                self._ready.set()
                log.info("MCP server %s ready with %d tools", self.name, len(self.tools))
                await _first(self._stop.wait(), ended.wait())
                if not self._stop.is_set():
                    self.fail("connection closed")
        except Exception as err:  # noqa: BLE001 - any failure of a server is reported, never fatal
            self._failed(_root(err))
        finally:
            self._session = None
            self._ready.set()

    def _failed(self, err: BaseException) -> None:
        if self.state == "ready":
            self.fail(_reason(err))
            return
        if self.state != "starting":
            return
        # The reference's words: a short cause (what tools and resource calls
        # report) and a log line that says what to do.
        timeout = self.config.startup_timeout
        if isinstance(err, TimeoutError):
            cause = f"timed out handshaking with MCP server after {duration_text(timeout)}"
            line = (f"MCP client for `{self.name}` timed out after {timeout:g} seconds. Add or "
                    "adjust `startup_timeout_sec` in your config.toml:\n"
                    f"[mcp_servers.{self.name}]\nstartup_timeout_sec = XX")
        else:
            cause = _reason(err, self.config.url)
            line = f"MCP client for `{self.name}` failed to start: MCP startup failed: {cause}"
        self.state, self.error = "failed", cause
        log.warning("%s", line)

    async def _open(self, stack: contextlib.AsyncExitStack) -> Any:
        """The transport's (read, write) streams, closed with `stack`."""
        cfg = self.config
        if cfg.command is not None:
            params = StdioServerParameters(command=cfg.command, args=list(cfg.args),
                                           env=dict(cfg.env) or None, cwd=cfg.cwd)
            # The server's stderr is its log: it goes to ours (never stdout).
            return await stack.enter_async_context(stdio_client(params, errlog=sys.stderr))
        headers = dict(cfg.http_headers)
        for header, var in cfg.env_http_headers.items():
            if self._env.get(var):
                headers[header] = self._env[var]
        if cfg.bearer_token_env_var:
            token = self._env.get(cfg.bearer_token_env_var)
            if not token:
                raise _StartError(f"Environment variable {cfg.bearer_token_env_var} "
                                  f"for MCP server '{self.name}' is not set")
            headers["Authorization"] = f"Bearer {token}"
        # A client we pass in is ours to close (the transport closes only its own).
        client = await stack.enter_async_context(create_mcp_http_client(headers=headers))
        return await stack.enter_async_context(
            streamable_http_client(str(cfg.url), http_client=client))

    async def _list(self, session: ClientSession) -> None:
        caps = session.server_capabilities
        tools: list[types.Tool] = []
        cursor: str | None = None
        while True:
            page = await session.list_tools(
                params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
            tools += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        self.tools = [t for t in tools if self.config.offers(t.name)]
        if caps is None or getattr(caps, "resources", None) is not None:
            # A server without resources may answer these with an error: it
            # then offers none, which is no reason to fail it.
            with contextlib.suppress(Exception):
                self.resources = [_dump(r) for r in (await session.list_resources()).resources]
            with contextlib.suppress(Exception):
                self.templates = [_dump(t) for t in
                                  (await session.list_resource_templates()).resource_templates]


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Return when the first of `waits` is done (the others are cancelled)."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _root(err: BaseException) -> BaseException:
    # The SDK's task groups wrap a failure in exception groups.
    while isinstance(err, BaseExceptionGroup) and err.exceptions:
        err = err.exceptions[0]
    return err


class _StartError(Exception):
    """A server that cannot be started, with the reference's words for why."""


def _reason(err: BaseException, url: str | None = None) -> str:
    if isinstance(err, httpx2.TransportError) and url is not None:
        # The reference's (rmcp's) words for an unreachable endpoint, which is
        # what the model reads when it uses the server's resources.
        return ("handshaking with MCP server failed: Send message error Transport "
                "[rmcp::transport::worker::WorkerTransport<rmcp::transport::"
                "streamable_http_client::StreamableHttpClientWorker<reqwest::async_impl::"
                f"client::Client>>] error: Client error: error sending request for url ({url}), "
                "when send initialize request")
    if isinstance(err, OSError) and err.errno is not None and err.strerror:
        return f"{err.strerror} (os error {err.errno})"
    if isinstance(err, MCPError) and "closed" in str(err).lower():
        return "handshaking with MCP server failed: connection closed: initialize response"
    return str(err) or type(err).__name__
