"""The text a model reads about a command it ran, as the reference words it.

Two shapes, measured against the reference (0.104, gpt-5.1-codex):

- `shell` / `shell_command` / `local_shell_call`::

      Exit code: 0
      Wall time: 0.5 seconds
      Total output lines: 100000        (only when the output was truncated)
      Output:
      ...

  the wall time rounded to a tenth of a second and written shortest ("0",
  "0.5", "12"); a timed-out command (exit code 124) has
  "command timed out after N milliseconds" as its first output line.

- `exec_command` / `write_stdin` (unified exec)::

      Chunk ID: 3f9a0c
      Wall time: 0.0512 seconds
      Process exited with code 0        (or: Process running with session ID N)
      Original token count: 41
      Output:
      Total output lines: 100000        (only when truncated, then a blank line)

      ...

Long output keeps its head and tail: a budget of N tokens is 4N bytes,
half from the start and half from the end (cut on character boundaries),
joined by "…K tokens truncated…", where tokens are bytes / 4 rounded up.
The budget is the model's truncation policy: 10 000 tokens for the codex
models, 10 000 bytes for gpt-5, gpt-5.1 and gpt-5.2, whose marker counts
characters ("…K chars truncated…"); unified exec always counts tokens
(`max_output_tokens`, 10 000 by default). When a function output is kept
in the history the reference cuts it again to 1.2 times the policy
(`history_text`), which shows for byte-policy models (an exec_command of
`seq 1 100000` under gpt-5.1 keeps 6 000 bytes each side, measured).
Not reproduced: a byte-policy model's `shell` text is cut a second time
around line boundaries in a way not yet understood (`seq 1 100000` under
gpt-5.1 loses 146 more characters, marked "…176 chars truncated…").
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Literal

from core_service.sandbox.process import ExecResult

# The reference's output budget for codex models, in tokens.
DEFAULT_MAX_OUTPUT_TOKENS = 10_000
# The reference counts a token as four bytes of UTF-8.
BYTES_PER_TOKEN = 4
# The slack the reference allows a function output kept in the history.
HISTORY_FACTOR = 1.2


@dataclass(frozen=True)
class TruncationPolicy:
    """How much of a long output the model reads: `limit` tokens or bytes."""

    mode: Literal["tokens", "bytes"] = "tokens"
    limit: int = DEFAULT_MAX_OUTPUT_TOKENS

    def byte_budget(self) -> int:
        """The budget in bytes (a token is four)."""
        return max(self.limit, 0) * (BYTES_PER_TOKEN if self.mode == "tokens" else 1)


TOKENS_10K = TruncationPolicy("tokens", 10_000)
BYTES_10K = TruncationPolicy("bytes", 10_000)


def policy_for_model(slug: str) -> TruncationPolicy:
    """The reference's truncation policy of a model: tokens for the codex models
    (gpt-5.x-codex, -max, -mini), bytes for the others (gpt-5, gpt-5.1, gpt-5.2)."""
    return TOKENS_10K if "codex" in slug else BYTES_10K


def approx_tokens(text: str) -> int:
    """The reference's token estimate of a text: UTF-8 bytes / 4, rounded up."""
    return math.ceil(len(text.encode()) / BYTES_PER_TOKEN)


def line_count(text: str) -> int:
    """How many lines a text has (a final line without newline counts)."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def truncate_middle(text: str, policy: TruncationPolicy = TOKENS_10K) -> str | None:
    """The text cut to the policy's budget (head and tail around a "…K tokens
    truncated…" or "…K chars truncated…" marker), or None when it fits."""
    data = text.encode()
    budget = policy.byte_budget()
    if len(data) <= budget:
        return None
    head_end = _char_start(data, budget // 2)
    tail_start = _char_start(data, len(data) - (budget - budget // 2), forward=True)
    if policy.mode == "tokens":
        marker = f"…{math.ceil((tail_start - head_end) / BYTES_PER_TOKEN)} tokens truncated…"
    else:
        marker = f"…{len(data[head_end:tail_start].decode(errors='replace'))} chars truncated…"
    return (data[:head_end].decode(errors="replace") + marker
            + data[tail_start:].decode(errors="replace"))


def history_text(text: str, policy: TruncationPolicy) -> str:
    """A function output as the reference keeps it in the history: cut to 1.2 times
    the model's policy."""
    scaled = TruncationPolicy(policy.mode, int(policy.limit * HISTORY_FACTOR))
    cut = truncate_middle(text, scaled)
    return text if cut is None else cut


def _char_start(data: bytes, index: int, *, forward: bool = False) -> int:
    """The nearest UTF-8 character start at or before (after, with `forward`) `index`."""
    step = 1 if forward else -1
    while 0 < index < len(data) and (data[index] & 0xC0) == 0x80:
        index += step
    return index


def shell_wall_time(duration_ms: int) -> str:
    """Seconds rounded to a tenth (half away from zero), written shortest: "0", "0.5", "12"."""
    tenths = math.floor(max(duration_ms, 0) / 100 + 0.5)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10}"


def timed_out_output(duration_ms: int, output: str) -> str:
    """A timed-out command's output as the model reads it: the timeout line first."""
    return f"command timed out after {duration_ms} milliseconds\n{output}"


def signal_output(signal: int) -> str:
    """What the model reads about a shell command killed by a signal (no exit code)."""
    return f"execution error: Sandbox(Signal({signal}))"


def shell_text(exit_code: int, duration_ms: int, output: str,
               policy: TruncationPolicy = TOKENS_10K) -> str:
    """The model's text of a `shell`-family call (output already aggregated)."""
    cut = truncate_middle(output, policy)
    total = f"Total output lines: {line_count(output)}\n" if cut is not None else ""
    return (f"Exit code: {exit_code}\nWall time: {shell_wall_time(duration_ms)} seconds\n"
            f"{total}Output:\n{output if cut is None else cut}")


def chunk_id() -> str:
    """A fresh chunk id: six lower-case hex digits."""
    return secrets.token_hex(3)


def unified_text(output: str, duration_ms: float, *, exit_code: int | None,
                 session_id: int | None, max_tokens: int | None = None,
                 chunk: str | None = None) -> str:
    """The model's text of an `exec_command` / `write_stdin` call.

    `exit_code` when the process has exited, else `session_id` of the
    session still running. `max_tokens` is the call's `max_output_tokens`.
    """
    limit = DEFAULT_MAX_OUTPUT_TOKENS if max_tokens is None else max_tokens
    cut = truncate_middle(output, TruncationPolicy("tokens", limit))
    body = output if cut is None else f"Total output lines: {line_count(output)}\n\n{cut}"
    state = (f"Process exited with code {exit_code}" if exit_code is not None
             else f"Process running with session ID {session_id}")
    return (f"Chunk ID: {chunk or chunk_id()}\nWall time: {duration_ms / 1000:.4f} seconds\n"
            f"{state}\nOriginal token count: {approx_tokens(output)}\nOutput:\n{body}")


def shell_output(result: ExecResult, policy: TruncationPolicy = TOKENS_10K) -> str:
    """The model's text of a finished `shell`-family command: timed out, killed by a
    signal, or exited."""
    if result.timed_out:
        return shell_text(result.exit_code, result.duration_ms,
                          timed_out_output(result.duration_ms, result.output), policy)
    if result.signal is not None:
        return signal_output(result.signal)
    return shell_text(result.exit_code, result.duration_ms, result.output, policy)
