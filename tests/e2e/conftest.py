"""Fixtures of the end-to-end tests: mock model, private home, real processes.

Every test here runs the real `app-server` processes (single command, or a
core and gateways separately) against the in-process mock model server, and
talks to them through a real stdio pipe or websocket.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import ProtocolClient, ServerProcess, server_env, write_config
from tests.support.conformance import REFERENCE, reference_available
from tests.support.mock_model import MockModelServer

TRANSPORTS = ["stdio", "ws"]


@pytest.fixture
async def mock() -> AsyncIterator[MockModelServer]:
    """The mock Responses API server (in this test's event loop)."""
    async with MockModelServer() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A private CODEX_HOME."""
    return tmp_path / "codex_home"


Launcher = Callable[..., Awaitable[ProtocolClient]]


@pytest.fixture
async def launch(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> AsyncIterator[Launcher]:
    """Start `app-server` (single command) over a transport; returns a client.

    `await launch("stdio")` or `await launch("ws")`; keyword arguments go to
    `write_config` (written unless `config=False`); `args` adds CLI flags,
    `env` extra environment variables. With "ws" further clients can connect
    to `client.url`.
    """
    procs: list[ServerProcess] = []
    clients: list[ProtocolClient] = []

    async def start(transport: str, *, args: list[str] | None = None,
                    env: dict[str, str] | None = None, config: bool = True,
                    **config_kw: Any) -> ProtocolClient:
        if config:
            write_config(home, mock.base_url, **config_kw)
        else:
            home.mkdir(parents=True, exist_ok=True)
        environment = server_env(home, **(env or {}))
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        if transport == "stdio":
            proc = await ServerProcess.spawn([*(args or [])], environment, stdio=True,
                                             cwd=work)
            procs.append(proc)
            client = await ProtocolClient.over_stdio(proc)
        else:
            proc = await ServerProcess.spawn(["--listen", "ws://127.0.0.1:0", *(args or [])],
                                             environment, cwd=work)
            procs.append(proc)
            url = await proc.listening()
            client = await ProtocolClient.over_websocket(url)
            client.url = url  # type: ignore[attr-defined]
        client.process = proc  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield start
    for c in clients:
        with contextlib.suppress(Exception):
            await c.close()
    for p in procs:
        await p.stop()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """Each end-to-end scenario runs over stdio and over websocket."""
    return str(request.param)


def pytest_report_header() -> str:
    """Say whether received messages are checked against the reference schema."""
    if reference_available():
        return f"conformance: every received message is validated against {REFERENCE}"
    return (f"conformance: {REFERENCE} is absent; received messages are NOT validated "
            "against the reference schema")
