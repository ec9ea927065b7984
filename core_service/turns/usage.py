"""Token accounting of a thread: each model request's usage added to its totals."""

from __future__ import annotations

from core_service.model.events import TokenUsage
from core_service.threads.state import TokenTotals


def add_usage(tokens: TokenTotals, usage: TokenUsage) -> None:
    """Make `usage` the thread's last request usage and add it to its running total."""
    last = {
        "totalTokens": usage.total,
        "inputTokens": usage.input,
        "cachedInputTokens": usage.cached_input,
        "outputTokens": usage.output,
        "reasoningOutputTokens": usage.reasoning_output,
    }
    tokens.last = last
    for key, value in last.items():
        tokens.total[key] = tokens.total.get(key, 0) + value


def fill_context_window(tokens: TokenTotals, window: int) -> None:
    """Mark the context window as full after the model refused the request as too long.

    As the reference reports it: the total becomes the window (other counts
    zero), the last request the rest of the window the total had not used.
    """
    zero = dict.fromkeys(tokens.total, 0)
    previous = tokens.total.get("totalTokens", 0)
    tokens.total = {**zero, "totalTokens": window}
    tokens.last = {**zero, "totalTokens": max(0, window - previous)}
