"""`app-server` command line.

- `app-server [--listen stdio://|ws://IP:PORT]`: the single command. Starts a
  private core as a child process on a unix socket in a private temporary
  directory, waits for it to be healthy (gRPC health checking), runs the
  gateway in this process and stops the core when the gateway exits (stdin
  closed, SIGTERM, SIGINT).
- `app-server core --listen unix:///PATH|tcp://HOST:PORT`: the core alone;
  `app-server core-health --core ADDR`: exit 0 when it serves (`cli_core.py`).
- `app-server gateway --listen ... --core ADDR`: a gateway alone.
- `app-server mcp-server [--core ADDR]`: the MCP front end on stdio, with a
  private core like the single command unless `--core` names one.
- `app-server generate-json-schema --out DIR`, `app-server generate-ts --out DIR`.

`-c key=value` / `--config key=value`, `--enable FEATURE` and
`--disable FEATURE` are accepted on every subcommand, as the reference's
command line accepts them. stdout carries protocol only; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app_server import logs
from app_server.config_flags import add_config_flags, config_argv
from app_server.early_signals import stop_signal_caught
from app_server.early_stdio import EarlyStdio, protocol_stdout
from app_server.first_line import FirstLine
from app_server.options import DESCRIPTION, SUBCOMMANDS, add_top_options, top_parser
from app_server_protocol.addresses import format_ws, listen_refusal, parse_listen
from gateway.stop_signals import StopSignals
from gateway.transport.stdio import StdioStream

if TYPE_CHECKING:
    from app_server.early_ws import EarlyWebSocket

# Waits until the private core serves; raises RuntimeError when it failed to start.
CoreReady = Callable[[], Awaitable[None]]
CORE_START_TIMEOUT = 30.0
# How long the gateway's imports wait for a client's first line (see with_private_core).
EARLY_GRACE = 0.05
# The gateway's default input line limit (gateway.core_link, not imported this early).
DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of `app-server` and its subcommands.

    With `only` (a subcommand), just its family is registered: the core
    child must not import the gateway and the MCP front end (~0.7 s of its
    start-up, the MCP SDK above all) to parse its own arguments.
    """
    parser = argparse.ArgumentParser(prog="app-server", description=DESCRIPTION)
    add_top_options(parser)
    sub = parser.add_subparsers(dest="command")
    if only in (None, "core", "core-health"):
        from app_server.cli_core import add_core_commands

        add_core_commands(sub)
    if only in (None, "gateway"):
        from gateway.main import add_gateway_command

        add_gateway_command(sub)
    if only in (None, "generate-json-schema", "generate-ts"):
        from app_server.cli_generate import add_generate_commands

        add_generate_commands(sub)
    if only in (None, "mcp-server"):
        from mcp_front.main import add_mcp_server_command

        add_mcp_server_command(sub, with_private_core)
    for p in sub.choices.values():
        if not any(a.dest == "config" for a in p._actions):
            add_config_flags(p)
    return parser


def _setup_logging(level: str) -> None:
    # The human format, or JSON lines with LOG_FORMAT=json (inherited by the core child).
    logs.configure(level)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `app-server` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not any(a in SUBCOMMANDS for a in args_list):
        return run_top(top_parser().parse_args(args_list))
    if "core-health" in args_list:
        from app_server.cli_core import QUIET_GRPC

        os.environ.setdefault(*QUIET_GRPC)
    command = next(a for a in args_list if a in SUBCOMMANDS)
    args = build_parser(command).parse_args(args_list)
    _setup_logging(args.log_level)
    handler = getattr(args, "func", None)
    if args.command and handler is not None:
        return int(handler(args))
    return run_single(args)


def run_top(args: argparse.Namespace, first: FirstLine | None = None,
            listener: socket.socket | None = None) -> int:
    """The single command, its arguments parsed (`first`, `listener`: see `run_single`)."""
    _setup_logging(args.log_level)
    return run_single(args, first, listener)


