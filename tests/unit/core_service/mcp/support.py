"""Configurations of the MCP fixture server (tests/support/mcp_fixture.py) for unit tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from core_service.config.schema import Config

REPO = Path(__file__).resolve().parents[4]


def fixture_table(mode: str = "ok", **extra: Any) -> dict[str, Any]:
    """A `[mcp_servers.NAME]` table running the fixture in `mode`."""
    return {"command": sys.executable, "args": ["-m", "tests.support.mcp_fixture",
                                                "--mode", mode],
            "cwd": str(REPO), **extra}


def config_with(tmp_path: Path, servers: dict[str, Any]) -> Config:
    """A Config whose config.toml lists `servers` under `mcp_servers`."""
    return Config(codex_home=tmp_path, config_path=tmp_path / "config.toml",
                  raw={"mcp_servers": servers})
