"""The addresses of the processes, parsed in one place, and the one loopback check.

`--listen` of a gateway (or of the single command) is `stdio://` or
`ws://IP:PORT` (`ws://[::1]:PORT` for IPv6); the core's address (its own
`--listen`, a gateway's `--core`) is `unix:///PATH` or `tcp://HOST:PORT`.
A websocket on a non-loopback host needs a bearer token: `listen_refusal`
says why an address would be refused, for the gateway and for the single
command (which checks before it spawns the core). Standard library only:
the single command imports this before anything heavy.
"""

from __future__ import annotations

import socket
from typing import NamedTuple

# A NamedTuple and socket.inet_pton rather than a dataclass and ipaddress:
# `app_server.launch` binds a websocket address with this module before
# anything heavy is imported, and those two cost ~10 ms of that start-up.


_IPV6_LOOPBACK = bytes(15) + b"\x01"  # ::1


class ListenAddress(NamedTuple):
    """A parsed `--listen` value: stdio, or a websocket host and port."""

    scheme: str
    host: str = ""
    port: int = 0


def parse_listen(listen: str) -> ListenAddress:
    """Parse `stdio://` or `ws://IP:PORT` (`ws://[::1]:PORT` for IPv6); ValueError otherwise."""
    if listen in ("stdio://", "stdio"):
        return ListenAddress("stdio")
    if listen.startswith("ws://"):
        rest = listen[len("ws://") :].rstrip("/")
        if rest.startswith("["):
            host, sep, port = rest[1:].partition("]:")
        else:
            host, sep, port = rest.rpartition(":")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            raise ValueError(f"expected ws://IP:PORT, got {listen!r}")
        return ListenAddress("ws", host, int(port))
    raise ValueError(f"unsupported listen address {listen!r} (use stdio:// or ws://IP:PORT)")


def format_ws(host: str, port: int) -> str:
    """`ws://HOST:PORT`, with an IPv6 host in brackets (what `parse_listen` reads back)."""
    return f"ws://[{host}]:{port}" if ":" in host else f"ws://{host}:{port}"


def grpc_target(core_addr: str) -> str:
    """`unix:///path` or `tcp://host:port` -> a gRPC target (`unix:/path`, `host:port`)."""
    if core_addr.startswith("unix://"):
        path = core_addr[len("unix://") :]
        if not path:
            raise ValueError(f"empty unix socket path in {core_addr!r}")
        return "unix:" + path
    if core_addr.startswith("tcp://"):
        hostport = core_addr[len("tcp://") :]
        if not hostport or ":" not in hostport:
            raise ValueError(f"expected tcp://HOST:PORT, got {core_addr!r}")
        return hostport
    raise ValueError(f"unsupported core address {core_addr!r} (use unix:///PATH or tcp://HOST:PORT)")


def parse_host_port(value: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:PORT` for IPv6) -> (host, port), e.g. `--metrics-listen`; ValueError."""
    if value.startswith("["):
        host, sep, port = value[1:].partition("]:")
    else:
        host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP literals (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    literal = host.strip("[]")
    try:
        return socket.inet_pton(socket.AF_INET, literal)[0] == 127  # 127.0.0.0/8
    except OSError:
        pass
    try:
        return socket.inet_pton(socket.AF_INET6, literal) == _IPV6_LOOPBACK
    except OSError:
        pass
    import ipaddress  # forms inet_pton does not read (an IPv6 zone: ::1%lo)

    try:
        return ipaddress.ip_address(literal).is_loopback
    except ValueError:
        return False


def listen_refusal(where: ListenAddress, has_token: bool) -> str | None:
    """Why a gateway must not listen on `where` (None when it may)."""
    if where.scheme != "ws" or has_token or is_loopback(where.host):
        return None
    return (f"refusing to listen on non-loopback address {where.host} without "
            "--ws-token-file (clients must authenticate with a bearer token)")
