"""The `app-server` console script: what runs before anything heavy is imported.

The single command over stdio answers a waiting `initialize` first
(`first_line`); over websocket it binds and listens first (`bind_early`);
then it imports the rest (`cli`: asyncio, the core child, the gateway).
Subcommands go straight to `cli`.
Only argparse and the cheapest modules are imported here: a client's first
answer waits for this module and nothing else.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from types import FrameType

from app_server.config_flags import add_config_flags

DEFAULT_LISTEN = "stdio://"
SUBCOMMANDS = ("core", "core-health", "gateway", "generate-json-schema", "generate-ts",
               "mcp-server")
DESCRIPTION = "`app-server` command line."


def add_top_options(parser: argparse.ArgumentParser) -> None:
    """The single command's options (also accepted before a subcommand)."""
    parser.add_argument("--listen", default=DEFAULT_LISTEN,
                        help="stdio:// (default) or ws://IP:PORT")
    parser.add_argument("--allow-origin", action="append", default=[],
                        help="websocket: accept requests carrying this Origin")
    parser.add_argument("--ws-token-file", default=None,
                        help="websocket: require `Authorization: Bearer <token>` from this file")
    parser.add_argument("--log-level", default=os.environ.get("APP_SERVER_LOG", "WARNING"))
    add_config_flags(parser)


def top_parser() -> argparse.ArgumentParser:
    """Parser of the single command alone."""
    parser = argparse.ArgumentParser(
        prog="app-server", description=DESCRIPTION,
        epilog=f"subcommands: {', '.join(SUBCOMMANDS)} (app-server SUBCOMMAND --help)",
    )
    add_top_options(parser)
    return parser


_caught: list[int] = []


def _catch(signum: int, frame: FrameType | None) -> None:
    _caught.append(signum)


def catch_stop_signals() -> None:
    """Remember TERM/INT from now on instead of dying of them.

    The single command answers `initialize` before its event loop (and
    `gateway.stop_signals`) runs; a launcher's TERM in between must still
    stop it in order, so it is remembered here and acted on once the loop
    runs (`stop_signal_caught`).
    """
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _catch)


def stop_signal_caught() -> bool:
    """True when TERM or INT arrived while `catch_stop_signals` was in force."""
    return bool(_caught)


def bind_early(args: argparse.Namespace) -> socket.socket | None:
    """A listening socket for `--listen ws://IP:PORT`, bound before anything heavy.

    A client connecting right after the spawn is accepted at once (the
    kernel holds the connection) and its handshake answered as soon as the
    websocket server runs on this socket, instead of being refused while
    the server imports. None when the address is not an IP literal or is
    refused or cannot be bound: the listener then binds it itself, and
    reports why not.
    """
    from app_server_protocol.addresses import listen_refusal, parse_listen

    try:
        where = parse_listen(args.listen)
    except ValueError:
        return None
    if where.scheme != "ws" or listen_refusal(where, bool(args.ws_token_file)):
        return None
    host = where.host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.inet_pton(family, host)
    except OSError:
        return None  # a name (localhost): the listener binds what it resolves to
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, where.port))
        sock.listen(128)
    except OSError:
        sock.close()
        return None
    return sock


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `app-server` console script (and `python -m app_server`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if any(a in SUBCOMMANDS for a in args_list):
        from app_server import cli

        return cli.main(args_list)
    known = top_parser().parse_args(args_list)
    catch_stop_signals()
    first = listener = None
    if known.listen in ("stdio://", "stdio"):
        from app_server.first_line import take_waiting_line

        first = take_waiting_line(0, 1)
    else:
        listener = bind_early(known)
    from app_server import cli

    return cli.run_top(known, first, listener)
