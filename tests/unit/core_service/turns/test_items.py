"""Mapping between v2 items, user input and the model's history items."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from core_service.turns import items


def test_user_input_becomes_model_content_parts(tmp_path: Path) -> None:
    """Text and image inputs map to input parts; a local image is sent as a data
    URL; skills and mentions are described in text."""
    image = tmp_path / "pic.png"
    image.write_bytes(b"\x89PNG")
    inputs: list[Any] = [
        {"type": "text", "text": "look", "text_elements": []},
        {"type": "image", "url": "https://x/y.png"},
        {"type": "localImage", "path": str(image)},
        {"type": "skill", "name": "s", "path": "/skills/s"},
    ]
    assert items.needs_files(inputs)
    assert items.user_input_to_model(inputs) == [
        {"type": "input_text", "text": "look"},
        {"type": "input_image", "image_url": "https://x/y.png"},
        {"type": "input_image",
         "image_url": "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode()},
        {"type": "input_text", "text": "<skill name='s' path='/skills/s'>"},
    ]


def test_an_unreadable_local_image_is_reported_to_the_model(tmp_path: Path) -> None:
    """A local image that cannot be read becomes a text part saying so."""
    (part,) = items.user_input_to_model([{"type": "localImage", "path": str(tmp_path / "no")}])
    assert part["type"] == "input_text"
    assert part["text"].startswith(f"<image {tmp_path / 'no'} could not be read:")


def test_core_items_get_fresh_ids() -> None:
    """User message and compaction items each get a new id."""
    first = items.user_message_item([])
    second = items.user_message_item([])
    assert first["type"] == "userMessage" and first["id"] != second["id"]
    assert items.compaction_item()["type"] == "contextCompaction"


def test_started_items_show_messages_and_reasoning_only() -> None:
    """Messages and reasoning are announced empty; other output is not shown."""
    assert items.started_item({"type": "message", "id": "m"}) == {
        "type": "agentMessage", "id": "m", "text": ""}
    assert items.started_item({"type": "reasoning", "id": "r"}) == {
        "type": "reasoning", "id": "r", "summary": [], "content": []}
    assert items.started_item({"type": "web_search_call", "id": "w"}) is None


def test_completed_items_prefer_the_final_text_over_the_streamed() -> None:
    """The finished item's text wins; a bare finished item uses what was streamed."""
    final = {"type": "message", "id": "m",
             "content": [{"type": "output_text", "text": "final"}, {"type": "refusal"}]}
    assert items.completed_item(final, "streamed", [], []) == {
        "type": "agentMessage", "id": "m", "text": "final"}
    bare = {"type": "message", "id": "m", "content": []}
    assert items.completed_item(bare, "streamed", [], [])["text"] == "streamed"  # type: ignore[index]
    reasoning = {"type": "reasoning", "id": "r", "summary": [{"text": "s"}]}
    assert items.completed_item(reasoning, "", ["ignored"], ["c"]) == {
        "type": "reasoning", "id": "r", "summary": ["s"], "content": ["c"]}
    assert items.completed_item({"type": "function_call"}, "", [], []) is None


def test_history_items_drop_the_output_id() -> None:
    """Items sent back to the model carry no id."""
    assert items.history_item({"type": "message", "id": "m", "role": "assistant"}) == {
        "type": "message", "role": "assistant"}


def test_text_messages_are_history_items() -> None:
    """A text message is one input_text part, usable as a history entry as is."""
    msg = items.text_message("developer", "rules")
    assert items.as_history(msg) == {
        "type": "message", "role": "developer",
        "content": [{"type": "input_text", "text": "rules"}]}
