"""What a turn's items look like on each side: v2 ThreadItems and model history.

The model (Responses API) and the client (v2 protocol) see the same turn in
two shapes. This module maps between them: user input to a `userMessage`
item and to Responses API content parts, model output items to
`agentMessage` / `reasoning` items and to the history items sent back on the
next request. Items the core creates itself (user messages, compactions) get
their id from `new_item_id`, the one place such ids are minted; items the
model produced keep the model's ids.
"""

from __future__ import annotations

import base64
import mimetypes
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TypedDict, cast

from app_server_protocol.wire_types import (
    AgentMessageThreadItem,
    ContextCompactionThreadItem,
    ReasoningThreadItem,
    UserInput,
    UserMessageThreadItem,
)
from core_service.model.events import ResponseItem


class InputText(TypedDict):
    """A text content part of a Responses API input message."""

    type: Literal["input_text"]
    text: str


class InputImage(TypedDict):
    """An image content part of a Responses API input message (URL or data URL)."""

    type: Literal["input_image"]
    image_url: str


ContentPart = InputText | InputImage


class Message(TypedDict):
    """A Responses API input message the core writes into the model history."""

    type: Literal["message"]
    role: Literal["user", "developer"]
    content: list[ContentPart]


# A model output item as the agent loop shows it: a message or reasoning.
ShownItem = AgentMessageThreadItem | ReasoningThreadItem

def new_item_id() -> str:
    """A fresh id for an item the core creates (user message, compaction)."""
    return str(uuid.uuid4())


def text_message(role: Literal["user", "developer"], text: str) -> Message:
    """A history message with one text part."""
    return {"type": "message", "role": role, "content": [{"type": "input_text", "text": text}]}


def as_history(item: Message) -> ResponseItem:
    """An item the core wrote, as an entry of the thread's model history."""
    # Same JSON either way: the history also holds the model's own output items.
    return cast(ResponseItem, item)


def user_message_item(inputs: list[UserInput]) -> UserMessageThreadItem:
    """The v2 `userMessage` item of a turn's (or a steer's) input."""
    return {"type": "userMessage", "id": new_item_id(), "content": inputs}


def compaction_item() -> ContextCompactionThreadItem:
    """The v2 `contextCompaction` item of a compaction turn."""
    return {"type": "contextCompaction", "id": new_item_id()}


def needs_files(inputs: list[UserInput]) -> bool:
    """Whether mapping `inputs` reads files (then it belongs in a worker thread)."""
    return any(i["type"] == "localImage" for i in inputs)


def user_input_to_model(inputs: list[UserInput]) -> list[ContentPart]:
    """Responses API content parts of a user message (reads local images: may block)."""
    parts: list[ContentPart] = []
    for item in inputs:
        if item["type"] == "text":
            parts.append({"type": "input_text", "text": item["text"]})
        elif item["type"] == "image":
            parts.append({"type": "input_image", "image_url": item["url"]})
        elif item["type"] == "localImage":
            parts.append(_local_image(Path(item["path"])))
        else:
            text = f"<{item['type']} name={item['name']!r} path={item['path']!r}>"
            parts.append({"type": "input_text", "text": text})
    return parts


def _local_image(path: Path) -> ContentPart:
    try:
        data = path.read_bytes()
    except OSError as err:
        # The model is told instead of failing the turn, as for any unreadable input.
        return {"type": "input_text", "text": f"<image {path} could not be read: {err}>"}
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"type": "input_image",
            "image_url": f"data:{mime};base64,{base64.b64encode(data).decode()}"}


def started_item(output: ResponseItem) -> ShownItem | None:
    """The v2 item announced by `item/started` for a model output item, if it is shown."""
    kind = output.get("type")
    item_id = output.get("id") or ""
    if kind == "message":
        return {"type": "agentMessage", "id": item_id, "text": ""}
    if kind == "reasoning":
        return {"type": "reasoning", "id": item_id, "summary": [], "content": []}
    return None


def completed_item(
    output: ResponseItem,
    streamed_text: str,
    streamed_summary: Sequence[str],
    streamed_content: Sequence[str],
) -> ShownItem | None:
    """The v2 item of a finished model output item, if it is shown.

    The finished item's own text wins; what was streamed fills in when the
    upstream sends a bare `output_item.done` (as some providers do).
    """
    kind = output.get("type")
    item_id = output.get("id") or ""
    if kind == "message":
        text = "".join(
            c.get("text", "") for c in output.get("content") or []
            if isinstance(c, dict) and c.get("type") == "output_text"
        )
        return {"type": "agentMessage", "id": item_id, "text": text or streamed_text}
    if kind == "reasoning":
        summary = [s.get("text", "") for s in output.get("summary") or [] if isinstance(s, dict)]
        content = [c.get("text", "") for c in output.get("content") or [] if isinstance(c, dict)]
        return {"type": "reasoning", "id": item_id,
                "summary": summary or list(streamed_summary),
                "content": content or list(streamed_content)}
    return None


def history_item(output: ResponseItem) -> ResponseItem:
    """A model output item as sent back in the next request's input (without its id)."""
    return {k: v for k, v in output.items() if k != "id"}
