"""core_service.config.overrides: `-c` parsing and the per-thread overrides."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from core_service.config.errors import ConfigError
from core_service.config.overrides import (
    THREAD_OVERRIDE_KEYS,
    derive_thread_config,
    parse_cli_overrides,
)
from tests.unit.core_service.config.support import HARNESS_CONFIG, load


def test_parse_cli_overrides() -> None:
    """`-c` values are TOML when they parse, plain strings otherwise; dotted keys split."""
    parsed = parse_cli_overrides(
        [
            'model_providers.mock.base_url="http://x"',
            "model=o3",
            "features.steer=true",
            "model_context_window = 12",
            "sandbox_workspace_write.writable_roots=['/a', '/b']",
            'projects."/x.y".trust_level=trusted',
            "url=http://h:1/v1?a=b",
        ]
    )
    assert parsed == [
        (["model_providers", "mock", "base_url"], "http://x"),
        (["model"], "o3"),
        (["features", "steer"], True),
        (["model_context_window"], 12),
        (["sandbox_workspace_write", "writable_roots"], ["/a", "/b"]),
        (["projects", "/x.y", "trust_level"], "trusted"),
        (["url"], "http://h:1/v1?a=b"),
    ]
    with pytest.raises(ConfigError):
        parse_cli_overrides(["no-equals-sign"])


def test_derive_thread_config(tmp_path: Path) -> None:
    """thread/start params produce a new config; the explicit params win over `config`."""
    base = load(tmp_path, HARNESS_CONFIG).config
    derived = derive_thread_config(base, {
        "model": "gpt-x",
        "modelProvider": "openai",
        "cwd": "/work",
        "approvalPolicy": "untrusted",
        "sandbox": "workspace-write",
        "baseInstructions": "base",
        "developerInstructions": "dev",
        "config": {"model_reasoning_effort": "high", "features.steer": True, "model": "ignored"},
        "ephemeral": True,
    })
    assert (derived.model, derived.model_provider_id) == ("gpt-x", "openai")
    assert derived.cwd == Path("/work")
    assert (derived.approval_policy, derived.sandbox_mode) == ("untrusted", "workspace-write")
    assert (derived.base_instructions, derived.developer_instructions) == ("base", "dev")
    assert derived.model_reasoning_effort == "high"
    assert derived.features["steer"] is True
    assert base.model == "gpt-5.1-codex" and "steer" not in base.features


def test_thread_override_keys_are_the_thread_start_params() -> None:
    """The one list of per-thread override params names every one derive_thread_config reads."""
    assert set(THREAD_OVERRIDE_KEYS) == {
        "model", "modelProvider", "cwd", "approvalPolicy", "sandbox",
        "baseInstructions", "developerInstructions", "config",
    }


def test_derive_thread_config_leaves_its_base_alone(tmp_path: Path) -> None:
    """Deriving never changes the base Config, and changing the result never reaches the base."""
    base = load(tmp_path, HARNESS_CONFIG, overrides=[(["model"], "flag")]).config
    snapshot = copy.deepcopy(base)
    derived = derive_thread_config(base, {"model": "x", "config": {"features.steer": True}})
    assert base == snapshot
    derived.user_layer["features"]["some_unknown_flag"] = False
    derived.session_flags["model"] = "changed"
    derived.raw["model"] = "changed"
    derived.features["undo"] = True
    derived.provider.http_headers["X"] = "1"
    assert base == snapshot


def test_profile_loses_to_explicit_params(tmp_path: Path) -> None:
    """An explicit thread param beats the active profile's value for the same key."""
    text = 'profile = "p"\n[profiles.p]\nmodel = "from-profile"\n'
    base = load(tmp_path, text).config
    assert base.model == "from-profile"
    assert derive_thread_config(base, {"model": "explicit"}).model == "explicit"
    assert derive_thread_config(base, {}).model == "from-profile"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"modelProvider": "nope"}, "Model provider `nope` not found"),
        ({"sandbox": "everything"}, "unknown variant `everything`"),
        ({"config": {"features.steer": "yes"}}, "expected a boolean"),
    ],
)
def test_derive_thread_config_rejects_bad_overrides(
    tmp_path: Path, params: dict[str, Any], fragment: str
) -> None:
    """An invalid per-thread override raises ConfigError with a clear message."""
    base = load(tmp_path, HARNESS_CONFIG).config
    with pytest.raises(ConfigError, match=fragment):
        derive_thread_config(base, params)
