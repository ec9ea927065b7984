"""launch: the console script's first steps (no heavy imports, a websocket bound first)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys

import pytest

from app_server import launch
from app_server.options import top_parser
from tests.support.client import REPO


def test_importing_it_imports_nothing_heavy() -> None:
    """What the first answer waits for: no asyncio, gRPC or protobuf, not even typing
    or socket."""
    code = ("import sys, app_server.launch, app_server.first_line; print(sorted(m for m in "
            "('asyncio', 'grpc', 'google.protobuf', 'websockets', 'typing', 'socket') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True, timeout=60).stdout
    assert out.strip() == "[]"


def _args(*argv: str) -> argparse.Namespace:
    return top_parser().parse_args(list(argv))


def test_a_websocket_address_is_bound_and_listening_before_anything_heavy() -> None:
    sock = launch.bind_early(_args("--listen", "ws://127.0.0.1:0"))
    assert sock is not None
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass  # accepted by the kernel: nobody has called accept() yet
    finally:
        sock.close()


@pytest.mark.parametrize("argv", [
    ["--listen", "stdio://"],
    ["--listen", "ws://localhost:0"],           # a name: the listener resolves it
    ["--listen", "ws://0.0.0.0:0"],             # refused without a token: cli says why
    ["--listen", "ws://127.0.0.1"],             # malformed: cli says why
])
def test_other_addresses_are_left_to_the_listener(argv: list[str]) -> None:
    assert launch.bind_early(_args(*argv)) is None


def test_an_address_in_use_is_left_to_the_listener() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert launch.bind_early(_args("--listen", f"ws://127.0.0.1:{port}")) is None
