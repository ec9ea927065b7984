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
    (["--listen", "tcp://127.0.0.1:0", "--metrics-listen", "9100"],
     "--metrics-listen: expected HOST:PORT"),
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


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (["--metrics-listen", "[::1]:9100"], None, ("::1", 9100)),
    ([], "127.0.0.1:0", ("127.0.0.1", 0)),
    ([], None, None),
])
def test_metrics_listen_reaches_the_core(
    flag: list[str], env: str | None, expected: tuple[str, int] | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--metrics-listen (or APP_SERVER_METRICS_LISTEN) is parsed and handed to the core."""
    seen: dict[str, Any] = {}

    async def fake_run_core(*args: Any, **kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("core_service.server.run_core", fake_run_core)
    if env is None:
        monkeypatch.delenv("APP_SERVER_METRICS_LISTEN", raising=False)
    else:
        monkeypatch.setenv("APP_SERVER_METRICS_LISTEN", env)
    assert cli.main(["core", "--listen", "unix:///tmp/metrics-test.sock", *flag]) == 0
    assert seen["metrics_listen"] == expected