async def _wait_healthy(target: str, proc: subprocess.Popen[bytes], limit: float) -> None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    # Short reconnect backoff: the socket appears a few hundred ms after the
    # spawn, and gRPC's default first backoff (1 s) would dominate start-up.
    options = [("grpc.initial_reconnect_backoff_ms", 20),
               ("grpc.min_reconnect_backoff_ms", 20),
               ("grpc.max_reconnect_backoff_ms", 100)]
    async with grpc.aio.insecure_channel(target, options=options) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"core exited with status {proc.returncode} during start-up")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RuntimeError("core did not become healthy in time")
            try:
                resp = await stub.Check(health_pb2.HealthCheckRequest(),
                                        timeout=min(1.0, remaining), wait_for_ready=True)
                if resp.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError as err:
                if err.code() not in (grpc.StatusCode.UNAVAILABLE,
                                      grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise


def _stop_core(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def run_single(args: argparse.Namespace, first: FirstLine | None = None,
               listener: socket.socket | None = None) -> int:
    """The single command: private core child + gateway in this process.

    `first` is what `launch` read from stdin (and maybe answered) already;
    `listener`, the websocket address it bound and listens on already.
    """
    # Checked before the core starts: a refused address must not cost a spawn.
    try:
        refusal = listen_refusal(parse_listen(args.listen), bool(args.ws_token_file))
    except ValueError as err:
        refusal = str(err)
    if refusal:
        print(f"app-server: {refusal}", file=sys.stderr)
        return 2

    with contextlib.ExitStack() as stdout_guard:
        early = _EarlyFront(args, stdout_guard, first or FirstLine(), listener)

        async def serve(core_addr: str, core_ready: CoreReady | None = None) -> int:
            from gateway.main import run_gateway

            return await run_gateway(args.listen, core_addr, allow_origins=args.allow_origin,
                                     ws_token_file=args.ws_token_file, early_stdio=early.stdio,
                                     early_ws=early.ws, core_ready=core_ready,
                                     stop=early.stop)

        # A websocket accepts while the core starts; over stdio the core is
        # needed only after `initialize`, answered early.
        starting = serve if parse_listen(args.listen).scheme == "ws" else None
        return with_private_core(args, serve, serve_starting=starting, on_loop=early.start,
                                 settled=early.settled)


class _EarlyFront:
    """What the single command starts before importing the gateway (early_*.py):
    the stdio stream answering `initialize`, or the websocket listener."""

    def __init__(self, args: argparse.Namespace, stdout_guard: contextlib.ExitStack,
                 first: FirstLine, listener: socket.socket | None) -> None:
        self.args = args
        self.stdout_guard = stdout_guard
        self.first = first
        self.listener = listener
        self.stdio: EarlyStdio | None = None
        self.ws: EarlyWebSocket | None = None
        self.stop: asyncio.Event | None = None

    async def start(self, stop: asyncio.Event) -> int | None:
        """Start listening; an exit code when that is impossible (usage error).

        `stop` is set on TERM/INT from now on (the gateway stops on it).
        """
        self.stop = stop
        where = parse_listen(self.args.listen)
        if where.scheme == "stdio":
            out_fd = self.stdout_guard.enter_context(protocol_stdout())
            self.stdio = EarlyStdio(StdioStream(0, out_fd, max_message_size=DEFAULT_MAX_MESSAGE,
                                                read_already=self.first.data),
                                    answered=self.first.answered)
            self.stdio.start()
            return None
        # Imported here: websockets costs a stdio start-up 20 ms.
        from app_server.early_ws import EarlyWebSocket, read_ws_token
        from gateway.transport.websocket import WebSocketOptions

        try:
            token = (read_ws_token(self.args.ws_token_file)
                     if self.args.ws_token_file is not None else None)
        except ValueError as err:
            return _gateway_usage_error(str(err))
        self.ws = EarlyWebSocket(WebSocketOptions(
            host=where.host, port=where.port, max_message_size=DEFAULT_MAX_MESSAGE,
            allow_origins=frozenset(self.args.allow_origin), token=token, metrics=_metrics,
            sock=self.listener))
        try:
            bound = await self.ws.start()
        except OSError as err:
            return _gateway_usage_error(
                f"cannot listen on {format_ws(where.host, where.port)}: {err}")
        for host, port in bound:
            print(f"listening on: {format_ws(host, port)}", file=sys.stderr, flush=True)
        return None

    def settled(self) -> Awaitable[object] | None:
        """What the gateway's imports wait for (briefly): the first stdio line."""
        return self.stdio.settled if self.stdio is not None else None


def _gateway_usage_error(message: str) -> int:
    print(f"app-server gateway: {message}", file=sys.stderr, flush=True)
    return 2


def _metrics(accept: str | None) -> tuple[str, bytes]:
    # Imported on the first scrape: prometheus is not needed to start.
    from app_server import exposition

    return exposition.render(accept)


async def _unless_stopped(step: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run `step` unless `stop` is set first (then cancel it); True when it ran."""
    task = asyncio.ensure_future(step)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False
    task.result()
    return True


async def _start_and_serve(
    sock: str,
    proc: subprocess.Popen[bytes],
    serve: Callable[[str], Awaitable[int]],
    serve_starting: Callable[[str, CoreReady], Awaitable[int]] | None,
    on_loop: Callable[[asyncio.Event], Awaitable[int | None]] | None,
    settled: Callable[[], Awaitable[object] | None],
) -> int:
    """The event-loop part of `with_private_core` (see there)."""
    async def prepare() -> None:
        first = settled()
        if first is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(first), EARLY_GRACE)
        # Imported in a thread while the core starts: the loop stays free
        # for the early stdio work.
        await asyncio.to_thread(importlib.import_module, "gateway.main")

    async def run() -> int:
        stop = asyncio.Event()
        signals = StopSignals(asyncio.get_running_loop(), stop)
        if stop_signal_caught():
            stop.set()
        try:
            if on_loop is not None and (code := await on_loop(stop)) is not None:
                return code
            if not await _unless_stopped(prepare(), stop):
                return 0
            healthy = functools.partial(_wait_healthy, f"unix:{sock}", proc,
                                        CORE_START_TIMEOUT)
            if serve_starting is not None:
                return await serve_starting(f"unix://{sock}", healthy)
            if not await _unless_stopped(healthy(), stop):
                return 0
            return await serve(f"unix://{sock}")
        finally:
            # From here TERM/INT are ignored until we exit, so the core
            # stop below is not cut short by a launcher's TERM.
            signals.ignore_from_now_on()

    return await run()


def with_private_core(
    args: argparse.Namespace,
    serve: Callable[[str], Awaitable[int]],
    *,
    serve_starting: Callable[[str, CoreReady], Awaitable[int]] | None = None,
    on_loop: Callable[[asyncio.Event], Awaitable[int | None]] | None = None,
    settled: Callable[[], Awaitable[object] | None] = lambda: None,
) -> int:
    """Run `serve(core_addr)` (a front end) beside a private core child, stopped after it.

    `serve_starting`, when given, is called instead of `serve` without
    waiting for the core, with the wait for its health (which raises when it
    fails to start). TERM/INT set a stop event from the start: before the
    front end serves they end the command (status 0, core stopped); after,
    the front end given that event (through `on_loop(stop)`) stops on it,
    and once it returns they are ignored. `on_loop` runs first on the event
    loop, before the front end's heavy imports (an exit code it returns
    ends the command);
    those imports wait (briefly) for `settled()` so that they do not slow the
    early work down.
    """
    if stop_signal_caught():
        return 0  # TERM/INT before anything started: nothing to stop
    tmp = tempfile.mkdtemp(prefix="app-server-")
    os.chmod(tmp, 0o700)
    sock = os.path.join(tmp, "core.sock")
    # The core stops if this process dies, even while it is still starting.
    env = dict(os.environ, APP_SERVER_CORE_WATCH_PARENT=str(os.getpid()))
    # Turn grace 0: the gateway in front has closed every connection by the
    # time the core stops, so nobody would see a running turn finish. No
    # token: the socket is in a directory only this user can enter.
    cmd = [sys.executable, "-m", "app_server", "core", "--listen", f"unix://{sock}",
           "--turn-grace", "0", *config_argv(args)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(), env=env)
    try:
        return asyncio.run(_start_and_serve(sock, proc, serve, serve_starting, on_loop, settled))
    except RuntimeError as err:
        print(f"app-server: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        _stop_core(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
