"""core_service.user_agent: the user agent built from a client's clientInfo."""

from __future__ import annotations

import re

import pytest

from core_service.user_agent import CLI_VERSION, user_agent


def test_named_client_with_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """`<name>/<cli version> (<os> <x.y.z>; <arch>) <TERM> (<name>; <version>)`."""
    monkeypatch.setenv("TERM", "xterm")
    agent = user_agent("vscode", "1.2")
    assert re.fullmatch(
        rf"vscode/{re.escape(CLI_VERSION)} \(\S+ \d+\.\d+\.\d+; \S+\) xterm \(vscode; 1\.2\)",
        agent), agent


def test_unnamed_client_without_version_or_term(monkeypatch: pytest.MonkeyPatch) -> None:
    """No name falls back to codex_app_server, no TERM reads "unknown", no version no suffix."""
    monkeypatch.delenv("TERM", raising=False)
    agent = user_agent(None, None)
    assert agent.startswith(f"codex_app_server/{CLI_VERSION} (")
    assert agent.endswith(") unknown")
