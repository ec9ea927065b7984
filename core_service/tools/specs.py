"""The tools offered to the model in each request, as the reference offers them.

The JSON specs (names, descriptions, parameter schemas, the apply_patch
grammar) are the reference's own, captured from its requests to a mock
model, and kept as data in `specs.json`. Which of them a request carries
depends on the model and on `[features]`: `exec_command` + `write_stdin`
(unified exec, the default) or `shell_command` (`unified_exec = false`),
none of them with `shell_tool = false`; `apply_patch` as a freeform tool
for the model families that take it (or `apply_patch_freeform = true`);
`view_image` unless `view_image_tool = false`. With MCP servers configured,
the resource tools follow the command tools and the servers' own tools
(given by the caller, see `core_service.mcp`) end the array.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from core_service.config.schema import Config

# Model slugs whose requests carry the freeform apply_patch tool (observed on
# codex 0.104: every gpt-5.1/5.2/5.3 and gpt-5-codex variant; not gpt-5, o3,
# gpt-4.1, codex-mini-latest or an unknown slug).
_FREEFORM_PATCH_PREFIXES = ("gpt-5.1", "gpt-5.2", "gpt-5.3", "gpt-5-codex")


@cache
def _specs() -> dict[str, dict[str, Any]]:
    text = resources.files("core_service.tools").joinpath("specs.json").read_text("utf-8")
    specs: dict[str, dict[str, Any]] = json.loads(text)
    mcp = resources.files("core_service.mcp").joinpath("resource_specs.json").read_text("utf-8")
    specs.update(json.loads(mcp))
    return specs


def spec(name: str) -> dict[str, Any]:
    """The JSON spec of one tool (a fresh copy: requests may be mutated)."""
    copy: dict[str, Any] = json.loads(json.dumps(_specs()[name]))
    return copy


def takes_freeform_patch(config: Config) -> bool:
    """Whether requests for the configured model carry the freeform apply_patch tool."""
    if config.feature_enabled("apply_patch_freeform", default=False):
        return True
    return config.model.startswith(_FREEFORM_PATCH_PREFIXES)


MCP_RESOURCE_TOOLS = ("list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource")


def tool_names(config: Config, mcp_resources: bool = False) -> list[str]:
    """The names of the tools offered under `config`, in the reference's order
    (with the MCP resource tools when `mcp_resources`)."""
    names: list[str] = []
    if config.feature_enabled("shell_tool", default=True):
        if config.feature_enabled("unified_exec", default=True):
            names += ["exec_command", "write_stdin"]
        else:
            names.append("shell_command")
    if mcp_resources:
        names += MCP_RESOURCE_TOOLS
    names += ["update_plan", "request_user_input"]
    if takes_freeform_patch(config):
        names.append("apply_patch")
    names.append("web_search")
    if config.feature_enabled("view_image_tool", default=True):
        names.append("view_image")
    return names


def tools_for(
    config: Config, mcp_tools: Sequence[dict[str, Any]] = (), mcp_resources: bool = False
) -> list[dict[str, Any]]:
    """The `tools` array of a model request under `config`, the MCP servers'
    `mcp_tools` last (shared: never mutated)."""
    return [*_tools(tuple(tool_names(config, mcp_resources))), *mcp_tools]


@cache
def _tools(names: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    return tuple(spec(name) for name in names)
