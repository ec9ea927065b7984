"""`view_image`: attach a local image to the conversation, as the reference does.

The call shows an `imageView` item; the model reads "attached local image
path", and the image follows in the history as a user message (also shown as
a `userMessage` item). A file that is not an image is reported to the model
in that message instead; a missing path or a directory is the call's output.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from pathlib import Path

from app_server_protocol.wire_types import (
    ImageViewThreadItem,
    UserInput,
    UserMessageThreadItem,
)
from core_service.serde import ArgumentError, Str, Struct, decode
from core_service.tools.context import ToolCall, ToolContext, ToolResult
from core_service.turns.items import new_item_id

ATTACHED = "attached local image path"
ARGS = Struct("ViewImageArgs", {"path": Str()}, frozenset({"path"}))


async def handle_view_image(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Show the image item, then attach the image (or say why it cannot be read)."""
    try:
        args = decode(call.arguments, ARGS)
    except ArgumentError as err:
        return ToolResult(err.model_text())
    path = Path(ctx.cwd, args["path"])
    text = str(path)
    exists, is_file = await asyncio.to_thread(lambda: (path.exists(), path.is_file()))
    if not exists:
        return ToolResult(f"unable to locate image at `{text}`: No such file or directory "
                          "(os error 2)")
    if not is_file:
        return ToolResult(f"image path `{text}` is not a file")
    item: ImageViewThreadItem = {"type": "imageView", "id": call.call_id, "path": text}
    ctx.item_started(item)
    ctx.item_completed(item)
    content: UserInput
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not mime.startswith("image/"):
        content = {"type": "text", "text": f"Codex could not read the local image at `{text}`: "
                   f"unsupported MIME type `{mime}`", "text_elements": []}
        part = {"type": "input_text", "text": content["text"]}
    else:
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as err:
            reason = f"{err.strerror} (os error {err.errno})" if err.errno else str(err)
            return ToolResult(f"unable to read image at `{text}`: {reason}")
        url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        content = {"type": "image", "url": url}
        part = {"type": "input_image", "image_url": url}
    message: UserMessageThreadItem = {
        "type": "userMessage", "id": new_item_id(), "content": [content]}
    ctx.item_started(message)
    ctx.item_completed(message)
    return ToolResult(ATTACHED, ({"type": "message", "role": "user", "content": [part]},))

