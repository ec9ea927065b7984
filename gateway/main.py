"""The gateway process: listen (stdio or websocket), link to the core, shut down in order.

`run_gateway` serves until stdin reaches EOF (stdio) or SIGTERM/SIGINT, then
stops accepting, lets each connection's requests in flight be answered and
written (bounded), closes the connections (websocket close 1001, going away)
and closes the channel to the core; from then on the process ignores
TERM/INT until it exits.
`add_gateway_command` registers the `gateway` subcommand of `app-server`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

import grpc

from app_server import exposition
from app_server.early_stdio import EarlyStdio, protocol_stdout
from app_server.early_ws import EarlyWebSocket, read_ws_token
from app_server_protocol.addresses import format_ws, grpc_target, listen_refusal, parse_listen
from gateway.connection import Limits
from gateway.core_link import DEFAULT_MAX_MESSAGE_SIZE, CoreLink
from gateway.server import Gateway
from gateway.stop_signals import StopSignals
from gateway.transport.stdio import StdioStream
from gateway.transport.websocket import WebSocketOptions, WebSocketServer, WebSocketStream

log = logging.getLogger(__name__)

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"app-server gateway: {message}", file=sys.stderr, flush=True)
    return EXIT_USAGE


async def run_gateway(
    listen: str,
    core_addr: str,
    *,
    allow_origins: Iterable[str] = (),
    ws_token_file: str | None = None,
    core_token_file: str | None = None,
    core_ca_file: str | None = None,
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    limits: Limits | None = None,
    call_timeout: float = 60.0,
    ping_interval: float | None = 20.0,
    ping_timeout: float | None = 20.0,
    early_stdio: EarlyStdio | None = None,
    core_ready: Callable[[], Awaitable[None]] | None = None,
    early_ws: EarlyWebSocket | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Run a gateway until stdin EOF (stdio) or SIGTERM/SIGINT; returns the exit code.

    `listen` is `stdio://` or `ws://IP:PORT` (port 0 picks a free port; the
    bound address is printed to stderr as `listening on: ws://IP:PORT`).
    `core_addr` is `unix:///PATH` or `tcp://HOST:PORT`; the core's token is
    read from `core_token_file`, and with `core_ca_file` the link speaks TLS
    trusting that CA. Returns 2 on a usage error (bad address, non-loopback
    websocket without a token file, an unreadable or empty file).
    `early_stdio`/`early_ws`: the stream or listener the single command
    started already (used instead of opening `listen`). The core link
    starts once `core_ready` (if any) returns (it raises when the core failed
    to start); websocket clients accepted meanwhile wait for it. `stop`: set
    by a caller handling TERM/INT itself; None installs that handling here.
    """
    try:
        where = parse_listen(listen)
        target = grpc_target(core_addr)
    except ValueError as err:
        return _fail(str(err))
    refusal = listen_refusal(where, ws_token_file is not None)
    if refusal is not None:
        return _fail(refusal)
    if core_ca_file is not None and not core_addr.startswith("tcp://"):
        return _fail("--core-ca (TLS) is for a tcp:// core address")
    try:
        token = await _ws_token(ws_token_file) if where.scheme == "ws" else None
        core_token, tls = await core_credentials(core_token_file, core_ca_file)
    except (OSError, ValueError) as err:
        return _fail(str(err))

    gateway = Gateway(limits=limits)
    core = CoreLink(
        target, str(uuid.uuid4()), on_frame=gateway.on_core_frame,
        on_reconnect=gateway.on_core_reconnect, call_timeout=call_timeout,
        max_message_size=max_message_size, token=core_token, tls=tls,
    )
    gateway.core = core
    own_stop, stop = stop is None, stop or asyncio.Event()
    signals = StopSignals(asyncio.get_running_loop(), stop) if own_stop else None
    link = functools.partial(_link, core, core_ready)
    try:
        if where.scheme == "stdio":
            await link()
            return await _serve_stdio(gateway, stop, max_message_size, early_stdio)
        options = WebSocketOptions(
            host=where.host, port=where.port, max_message_size=max_message_size,
            allow_origins=frozenset(allow_origins), token=token, ping_interval=ping_interval,
            ping_timeout=ping_timeout, metrics=exposition.render,
        )
        return await _serve_websocket(gateway, stop, options, link, early_ws)
    finally:
        # A TERM during the close only sets `stop` again; after it, the
        # process is exiting and ignores TERM/INT (see stop_signals).
        await gateway.close()
        await core.close()
        if signals is not None:
            signals.ignore_from_now_on()
        log.info("gateway stopped")


async def _link(core: CoreLink, core_ready: Callable[[], Awaitable[None]] | None) -> None:
    """Start the link to the core, once `core_ready` (if any) says it serves."""
    if core_ready is not None:
        await core_ready()
    await core.start()
    # Start-up is over: what it allocated (modules, descriptors, method
    # tables) stays, so full collections need not walk it again. Measured
    # under 40,000 cheap requests: 82 -> 38 ms of generation-2 collections.
    gc.freeze()


