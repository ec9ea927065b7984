"""The reference's feature flags (`[features]` in config.toml): name, stage,
the beta texts and the default, as 0.104 lists them (observed with
`experimentalFeature/list`), kept in `features.json`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TypedDict

from app_server_protocol.wire_types import ExperimentalFeature, ExperimentalFeatureStage


class FeatureSpec(TypedDict):
    """One row of the table: everything but the config's enabled state."""

    name: str
    stage: ExperimentalFeatureStage
    displayName: str | None
    description: str | None
    announcement: str | None
    defaultEnabled: bool


@cache
def feature_table() -> tuple[FeatureSpec, ...]:
    """The flags in the reference's order."""
    text = resources.files("core_service.listing").joinpath("features.json").read_text("utf-8")
    rows: list[FeatureSpec] = json.loads(text)
    return tuple(rows)


def features(configured: dict[str, bool]) -> list[ExperimentalFeature]:
    """Every flag with its enabled state: the config's value, else the default."""
    return [{"name": f["name"], "stage": f["stage"], "displayName": f["displayName"],
             "description": f["description"], "announcement": f["announcement"],
             "enabled": configured.get(f["name"], f["defaultEnabled"]),
             "defaultEnabled": f["defaultEnabled"]} for f in feature_table()]
