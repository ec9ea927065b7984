"""Tool names and schemas as the reference offers MCP tools to the model (probed)."""

from __future__ import annotations

from core_service.mcp.names import model_tool_spec, qualified_name, sanitize_schema, status_key

LONG = "a_tool_name_long_enough_to_pass_the_sixty_four_character_limit"


def test_qualified_names_are_sanitised_and_bounded() -> None:
    """`mcp__S__T`, unsafe characters as `_`, past 64 characters a SHA-1 tail (the
    reference's names for these tools, probed)."""
    assert qualified_name("fixture", "echo") == "mcp__fixture__echo"
    assert qualified_name("fixture", "dotted.name") == "mcp__fixture__dotted_name"
    assert qualified_name("fixture", LONG) == (
        "mcp__fixture__a_tool_nama935274110477d63ed6ac2226bb4ea10ee94cf03")
    assert qualified_name("dis", LONG) == (
        "mcp__dis__a_tool_name_lofdae747156a98846c27f6b5604020c53bad44801")
    assert status_key("dis", qualified_name("dis", LONG)) == (
        "a_tool_name_lofdae747156a98846c27f6b5604020c53bad44801")


def test_schemas_keep_only_what_the_model_takes() -> None:
    """The fixture's `shape` tool as the reference offered it: integers as numbers,
    enums and $refs as strings, an Optional without type as string, titles and
    defaults dropped, properties sorted."""
    schema = {
        "type": "object", "title": "shapeArguments", "required": ["mode", "tags", "point"],
        "properties": {
            "mode": {"enum": ["fast", "slow"], "title": "Mode", "type": "string"},
            "tags": {"items": {"type": "string"}, "title": "Tags", "type": "array"},
            "point": {"$ref": "#/$defs/Point"},
            "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
            "flag": {"default": False, "type": "boolean"},
            "ratio": {"default": 0.5, "type": "number"},
            "count": {"type": "integer", "description": "How many."},
        },
        "$defs": {"Point": {"type": "object"}},
    }
    assert sanitize_schema(schema) == {
        "type": "object",
        "properties": {
            "count": {"type": "number", "description": "How many."},
            "flag": {"type": "boolean"}, "limit": {"type": "string"},
            "mode": {"type": "string"}, "point": {"type": "string"},
            "ratio": {"type": "number"}, "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["mode", "tags", "point"],
    }


def test_inferred_types_and_the_spec_shape() -> None:
    """A missing type is inferred (object, array, number); the spec is a non-strict
    function with "" for a missing description."""
    assert sanitize_schema({"properties": {}})["type"] == "object"
    assert sanitize_schema({"items": {}}) == {"type": "array", "items": {"type": "string"}}
    assert sanitize_schema({"minimum": 1}) == {"type": "number"}
    assert sanitize_schema(True) == {"type": "string"}
    assert sanitize_schema({"type": ["null", "boolean"]}) == {"type": "boolean"}
    assert model_tool_spec("mcp__s__t", None, {"type": "object"}) == {
        "type": "function", "name": "mcp__s__t", "description": "", "strict": False,
        "parameters": {"type": "object", "properties": {}}}
