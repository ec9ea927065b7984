"""One MCP client's tool calls, run against the core: the front end's decisions.

`McpSession` knows neither the MCP SDK nor gRPC: it calls the core through
a `Backend` (app-server v2 methods as JSON, server-request answers), talks
to the MCP client through a `Peer` (notifications, elicitations), and is fed
the core's notifications and server requests by whoever reads the core's
stream (`deliver`).

Each thread this front end starts is a connection of its own on the core
(`m1`, `m2`, ...; initialized with the MCP client's `clientInfo`), so the
core's events for it arrive already sorted by thread. A `codex` call starts
the thread (`thread/start` with the call's settings) and its first turn; a
`codex-reply` call starts the next turn of a thread this front end started.
While a turn runs its notifications become `codex/event` notifications for
the call (`mcp_front/events.py`) and its approval requests elicitations
(`mcp_front/approvals.py`); the call's answer is the turn's last agent
message.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from app_server_protocol.errors import ProtocolError
from app_server_protocol.wire_types import (
    CommandExecutionRequestApprovalParams,
    FileChangeRequestApprovalParams,
    ThreadStartResponse,
    TurnCompletedNotification,
)
from mcp_front import approvals, tools
from mcp_front.events import EventMsg, TurnEvents, session_configured

log = logging.getLogger(__name__)

EVENT_METHOD = "codex/event"
# An MCP request id as the client sent it.
RequestId = int | str
# Events of one thread waiting for its call (the core's stream must never block).
INBOX_LIMIT = 10_000
# The longest a turn may go without any event, and a client may take to answer
# an approval, before the call gives up (a person may be deciding).
DEFAULT_IDLE_TIMEOUT = 3600.0
# The longest a call waits for the threads to be restored on a new core.
RESTORE_TIMEOUT = 10.0
CORE_LOST = "Codex turn lost: the connection to the core was interrupted"
DEFAULT_CLIENT_INFO: dict[str, Any] = {"name": "mcp-client", "title": None, "version": "0"}


class Backend(Protocol):
    """The core as the session uses it."""

    async def call(self, method: str, params: dict[str, Any], *, connection_id: str,
                   replay: bool = False) -> Any:
        """Call a v2 method for `connection_id`; the result as JSON, or `ProtocolError`.
        `replay` marks what restores a connection on a new core."""
        ...

    def answer(self, connection_id: str, request_id: int, method: str, decision: str) -> None:
        """Answer the core's server request `request_id` with a decision."""
        ...

    async def ready(self) -> None:
        """Give a (re)connecting link a bounded moment before calling."""
        ...


class Peer(Protocol):
    """The MCP client, as seen from inside one tool call."""

    async def notify(self, method: str, params: dict[str, Any]) -> None:
        """Send a notification related to the call."""
        ...

    async def elicit(self, params: dict[str, Any], limit: float) -> dict[str, Any] | None:
        """Ask `elicitation/create`; the result, or None when the client answered with an
        error or not in time."""
        ...


@dataclass(frozen=True)
class Note:
    """A core notification for a thread's connection."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Request:
    """A core server request for a thread's connection."""

    request_id: int
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Lost:
    """The core link broke while a call waited: its turn's end will never come."""


@dataclass
class ThreadSlot:
    """A thread started here: its connection on the core and its pending events."""

    connection_id: str
    thread_id: str = ""
    inbox: asyncio.Queue[Note | Request | Lost] = field(
        default_factory=lambda: asyncio.Queue(INBOX_LIMIT))
    # One call at a time reads a thread's events.
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)
    events: TurnEvents = field(default_factory=lambda: TurnEvents(""))


def tool_result(thread_id: str | None, text: str, *, error: bool = False) -> dict[str, Any]:
    """A `tools/call` result: the text, `structuredContent` when a thread is known."""
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}]}
    if thread_id is not None:
        result["structuredContent"] = {"threadId": thread_id, "content": text}
    if error:
        result["isError"] = True
    return result


