"""The tools offered per model and per `[features]`, as codex 0.104 offers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_service.tools.specs import spec, tool_names, tools_for
from tests.unit.core_service.turns.support import config


@pytest.mark.parametrize("model", ["gpt-5.1-codex", "gpt-5.2-codex", "gpt-5.1", "gpt-5.2",
                                   "gpt-5.3-codex", "gpt-5-codex", "gpt-5.1-codex-mini"])
def test_apply_patch_models_get_the_freeform_tool(tmp_path: Path, model: str) -> None:
    """The gpt-5.1+/codex families get all seven tools, apply_patch as a custom tool."""
    assert tool_names(config(tmp_path, model=model)) == [
        "exec_command", "write_stdin", "update_plan", "request_user_input", "apply_patch",
        "web_search", "view_image"]
    assert spec("apply_patch")["type"] == "custom"
    assert spec("apply_patch")["format"]["syntax"] == "lark"


@pytest.mark.parametrize("model", ["gpt-5", "o3", "gpt-4.1", "codex-mini-latest", "unknown"])
def test_other_models_get_no_apply_patch(tmp_path: Path, model: str) -> None:
    """gpt-5, o3, gpt-4.1 and unknown slugs are offered no apply_patch tool."""
    assert "apply_patch" not in tool_names(config(tmp_path, model=model))


def test_features_change_the_command_tools(tmp_path: Path) -> None:
    """unified_exec = false offers shell_command; shell_tool = false no command tool;
    apply_patch_freeform = true adds apply_patch for any model."""
    cfg = config(tmp_path, model="gpt-5.1-codex")
    cfg.features = {"unified_exec": False}
    assert tool_names(cfg)[:2] == ["shell_command", "update_plan"]
    cfg.features = {"shell_tool": False}
    assert tool_names(cfg)[0] == "update_plan"
    cfg = config(tmp_path, model="gpt-5")
    cfg.features = {"apply_patch_freeform": True}
    assert "apply_patch" in tool_names(cfg)
    cfg.features = {"view_image_tool": False}
    assert "view_image" not in tool_names(cfg)


def test_specs_are_copies() -> None:
    """A spec handed out can be changed without changing the next one."""
    first = spec("exec_command")
    first["name"] = "changed"
    assert spec("exec_command")["name"] == "exec_command"


def test_mcp_tools_follow_the_command_tools_and_end_the_array(tmp_path: Path) -> None:
    """With MCP servers configured the resource tools follow the command tools (as the
    reference orders them) and the servers' own tools come last."""
    cfg = config(tmp_path, model="gpt-5.1-codex")
    assert tool_names(cfg, mcp_resources=True)[:5] == [
        "exec_command", "write_stdin", "list_mcp_resources", "list_mcp_resource_templates",
        "read_mcp_resource"]
    mcp = ({"type": "function", "name": "mcp__s__t"},)
    tools = tools_for(cfg, mcp, mcp_resources=True)
    assert tools[-1] is mcp[0] and tools[2]["name"] == "list_mcp_resources"
    assert spec("read_mcp_resource")["parameters"]["required"] == ["server", "uri"]
    assert "list_mcp_resources" not in [t.get("name") for t in tools_for(cfg)]
