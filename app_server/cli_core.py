"""`app-server core` and `app-server core-health` subcommands.

- `core --listen unix:///PATH|tcp://HOST:PORT [--token-file F]
  [--tls-cert F --tls-key F] [--turn-grace S]`: the core alone. A TCP
  address other than loopback needs `--token-file` (exit 2 otherwise), as a
  non-loopback websocket needs `--ws-token-file`.
- `core-health --core ADDR [--core-ca F] [--timeout S]`: asks the core's gRPC
  health service (no token needed); exit 0 when it says SERVING, 1 with a
  one-line reason on stderr otherwise (for container health checks).

Both register with `add_core_commands(subparsers)`; each parsed namespace
carries its handler in `func` (`args.func(args) -> int`, the exit code).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

# gRPC's own log would add lines (a refused TLS handshake, say) to the
# one-line reason; it reads this variable once, when grpc is first imported.
QUIET_GRPC = ("GRPC_VERBOSITY", "ERROR")
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2
DEFAULT_HEALTH_TIMEOUT = 5.0


def _usage_error(command: str, message: str) -> int:
    print(f"app-server {command}: {message}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def _run_core(args: argparse.Namespace) -> int:
    """Check the listen address and the security flags, then serve until stopped."""
    from app_server.config_flags import overrides_of
    from app_server.exposition import MetricsListenError
    from app_server_protocol.addresses import grpc_target, parse_host_port
    from core_service.link_security import (
        core_listen_refusal,
        read_token_file,
        server_credentials,
    )
    from core_service.server import run_core
    from core_service.threads.manager import DEFAULT_IDLE_UNLOAD_SECONDS

    try:
        grpc_target(args.listen)
    except ValueError as err:
        return _usage_error("core", str(err))
    refusal = core_listen_refusal(args.listen, args.token_file is not None)
    if refusal is not None:
        return _usage_error("core", refusal)
    if (args.tls_cert is None) != (args.tls_key is None):
        return _usage_error("core", "--tls-cert and --tls-key go together")
    if args.tls_cert is not None and not args.listen.startswith("tcp://"):
        return _usage_error("core", "TLS is for tcp:// addresses")
    token = tls = None
    try:
        if args.token_file is not None:
            token = read_token_file(args.token_file)
        if args.tls_cert is not None:
            tls = server_credentials(args.tls_cert, args.tls_key)
    except (OSError, ValueError) as err:
        return _usage_error("core", f"cannot read a security file: {err}")
    idle = args.thread_idle_timeout
    if idle is None:
        idle = float(os.environ.get("APP_SERVER_THREAD_IDLE_TIMEOUT",
                                    DEFAULT_IDLE_UNLOAD_SECONDS))
    try:
        metrics = parse_host_port(args.metrics_listen) if args.metrics_listen else None
    except ValueError as err:
        return _usage_error("core", f"--metrics-listen: {err}")
    try:
        return asyncio.run(run_core(args.listen, overrides_of(args), idle_unload_seconds=idle,
                                    token=token, tls=tls, turn_grace=args.turn_grace,
                                    metrics_listen=metrics))
    except MetricsListenError as err:
        return _usage_error("core", str(err))


async def core_health(core_addr: str, ca_file: str | None, deadline: float) -> str | None:
    """None when the core at `core_addr` says SERVING, else why not (one line)."""
    import grpc
    import grpc.aio
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from app_server_protocol.addresses import grpc_target
    from core_service.link_security import channel_credentials

    target = grpc_target(core_addr)
    if ca_file is not None:
        channel = grpc.aio.secure_channel(target, channel_credentials(ca_file))
    else:
        channel = grpc.aio.insecure_channel(target)
    async with channel:
        try:
            response = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=deadline)
        except grpc.aio.AioRpcError as err:
            return f"{err.code().name}: {err.details()}"
    if response.status != health_pb2.HealthCheckResponse.SERVING:
        return f"health status {response.status} (not SERVING)"
    return None


def _run_core_health(args: argparse.Namespace) -> int:
    try:
        reason = asyncio.run(core_health(args.core, args.core_ca, args.timeout))
    except (OSError, ValueError) as err:
        return _usage_error("core-health", str(err))
    if reason is not None:
        print(f"app-server core-health: {args.core}: {reason}", file=sys.stderr, flush=True)
        return EXIT_UNHEALTHY
    return 0


def add_core_commands(subparsers: Any) -> None:
    """Register `core` and `core-health` (`subparsers` from `add_subparsers()`)."""
    from core_service.server import DEFAULT_TURN_GRACE

    core = subparsers.add_parser("core", help="run the core service alone")
    core.add_argument("--listen", required=True, help="unix:///PATH or tcp://HOST:PORT")
    core.add_argument("--thread-idle-timeout", type=float, default=None,
                      help="seconds before an idle thread with no subscriber is unloaded")
    core.add_argument("--token-file", default=None, metavar="PATH",
                      help="require `authorization: Bearer <token>` on every call but health "
                           "(token read from PATH); mandatory on a non-loopback TCP address")
    core.add_argument("--tls-cert", default=None, metavar="PEM",
                      help="serve TLS with this certificate (chain); needs --tls-key")
    core.add_argument("--tls-key", default=None, metavar="PEM",
                      help="the private key of --tls-cert")
    core.add_argument("--turn-grace", type=float, default=DEFAULT_TURN_GRACE,
                      metavar="SECONDS",
                      help="on SIGTERM, how long running turns may finish before they are "
                           f"interrupted (default {DEFAULT_TURN_GRACE:g})")
    core.add_argument("--metrics-listen", default=os.environ.get("APP_SERVER_METRICS_LISTEN"),
                      metavar="HOST:PORT",
                      help="serve Prometheus metrics at http://HOST:PORT/metrics (port 0: any "
                           "free port, printed as `metrics on: URL`)")
    core.set_defaults(func=_run_core)
    health = subparsers.add_parser(
        "core-health", help="exit 0 when the core's gRPC health says SERVING")
    health.add_argument("--core", required=True, help="unix:///PATH or tcp://HOST:PORT")
    health.add_argument("--core-ca", default=None, metavar="PEM",
                        help="the core speaks TLS: trust this CA certificate")
    health.add_argument("--timeout", type=float, default=DEFAULT_HEALTH_TIMEOUT,
                        metavar="SECONDS", help="give up after this long (default 5)")
    health.set_defaults(func=_run_core_health)
