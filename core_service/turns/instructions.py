"""Model-visible context: base instructions and the per-thread context messages.

Our own wording (the reference's prompt text is not copied): a concise
coding-agent system prompt, a developer message describing the sandbox and
approval policy, the `<environment_context>` user message, the notice of an
interrupted turn and the compaction prompt.
"""

from __future__ import annotations

import os

from core_service.config.schema import Config
from core_service.turns.items import Message, text_message

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

COMPACT_PROMPT = (
    "Summarize the conversation so far for a handoff: the user's goals, decisions made, "
    "the current state of the work and any open questions. Be concise and factual."
)


def permissions_message(config: Config) -> Message:
    """Developer message describing the sandbox mode and approval policy."""
    text = (
        "<permissions instructions>\n"
        f"Filesystem sandboxing: sandbox_mode is `{config.sandbox_mode}`.\n"
        f"Approval policy: `{config.approval_policy}`.\n"
        "</permissions instructions>"
    )
    return text_message("developer", text)


def environment_context(cwd: str) -> Message:
    """User message with the working directory and shell."""
    shell = os.path.basename(os.environ.get("SHELL", "bash")) or "bash"
    text = (
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        f"  <shell>{shell}</shell>\n"
        "</environment_context>"
    )
    return text_message("user", text)


def initial_context(config: Config, cwd: str) -> list[Message]:
    """The messages that open a thread's history, before its first user message."""
    context = [permissions_message(config)]
    if config.developer_instructions:
        context.append(text_message("developer", config.developer_instructions))
    context.append(environment_context(cwd))
    return context


def summary_message(summary: str) -> Message:
    """The user message that stands for the whole history after a compaction."""
    return text_message("user", f"<conversation_summary>\n{summary}\n</conversation_summary>")
