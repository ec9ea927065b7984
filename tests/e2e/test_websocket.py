"""End to end: websocket transport hardening of the gateway.

`GET /readyz` and `GET /healthz` on the websocket port; any request carrying
an `Origin` header refused with 403 unless allowed with `--allow-origin`;
`--ws-token-file` requiring `Authorization: Bearer <token>` (401 otherwise),
mandatory on a non-loopback address (exit code 2 without it); an oversized
frame closed with 1009 and a clear reason.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import Launcher
from tests.e2e.multi import ClientPool, Cluster, SingleServer, http_status, prepare_home
from tests.support.client import ServerProcess
from tests.support.mock_model import MockModelServer

EVIL = "http://evil.example"
GOOD = "http://good.example"
TOKEN = "s3cret-token-for-tests"


def _http(url: str) -> str:
    return "http://" + url.removeprefix("ws://")


async def test_health_endpoints_answer_200(launch: Launcher) -> None:
    """GET /readyz and GET /healthz answer 200 on the websocket port; clients still work."""
    client = await launch("ws")
    base = _http(client.url)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(timeout=10) as http:
        ready = await http.get(base + "/readyz")
        health = await http.get(base + "/healthz")
    assert ready.status_code == 200, ready.text
    assert health.status_code == 200, health.text
    await client.initialize()
    assert "result" in await client.request("thread/loaded/list", {})


async def test_requests_with_an_origin_are_refused(launch: Launcher) -> None:
    """A handshake or health request carrying an Origin header gets 403."""
    client = await launch("ws")
    url = client.url  # type: ignore[attr-defined]
    assert await http_status(url, origin=EVIL) == 403
    async with httpx.AsyncClient(timeout=10) as http:
        refused = await http.get(_http(url) + "/healthz", headers={"Origin": EVIL})
    assert refused.status_code == 403
    # Without an Origin the same server accepts.
    assert await http_status(url) == 101


async def test_allowed_origin_is_accepted(launch: Launcher) -> None:
    """--allow-origin ORIGIN lets that origin in; any other origin is still refused."""
    client = await launch("ws", args=["--allow-origin", GOOD])
    url = client.url  # type: ignore[attr-defined]
    assert await http_status(url, origin=EVIL) == 403
    async with ClientPool() as pool:
        allowed = await pool.connect(url, "browser", headers={"Origin": GOOD})
        assert "result" in await allowed.request("thread/loaded/list", {})


async def test_token_file_requires_the_bearer_token(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """With --ws-token-file, a handshake without or with a wrong bearer gets 401."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    server = await SingleServer.start(mock, home, tmp_path / "work",
                                      ["--ws-token-file", str(token_file)])
    try:
        assert await http_status(server.url) == 401
        assert await http_status(
            server.url, additional_headers={"Authorization": "Bearer wrong"}) == 401
        assert await http_status(
            server.url, additional_headers={"Authorization": f"Basic {TOKEN}"}) == 401
        async with ClientPool() as pool:
            client = await pool.connect(server.url, "authorized",
                                        headers={"Authorization": f"Bearer {TOKEN}"})
            assert "result" in await client.request("thread/loaded/list", {})
    finally:
        await server.stop()


async def test_non_loopback_listen_without_token_refuses_to_start(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """Listening on 0.0.0.0 without --ws-token-file exits with status 2 and says why."""
    env = prepare_home(home, mock)
    work = tmp_path / "work"
    work.mkdir()
    single = await ServerProcess.spawn(["--listen", "ws://0.0.0.0:0"], env, cwd=work)
    gateway = await ServerProcess.spawn(
        ["gateway", "--listen", "ws://0.0.0.0:0", "--core", f"unix://{tmp_path}/none.sock"],
        env, cwd=work)
    try:
        codes = await asyncio.wait_for(
            asyncio.gather(single.proc.wait(), gateway.proc.wait()), 30)
    finally:
        await single.stop()
        await gateway.stop()
    assert codes == [2, 2], (single.stderr_lines, gateway.stderr_lines)
    for proc in (single, gateway):
        text = "\n".join(proc.stderr_lines)
        assert "--ws-token-file" in text and "listening on: ws://" not in text, text


async def test_non_loopback_listen_with_token_starts(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """With a token file the gateway listens on a non-loopback address."""
    env = prepare_home(home, mock)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    gateway = await ServerProcess.spawn(
        ["gateway", "--listen", "ws://0.0.0.0:0", "--core", f"unix://{tmp_path}/none.sock",
         "--ws-token-file", str(token_file)], env, cwd=tmp_path)
    try:
        url = await gateway.listening()
        port = url.rsplit(":", 1)[1]
        assert await http_status(f"ws://127.0.0.1:{port}") == 401
    finally:
        assert await gateway.stop() == 0


async def test_oversized_frame_is_closed_with_a_reason(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """A frame beyond --max-message-size closes the connection with 1009 and a reason."""
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        url = await cluster.add_gateway("--max-message-size", "100000")
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send('{"id": 1, "method": "initialize", "params": {"clientInfo": '
                          '{"name": "big", "version": "1"}}}')
            assert '"id":1' in str(await asyncio.wait_for(ws.recv(), 10)).replace(" ", "")
            await ws.send('{"id": 2, "method": "thread/loaded/list", "params": {"pad": "'
                          + "x" * 200_000 + '"}}')
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None, closed.value
        assert closed.value.rcvd.code == 1009
        assert closed.value.rcvd.reason, "the close frame names the problem"
        # The gateway keeps serving other clients.
        async with ClientPool() as pool:
            other = await pool.connect(url, "other")
            assert "result" in await other.request("thread/loaded/list", {})
