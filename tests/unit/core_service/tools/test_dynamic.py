"""Dynamic tools: declarations checked, offered to the model, calls asked of the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from app_server_protocol import codec, dynamic_tools_pb2
from app_server_protocol.errors import ProtocolError
from core_service.hub import ServerRequestError
from core_service.sandbox.policy import SandboxPolicy
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.context import Decision, ToolCall, ToolContext
from core_service.tools.dynamic import (
    FAILED,
    TOOL_CALL,
    checked_tools,
    handle_dynamic_call,
    tool_specs,
)
from core_service.tools.router import dispatch

SPEC: dict[str, Any] = {"name": "lookup", "description": "Look up.",
                        "inputSchema": {"type": "object"}}


class Client:
    """Answers server requests from a script; records what it was asked."""

    def __init__(self, answer: dict[str, Any] | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def ask_command(self, ctx: ToolContext, item_id: str,
                          params: Mapping[str, object]) -> Decision:
        raise AssertionError("no approval expected")

    async def ask_file_change(self, ctx: ToolContext, item_id: str,
                              params: Mapping[str, object]) -> Decision:
        raise AssertionError("no approval expected")

    async def request(self, ctx: ToolContext, method: str, msg: Any) -> Any:
        self.asked.append((method, codec.to_json(msg)))
        if self.answer is None:
            raise ServerRequestError("client broke", -32000)
        return codec.from_json(dynamic_tools_pb2.DynamicToolCallResponse, self.answer)

    def approved_for_session(self, ctx: ToolContext, key: str) -> bool:
        return False

    def remember(self, ctx: ToolContext, key: str) -> None:
        """Nothing to remember."""


def _ctx(client: Client) -> ToolContext:
    meta: Any = {"id": "thr", "created_at": 1}
    thread = LoadedThread(id="thr", meta=meta, config=None, recorder=None)  # type: ignore[arg-type]
    thread.dynamic_tools = [dict(SPEC)]
    return ToolContext(thread=thread, active=ActiveTurn("turn"), cwd="/",
                       approval_policy="never", sandbox=SandboxPolicy("read-only", ()),
                       approvals=client, item_started=lambda item: None,
                       item_completed=lambda item: None, emit=lambda cls, payload: None)


def _call(arguments: str) -> ToolCall:
    return ToolCall("call_1", "lookup", "function", arguments,
                    {"type": "function_call", "name": "lookup", "arguments": arguments,
                     "call_id": "call_1"})


@pytest.mark.parametrize(("declared", "message"), [
    ([{**SPEC, "name": " "}], "dynamic tool name must not be empty"),
    ([SPEC, SPEC], "duplicate dynamic tool name: lookup"),
    ([{**SPEC, "name": "mcp__x__y"}], "dynamic tool name is reserved: mcp__x__y"),
    ([{"name": "x"}], "Invalid request: missing field `description`"),
])
def test_bad_declarations_are_refused(declared: list[Any], message: str) -> None:
    """A blank, reserved (mcp__) or repeated name, or a missing member, is refused
    with the reference's text."""
    with pytest.raises(ProtocolError) as err:
        checked_tools(declared)
    assert err.value.message == message


def test_declared_tools_are_offered_as_non_strict_functions() -> None:
    """Each tool is a function with its schema as parameters, `strict: false`; a
    builtin's name is allowed; no declaration is no tool."""
    tools = checked_tools([SPEC, {**SPEC, "name": "exec_command"}])
    assert tool_specs(tools)[0] == {"type": "function", "name": "lookup",
                                    "description": "Look up.", "strict": False,
                                    "parameters": {"type": "object"}}
    assert checked_tools(None) == []


async def test_a_call_is_asked_and_its_content_read_by_the_model() -> None:
    """The router sends item/tool/call with the parsed arguments; the answer's text
    and image items become the output's input_text / input_image, even when
    `success` is false."""
    client = Client({"contentItems": [{"type": "inputText", "text": "open"},
                                      {"type": "inputImage", "imageUrl": "data:x"}],
                     "success": False})
    result = await dispatch(_ctx(client), _call('{"id": "T-1"}'))
    assert client.asked == [(TOOL_CALL, {"threadId": "thr", "turnId": "turn",
                                         "callId": "call_1", "tool": "lookup",
                                         "arguments": {"id": "T-1"}})]
    assert result.items == [{"type": "input_text", "text": "open"},
                            {"type": "input_image", "image_url": "data:x"}]


async def test_failures_read_the_reference_texts() -> None:
    """A client error reads `dynamic tool request failed`; arguments that are not JSON
    read serde_json's text and nobody is asked."""
    failed = await handle_dynamic_call(_ctx(Client(None)), _call("{}"))
    assert failed.items == [{"type": "input_text", "text": FAILED}]
    client = Client({"contentItems": [], "success": True})
    bad = await handle_dynamic_call(_ctx(client), _call("{bad json"))
    assert bad.output == ("failed to parse function arguments: key must be a string at "
                          "line 1 column 2")
    assert bad.items is None and client.asked == []
