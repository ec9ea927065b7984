"""The single command's options and parser (argparse only: `launch` parses with
it before anything heavy is imported; `cli` adds the subcommands to it)."""

from __future__ import annotations

import argparse
import os

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
