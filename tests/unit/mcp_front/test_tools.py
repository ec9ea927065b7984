"""mcp_front/tools.py: the listing, and arguments read with the reference's texts."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_front import tools
from mcp_front.tools import ToolArgumentError

PARSE = "Failed to parse configuration for Codex tool: "


def test_listing_names_and_output_schema() -> None:
    """Two tools, `codex` then `codex-reply`, each answering `{threadId, content}`."""
    listing = tools.tool_listing()
    assert [t["name"] for t in listing] == ["codex", "codex-reply"]
    assert all(t["outputSchema"]["required"] == ["threadId", "content"] for t in listing)


def test_codex_settings_and_config() -> None:
    """Known settings are kept under their tool names, unknown members ignored."""
    args = tools.parse_codex({"prompt": "p", "model": "m", "approval-policy": "never",
                              "sandbox": "read-only", "config": {"a": 1}, "extra": 5})
    assert args == tools.CodexArgs("p", {"model": "m", "approval-policy": "never",
                                         "sandbox": "read-only"}, {"a": 1})


@pytest.mark.parametrize(("arguments", "text"), [
    (None, "Missing arguments for codex tool-call; the `prompt` field is required."),
    ({}, PARSE + "missing field `prompt`"),
    ({"prompt": 5}, PARSE + "invalid type: integer `5`, expected a string"),
    ({"prompt": None}, PARSE + "invalid type: null, expected a string"),
    ({"prompt": "x", "model": True, "cwd": [1]},
     PARSE + "invalid type: boolean `true`, expected a string"),
    ({"prompt": "x", "config": "s"}, PARSE + 'invalid type: string "s", expected a map'),
    ({"prompt": "x", "sandbox": "bogus"}, PARSE + "unknown variant `bogus`, expected one of "
     "`read-only`, `workspace-write`, `danger-full-access`"),
    ({"prompt": "x", "approval-policy": "bogus"}, PARSE + "unknown variant `bogus`, expected "
     "one of `untrusted`, `on-failure`, `on-request`, `never`"),
])
def test_codex_refusals(arguments: dict[str, Any] | None, text: str) -> None:
    """Each refusal is the reference's text (probed), the first bad member in input order."""
    with pytest.raises(ToolArgumentError) as err:
        tools.parse_codex(arguments)
    assert str(err.value) == text


@pytest.mark.parametrize(("arguments", "text"), [
    (None, "Missing arguments for codex-reply tool-call; the `thread_id` and `prompt` fields "
     "are required."),
    ({"threadId": "x"}, PARSE + "missing field `prompt`"),
    ({"prompt": "x"}, "Failed to parse thread_id: either threadId or conversationId must be "
     "provided"),
    ({"prompt": "x", "threadId": "not-a-uuid"}, "Failed to parse thread_id: invalid character: "
     "expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1"),
    ({"prompt": "x", "threadId": "abc"},
     "Failed to parse thread_id: invalid length: expected length 32 for simple format, found 3"),
    ({"prompt": "x", "threadId": "01a23442-b13d"},
     "Failed to parse thread_id: invalid group count: expected 5, found 2"),
])
def test_reply_refusals(arguments: dict[str, Any] | None, text: str) -> None:
    """codex-reply's refusals are the reference's texts (probed)."""
    with pytest.raises(ToolArgumentError) as err:
        tools.parse_reply(arguments)
    assert str(err.value) == text


def test_reply_thread_id_forms() -> None:
    """A simple-format id and the deprecated conversationId are accepted, canonicalized."""
    canonical = "01a23442-b13d-7c43-a8bc-fa4c5048ada7"
    simple = tools.parse_reply({"prompt": "p", "threadId": canonical.replace("-", "").upper()})
    assert simple == tools.ReplyArgs(canonical, "p")
    assert tools.parse_reply({"prompt": "p", "conversationId": canonical}).thread_id == canonical


def test_thread_start_params() -> None:
    """Settings become thread/start params; profile and compact-prompt ride in config."""
    args = tools.parse_codex({"prompt": "p", "approval-policy": "on-request", "sandbox":
                              "workspace-write", "base-instructions": "B",
                              "developer-instructions": "D", "profile": "fast",
                              "compact-prompt": "C", "config": {"k": "v"}})
    assert tools.thread_start_params(args) == {
        "approvalPolicy": "on-request", "sandbox": "workspace-write", "baseInstructions": "B",
        "developerInstructions": "D", "config": {"k": "v", "profile": "fast",
                                                 "compact_prompt": "C"}}
