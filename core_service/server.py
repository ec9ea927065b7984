"""The core process: the grpc.aio server, health (per served service and ""),
reflection (v1 and v1alpha, `reflection.py`), keepalive, signals and the
ordered stop.

The servicers are in `servicer.py`, the domain objects and the handler table
in `wiring.py`, who may call in `link_security.py` (token, TLS).

SIGTERM (or SIGINT, or the parent's death) stops in order, so a replacement
core can take over without losing work: health NOT_SERVING; stop accepting
(new calls are refused, running ones and the gateways' Connect streams go
on); running turns may finish within the turn grace period, and those still
running then are interrupted; every rollout is flushed and fsynced; each
gateway's stream is ended once the events queued for it (the turns' last
ones) are written, so the gateways reconnect to whatever core serves the
address next; then the process exits.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from app_server_protocol.addresses import grpc_target
from core_service import reflection, telemetry
from core_service.config.source import ConfigSource
from core_service.config.tables import Override
from core_service.link_security import TokenInterceptor
from core_service.servicer import generic_handlers
from core_service.threads.manager import DEFAULT_IDLE_UNLOAD_SECONDS
from core_service.upstream import http as upstream_http
from core_service.wiring import Core

log = logging.getLogger(__name__)

GRPC_OPTIONS = [
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
]


# The launcher's pid, set by the single command for its private core.
WATCH_PARENT_ENV = "APP_SERVER_CORE_WATCH_PARENT"
# How long running turns may go on after SIGTERM (under `docker stop`'s 10 s).
DEFAULT_TURN_GRACE = 8.0
# How long the gateways' streams get to take the last events once turns ended.
STREAM_FLUSH_SECONDS = 2.0


async def run_core(
    listen: str,
    overrides: list[Override],
    *,
    idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
    token: str | None = None,
    tls: grpc.ServerCredentials | None = None,
    turn_grace: float = DEFAULT_TURN_GRACE,
    metrics_listen: tuple[str, int] | None = None,
) -> int:
    """Serve the core until SIGTERM/SIGINT; prints `listening on: TARGET` to stderr
    (a gRPC target: `unix:///PATH`, or `HOST:PORT` for `tcp://HOST:PORT`).

    With `token`, every call but health checking must carry it (see
    `link_security`); with `tls`, the port speaks TLS. `turn_grace` is how
    long running turns may finish after a stop signal. With `metrics_listen`
    (host, port), Prometheus metrics are served there. Signals are handled
    from the start, so a TERM right after the readiness line (or during
    start-up) is an ordered stop, never a kill.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = loop.create_task(_watch_parent(stop))
    configs = ConfigSource(None, overrides)
    if configs.load.diagnostic is not None:
        log.error("%s %s", configs.load.diagnostic.summary, configs.load.diagnostic.details)
    core = Core(configs, idle_unload_seconds=idle_unload_seconds)
    await core.start()
    metrics = await telemetry.serve_metrics(metrics_listen, lambda: len(core.threads.loaded))
    interceptors = [TokenInterceptor(token)] if token is not None else []
    server = grpc.aio.server(options=GRPC_OPTIONS, interceptors=interceptors)
    handlers = generic_handlers(core.handlers, core.hub, core.limits)
    server.add_generic_rpc_handlers(handlers)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    served = [h.service_name() for h in handlers]
    served = reflection.enable(server, [*served, health.SERVICE_NAME])
    target = grpc_target(listen)
    _remove_stale_socket(target)
    if tls is not None:
        port = server.add_secure_port(target, tls)
    else:
        port = server.add_insecure_port(target)
    await server.start()
    for name in ["", *served]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    print(f"listening on: {printed_target(listen, port)}", file=sys.stderr, flush=True)
    # The upstream HTTP library is imported off the start-up path, before the
    # first model request needs it (see upstream.http).
    prewarming = loop.run_in_executor(None, upstream_http.prewarm)
    # Once start-up (that import included) is over, what it allocated stays:
    # full collections need not walk it again (51 -> 25 ms of generation-2
    # collections under 40,000 cheap requests).
    prewarming.add_done_callback(lambda _: gc.freeze())
    await stop.wait()
    await prewarming
    watchdog.cancel()
    log.info("core shutting down")
    await _stop_in_order(server, health_servicer, core, turn_grace)
    if metrics is not None:
        await metrics.close()
    return 0


async def _stop_in_order(
    server: grpc.aio.Server, health_servicer: health.aio.HealthServicer, core: Core, grace: float
) -> None:
    """The ordered stop of the module docstring."""
    await health_servicer.enter_graceful_shutdown()
    core.hub.serving_calls = False
    # Stops accepting at once; the long grace only keeps the Connect streams
    # up while turns finish; the second stop below shortens it.
    stopping = asyncio.ensure_future(server.stop(grace=grace + STREAM_FLUSH_SECONDS))
    await _wait_for_turns(core, grace)
    # Interrupts what is still running (its turn/completed is queued for the
    # gateways) and fsyncs every rollout.
    await core.threads.close()
    for link in list(core.hub.gateways.values()):
        # A closed link hands out what is queued, then ends the stream.
        link.close()
    core.limits.close()  # ends the WatchRateLimits streams too
    await server.stop(grace=STREAM_FLUSH_SECONDS)
    await stopping
    await core.close()


async def _wait_for_turns(core: Core, grace: float) -> None:
    """Wait until no turn runs in `core`, for at most `grace` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while True:
        running = [t.active.done for t in core.threads.loaded.values() if t.active is not None]
        remaining = deadline - loop.time()
        if not running or remaining <= 0:
            if running:
                log.warning("%d turn(s) still running after %.1f s; interrupting them",
                            len(running), grace)
            return
        waiters = [asyncio.ensure_future(done.wait()) for done in running]
        try:
            await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.ALL_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()


def printed_target(listen: str, port: int) -> str:
    """The address a client dials, as a gRPC target any gRPC library takes:
    `unix:///PATH` as given; `tcp://HOST:PORT` as `HOST:PORT` with the port
    actually bound (for `:0`)."""
    if not listen.startswith("tcp://"):
        return listen
    host = listen[len("tcp://"):].rpartition(":")[0]
    return f"{host}:{port}"


def _remove_stale_socket(target: str) -> None:
    """A unix socket left by a killed core would make the bind fail."""
    if target.startswith("unix:"):
        path = Path(target[len("unix:") :])
        if path.is_socket():
            path.unlink()


async def _watch_parent(stop: asyncio.Event) -> None:
    """Stop when the launcher dies (no orphan core if it is SIGKILLed).

    The launcher names itself in `APP_SERVER_CORE_WATCH_PARENT` (its pid), so
    a launcher that died before this core got this far is noticed too: the
    core has been reparented already and stops at once.
    """
    try:
        parent = int(os.environ.get(WATCH_PARENT_ENV, ""))
    except ValueError:
        return
    while not stop.is_set():
        if os.getppid() != parent:
            stop.set()
            return
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            continue
