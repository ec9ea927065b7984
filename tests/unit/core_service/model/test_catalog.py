"""core_service.model.catalog: the reference's catalog, reasoning support, context windows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core_service.model.catalog import context_window, models, supports_reasoning

# What the reference answers to model/list {"includeHidden": true} (see `_source` there).
REFERENCE: list[dict[str, Any]] = json.loads(
    (Path(__file__).with_name("reference_model_list.json")).read_text(encoding="utf-8")
)["data"]


def test_catalog_with_hidden_models_is_the_reference_list() -> None:
    """Every entry, field and order of the catalog with hidden models is the reference's."""
    assert models(include_hidden=True) == REFERENCE


def test_visible_catalog_is_the_reference_list_without_hidden_models() -> None:
    """Without hidden models the reference lists four, gpt-5.2-codex the default, each older
    model pointing at gpt-5.3-codex as its upgrade."""
    visible = models(include_hidden=False)
    assert visible == [m for m in REFERENCE if not m["hidden"]]
    assert [(m["id"], m["isDefault"], m["upgrade"]) for m in visible] == [
        ("gpt-5.2-codex", True, "gpt-5.3-codex"),
        ("gpt-5.1-codex-max", False, "gpt-5.3-codex"),
        ("gpt-5.2", False, "gpt-5.3-codex"),
        ("gpt-5.1-codex-mini", False, "gpt-5.3-codex"),
    ]


def test_every_model_has_the_reference_context_window() -> None:
    """The reference reports a 258,400-token window for every model it serves, in the
    catalog or not (an unknown slug gets the default family's window, never None)."""
    for slug in ("gpt-5.1-codex", "gpt-5.3-codex", "my-custom-model", "gpt-4o", "o3", ""):
        assert context_window(slug) == 258_400


def test_reasoning_support() -> None:
    """Only the gpt-5 family takes a reasoning block, catalogued or not; other catalogued
    models do not (the reference's requests, recorded per model)."""
    for slug in ("gpt-5.1-codex", "gpt-5.3-codex", "gpt-5.2", "gpt-5-foo"):
        assert supports_reasoning(slug)
    for slug in ("bengalfox", "boomslang", "my-custom-model", "gpt-4o", "o3"):
        assert not supports_reasoning(slug)
