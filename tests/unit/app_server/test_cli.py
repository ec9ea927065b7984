"""The single command refuses a listen address before it spawns the core."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from app_server import cli
from app_server.options import SUBCOMMANDS, top_parser


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
    args = top_parser().parse_args(["--listen", listen])
    assert cli.run_single(args) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(("command", "own_option"), [
    ("core", "--listen LISTEN"),
    ("core-health", "--core CORE"),
    ("gateway", "--core CORE"),
    ("generate-json-schema", "--out DIR"),
    ("generate-ts", "--out DIR"),
    ("mcp-server", "--core CORE"),
])
def test_every_subcommand_has_its_own_help(
    command: str, own_option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`app-server SUBCOMMAND --help` prints that subcommand's usage and options (not the
    single command's) and exits 0; the top-level help names every subcommand."""
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: app-server {command} ") and own_option in shown
    assert set(SUBCOMMANDS) == {"core", "core-health", "gateway", "generate-json-schema",
                                    "generate-ts", "mcp-server"}
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    top = capsys.readouterr().out
    assert all(name in top for name in SUBCOMMANDS)
