"""The single command refuses a listen address before it spawns the core."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from app_server import cli


@pytest.mark.parametrize(("listen", "said"), [
    ("ws://0.0.0.0:0", "refusing to listen on non-loopback address 0.0.0.0"),
    ("ws://127.0.0.1", "expected ws://IP:PORT"),
    ("http://127.0.0.1:1", "unsupported listen address"),
])
def test_refused_listen_address_spawns_no_core(
    listen: str, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A non-loopback websocket without a token, or an address the gateway cannot
    parse, exits 2 with the gateway's message; no core process is started."""
    def no_spawn(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the core was spawned")

    monkeypatch.setattr(subprocess, "Popen", no_spawn)
    args = cli._top_parser().parse_args(["--listen", listen])
    assert cli.run_single(args) == 2
    assert said in capsys.readouterr().err
