"""Token accounting: each request's usage becomes the last and adds to the total."""

from __future__ import annotations

from core_service.model.events import TokenUsage
from core_service.threads.state import TokenTotals
from core_service.turns.usage import add_usage


def test_usage_accumulates() -> None:
    """Two requests: `last` is the second's usage, `total` the sum of both."""
    tokens = TokenTotals()
    add_usage(tokens, TokenUsage(input=10, cached_input=2, output=3, reasoning_output=1,
                                 total=13))
    add_usage(tokens, TokenUsage(input=5, output=1, total=6))
    assert tokens.last == {"totalTokens": 6, "inputTokens": 5, "cachedInputTokens": 0,
                           "outputTokens": 1, "reasoningOutputTokens": 0}
    assert tokens.total == {"totalTokens": 19, "inputTokens": 15, "cachedInputTokens": 2,
                            "outputTokens": 4, "reasoningOutputTokens": 1}
