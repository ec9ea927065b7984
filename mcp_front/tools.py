"""The MCP tools `codex` and `codex-reply`: their listing and their arguments.

The listing (names, titles, descriptions, input and output schemas) is data,
`tools.json`, as the reference's `codex mcp-server` lists it. Arguments are
read as the reference reads them (serde into a struct, unknown members
ignored) and refused with its texts, which an MCP client shows its user: a
call with bad arguments is a tool result with `isError`, not a JSON-RPC
error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from app_server_protocol.codec_common import describe_value

CODEX = "codex"
CODEX_REPLY = "codex-reply"

PARSE_PREFIX = "Failed to parse configuration for Codex tool: "
THREAD_PREFIX = "Failed to parse thread_id: "

_APPROVAL_POLICIES = ("untrusted", "on-failure", "on-request", "never")
_SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
# The tool's kebab-case names of the thread/start settings, and their v2 names.
_STRING_SETTINGS = {
    "model": "model",
    "profile": "profile",
    "cwd": "cwd",
    "base-instructions": "baseInstructions",
    "developer-instructions": "developerInstructions",
    "compact-prompt": "compactPrompt",
}
_HEX = re.compile(r"[0-9a-fA-F]")


def tool_listing() -> list[dict[str, Any]]:
    """The `tools/list` answer's tools, as the reference lists them."""
    text = resources.files("mcp_front").joinpath("tools.json").read_text(encoding="utf-8")
    tools: list[dict[str, Any]] = json.loads(text)
    return tools


class ToolArgumentError(Exception):
    """Arguments the reference refuses; `str()` is its text for the client."""


@dataclass(frozen=True)
class CodexArgs:
    """A `codex` call: the first prompt and the settings of the new thread.

    `settings` holds the present settings under their tool names (`model`,
    `cwd`, `approval-policy`, ...); `config` the `-c`-style overrides.
    """

    prompt: str
    settings: dict[str, str]
    config: dict[str, Any] | None


@dataclass(frozen=True)
class ReplyArgs:
    """A `codex-reply` call: the thread (canonical hyphenated id) and the next prompt."""

    thread_id: str
    prompt: str


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ToolArgumentError(
            f"{PARSE_PREFIX}invalid type: {describe_value(value)}, expected a string")
    return value


def _variant(value: Any, allowed: tuple[str, ...]) -> str:
    text = _string(value)
    if text not in allowed:
        names = ", ".join(f"`{a}`" for a in allowed)
        raise ToolArgumentError(f"{PARSE_PREFIX}unknown variant `{text}`, expected one of {names}")
    return text


def parse_codex(arguments: dict[str, Any] | None) -> CodexArgs:
    """Read a `codex` call's arguments (members checked in the order given, as serde does)."""
    if arguments is None:
        raise ToolArgumentError(
            "Missing arguments for codex tool-call; the `prompt` field is required."
        )
    settings: dict[str, str] = {}
    config: dict[str, Any] | None = None
    for key, value in arguments.items():
        if key == "prompt" or key in _STRING_SETTINGS:
            settings[key] = _string(value)
        elif key == "approval-policy":
            settings[key] = _variant(value, _APPROVAL_POLICIES)
        elif key == "sandbox":
            settings[key] = _variant(value, _SANDBOX_MODES)
        elif key == "config":
            if not isinstance(value, dict):
                raise ToolArgumentError(
                    f"{PARSE_PREFIX}invalid type: {describe_value(value)}, expected a map"
                )
            config = value
    if "prompt" not in settings:
        raise ToolArgumentError(f"{PARSE_PREFIX}missing field `prompt`")
    return CodexArgs(prompt=settings.pop("prompt"), settings=settings, config=config)


def parse_reply(arguments: dict[str, Any] | None) -> ReplyArgs:
    """Read a `codex-reply` call's arguments (`threadId`, or the deprecated `conversationId`)."""
    if arguments is None:
        raise ToolArgumentError(
            "Missing arguments for codex-reply tool-call; the `thread_id` and `prompt` "
            "fields are required."
        )
    fields: dict[str, str] = {}
    for key in arguments:
        if key in ("prompt", "threadId", "conversationId"):
            fields[key] = _string(arguments[key])
    if "prompt" not in fields:
        raise ToolArgumentError(f"{PARSE_PREFIX}missing field `prompt`")
    raw = fields.get("threadId", fields.get("conversationId"))
    if raw is None:
        raise ToolArgumentError(
            f"{THREAD_PREFIX}either threadId or conversationId must be provided"
        )
    return ReplyArgs(thread_id=parse_uuid(raw), prompt=fields["prompt"])


def parse_uuid(text: str) -> str:
    """A thread id in its canonical form, refused with the uuid crate's texts.

    Accepted: 32 hex digits, or five hyphenated groups (8-4-4-4-12), with an
    optional `urn:uuid:` prefix or braces.
    """
    body = text
    if body.startswith("urn:uuid:"):
        body = body[len("urn:uuid:"):]
    elif body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    for index, char in enumerate(body):
        if char != "-" and not _HEX.fullmatch(char):
            raise ToolArgumentError(
                f"{THREAD_PREFIX}invalid character: expected an optional prefix of `urn:uuid:` "
                f"followed by [0-9a-fA-F-], found `{char}` at {index + 1}"
            )
    if "-" not in body:
        if len(body) != 32:
            raise ToolArgumentError(
                f"{THREAD_PREFIX}invalid length: expected length 32 for simple format, "
                f"found {len(body)}"
            )
        digits = body.lower()
    else:
        groups = body.split("-")
        if len(groups) != 5:
            raise ToolArgumentError(
                f"{THREAD_PREFIX}invalid group count: expected 5, found {len(groups)}"
            )
        for number, (group, want) in enumerate(zip(groups, (8, 4, 4, 4, 12), strict=True)):
            if len(group) != want:
                raise ToolArgumentError(
                    f"{THREAD_PREFIX}invalid group length in group {number}: expected {want}, "
                    f"found {len(group)}"
                )
        digits = "".join(groups).lower()
    return "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))


def thread_start_params(args: CodexArgs) -> dict[str, Any]:
    """The `thread/start` params of a `codex` call (v2 names; `profile` and
    `compact-prompt` travel as config overrides, the only way v2 takes them)."""
    params: dict[str, Any] = {}
    config: dict[str, Any] = dict(args.config or {})
    for key, value in args.settings.items():
        if key == "approval-policy":
            params["approvalPolicy"] = value
        elif key == "sandbox":
            params["sandbox"] = value
        elif key == "profile":
            config["profile"] = value
        elif key == "compact-prompt":
            config["compact_prompt"] = value
        else:
            params[_STRING_SETTINGS[key]] = value
    if config:
        params["config"] = config
    return params
