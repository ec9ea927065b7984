"""The built-in model catalog (`model/list`) and per-model metadata."""

from __future__ import annotations

from typing import Any

_EFFORTS = [
    ("low", "Fast responses with lighter reasoning"),
    ("medium", "Balances speed and reasoning depth for everyday tasks"),
    ("high", "Greater reasoning depth for complex problems"),
    ("xhigh", "Extra high reasoning depth for complex problems"),
]

# slug, display name, description, default effort, hidden, context window
_CATALOG: list[tuple[str, str, str, str, bool, int]] = [
    ("gpt-5.2-codex", "gpt-5.2-codex", "Latest frontier agentic coding model.", "medium", False,
     258_400),
    ("gpt-5.1-codex-max", "gpt-5.1-codex-max", "Codex-optimized flagship for deep and fast "
     "reasoning.", "medium", False, 258_400),
    ("gpt-5.1-codex", "gpt-5.1-codex", "Optimized for codex.", "medium", False, 258_400),
    ("gpt-5.1-codex-mini", "gpt-5.1-codex-mini", "Optimized for codex. Cheaper, faster, but less "
     "capable.", "medium", False, 258_400),
    ("gpt-5.2", "gpt-5.2", "Latest frontier model with improvements across knowledge, reasoning "
     "and coding.", "medium", False, 258_400),
    ("gpt-5.1", "gpt-5.1", "Broad world knowledge with strong general reasoning.", "medium",
     False, 258_400),
    ("gpt-5-codex", "gpt-5-codex", "Previous Codex-optimized model.", "medium", True, 258_400),
    ("gpt-5", "gpt-5", "Previous general-purpose model.", "medium", True, 258_400),
]

_NO_REASONING_PREFIXES = ("gpt-4", "o3", "gpt-3")


def supports_reasoning(model: str) -> bool:
    """Whether requests for `model` carry a `reasoning` block."""
    if any(model.startswith(p) for p in _NO_REASONING_PREFIXES):
        return False
    return any(model == slug for slug, *_ in _CATALOG) or model.startswith("gpt-5")


def context_window(model: str) -> int | None:
    """Context window of a known model (None when unknown)."""
    for slug, _n, _d, _e, _h, window in _CATALOG:
        if slug == model:
            return window
    return 258_400 if model.startswith("gpt-5") else None


def _entry(slug: str, name: str, desc: str, effort: str, hidden: bool, default: bool
           ) -> dict[str, Any]:
    return {
        "id": slug,
        "model": slug,
        "upgrade": None,
        "displayName": name,
        "description": desc,
        "hidden": hidden,
        "supportedReasoningEfforts": [
            {"reasoningEffort": e, "description": d} for e, d in _EFFORTS
        ],
        "defaultReasoningEffort": effort,
        "inputModalities": ["text", "image"],
        "supportsPersonality": False,
        "isDefault": default,
    }


def catalog(configured_model: str, include_hidden: bool) -> list[dict[str, Any]]:
    """The catalog plus the configured model (first when not built in)."""
    entries = [
        _entry(slug, name, desc, effort, hidden, slug == configured_model)
        for slug, name, desc, effort, hidden, _w in _CATALOG
    ]
    if not any(e["id"] == configured_model for e in entries):
        entries.insert(
            0, _entry(configured_model, configured_model, "Model from your configuration.",
                      "medium", False, True)
        )
    return [e for e in entries if include_hidden or not e["hidden"] or e["isDefault"]]
