"""The one parser of process addresses and the one loopback check."""

from __future__ import annotations

import pytest

from app_server_protocol.addresses import (
    ListenAddress,
    format_ws,
    grpc_target,
    is_loopback,
    listen_refusal,
    parse_host_port,
    parse_listen,
)


def test_parse_listen() -> None:
    """stdio:// and ws://IP:PORT (IPv6 in brackets) parse; anything else is refused."""
    assert parse_listen("stdio://").scheme == "stdio"
    ws = parse_listen("ws://127.0.0.1:0")
    assert (ws.scheme, ws.host, ws.port) == ("ws", "127.0.0.1", 0)
    v6 = parse_listen("ws://[::1]:8080")
    assert (v6.host, v6.port) == ("::1", 8080)
    for bad in ("ws://127.0.0.1", "http://x:1", "ws://:80", "ws://h:99999"):
        with pytest.raises(ValueError):
            parse_listen(bad)


def test_format_ws_reads_back() -> None:
    """A printed websocket address parses back to the same host and port."""
    for host in ("127.0.0.1", "::1"):
        assert parse_listen(format_ws(host, 4500)) == ListenAddress("ws", host, 4500)


def test_grpc_target() -> None:
    """unix:///path -> unix:/path; tcp://host:port -> host:port; anything else is refused."""
    assert grpc_target("unix:///tmp/x/core.sock") == "unix:/tmp/x/core.sock"
    assert grpc_target("tcp://127.0.0.1:5000") == "127.0.0.1:5000"
    for bad in ("http://x:1", "tcp://nohost", "unix://"):
        with pytest.raises(ValueError):
            grpc_target(bad)


def test_parse_host_port() -> None:
    """HOST:PORT (IPv6 in brackets) parses to (host, port); anything else is refused."""
    assert parse_host_port("0.0.0.0:9100") == ("0.0.0.0", 9100)
    assert parse_host_port("[::1]:0") == ("::1", 0)
    assert parse_host_port("metrics.local:80") == ("metrics.local", 80)
    for bad in ("9100", ":9100", "host:", "host:99999", "http://h:1/x"):
        with pytest.raises(ValueError):
            parse_host_port(bad)


def test_is_loopback() -> None:
    """Loopback names and literals are recognised; others are not."""
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "::", "example.com"]))


def test_listen_refusal() -> None:
    """Only a websocket on a non-loopback host without a token is refused."""
    assert listen_refusal(parse_listen("stdio://"), False) is None
    assert listen_refusal(parse_listen("ws://127.0.0.1:0"), False) is None
    assert listen_refusal(parse_listen("ws://0.0.0.0:0"), True) is None
    refusal = listen_refusal(parse_listen("ws://0.0.0.0:0"), False)
    assert refusal is not None and "non-loopback address 0.0.0.0" in refusal
