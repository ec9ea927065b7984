"""Which handler answers a tool call, and the history item of its answer.

A model output item that calls a tool (`function_call`, `custom_tool_call`,
`local_shell_call`) becomes a `ToolCall`; `dispatch` runs its handler and
returns what the model reads. Names the reference does not serve get its
texts ("unsupported call: <name>", "unsupported custom tool call: <name>").
The command tools are accepted in every shape the reference accepts, offered
or not (`shell`, `shell_command`, `local_shell_call`, `container.exec`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core_service.mcp.output import failed_output
from core_service.model.events import ResponseItem
from core_service.tools import exec_tool
from core_service.tools.context import ToolCall, ToolContext, ToolResult
from core_service.tools.dynamic import handle_dynamic_call, is_dynamic
from core_service.tools.mcp_tool import PREFIX as MCP_PREFIX
from core_service.tools.mcp_tool import RESOURCE_TOOLS, handle_mcp_call
from core_service.tools.patch import handle_apply_patch
from core_service.tools.plan import handle_update_plan
from core_service.tools.view_image import handle_view_image

Handler = Callable[[ToolContext, ToolCall], Awaitable[ToolResult]]

# The only mode this server runs turns in (collaboration modes are not served).
REQUEST_USER_INPUT_UNAVAILABLE = "request_user_input is unavailable in Default mode"


async def _request_user_input(ctx: ToolContext, call: ToolCall) -> ToolResult:
    return ToolResult(REQUEST_USER_INPUT_UNAVAILABLE)


FUNCTION_HANDLERS: dict[str, Handler] = {
    "exec_command": exec_tool.handle_exec_command,
    "write_stdin": exec_tool.handle_write_stdin,
    "shell": exec_tool.handle_shell,
    "container.exec": exec_tool.handle_shell,
    "shell_command": exec_tool.handle_shell,
    "update_plan": handle_update_plan,
    "apply_patch": handle_apply_patch,
    "view_image": handle_view_image,
    "request_user_input": _request_user_input,
}
CUSTOM_HANDLERS: dict[str, Handler] = {
    "apply_patch": handle_apply_patch,
}

def tool_call(output: ResponseItem) -> ToolCall | None:
    """The tool call of a model output item, or None when it calls no tool."""
    kind = output.get("type")
    call_id = str(output.get("call_id") or output.get("id") or "")
    if kind == "function_call":
        return ToolCall(call_id, str(output.get("name") or ""), "function",
                        str(output.get("arguments") or ""), output)
    if kind == "custom_tool_call":
        return ToolCall(call_id, str(output.get("name") or ""), "custom",
                        str(output.get("input") or ""), output)
    if kind == "local_shell_call":
        action = output.get("action")
        return ToolCall(call_id, "local_shell", "local_shell", "", output,
                        action if isinstance(action, dict) else {})
    return None


async def dispatch(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Run `call`'s handler; what the model reads about it."""
    if call.kind == "local_shell":
        return await exec_tool.handle_shell(ctx, call)
    if call.kind == "custom":
        handler = CUSTOM_HANDLERS.get(call.name)
        if handler is None:
            return ToolResult(f"unsupported custom tool call: {call.name}")
        return await handler(ctx, call)
    handler = FUNCTION_HANDLERS.get(call.name)
    if handler is None and (call.name.startswith(MCP_PREFIX) or call.name in RESOURCE_TOOLS):
        handler = handle_mcp_call
    if handler is None and is_dynamic(ctx, call.name):
        handler = handle_dynamic_call
    if handler is None:
        return ToolResult(f"unsupported call: {call.name}")
    return await handler(ctx, call)


def aborted(call: ToolCall, elapsed: float) -> ToolResult:
    """What the model reads of a call that `turn/interrupt` cut short (an MCP tool
    call's answer is an error string, as the reference words it: probed)."""
    text = f"aborted by user after {elapsed:.1f}s"
    return ToolResult(failed_output(text) if call.name.startswith(MCP_PREFIX) else text)


def output_item(call: ToolCall, result: ToolResult) -> ResponseItem:
    """The history item answering `call` (sent in the next request's input)."""
    kind = "custom_tool_call_output" if call.kind == "custom" else "function_call_output"
    told = result.output if result.items is None else result.items
    return {"type": kind, "call_id": call.call_id, "output": told}
