"""`app-server mcp-server`: the MCP front end, alone or with a private core.

With `--core ADDR` it attaches to a running core; without, the command
starts a private core child exactly as the single `app-server` command does
(the command line passes its `with_private_core`) and stops it when the MCP
client closes stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable

from app_server_protocol.addresses import grpc_target
from gateway.main import core_credentials
from mcp_front.server import run_mcp_server

EXIT_USAGE = 2


async def serve(core_addr: str, *, core_token_file: str | None = None,
                core_ca_file: str | None = None) -> int:
    """Run the front end against the core at `core_addr`; the exit code."""
    try:
        target = grpc_target(core_addr)
        token, tls = await core_credentials(core_token_file, core_ca_file)
    except (OSError, ValueError) as err:
        print(f"app-server mcp-server: {err}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    return await run_mcp_server(target, token=token, tls=tls)


PrivateCore = Callable[[argparse.Namespace, Callable[[str], Awaitable[int]]], int]


def add_mcp_server_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    with_private_core: PrivateCore,
) -> argparse.ArgumentParser:
    """Register `app-server mcp-server` (sets `func(args) -> exit code`);
    `with_private_core(args, serve)` runs `serve(core_addr)` beside a private core."""

    def run_from_args(args: argparse.Namespace) -> int:
        if args.core is None:
            return with_private_core(args, serve)
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve(args.core, core_token_file=args.core_token_file,
                                     core_ca_file=args.core_ca))
        return 130

    p: argparse.ArgumentParser = subparsers.add_parser(
        "mcp-server", help="serve the codex tools to an MCP client over stdio"
    )
    p.add_argument("--core", default=None,
                   help="core address (unix:///PATH or tcp://HOST:PORT); "
                        "default: start a private core")
    p.add_argument("--core-token-file", default=None, metavar="PATH",
                   help="send the core's token (read from PATH) on every call")
    p.add_argument("--core-ca", default=None, metavar="PEM",
                   help="the core speaks TLS: trust this CA certificate")
    p.set_defaults(func=run_from_args)
    return p
