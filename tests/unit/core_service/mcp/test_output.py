"""What the model reads of an MCP tool result, as the reference formats it (probed)."""

from __future__ import annotations

from core_service.mcp.output import (
    call_failed_message,
    duration_text,
    failed_output,
    model_output,
    ordered_resource,
)

TEXT = {"type": "text", "text": "echo: hi"}
IMAGE = {"type": "image", "data": "AAAA", "mimeType": "image/png"}


def test_structured_content_wins_as_compact_json() -> None:
    """With structured content the model reads it as compact JSON (non-ASCII kept)."""
    assert model_output([TEXT], {"result": "echo: hi"}) == '{"result":"echo: hi"}'
    assert model_output([TEXT], {"t": "é"}) == '{"t":"é"}'


def test_blocks_as_json_without_an_image() -> None:
    """Without structured content and images: the blocks as compact JSON (also for
    an `isError` answer)."""
    assert model_output([TEXT], None) == '[{"type":"text","text":"echo: hi"}]'


def test_images_become_content_items() -> None:
    """With an image: `input_text` / `input_image` items with a data URL."""
    assert model_output([TEXT, IMAGE], None) == [
        {"type": "input_text", "text": "echo: hi"},
        {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]
    assert model_output([{**IMAGE, "data": "data:image/gif;base64,B"}], None) == [
        {"type": "input_image", "image_url": "data:image/gif;base64,B"}]


def test_a_call_that_timed_out() -> None:
    """The reference's message for a tool timeout, and the model's `err: "..."`."""
    message = call_failed_message("fixture", "sleepy",
                                  f"timed out awaiting tools/call after {duration_text(1)}",
                                  "deadline has elapsed")
    assert message == ("tool call error: tool call failed for `fixture/sleepy`\n\nCaused by:\n"
                       "    0: timed out awaiting tools/call after 1s\n"
                       "    1: deadline has elapsed")
    assert failed_output("a\nb") == 'err: "a\\nb"'
    assert [duration_text(s) for s in (0.5, 1.5, 60)] == ["500ms", "1.5s", "60s"]


def test_resources_in_the_reference_order() -> None:
    """The server first, then uri, name, description, mimeType as the reference writes them."""
    got = ordered_resource("fixture", {"mimeType": "text/plain", "name": "readme",
                                       "uri": "fixture://readme", "description": "d"})
    assert list(got) == ["server", "uri", "name", "description", "mimeType"]
