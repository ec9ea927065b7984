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
