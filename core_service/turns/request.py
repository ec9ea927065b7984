"""The model request of a turn: Responses API body, headers and credentials.

Every request of a turn (the first, each follow-up, a compaction's) sends
the thread's whole model history with the thread's instructions, reasoning
settings for the models that take them, and the headers the upstream uses to
attribute the request (originator, user agent, session and turn metadata).
Its credentials come from `Credentials.request_auth`: with ChatGPT tokens the
built-in provider calls the ChatGPT backend's Codex route, and a 401 calls
the refresher once before the one retry.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Protocol

from app_server_protocol.wire_types import ClientInfo
from core_service.account.credentials import RequestAuth
from core_service.mcp.manager import NO_MCP, McpOffer
from core_service.model.catalog import supports_reasoning
from core_service.model.client import ModelRequest
from core_service.model.events import ModelEvent, ResponseItem
from core_service.threads.state import LoadedThread
from core_service.tools.dynamic import tool_specs
from core_service.tools.specs import tools_for
from core_service.turns.instructions import BASE_INSTRUCTIONS
from core_service.user_agent import user_agent

# The originator of requests from a client that did not say who it is.
DEFAULT_ORIGINATOR = "codex_app_server"


class ModelStream(Protocol):
    """Where requests go: the Responses API client (a fake one in unit tests)."""

    def stream(self, req: ModelRequest) -> AsyncGenerator[ModelEvent, None]:
        """Send `req` and yield its events; raise `ModelError` when the model fails."""


def build_request(
    thread: LoadedThread,
    turn_id: str,
    auth: RequestAuth,
    *,
    originator: ClientInfo | None = None,
    output_schema: dict[str, Any] | None = None,
    history: Sequence[ResponseItem] | None = None,
    mcp: McpOffer = NO_MCP,
) -> ModelRequest:
    """The next model request of turn `turn_id` of `thread`.

    `history` replaces the thread's history as the input (a compaction sends
    it with its prompt appended); `originator` is the calling client's
    `clientInfo`; `mcp` the tools of the MCP servers.
    """
    cfg = thread.config
    body: dict[str, Any] = {
        "model": cfg.model,
        "instructions": cfg.base_instructions or BASE_INSTRUCTIONS,
        "input": list(thread.history if history is None else history),
        "tools": [*tools_for(cfg, mcp.tools, mcp.resources), *tool_specs(thread.dynamic_tools)],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "reasoning": None,
        "store": False,
        "stream": True,
        "include": [],
        "prompt_cache_key": thread.id,
    }
    if output_schema:
        body["text"] = {"format": {"type": "json_schema", "name": "codex_output_schema",
                                   "schema": output_schema, "strict": True}}
    if supports_reasoning(cfg.model):
        body["reasoning"] = {
            "effort": cfg.model_reasoning_effort or "medium",
            "summary": cfg.model_reasoning_summary or "auto",
        }
        body["include"] = ["reasoning.encrypted_content"]
    headers = request_headers(thread, turn_id, originator)
    if auth.account_id is not None:
        headers["chatgpt-account-id"] = auth.account_id
    return ModelRequest(
        provider=cfg.provider,
        body=body,
        headers=headers,
        bearer=auth.bearer,
        auth_refresher=auth.refresher,
        base_url=cfg.provider.base_url_for(chatgpt_auth=auth.account_id is not None),
    )


def request_headers(
    thread: LoadedThread, turn_id: str, originator: ClientInfo | None
) -> dict[str, str | None]:
    """Attribution headers of a turn's requests."""
    name = (originator["name"] if originator else "") or DEFAULT_ORIGINATOR
    version = originator["version"] if originator else None
    sandbox: Mapping[str, object] = thread.meta.get("sandbox") or {}
    metadata = {
        "turn_id": turn_id,
        "sandbox": "none" if sandbox.get("type") == "dangerFullAccess" else "seccomp",
    }
    return {
        "originator": name,
        "user-agent": user_agent(name, version),
        "session_id": thread.id,
        "x-codex-turn-metadata": json.dumps(metadata, separators=(",", ":")),
    }