async def _ws_token(path: str | None) -> str | None:
    """The websocket clients' token from `--ws-token-file` (None: not configured)."""
    return None if path is None else await asyncio.to_thread(read_ws_token, path)


async def core_credentials(
    token_file: str | None, ca_file: str | None
) -> tuple[str | None, grpc.ChannelCredentials | None]:
    """The core's token and the TLS credentials of the link (None: not configured)."""
    token = tls = None
    if token_file is not None:
        try:
            token = (await asyncio.to_thread(Path(token_file).read_text)).strip()
        except OSError as err:
            raise ValueError(f"cannot read --core-token-file: {err}") from err
        if not token:
            raise ValueError(f"--core-token-file {token_file} is empty")
    if ca_file is not None:
        try:
            ca = await asyncio.to_thread(Path(ca_file).read_bytes)
        except OSError as err:
            raise ValueError(f"cannot read --core-ca: {err}") from err
        tls = grpc.ssl_channel_credentials(root_certificates=ca)
    return token, tls


async def _serve_stdio(
    gateway: Gateway, stop: asyncio.Event, max_message_size: int, early: EarlyStdio | None
) -> int:
    if early is not None:
        # Started (with fd 1 already moved aside) by the single command.
        return await _serve_stdio_stream(gateway, stop, early)
    with protocol_stdout() as out_fd:
        stream = StdioStream(0, out_fd, max_message_size=max_message_size)
        stream.start()
        return await _serve_stdio_stream(gateway, stop, stream)


async def _serve_stdio_stream(
    gateway: Gateway, stop: asyncio.Event, stream: StdioStream | EarlyStdio
) -> int:
    serving = asyncio.get_running_loop().create_task(gateway.serve(stream, drain_on_eof=True))
    stopping = asyncio.get_running_loop().create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not serving.done():
            await gateway.close()
        conn = await serving
        return 1 if conn.dropped is not None and not stop.is_set() else 0
    finally:
        stopping.cancel()
        stream.close()


async def _serve_websocket(
    gateway: Gateway, stop: asyncio.Event, options: WebSocketOptions,
    link: Callable[[], Awaitable[None]], early: EarlyWebSocket | None,
) -> int:
    linked = asyncio.Event()

    async def on_connection(stream: WebSocketStream) -> None:
        # Accepted while the link comes up: its messages wait in the
        # websocket's bounded buffer. Bounded: `linked` is set once linking
        # ends (it has its own deadline) or the gateway stops.
        await linked.wait()
        await gateway.serve(stream, drain_on_eof=False)

    if early is not None:
        server = early.server
        early.hand_over(on_connection)
    else:
        server = WebSocketServer(options, on_connection)
        try:
            bound = await server.start()
        except OSError as err:
            return _fail(f"cannot listen on {format_ws(options.host, options.port)}: {err}")
        for host, port in bound:
            print(f"listening on: {format_ws(host, port)}", file=sys.stderr, flush=True)
    linking: asyncio.Future[object] = asyncio.ensure_future(link())
    stopping: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({linking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if linking.done():
            linking.result()  # a core that failed to start ends the gateway here
            linked.set()
            await stopping
    finally:
        log.info("shutting down")
        linking.cancel()
        stopping.cancel()
        # Order: stop accepting; answer and write what is in flight, then
        # close each connection (1001) and wait for them to end; the caller
        # then closes the link to the core. Connections still waiting for
        # the link are let through to be dropped as the gateway closes.
        server.stop_accepting()
        await gateway.close()
        linked.set()
        await server.close()
    return 0


def _run_from_args(args: argparse.Namespace) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(
            run_gateway(
                args.listen,
                args.core,
                allow_origins=args.allow_origin,
                ws_token_file=args.ws_token_file,
                core_token_file=args.core_token_file,
                core_ca_file=args.core_ca,
                max_message_size=args.max_message_size,
            )
        )
    return 130


def add_gateway_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register `app-server gateway` (sets `func(args) -> exit code`)."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "gateway", help="run a gateway in front of a running core"
    )
    p.add_argument("--listen", default="stdio://", help="stdio:// (default) or ws://IP:PORT")
    p.add_argument("--core", required=True, help="core address: unix:///PATH or tcp://HOST:PORT")
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="websocket: accept requests carrying this Origin header (repeatable)")
    p.add_argument("--ws-token-file", default=None, metavar="PATH",
                   help="websocket: require `Authorization: Bearer <token>` (token read "
                        "from PATH); mandatory on a non-loopback address")
    p.add_argument("--core-token-file", default=None, metavar="PATH",
                   help="send the core's token (read from PATH) on every call; "
                        "the core's --token-file")
    p.add_argument("--core-ca", default=None, metavar="PEM",
                   help="the core speaks TLS: trust this CA certificate (the core's "
                        "certificate must name the host of --core)")
    p.add_argument("--max-message-size", type=int, default=DEFAULT_MAX_MESSAGE_SIZE,
                   metavar="BYTES", help="largest accepted message (default 64 MiB)")
    p.set_defaults(func=_run_from_args)
    return p
