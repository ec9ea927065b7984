"""What a tool handler is given and what it gives back.

The agent loop turns each tool call of a model response into a `ToolCall`
and hands it, with a `ToolContext`, to the handler of its tool (see
`router`). A handler runs the tool, shows it to the clients as items and
notifications through the context, asks the clients for approval through
the context when the policy says so, and returns a `ToolResult`: the text
the model reads in its next request. Handlers never raise for a bad call:
a malformed argument or a failed command is a `ToolResult` the model can
read; only `TurnCancelled` (the user cancelled in an approval) and
`asyncio.CancelledError` (the turn was interrupted) end the turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

from app_server_protocol.wire_types import AskForApproval, ThreadItem
from core_service.mcp.manager import McpManager
from core_service.model.events import ResponseItem
from core_service.sandbox.policy import SandboxPolicy
from core_service.store.records import RolloutRecord
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.apply_patch.turn_diff import TurnDiff
from core_service.tools.unified_exec import UnifiedExec

# How a tool call reached us: a Responses API `function_call` (JSON
# arguments), a `custom_tool_call` (freeform input) or a `local_shell_call`.
CallKind: TypeAlias = Literal["function", "custom", "local_shell"]

# A client's answer to an approval request, normalised. "failed" is a
# JSON-RPC error answer (the reference treats it as a decline for the model
# but completes the item `failed`).
Decision: TypeAlias = Literal["accept", "acceptForSession", "decline", "cancel", "failed"]


@dataclass(frozen=True)
class ToolCall:
    """One tool call of a model response.

    `arguments` is the raw JSON text of a function call, the freeform input
    of a custom tool call, or "" for a local shell call (whose `action` is
    set instead). `item` is the model's output item as received.
    """

    call_id: str
    name: str
    kind: CallKind
    arguments: str
    item: ResponseItem
    action: Mapping[str, object] | None = None


@dataclass(frozen=True)
class ToolResult:
    """What the model reads about a tool call in its next request.

    `extra` are history items that follow the call's output (view_image
    attaches the image as a user message after it). `items`, when set, are
    the Responses API content items the model reads instead of `output` (an
    MCP tool's answer with an image).
    """

    output: str
    extra: tuple[ResponseItem, ...] = ()
    items: list[dict[str, Any]] | None = None


class TurnCancelled(Exception):
    """The user answered an approval with `cancel`: the turn ends `interrupted`.

    Carries the result the model would have read, recorded in the history
    so the next turn sees the call answered.
    """

    def __init__(self, result: ToolResult) -> None:
        super().__init__(result.output)
        self.result = result


class Approvals(Protocol):
    """Asks the thread's clients to approve; remembers `acceptForSession` answers.

    Implemented by the agent loop (`turns.tool_calls.HubApprovals`); tools only call it.
    """

    async def ask_command(
        self, ctx: ToolContext, item_id: str, params: Mapping[str, object]
    ) -> Decision:
        """Send `item/commandExecution/requestApproval` (threadId/turnId/itemId are
        filled in from `ctx` and `item_id`) and wait for the first answer."""
        ...

    async def ask_file_change(
        self, ctx: ToolContext, item_id: str, params: Mapping[str, object]
    ) -> Decision:
        """Send `item/fileChange/requestApproval` and wait for the first answer."""
        ...

    async def request(self, ctx: ToolContext, method: str, msg: Any) -> Any:
        """Send the server request `method` (`msg`, its params message) to the
        thread's clients like an approval and return the first answer's result
        message; raises `hub.ServerRequestError` when the client answers an error."""
        ...

    def approved_for_session(self, ctx: ToolContext, key: str) -> bool:
        """Whether the user accepted `key` "for session" on this thread."""
        ...

    def remember(self, ctx: ToolContext, key: str) -> None:
        """Record an `acceptForSession` answer for `key` on this thread."""
        ...


@dataclass
class ToolContext:
    """The turn a tool call runs in, and the ways to show it to clients.

    `emit(method_json_name_cls, payload)` sends a turn notification (the
    payload is the v2 JSON params, `threadId`/`turnId` included by the
    caller); `item_started` / `item_completed` send item/started and
    item/completed (completed items are also kept in the turn and the
    rollout). What the user accepted "for session" is kept by `approvals`
    for as long as the thread is loaded.
    """

    thread: LoadedThread
    active: ActiveTurn
    cwd: str
    approval_policy: AskForApproval
    sandbox: SandboxPolicy
    approvals: Approvals
    item_started: Callable[[ThreadItem], None]
    item_completed: Callable[[ThreadItem], None]
    emit: Callable[[type, Mapping[str, object]], None]
    records: list[RolloutRecord] = field(default_factory=list)
    # One per turn (shared by its tool calls): the files its patches touched.
    turn_diff: TurnDiff = field(default_factory=TurnDiff)
    # The thread's exec_command sessions (the agent loop passes the thread's own).
    sessions: UnifiedExec = field(default_factory=UnifiedExec)
    # The core's MCP servers (None when the core runs without them).
    mcp: McpManager | None = None

    @property
    def thread_id(self) -> str:
        """The thread's id."""
        return self.thread.id

    @property
    def turn_id(self) -> str:
        """The running turn's id."""
        return self.active.id
