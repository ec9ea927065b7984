"""End to end: the tools offered to the model and the answers to its calls.

Every expected text was observed from codex 0.104.0 against the same mock
model (see tests/unit/core_service/tools/test_arguments.py for the serde
messages).
"""

from __future__ import annotations

import base64
from typing import Any

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.mock_model import MockModelServer

# A valid 1x1 RGBA PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


def _outputs(body: dict[str, Any]) -> dict[str, str]:
    return {i["call_id"]: i["output"] for i in body["input"]
            if i["type"] in ("function_call_output", "custom_tool_call_output")}


async def test_plan_unknown_tools_and_bad_arguments(
    launch: Launcher, mock: MockModelServer
) -> None:
    """update_plan sends turn/plan/updated (camelCase statuses, no item) and the model
    reads "Plan updated"; unknown function and custom tools and malformed arguments
    get the reference's texts; request_user_input is unavailable outside plan mode."""
    mock.enqueue(
        {"kind": "function_call", "name": "update_plan", "call_id": "p1", "arguments": {
            "explanation": "why", "plan": [{"step": "a", "status": "in_progress"},
                                           {"step": "b", "status": "pending"}]}},
        {"kind": "function_call", "name": "update_plan", "call_id": "p2",
         "arguments": '{"plan": [{"step": "a", "status": "bogus"}]}'},
        {"kind": "function_call", "name": "nosuch_tool", "call_id": "u1", "arguments": {}},
        {"kind": "custom_tool_call", "name": "nosuch", "call_id": "u2", "input": "x"},
        {"kind": "function_call", "name": "update_plan", "call_id": "b1",
         "arguments": "{not json"},
        {"kind": "function_call", "name": "request_user_input", "call_id": "r1",
         "arguments": {"questions": []}},
        {"kind": "text", "text": "done"},
    )
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    start = len(client.notifications)
    turn = await run_turn(client, tid, "plan it")
    assert turn["status"] == "completed"
    plans = [n["params"] for n in client.notifications[start:]
             if n["method"] == "turn/plan/updated"]
    assert plans == [{"threadId": tid, "turnId": turn["id"], "explanation": "why",
                      "plan": [{"step": "a", "status": "inProgress"},
                               {"step": "b", "status": "pending"}]}]
    items = [n["params"]["item"]["type"] for n in client.notifications[start:]
             if n["method"] == "item/completed"]
    assert items == ["userMessage", "agentMessage"]
    outputs = _outputs(mock.responses_requests[-1].body)
    assert outputs == {
        "p1": "Plan updated",
        "p2": "failed to parse function arguments: unknown variant `bogus`, expected one of "
              "`pending`, `in_progress`, `completed` at line 1 column 41",
        "u1": "unsupported call: nosuch_tool",
        "u2": "unsupported custom tool call: nosuch",
        "b1": "failed to parse function arguments: key must be a string at line 1 column 2",
        "r1": "request_user_input is unavailable in Default mode",
    }
    kinds = [i["type"] for i in mock.responses_requests[-1].body["input"]][-12:]
    assert kinds == ["function_call", "function_call_output"] * 3 + [
        "custom_tool_call", "custom_tool_call_output"] + [
        "function_call", "function_call_output"] * 2


async def test_view_image_attaches_the_image(
    launch: Launcher, mock: MockModelServer, tmp_path: Any
) -> None:
    """view_image shows an imageView item, the model reads "attached local image path"
    and then a user message with the image (also a userMessage item); a file that is
    not an image is explained in that message; a missing path and a directory are the
    call's output."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "pic.png").write_bytes(PNG)
    (work / "notes.txt").write_text("hello")
    mock.enqueue(
        {"kind": "function_call", "name": "view_image", "call_id": "v1",
         "arguments": {"path": "pic.png"}},
        {"kind": "function_call", "name": "view_image", "call_id": "v2",
         "arguments": {"path": "notes.txt"}},
        {"kind": "function_call", "name": "view_image", "call_id": "v3",
         "arguments": {"path": "sub"}},
        {"kind": "function_call", "name": "view_image", "call_id": "v4",
         "arguments": {"path": "missing.png"}},
        {"kind": "text", "text": "seen"},
    )
    client = await launch("ws")
    await client.initialize()
    tid = (await client.call("thread/start", {"cwd": str(work)}))["thread"]["id"]
    start = len(client.notifications)
    await run_turn(client, tid, "look")
    completed = [n["params"]["item"] for n in client.notifications[start:]
                 if n["method"] == "item/completed"]
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert completed[1] == {"type": "imageView", "id": "v1", "path": str(work / "pic.png")}
    assert completed[2]["type"] == "userMessage"
    assert completed[2]["content"] == [{"type": "image", "url": url}]
    assert completed[3] == {"type": "imageView", "id": "v2", "path": str(work / "notes.txt")}
    unreadable = (f"Codex could not read the local image at `{work / 'notes.txt'}`: "
                  "unsupported MIME type `text/plain`")
    assert completed[4]["content"] == [{"type": "text", "text": unreadable, "text_elements": []}]
    body = mock.responses_requests[-1].body
    outputs = _outputs(body)
    assert outputs["v1"] == outputs["v2"] == "attached local image path"
    assert outputs["v3"] == f"image path `{work / 'sub'}` is not a file"
    assert outputs["v4"] == (f"unable to locate image at `{work / 'missing.png'}`: "
                             "No such file or directory (os error 2)")
    inputs = body["input"]
    first = next(i for i, m in enumerate(inputs) if m.get("call_id") == "v1"
                 and m["type"] == "function_call_output")
    assert inputs[first + 1] == {"type": "message", "role": "user",
                                 "content": [{"type": "input_image", "image_url": url}]}