class McpSession:
    """The tool calls of one MCP client and the threads they started."""

    def __init__(self, backend: Backend, *, cwd: str | None = None,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
        self._backend = backend
        # The MCP client's clientInfo, as the core's `initialize` takes it (set by the
        # server once the client has introduced itself).
        self.client_info: dict[str, Any] = DEFAULT_CLIENT_INFO
        self._cwd = cwd or os.getcwd()
        self._idle_timeout = idle_timeout
        self._ids = itertools.count(1)
        self._slots: dict[str, ThreadSlot] = {}
        self._by_thread: dict[str, ThreadSlot] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._restore: asyncio.Task[None] | None = None

    # -- from the core -----------------------------------------------------------
    def deliver(self, connection_id: str, message: Note | Request | Lost) -> None:
        """Queue a core message for the thread of `connection_id` (never blocks)."""
        slot = self._slots.get(connection_id)
        if slot is None:
            return
        try:
            slot.inbox.put_nowait(message)
        except asyncio.QueueFull:
            log.error("thread %s: no call is reading its events; dropping %s",
                      slot.thread_id, type(message).__name__)

    def reconnected(self) -> None:
        """The core link came back (maybe to a new core, which knows nothing of us):
        calls waiting for a turn end with an error, and each thread started here is
        subscribed again (`initialize` and `thread/resume` replayed, as a gateway does);
        new calls wait (bounded) for that."""
        for slot in self._slots.values():
            if slot.busy.locked():
                self.deliver(slot.connection_id, Lost())
        self._restore = asyncio.get_running_loop().create_task(self._restore_all())
        self._background.add(self._restore)
        self._restore.add_done_callback(self._background.discard)

    async def _restore_all(self) -> None:
        for slot in [s for s in self._slots.values() if s.thread_id]:
            try:
                await self._backend.call("initialize", {"clientInfo": self.client_info},
                                         connection_id=slot.connection_id, replay=True)
                await self._backend.call("thread/resume", {"threadId": slot.thread_id},
                                         connection_id=slot.connection_id, replay=True)
            except ProtocolError as err:
                log.warning("thread %s not restored on the core: %s", slot.thread_id,
                            err.message)

    async def _restored(self) -> None:
        """Wait (bounded) for the restore after the latest reconnect."""
        if self._restore is not None and not self._restore.done():
            await asyncio.wait({self._restore}, timeout=RESTORE_TIMEOUT)

    async def drain(self, grace: float) -> None:
        """Let interrupted turns of cancelled calls end (within `grace` seconds), then stop
        what is left; called before the link to the core closes."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=grace)
        for task in list(self._background):
            task.cancel()

    def connection_ids(self) -> list[str]:
        """The core connections of this session (closed when it ends)."""
        return list(self._slots)

    # -- from the MCP client -----------------------------------------------------
    async def call_tool(self, name: str, arguments: dict[str, Any] | None, request_id: RequestId,
                        peer: Peer) -> dict[str, Any]:
        """Run one `tools/call`; the result the client gets (errors included)."""
        # After a core restart, the threads are back on the new core before a turn starts.
        await self._backend.ready()
        await self._restored()
        try:
            if name == tools.CODEX:
                return await self._codex(tools.parse_codex(arguments), request_id, peer)
            if name == tools.CODEX_REPLY:
                return await self._reply(tools.parse_reply(arguments), request_id, peer)
        except tools.ToolArgumentError as err:
            return tool_result(None, str(err), error=True)
        return tool_result(None, f"Unknown tool '{name}'", error=True)

    async def _codex(self, args: tools.CodexArgs, request_id: RequestId,
                     peer: Peer) -> dict[str, Any]:
        slot = ThreadSlot(f"m{next(self._ids)}")
        self._slots[slot.connection_id] = slot
        params = tools.thread_start_params(args)
        params["cwd"] = os.path.join(self._cwd, params["cwd"]) if "cwd" in params else self._cwd
        try:
            await self._backend.call("initialize", {"clientInfo": self.client_info},
                                     connection_id=slot.connection_id)
            started = cast(ThreadStartResponse, await self._backend.call(
                "thread/start", params, connection_id=slot.connection_id))
        except ProtocolError as err:
            del self._slots[slot.connection_id]
            return tool_result(None, f"Failed to start Codex session: {err.message}",
                               error=True)
        slot.thread_id = started["thread"]["id"]
        slot.events = TurnEvents(slot.thread_id)
        self._by_thread[slot.thread_id] = slot
        async with slot.busy:
            await self._emit(peer, slot, request_id, "", session_configured(started))
            return await self._turn(slot, args.prompt, request_id, peer)

    async def _reply(self, args: tools.ReplyArgs, request_id: RequestId,
                     peer: Peer) -> dict[str, Any]:
        slot = self._by_thread.get(args.thread_id)
        if slot is None:
            return tool_result(args.thread_id,
                               f"Session not found for thread_id: {args.thread_id}", error=True)
        async with slot.busy:
            return await self._turn(slot, args.prompt, request_id, peer)

    async def _turn(self, slot: ThreadSlot, prompt: str, request_id: RequestId,
                    peer: Peer) -> dict[str, Any]:
        # Events left from between calls belong to no call.
        while not slot.inbox.empty():
            slot.inbox.get_nowait()
        text_input = {"type": "text", "text": prompt, "text_elements": []}
        try:
            started = await self._backend.call(
                "turn/start", {"threadId": slot.thread_id, "input": [text_input]},
                connection_id=slot.connection_id)
        except ProtocolError as err:
            return tool_result(slot.thread_id, err.message, error=True)
        turn_id: str = started["turn"]["id"]
        try:
            return await self._pump(slot, turn_id, request_id, peer)
        except asyncio.CancelledError:
            # The client cancelled the call (notifications/cancelled): as the reference
            # does, interrupt the turn and report its abort. In a task of its own, since
            # this one may not await any more; it reads the thread's events next.
            task = asyncio.get_running_loop().create_task(
                self._abandon(slot, turn_id, request_id, peer))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            raise

    async def _abandon(self, slot: ThreadSlot, turn_id: str, request_id: RequestId,
                       peer: Peer) -> None:
        async with slot.busy:
            try:
                await self._backend.call("turn/interrupt",
                                         {"threadId": slot.thread_id, "turnId": turn_id},
                                         connection_id=slot.connection_id)
            except ProtocolError as err:
                log.info("cancelled call: turn %s not interrupted: %s", turn_id, err.message)
                return
            await self._pump(slot, turn_id, request_id, peer)

    async def _pump(self, slot: ThreadSlot, turn_id: str, request_id: RequestId,
                    peer: Peer) -> dict[str, Any]:
        """Forward the turn's events until it ends; its answer."""
        failure: str | None = None
        while True:
            try:
                message = await asyncio.wait_for(slot.inbox.get(), self._idle_timeout)
            except TimeoutError:
                return tool_result(slot.thread_id, "Codex turn timed out", error=True)
            if isinstance(message, Lost):
                return tool_result(slot.thread_id, CORE_LOST, error=True)
            if isinstance(message, Request):
                await self._approve(slot, message, request_id, peer)
                continue
            if _turn_of(message.params) not in (None, turn_id):
                continue
            for msg in slot.events.translate(message.method, message.params):
                if msg["type"] == "error":
                    failure = msg["message"]
                await self._emit(peer, slot, request_id, turn_id, msg)
            if message.method == "turn/completed":
                turn = cast(TurnCompletedNotification, message.params)["turn"]
                if turn["status"] == "completed":
                    return tool_result(slot.thread_id, slot.events.last_agent_message or "")
                error = turn["error"]
                text = failure or (error["message"] if error else "Turn interrupted")
                return tool_result(slot.thread_id, text, error=True)

    async def _approve(self, slot: ThreadSlot, request: Request, request_id: RequestId,
                       peer: Peer) -> None:
        if request.method == approvals.EXEC_METHOD:
            exec_params = cast(CommandExecutionRequestApprovalParams, request.params)
            ask = approvals.exec_ask(exec_params, slot.thread_id, str(request_id))
        elif request.method == approvals.PATCH_METHOD:
            patch_params = cast(FileChangeRequestApprovalParams, request.params)
            changes = slot.events.changes.get(patch_params["itemId"], {})
            ask = approvals.patch_ask(patch_params, slot.thread_id, str(request_id), changes)
        else:
            log.warning("server request %s is not asked of MCP clients", request.method)
            return
        await self._emit(peer, slot, request_id, ask.event["turn_id"], ask.event)
        answer = await peer.elicit(ask.elicitation, self._idle_timeout)
        self._backend.answer(slot.connection_id, request.request_id, request.method,
                             approvals.decision(answer))

    async def _emit(self, peer: Peer, slot: ThreadSlot, request_id: RequestId, event_id: str,
                    msg: EventMsg) -> None:
        await peer.notify(EVENT_METHOD, {
            "_meta": {"requestId": request_id, "threadId": slot.thread_id},
            "id": event_id,
            "msg": msg,
        })


def _turn_of(params: dict[str, Any]) -> str | None:
    """The turn a notification is about, when it names one."""
    turn_id = params.get("turnId")
    if isinstance(turn_id, str):
        return turn_id
    turn = params.get("turn")
    if isinstance(turn, dict) and isinstance(turn.get("id"), str):
        return cast(str, turn["id"])
    return None
