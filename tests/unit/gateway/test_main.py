"""The gateway process: argument checks, stdio and websocket runs as real processes."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from gateway.main import add_gateway_command, run_gateway
from tests.unit.gateway.fake_core import FakeCore

REPO = Path(__file__).resolve().parents[3]
WAIT = 10.0


def test_gateway_subcommand_arguments() -> None:
    """`gateway` takes --listen, --core, repeatable --allow-origin, --ws-token-file,
    --max-message-size, and sets `func`."""
    parser = argparse.ArgumentParser()
    add_gateway_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gateway", "--core", "unix:///s", "--listen", "ws://127.0.0.1:1",
                              "--allow-origin", "a", "--allow-origin", "b",
                              "--max-message-size", "99"])
    assert (args.core, args.listen, args.allow_origin, args.max_message_size) == (
        "unix:///s", "ws://127.0.0.1:1", ["a", "b"], 99)
    assert args.ws_token_file is None and callable(args.func)


async def test_non_loopback_without_token_refuses_to_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A non-loopback websocket address without --ws-token-file (or with an empty one)
    exits with 2 and a clear message on stderr."""
    assert await run_gateway("ws://0.0.0.0:0", "tcp://127.0.0.1:1") == 2
    assert "non-loopback" in capsys.readouterr().err
    empty = tmp_path / "token"
    empty.write_text("\n")
    assert await run_gateway("ws://0.0.0.0:0", "tcp://127.0.0.1:1",
                             ws_token_file=str(empty)) == 2
    assert "empty" in capsys.readouterr().err
    assert await run_gateway("ftp://x", "tcp://127.0.0.1:1") == 2


async def test_bad_core_security_files_refuse_to_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unreadable or empty --core-token-file, an unreadable --core-ca, or
    TLS toward a unix socket exit 2 naming the flag, before any connection."""
    empty = tmp_path / "token"
    empty.write_text(" \n")
    cases = [
        (str(tmp_path / "missing"), None, "cannot read --core-token-file"),
        (str(empty), None, f"--core-token-file {empty} is empty"),
        (None, str(tmp_path / "missing.pem"), "cannot read --core-ca"),
    ]
    for token_file, ca_file, said in cases:
        assert await run_gateway("stdio://", "tcp://127.0.0.1:1", core_token_file=token_file,
                                 core_ca_file=ca_file) == 2
        assert said in capsys.readouterr().err
    assert await run_gateway("stdio://", "unix:///tmp/core.sock",
                             core_ca_file=str(empty)) == 2
    assert "--core-ca (TLS) is for a tcp:// core address" in capsys.readouterr().err


def _gateway_cmd(listen: str, core: str, *extra: str) -> list[str]:
    code = (
        "import asyncio, sys; from gateway.main import run_gateway; "
        f"sys.exit(asyncio.run(run_gateway({listen!r}, {core!r}{''.join(extra)})))"
    )
    return [sys.executable, "-c", code]


async def test_stdio_process_round_trip_and_exit_on_eof() -> None:
    """Over stdio: one compact JSON per line, U+2028 kept inside a message, a bad line gets
    a parse error, nothing but protocol on stdout, exit 0 when stdin closes."""
    core = FakeCore()
    await core.start()
    try:
        proc = await asyncio.create_subprocess_exec(
            *_gateway_cmd("stdio://", core.target), cwd=REPO,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert proc.stdin is not None and proc.stdout is not None
        lines = [
            json.dumps({"id": 1, "method": "initialize", "params": {
                "clientInfo": {"name": "a\u2028b", "version": "1"}}}, ensure_ascii=False),
            "",
            "not json",
            json.dumps({"id": "2", "method": "thread/loaded/list"}),
        ]
        proc.stdin.write(("\n".join(lines) + "\n").encode())
        await proc.stdin.drain()
        proc.stdin.close()
        async with asyncio.timeout(WAIT):
            out = await proc.stdout.read()
            assert await proc.wait() == 0
        got = [json.loads(line) for line in out.decode().split("\n") if line]
        assert got[0] == {"id": 1, "result": {"userAgent": "fake/a\u2028b"}}
        assert b"\\u2028" in out.split(b"\n")[0]  # escaped on output
        assert got[1] == {"id": None, "error": {"code": -32700, "message": "Parse error"}}
        assert got[2]["id"] == "2" and "result" in got[2]
        assert len(got) == 3
    finally:
        await core.stop()


async def test_websocket_process_with_token_and_sigterm(tmp_path: Path) -> None:
    """Over websocket: `listening on: ws://IP:PORT` on stderr (port 0 resolved), /readyz 200,
    the bearer token is enforced, SIGTERM stops the process with exit code 0."""
    core = FakeCore()
    await core.start()
    token = tmp_path / "token"
    token.write_text("tok-123\n")
    proc = await asyncio.create_subprocess_exec(
        *_gateway_cmd("ws://127.0.0.1:0", core.target, f", ws_token_file={str(token)!r}"),
        cwd=REPO, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None and proc.stdout is not None
    try:
        async with asyncio.timeout(WAIT):
            while True:
                line = (await proc.stderr.readline()).decode()
                assert line, "gateway exited before listening"
                if line.startswith("listening on: "):
                    url = line.split(": ", 1)[1].strip()
                    break
        assert url.startswith("ws://127.0.0.1:") and not url.endswith(":0")
        async with httpx.AsyncClient(timeout=WAIT) as http:
            assert (await http.get(url.replace("ws://", "http://") + "/readyz")).status_code == 200
        headers = {"Authorization": "Bearer tok-123"}
        async with connect(url, additional_headers=headers, open_timeout=WAIT) as ws:
            await ws.send(json.dumps({"id": 1, "method": "initialize",
                                      "params": {"clientInfo": {"name": "w", "version": "1"}}}))
            async with asyncio.timeout(WAIT):
                assert json.loads(await ws.recv())["result"] == {"userAgent": "fake/w"}
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(WAIT):
                assert await proc.wait() == 0
        assert await proc.stdout.read() == b""
    finally:
        if proc.returncode is None:
            os.kill(proc.pid, signal.SIGKILL)
            await proc.wait()
        await core.stop()
