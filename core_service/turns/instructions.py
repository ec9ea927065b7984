"""Model-visible context: base instructions and the per-thread context messages.

Our own wording (the reference's prompt text is not copied): a concise
coding-agent system prompt, a developer message describing the sandbox and
approval policy, and the `<environment_context>` user message.
"""

from __future__ import annotations

import os
from typing import Any

BASE_INSTRUCTIONS = """You are a coding agent running inside an IDE integration.
You help the user with software engineering tasks in their workspace: read and
explain code, make focused changes, run commands when the tools allow it, and
report what you did concisely. Prefer small, verifiable steps. Never claim to
have run something you did not run. When a request is ambiguous, state your
assumption and proceed."""

TURN_ABORTED_NOTICE = (
    "<turn_aborted>\nThe user interrupted the previous turn on purpose. Any running unified "
    "exec processes were terminated. If any tools/commands were aborted, they may have "
    "partially executed; verify current state before retrying.\n</turn_aborted>"
)


def permissions_message(config: Any) -> dict[str, Any]:
    """Developer message describing the sandbox mode and approval policy."""
    text = (
        "<permissions instructions>\n"
        f"Filesystem sandboxing: sandbox_mode is `{config.sandbox_mode}`.\n"
        f"Approval policy: `{config.approval_policy}`.\n"
        "</permissions instructions>"
    )
    return {"type": "message", "role": "developer", "content": [{"type": "input_text",
                                                                 "text": text}]}


def environment_context(cwd: str) -> dict[str, Any]:
    """User message with the working directory and shell."""
    shell = os.path.basename(os.environ.get("SHELL", "bash")) or "bash"
    text = (
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        f"  <shell>{shell}</shell>\n"
        "</environment_context>"
    )
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
