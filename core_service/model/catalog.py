"""The model catalog the reference serves (`model/list`) and per-model metadata.

The entries, their order, descriptions, reasoning efforts, upgrade targets and
the default model are the reference's own (codex 0.104.0 with an API-key or
custom provider, which serves its bundled catalog rather than a remote one):
`model/list` answers the same list whatever model the configuration names.
"""

from __future__ import annotations

from dataclasses import dataclass

from app_server_protocol.wire_types import Model, ReasoningEffort, ReasoningEffortOption

# The model `model/list` marks `isDefault`, and the upgrade every older model points to.
DEFAULT_MODEL = "gpt-5.2-codex"
UPGRADE_TARGET = "gpt-5.3-codex"
# The usable context window the reference reports for every model it serves,
# catalogued or not (its default model family: 272,000 tokens, 95% usable).
DEFAULT_CONTEXT_WINDOW = 258_400

_FAST = "Fast responses with lighter reasoning"
_BALANCES = "Balances speed and reasoning depth for everyday tasks"
_GREATER = "Greater reasoning depth for complex problems"
_EXTRA_HIGH_DEPTH = "Extra high reasoning depth for complex problems"
_FASTEST = "Fastest responses with limited reasoning"
_DYNAMIC = "Dynamically adjusts reasoning based on the task"
_MAXIMIZES = "Maximizes reasoning depth for complex or ambiguous problems"
_SOME = (
    "Balances speed with some reasoning; useful for straightforward queries and short "
    "explanations"
)
_SOLID = "Provides a solid balance of reasoning depth and latency for general-purpose tasks"

_Efforts = tuple[tuple[ReasoningEffort, str], ...]
_CODEX: _Efforts = (("low", _FAST), ("medium", _BALANCES), ("high", _GREATER),
                    ("xhigh", _EXTRA_HIGH_DEPTH))
_CODEX_5_1: _Efforts = (("low", _FASTEST), ("medium", _DYNAMIC), ("high", _MAXIMIZES))
_CODEX_MINI: _Efforts = (("medium", _DYNAMIC), ("high", _MAXIMIZES))
_GPT_5_1: _Efforts = (("low", _SOME), ("medium", _SOLID), ("high", _MAXIMIZES))
_GPT_5_2: _Efforts = (*_GPT_5_1, ("xhigh", "Extra high reasoning for complex problems"))
_GPT_5: _Efforts = (("minimal", "Fastest responses with little reasoning"), *_GPT_5_1)
_BOOMSLANG: _Efforts = (*_GPT_5_1, ("xhigh", _EXTRA_HIGH_DEPTH))


@dataclass(frozen=True)
class ModelPreset:
    """One catalog entry: what `model/list` says of a model (effort `medium` by default)."""

    slug: str
    description: str
    efforts: _Efforts
    hidden: bool = False
    upgrade: str | None = UPGRADE_TARGET
    supports_personality: bool = False

    def to_wire(self) -> Model:
        """The entry as a `model/list` item."""
        efforts: list[ReasoningEffortOption] = [
            {"reasoningEffort": effort, "description": text} for effort, text in self.efforts
        ]
        return {
            "id": self.slug,
            "model": self.slug,
            "upgrade": self.upgrade,
            "displayName": self.slug,
            "description": self.description,
            "hidden": self.hidden,
            "supportedReasoningEfforts": efforts,
            "defaultReasoningEffort": "medium",
            "inputModalities": ["text", "image"],
            "supportsPersonality": self.supports_personality,
            "isDefault": self.slug == DEFAULT_MODEL,
        }


_CODEX_DESC = "Optimized for codex."
_MINI_DESC = "Optimized for codex. Cheaper, faster, but less capable."
_GENERAL_DESC = "Broad world knowledge with strong general reasoning."

# In the reference's order.
PRESETS: tuple[ModelPreset, ...] = (
    ModelPreset("gpt-5.3-codex", "Latest frontier agentic coding model.", _CODEX, hidden=True,
                upgrade=None, supports_personality=True),
    ModelPreset("gpt-5.2-codex", "Frontier agentic coding model.", _CODEX,
                supports_personality=True),
    ModelPreset("gpt-5.1-codex-max", "Codex-optimized flagship for deep and fast reasoning.",
                _CODEX),
    ModelPreset("gpt-5.1-codex", _CODEX_DESC, _CODEX_5_1, hidden=True),
    ModelPreset("gpt-5.2", "Latest frontier model with improvements across knowledge, "
                "reasoning and coding", _GPT_5_2),
    ModelPreset("gpt-5.1", _GENERAL_DESC, _GPT_5_1, hidden=True),
    ModelPreset("gpt-5-codex", _CODEX_DESC, _CODEX_5_1, hidden=True),
    ModelPreset("gpt-5", _GENERAL_DESC, _GPT_5, hidden=True),
    ModelPreset("gpt-5.1-codex-mini", _MINI_DESC, _CODEX_MINI),
    ModelPreset("gpt-5-codex-mini", _MINI_DESC, _CODEX_MINI, hidden=True),
    ModelPreset("bengalfox", "bengalfox", _CODEX, hidden=True, upgrade=None,
                supports_personality=True),
    ModelPreset("boomslang", "boomslang", _BOOMSLANG, hidden=True, upgrade=None),
)


def models(include_hidden: bool) -> list[Model]:
    """The `model/list` entries in catalog order (hidden ones only when asked for)."""
    return [p.to_wire() for p in PRESETS if include_hidden or not p.hidden]


def supports_reasoning(model: str) -> bool:
    """Whether requests for `model` carry a `reasoning` block.

    The reference sends one for the gpt-5 family only: not for other
    models, whether catalogued (bengalfox, boomslang) or not (o3, gpt-4o).
    """
    return model.startswith("gpt-5")


def context_window(model: str) -> int:
    """The context window reported for `model` (`thread/tokenUsage/updated`).

    The reference reports the same window for every model, catalogued or
    not: unknown slugs get its default model family's window.
    """
    return DEFAULT_CONTEXT_WINDOW
