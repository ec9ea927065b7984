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
import sys

from app_server.early_signals import catch_stop_signals, ignore_stop_signals
from app_server.options import SUBCOMMANDS, top_parser

TYPE_CHECKING = False  # not typing's: see config_flags
if TYPE_CHECKING:
    import socket


def bind_early(args: argparse.Namespace) -> socket.socket | None:
    """A listening socket for `--listen ws://IP:PORT`, bound before anything heavy.

    A client connecting right after the spawn is accepted at once (the
    kernel holds the connection) and its handshake answered as soon as the
    websocket server runs on this socket, instead of being refused while
    the server imports. None when the address is not an IP literal or is
    refused or cannot be bound: the listener then binds it itself, and
    reports why not.
    """
    import socket  # here: a stdio start-up does without it (~2 ms)

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

    try:
        return cli.run_top(known, first, listener)
    finally:
        ignore_stop_signals()
