"""Shared material of the config tests: the conformance harness's config.toml and loaders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core_service.config.load import LoadResult, load_config
from core_service.config.tables import Override

HARNESS_CONFIG = """\
model = "gpt-5.1-codex"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "read-only"
chatgpt_base_url = "http://127.0.0.1:4321/backend-api/"
check_for_update_on_startup = false
[features]
some_unknown_flag = true
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:4321/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
supports_websockets = false
requires_openai_auth = false
"""


def write_file(home: Path, text: str) -> Path:
    """Write `home/config.toml` (creating `home`); its path."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(home: Path, text: str | None = None, overrides: Sequence[Override] = ()) -> LoadResult:
    """Load `home` (after writing `text` as its config.toml) with an empty environment."""
    if text is not None:
        write_file(home, text)
    return load_config(home, overrides, env={})
