"""`app-server core` refuses bad security flags before it serves (exit 2, the
reason on stderr, no token shown); `core_health` says why a core is not
healthy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app_server import cli, cli_core


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the core would start serving."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the core started")

    monkeypatch.setattr("core_service.server.run_core", refuse)


@pytest.mark.usefixtures("no_serving")
@pytest.mark.parametrize(("extra", "said"), [
    (["--listen", "tcp://0.0.0.0:0"],
     "refusing to listen on non-loopback address 0.0.0.0 without --token-file"),
    (["--listen", "tcp://127.0.0.1:0", "--tls-cert", "c.pem"],
     "--tls-cert and --tls-key go together"),
    (["--listen", "unix:///tmp/x.sock", "--tls-cert", "c.pem", "--tls-key", "k.pem"],
     "TLS is for tcp:// addresses"),
    (["--listen", "tcp://127.0.0.1:0", "--token-file", "/nonexistent/token"],
     "cannot read a security file"),
    (["--listen", "udp://x"], "unsupported core address"),
])
def test_bad_security_flags_exit_2(
    extra: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad combination exits 2 with its reason before serving."""
    assert cli.main(["core", *extra]) == cli_core.EXIT_USAGE
    assert said in capsys.readouterr().err


@pytest.mark.usefixtures("no_serving")
def test_empty_token_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty token file would make an empty token: refused, exit 2."""
    token = tmp_path / "token"
    token.write_text("\n")
    assert cli.main(["core", "--listen", "tcp://0.0.0.0:0", "--token-file", str(token)]) == 2
    assert "is empty" in capsys.readouterr().err


async def test_core_health_names_the_failure() -> None:
    """Nobody listening: the reason is the gRPC status and its details, one line."""
    reason = await cli_core.core_health("tcp://127.0.0.1:1", None, 2.0)
    assert reason is not None and reason.startswith("UNAVAILABLE: ") and "\n" not in reason
