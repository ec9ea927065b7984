"""options: the single command's parser."""

from __future__ import annotations

from app_server.options import DEFAULT_LISTEN, top_parser


def test_the_single_command_parser_knows_every_subcommand_by_name() -> None:
    assert "mcp-server" in top_parser().format_help()


def test_stdio_is_the_default_transport() -> None:
    assert top_parser().parse_args([]).listen == DEFAULT_LISTEN == "stdio://"
