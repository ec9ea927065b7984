"""Helpers of the many-connection end-to-end tests (delivery, back-pressure, gateways).

- `ClientPool`: opens websocket clients (optionally initialized) and closes
  them all at the end.
- `SingleServer`: the single command on a websocket, started by the test
  itself (for flags the `launch` fixture cannot express, e.g. a token file).
- `Cluster`: `app-server core` on a unix socket and any number of
  `app-server gateway` processes in front of it; the core can be stopped and
  started again on the same socket, a gateway killed.
- `start_turn`, `thread_events`, `fence`: turn and delivery helpers. `fence`
  makes a connection receive a notification the core emits *now*: whatever
  the core addressed to that connection earlier has then arrived (a gateway
  receives the core's events in order on one stream), so a test can assert
  that something was *not* delivered without sleeping.
- `http_status`: the HTTP status of a refused websocket handshake.
- `RawWebSocket`: a minimal websocket client on a plain socket, for a client
  that stops reading (no library buffering or flow control in the way).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import websockets
from websockets.exceptions import InvalidStatus

from tests.support.client import ProtocolClient, ServerProcess, server_env, write_config
from tests.support.mock_model import MockModelServer

TEXT = "text"


class ClientPool:
    """Websocket clients opened by a test; `close()` closes every one of them."""

    def __init__(self) -> None:
        self.clients: list[ProtocolClient] = []

    async def connect(self, url: str, name: str | None = "client", *,
                      headers: dict[str, str] | None = None, **caps: Any) -> ProtocolClient:
        """Open a client on `url`; initialized as `name` (with `caps`) unless name is None."""
        kwargs: dict[str, Any] = {}
        if headers:
            kwargs["additional_headers"] = headers
        client = await ProtocolClient.over_websocket(url, **kwargs)
        self.clients.append(client)
        if name is not None:
            await client.initialize(name, **caps)
        return client

    async def close(self) -> None:
        """Close every client (errors of already-closed ones ignored)."""
        for c in self.clients:
            with contextlib.suppress(Exception):
                await c.close()
        self.clients.clear()

    async def __aenter__(self) -> ClientPool:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()


def prepare_home(home: Path, mock: MockModelServer) -> dict[str, str]:
    """Write the mock-model config into `home`; the environment for a server."""
    write_config(home, mock.base_url)
    return server_env(home)


class SingleServer:
    """The single command on `ws://127.0.0.1:0` with extra flags, started by the test."""

    def __init__(self, process: ServerProcess, url: str) -> None:
        self.process = process
        self.url = url

    @property
    def port(self) -> int:
        """The bound websocket port."""
        return int(self.url.rsplit(":", 1)[1])

    @classmethod
    async def start(cls, mock: MockModelServer, home: Path, work: Path,
                    args: list[str] | None = None,
                    env: dict[str, str] | None = None) -> SingleServer:
        """Start `app-server --listen ws://127.0.0.1:0 ARGS` and wait for its address."""
        environment = prepare_home(home, mock)
        environment.update(env or {})
        work.mkdir(parents=True, exist_ok=True)
        proc = await ServerProcess.spawn(["--listen", "ws://127.0.0.1:0", *(args or [])],
                                         environment, cwd=work)
        try:
            url = await proc.listening()
        except BaseException:
            await proc.stop()
            raise
        return cls(proc, url)

    async def stop(self) -> int:
        """SIGTERM (then kill) and wait."""
        return await self.process.stop()


class Cluster:
    """One `app-server core` on a unix socket and several gateways in front of it."""

    def __init__(self, mock: MockModelServer, home: Path, work: Path,
                 core_args: list[str] | None = None) -> None:
        self.env = prepare_home(home, mock)
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        # A short private directory: unix socket paths are limited to 107 bytes.
        self._dir = Path(tempfile.mkdtemp(prefix="as-e2e-"))
        self.socket = self._dir / "core.sock"
        self.core_addr = f"unix://{self.socket}"
        self.core_args = list(core_args or [])
        self.core: ServerProcess | None = None
        self.gateways: list[ServerProcess] = []
        self.urls: list[str] = []

    async def start_core(self) -> ServerProcess:
        """Start the core (again) on the cluster's socket; wait until it listens."""
        proc = await ServerProcess.spawn(
            ["core", "--listen", self.core_addr, *self.core_args], self.env, cwd=self.work)
        self.core = proc
        try:
            await proc.listening(scheme="unix://")
        except BaseException:
            await proc.stop()
            raise
        return proc

    async def stop_core(self, sig: int = signal.SIGTERM) -> int:
        """Stop the core with `sig`; returns its exit status."""
        assert self.core is not None
        return await self.core.stop(sig)

    async def add_gateway(self, *args: str) -> str:
        """Start a websocket gateway in front of the core; returns its URL."""
        proc = await ServerProcess.spawn(
            ["gateway", "--listen", "ws://127.0.0.1:0", "--core", self.core_addr, *args],
            self.env, cwd=self.work)
        self.gateways.append(proc)
        url = await proc.listening()
        self.urls.append(url)
        return url

    async def close(self) -> None:
        """Stop every gateway, then the core; remove the socket directory."""
        for gw in self.gateways:
            await gw.stop()
        if self.core is not None:
            await self.core.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    async def __aenter__(self) -> Cluster:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()


