"""Protocol test client and process launchers for end-to-end tests.

`ServerProcess` spawns the real `app-server` (single command, or a core and
gateways separately) with a private CODEX_HOME whose config points at the
mock model server; it waits for readiness signals printed on stderr
(`listening on: ...`), never for time. `ProtocolClient` speaks JSON-RPC over
stdio or websocket, validates every received message against the reference
schema, and offers bounded waits for responses and notifications.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websockets

from tests.support.conformance import validate_message

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 15.0


def write_config(home: Path, mock_base_url: str, *, extra: str = "",
                 approval_policy: str = "never", sandbox_mode: str = "read-only",
                 stream_max_retries: int = 0, request_max_retries: int = 0,
                 idle_ms: int | None = None, requires_openai_auth: bool = False) -> None:
    """A config.toml like the one a conformance harness writes for the reference."""
    home.mkdir(parents=True, exist_ok=True)
    idle = f"stream_idle_timeout_ms = {idle_ms}\n" if idle_ms is not None else ""
    (home / "config.toml").write_text(
        f"""model = "gpt-5.1-codex"
model_provider = "mock"
approval_policy = "{approval_policy}"
sandbox_mode = "{sandbox_mode}"
chatgpt_base_url = "{mock_base_url.rsplit('/v1', 1)[0]}/backend-api/"
check_for_update_on_startup = false
{extra}
[model_providers.mock]
name = "mock"
base_url = "{mock_base_url}"
wire_api = "responses"
request_max_retries = {request_max_retries}
stream_max_retries = {stream_max_retries}
supports_websockets = false
requires_openai_auth = {"true" if requires_openai_auth else "false"}
{idle}"""
    )


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a spawned server: private home, no real credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update({"CODEX_HOME": str(home), "TZ": "UTC", "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(REPO)})
    env.update(extra)
    return env


class ServerProcess:
    """A spawned app-server process (any subcommand) with stderr captured."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.stderr_lines: list[str] = []
        self.addresses: list[str] = []
        self._changed = asyncio.Condition()
        self._eof = False
        self._stderr_task = asyncio.get_running_loop().create_task(self._read_stderr())

    @classmethod
    async def spawn(cls, args: list[str], env: dict[str, str], *, stdio: bool = False,
                    cwd: Path | None = None) -> ServerProcess:
        """Start `python -m app_server ARGS` (stdin/stdout piped when `stdio`)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app_server", *args,
            stdin=asyncio.subprocess.PIPE if stdio else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if stdio else asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=env, cwd=str(cwd or REPO),
        )
        return cls(proc)

    async def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                break
            text = line.decode(errors="replace").rstrip("\n")
            async with self._changed:
                self.stderr_lines.append(text)
                if "listening on: " in text:
                    self.addresses.append(text.split("listening on: ", 1)[1].strip())
                self._changed.notify_all()
        async with self._changed:
            self._eof = True
            self._changed.notify_all()

    async def listening(self, scheme: str = "ws://", timeout: float = DEFAULT_TIMEOUT,
                        after: int = 0) -> str:
        """The n-th (`after`) address printed as `listening on: <scheme>...`."""
        async def wait() -> str:
            async with self._changed:
                while True:
                    found = [a for a in self.addresses if a.startswith(scheme)]
                    if len(found) > after:
                        return found[after]
                    if self._eof:
                        raise RuntimeError("process exited before listening:\n"
                                           + "\n".join(self.stderr_lines))
                    await self._changed.wait()

        return await asyncio.wait_for(wait(), timeout)

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the process and wait for it (kill after `timeout`)."""
        if self.proc.returncode is None:
            # os.kill, not Popen.send_signal: the latter polls first, and a poll
            # that reaps an exited child steals its status from asyncio's child
            # watcher (which then reports 255).
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, sig)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._stderr_task, 5)
        return self.proc.returncode if self.proc.returncode is not None else -1


