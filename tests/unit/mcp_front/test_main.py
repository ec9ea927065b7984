"""mcp_front/main.py: the `mcp-server` subcommand and its choice of core."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path

from mcp_front import main


def _parser(private: Callable[[argparse.Namespace, Callable[[str], Awaitable[int]]], int]
            ) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    main.add_mcp_server_command(parser.add_subparsers(dest="command"), private)
    return parser


def test_without_core_a_private_core_serves() -> None:
    """No `--core`: the command line's private-core runner is handed `serve`."""
    seen: list[object] = []

    def private(args: argparse.Namespace, serve: Callable[[str], Awaitable[int]]) -> int:
        seen.append(serve)
        return 3

    args = _parser(private).parse_args(["mcp-server"])
    assert args.core is None
    assert args.func(args) == 3
    assert seen == [main.serve]


async def test_unreadable_token_file_is_a_usage_error(tmp_path: Path) -> None:
    """An unreadable --core-token-file stops the command with exit status 2."""
    code = await main.serve("unix:///nowhere.sock",
                            core_token_file=str(tmp_path / "missing"))
    assert code == main.EXIT_USAGE