async def start_turn(client: ProtocolClient, thread_id: str, text: str) -> str:
    """Send turn/start; returns the turn id."""
    result = await client.call("turn/start", {"threadId": thread_id,
                                              "input": [{"type": TEXT, "text": text}]})
    return str(result["turn"]["id"])


async def wait_turn_completed(client: ProtocolClient, turn_id: str,
                              timeout: float = 15.0) -> dict[str, Any]:
    """The turn/completed notification of `turn_id` as `client` receives it."""
    note = await client.wait_notification(
        "turn/completed", lambda p: p["turn"]["id"] == turn_id, timeout=timeout)
    return note["params"]["turn"]  # type: ignore[no-any-return]


def thread_events(client: ProtocolClient, thread_id: str, since: int = 0,
                  exclude: tuple[str, ...] = ("thread/started",)) -> list[dict[str, Any]]:
    """Notifications about `thread_id` received by `client` (from index `since`).

    thread/started is broadcast to every initialized connection, so it is
    left out by default: it says nothing about subscriptions.
    """
    out = []
    for n in client.notifications[since:]:
        params = n.get("params") or {}
        tid = params.get("threadId") or (params.get("thread") or {}).get("id")
        if tid == thread_id and n["method"] not in exclude:
            out.append(n)
    return out


def deltas(client: ProtocolClient, turn_id: str | None = None, since: int = 0) -> list[str]:
    """The agent message deltas received (of one turn when `turn_id` is given)."""
    return [n["params"]["delta"] for n in client.notifications[since:]
            if n["method"] == "item/agentMessage/delta"
            and (turn_id is None or n["params"]["turnId"] == turn_id)]


async def fence(client: ProtocolClient, timeout: float = 15.0) -> str:
    """Make `client` receive an event emitted now (see the module docstring).

    Starts a fresh thread on `client` and waits for its thread/started;
    returns the new thread id.
    """
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await client.wait_notification("thread/started", lambda p: p["thread"]["id"] == tid,
                                   timeout=timeout)
    return str(tid)


async def http_status(url: str, **kwargs: Any) -> int:
    """Open a websocket on `url`; the HTTP status that refused it (101 if accepted)."""
    try:
        ws = await websockets.connect(url, open_timeout=10, **kwargs)
    except InvalidStatus as err:
        return int(err.response.status_code)
    await ws.close()
    return 101


class RawWebSocket:
    """A bare websocket client (RFC 6455 framing by hand) that reads only when asked.

    The socket's kernel receive buffer is made small, so a server writing to
    a `RawWebSocket` that is not being read backs up within a few frames.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        # Close frame received: (code, reason), or None.
        self.close_frame: tuple[int, str] | None = None

    @classmethod
    async def connect(cls, url: str, rcvbuf: int | None = 4096,
                      timeout: float = 10.0) -> RawWebSocket:
        """Open a TCP connection to `ws://HOST:PORT` and perform the handshake.

        `rcvbuf` sets the kernel receive buffer (None: the system default).
        """
        host, port = url.removeprefix("ws://").rstrip("/").rsplit(":", 1)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        async with asyncio.timeout(timeout):
            await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
            # A small stream buffer too: the transport stops reading beyond it.
            reader, writer = await asyncio.open_connection(
                sock=sock, limit=16 * 1024 if rcvbuf is not None else 2**20)
            key = base64.b64encode(os.urandom(16)).decode()
            writer.write((f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        if status != b"101":
            writer.close()
            raise ConnectionError(f"handshake refused: {head[:200]!r}")
        return cls(reader, writer)

    async def send_json(self, obj: Any) -> None:
        """Send one masked text frame holding `obj` as JSON."""
        payload = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)
        await self.writer.drain()

    async def read_frame(self) -> tuple[int, bytes] | None:
        """The next frame (opcode, payload); None at end of stream or on a reset."""
        try:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            payload = await self.reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        opcode = b0 & 0x0F
        if opcode == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.close_frame = (code, payload[2:].decode(errors="replace"))
        return opcode, payload

    async def initialize(self, name: str) -> None:
        """initialize (answer awaited) + initialized."""
        await self.send_json({"id": "init", "method": "initialize", "params": {
            "clientInfo": {"name": name, "title": None, "version": "1"}}})
        while (await self.read_json()).get("id") != "init":
            pass
        await self.send_json({"method": "initialized"})

    async def call(self, rid: str, method: str, params: Any) -> dict[str, Any]:
        """Send a request and read until its answer (other messages are skipped)."""
        await self.send_json({"id": rid, "method": method, "params": params})
        while True:
            msg = await self.read_json()
            if msg.get("id") == rid and "method" not in msg:
                return msg

    async def read_json(self) -> dict[str, Any]:
        """The next text message, decoded (fails on end of stream)."""
        while True:
            frame = await self.read_frame()
            if frame is None or frame[0] == 0x8:
                raise ConnectionError("websocket closed")
            if frame[0] == 0x1:
                return json.loads(frame[1])  # type: ignore[no-any-return]

    def abort(self) -> None:
        """Drop the TCP connection."""
        transport = self.writer.transport
        transport.abort()
