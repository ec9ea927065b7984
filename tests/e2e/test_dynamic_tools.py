"""End to end: dynamic tools declared on thread/start, called through item/tool/call."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

TOOL = {"name": "lookup_ticket", "description": "Look up a ticket by id.",
        "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}},
                        "required": ["id"]}}


async def _next_call(client: ProtocolClient, seen: int) -> dict[str, Any]:
    """The server request after the first `seen` ones (bounded wait)."""
    found: dict[str, Any] = await client.wait_for(
        lambda: client.server_requests[seen] if len(client.server_requests) > seen else None,
        what="item/tool/call")
    return found


async def test_dynamic_tool_round_trip(launch: Launcher, transport: str,
                                       mock: MockModelServer) -> None:
    """The declared tool is offered to the model after the built-in ones; each call is
    an item/tool/call to the client and its content (text, image) is the function
    output the model reads next; a JSON-RPC error answer reads `dynamic tool request
    failed`; no item is shown for the calls."""
    mock.enqueue({"kind": "function_call", "name": "lookup_ticket",
                  "arguments": {"id": "T-1"}, "call_id": "call_d1"})
    mock.enqueue({"kind": "function_call", "name": "lookup_ticket",
                  "arguments": {"id": "T-2"}, "call_id": "call_d2"})
    mock.enqueue({"kind": "text", "text": "done"})
    client = await launch(transport)
    await client.initialize(experimentalApi=True)
    tid = (await client.call("thread/start", {"dynamicTools": [TOOL]}))["thread"]["id"]
    turn = await client.call("turn/start", {"threadId": tid,
                                            "input": [{"type": "text", "text": "go"}]})
    first = await _next_call(client, 0)
    assert first["method"] == "item/tool/call"
    assert first["params"] == {"threadId": tid, "turnId": turn["turn"]["id"],
                               "callId": "call_d1", "tool": "lookup_ticket",
                               "arguments": {"id": "T-1"}}
    await client.send({"id": first["id"], "result": {"contentItems": [
        {"type": "inputText", "text": "Ticket T-1: open"},
        {"type": "inputImage", "imageUrl": "data:image/png;base64,AAAA"}], "success": True}})
    second = await _next_call(client, 1)
    await client.send({"id": second["id"], "error": {"code": -32000, "message": "broke"}})
    await client.wait_notification("turn/completed")
    bodies = [r.body for r in mock.requests]
    offered = bodies[0]["tools"][-1]
    assert offered == {"type": "function", "name": "lookup_ticket",
                       "description": TOOL["description"], "strict": False,
                       "parameters": TOOL["inputSchema"]}
    outputs = [i for i in bodies[-1]["input"] if i.get("type") == "function_call_output"]
    assert outputs == [
        {"type": "function_call_output", "call_id": "call_d1", "output": [
            {"type": "input_text", "text": "Ticket T-1: open"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]},
        {"type": "function_call_output", "call_id": "call_d2", "output": [
            {"type": "input_text", "text": "dynamic tool request failed"}]},
    ]
    kinds = {n["params"]["item"]["type"] for n in client.notifications
             if n["method"] == "item/completed"}
    assert kinds == {"userMessage", "agentMessage"}


async def test_declarations_need_the_capability_and_valid_names(launch: Launcher) -> None:
    """Without experimentalApi dynamicTools is refused with the reference's text; with
    it a blank or repeated name is refused."""
    plain = await launch("stdio")
    await plain.initialize()
    refused = await plain.request("thread/start", {"dynamicTools": [TOOL]})
    assert refused["error"]["message"] == (
        "thread/start.dynamicTools requires experimentalApi capability")
    client = await launch("stdio")
    await client.initialize(experimentalApi=True)
    blank = await client.request("thread/start", {"dynamicTools": [{**TOOL, "name": ""}]})
    assert blank["error"] == {"code": -32600, "message": "dynamic tool name must not be empty"}
    twice = await client.request("thread/start", {"dynamicTools": [TOOL, TOOL]})
    assert twice["error"]["message"] == "duplicate dynamic tool name: lookup_ticket"