class ProtocolClient:
    """JSON-RPC client over a stdio pipe or a websocket; validates what it receives."""

    def __init__(self, send: Callable[[bytes], Any], recv: Callable[[], Any],
                 close: Callable[[], Any]) -> None:
        self._send = send
        self._recv = recv
        self._close = close
        self.next_id = 1
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[Any, dict[str, Any]] = {}
        self.server_requests: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.methods_by_id: dict[Any, str] = {}
        self.validated = 0
        # Messages handed out by `wait_response` / `next_message` (by identity),
        # and how far `next_message` has read `received`.
        self._taken: set[int] = set()
        self._cursor = 0
        self._cond = asyncio.Condition()
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self.closed = asyncio.Event()

    @classmethod
    async def over_stdio(cls, server: ServerProcess) -> ProtocolClient:
        """Client on the server's stdin/stdout."""
        proc = server.proc
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        async def send(data: bytes) -> None:
            stdin.write(data + b"\n")
            await stdin.drain()

        async def recv() -> bytes | None:
            line = await stdout.readline()
            return line or None

        async def close() -> None:
            with contextlib.suppress(Exception):
                stdin.close()

        return cls(send, recv, close)

    @classmethod
    async def over_websocket(cls, url: str, **kwargs: Any) -> ProtocolClient:
        """Client on a websocket connection to `url`."""
        ws = await websockets.connect(url, max_size=None, **kwargs)

        async def send(data: bytes) -> None:
            await ws.send(data.decode())

        async def recv() -> bytes | None:
            try:
                msg = await ws.recv()
            except websockets.ConnectionClosed:
                return None
            return msg.encode() if isinstance(msg, str) else msg

        async def close() -> None:
            await ws.close()

        client = cls(send, recv, close)
        client.ws = ws  # type: ignore[attr-defined]
        return client

    async def _read(self) -> None:
        try:
            while True:
                raw = await self._recv()
                if raw is None:
                    break
                raw = raw.strip()
                if not raw:
                    continue
                msg = json.loads(raw)
                assert "jsonrpc" not in msg, msg
                if "method" in msg or "result" in msg:
                    method = self.methods_by_id.get(msg.get("id")) if "method" not in msg else None
                    if validate_message(msg, method):
                        self.validated += 1
                async with self._cond:
                    self.received.append(msg)
                    if "method" in msg and "id" in msg:
                        self.server_requests.append(msg)
                    elif "method" in msg:
                        self.notifications.append(msg)
                    else:
                        self.responses[msg.get("id")] = msg
                    self._cond.notify_all()
        finally:
            self.closed.set()
            async with self._cond:
                self._cond.notify_all()

    async def send(self, obj: Any) -> None:
        """Send one JSON message (dict) or raw bytes."""
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        await self._send(data)

    async def request_nowait(self, method: str, params: Any = None, *, id: Any = None,
                             omit_params: bool = False) -> Any:
        """Send a request; returns its id."""
        if id is None:
            id = self.next_id
            self.next_id += 1
        msg: dict[str, Any] = {"id": id, "method": method}
        if not omit_params:
            msg["params"] = params if params is not None else {}
        self.methods_by_id[id] = method
        await self.send(msg)
        return id

    async def wait_response(self, id: Any, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The response to request `id` (waits up to `timeout`)."""
        resp: dict[str, Any] = await self.wait_for(lambda: self.responses.get(id), timeout,
                                                   f"response to {id!r}")
        self._taken.add(builtins.id(resp))
        return resp

    async def next_message(self, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The next message received, in arrival order, of those no `wait_response`
        or earlier `next_message` handed out (waits up to `timeout`)."""
        def probe() -> dict[str, Any] | None:
            while self._cursor < len(self.received):
                msg = self.received[self._cursor]
                self._cursor += 1
                if builtins.id(msg) not in self._taken:
                    self._taken.add(builtins.id(msg))
                    return msg
            return None

        return await self.wait_for(probe, timeout, "the next message")  # type: ignore[no-any-return]

    async def request(self, method: str, params: Any = None, *, timeout: float = DEFAULT_TIMEOUT,
                      **kw: Any) -> dict[str, Any]:
        """Send a request and wait for its response message."""
        rid = await self.request_nowait(method, params, **kw)
        return await self.wait_response(rid, timeout)

    async def call(self, method: str, params: Any = None, **kw: Any) -> Any:
        """Send a request; return its result (fails on an error response)."""
        resp = await self.request(method, params, **kw)
        assert "result" in resp, f"{method} failed: {resp}"
        return resp["result"]

    async def initialize(self, name: str = "conformance", **caps: Any) -> dict[str, Any]:
        """initialize + initialized."""
        params: dict[str, Any] = {"clientInfo": {"name": name, "title": None, "version": "1.0.0"}}
        if caps:
            params["capabilities"] = caps
        result = await self.call("initialize", params)
        await self.send({"method": "initialized"})
        return result  # type: ignore[no-any-return]

    async def wait_for(self, probe: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT,
                       what: str = "condition") -> Any:
        """Wait until `probe()` returns a truthy value (checked on every message)."""
        async def loop() -> Any:
            async with self._cond:
                while True:
                    value = probe()
                    if value:
                        return value
                    if self.closed.is_set():
                        raise ConnectionError(f"connection closed while waiting for {what}")
                    await self._cond.wait()

        try:
            return await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise TimeoutError(f"timed out waiting for {what}; received: "
                               f"{[m.get('method', m.get('id')) for m in self.received]}"
                               ) from None

    async def wait_notification(self, method: str, pred: Callable[[dict[str, Any]], bool]
                                | None = None, timeout: float = DEFAULT_TIMEOUT,
                                after: int = 0) -> dict[str, Any]:
        """The first notification `method` (index >= after) matching `pred`."""
        def probe() -> dict[str, Any] | None:
            for n in self.notifications[after:]:
                if n["method"] == method and (pred is None or pred(n["params"])):
                    return n
            return None

        return await self.wait_for(probe, timeout, f"notification {method}")  # type: ignore

    def methods(self, since: int = 0) -> list[str]:
        """Methods of the notifications received (from index `since`)."""
        return [n["method"] for n in self.notifications[since:]]

    async def close(self) -> None:
        """Close the transport."""
        await self._close()
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader
