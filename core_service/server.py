"""The core's gRPC server: thin servicers bound from the method table.

Every client request of the method table is served by a generic unary
handler: decode the proto params to wire-shaped data, call the domain
handler, encode its result. A method without a handler stops the process at
start. Domain errors cross into gRPC through `errors.grpc_status_for`. The
`Connect` stream carries events and server requests to each gateway. Health
checking and reflection are standard equipment; SIGTERM flips health to
NOT_SERVING, stops accepting and drains in-flight calls.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError, grpc_status_for
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE, Method
from app_server_protocol.v2 import service_pb2
from core_service import config as cfgmod
from core_service.accounts import AuthManager
from core_service.hub import CURRENT_CALL, CallInfo, ConnKey, Hub
from core_service.misc_api import MiscApi
from core_service.model_client import ModelClient
from core_service.persistence import Store
from core_service.threads import DEFAULT_IDLE_UNLOAD_SECONDS, ThreadManager
from core_service.turn_api import TurnApi
from core_service.turns import TurnRunner

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

GRPC_OPTIONS = [
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
]


class Core:
    """The core's domain objects wired together."""

    def __init__(
        self,
        load: cfgmod.LoadResult,
        *,
        idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
        server_request_timeout: float | None = None,
    ) -> None:
        config = load.config
        self.hub = Hub(server_request_timeout)
        self.store = Store(config.codex_home)
        self.client = ModelClient()
        self.auth = AuthManager(self.hub, config.codex_home, config)
        self.threads = ThreadManager(self.hub, self.store, config, idle_unload_seconds)
        self.runner = TurnRunner(self.hub, self.client, self.auth)
        self.turns = TurnApi(self.threads, self.runner, self.hub)
        self.misc = MiscApi(self.hub, load)
        t, a, m = self.threads, self.auth, self.misc
        self.handlers: dict[str, Handler] = {
            "initialize": m.initialize,
            "thread/start": t.start,
            "thread/resume": t.resume,
            "thread/fork": t.fork,
            "thread/list": t.list_threads,
            "thread/read": t.read,
            "thread/archive": t.archive,
            "thread/unarchive": t.unarchive,
            "thread/name/set": t.set_name,
            "thread/loaded/list": t.loaded_list,
            "thread/rollback": t.rollback,
            "thread/compact/start": self.runner_compact,
            "thread/unsubscribe": t.unsubscribe,
            "turn/start": self.turns.start,
            "turn/steer": self.turns.steer,
            "turn/interrupt": self.turns.interrupt,
            "model/list": m.model_list,
            "account/login/start": a.login_start,
            "account/login/cancel": a.login_cancel,
            "account/logout": a.logout,
            "account/read": a.read,
            "account/rateLimits/read": a.rate_limits_read,
            "config/read": m.config_read,
            "config/value/write": m.config_value_write,
            "config/batchWrite": m.config_batch_write,
            "command/exec": m.command_exec,
        }
        missing = set(CLIENT_REQUESTS) - set(self.handlers)
        if missing:
            raise RuntimeError(f"methods without a core handler: {sorted(missing)}")

    async def runner_compact(self, params: dict[str, Any]) -> dict[str, Any]:
        """thread/compact/start: compaction runs as a turn of its own."""
        thread = self.threads.require_loaded(params["threadId"])
        await self.runner.compact(thread)
        return {}

    async def start(self) -> None:
        """Open the store and start background tasks."""
        await self.store.open()
        self.threads.start_reaper()

    async def close(self) -> None:
        """Stop turns, flush threads, close clients (idempotent)."""
        await self.threads.close()
        await self.client.aclose()
        await self.store.close()

    # -- gRPC glue ------------------------------------------------------------
    def unary_handler(self, method: Method) -> grpc.RpcMethodHandler:
        """The generic gRPC handler of one client request."""
        fn = self.handlers[method.name]
        result_cls = method.result
        assert result_cls is not None

        async def handle(request: Any, context: grpc.aio.ServicerContext) -> Any:
            md = {k: v for k, v in context.invocation_metadata() or ()}
            gw, conn = md.get("x-gateway-session"), md.get("x-connection-id")
            call = None
            if gw and conn:
                try:
                    seq = int(md.get("x-request-seq", "0"))
                except ValueError:
                    seq = 0
                call = CallInfo(ConnKey(str(gw), str(conn)), seq,
                                replay=md.get("x-reinitialize") == "1")
            token = CURRENT_CALL.set(call)
            try:
                result = await fn(codec.to_json(request))
                return codec.from_json(result_cls, result)
            except ProtocolError as err:
                status, details, trailing = grpc_status_for(err)
                context.set_trailing_metadata(trailing)
                await context.abort(status, details)
            except codec.DecodeError as err:
                log.exception("%s produced an invalid result", method.name)
                await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {err}")
            except (KeyError, TypeError, ValueError) as err:
                log.exception("%s failed", method.name)
                await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {err}")
            finally:
                CURRENT_CALL.reset(token)

        return grpc.unary_unary_rpc_method_handler(
            handle,
            request_deserializer=method.params.FromString,
            response_serializer=result_cls.SerializeToString,
        )

    async def connect(
        self, requests: AsyncIterator[service_pb2.GatewayFrame], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[service_pb2.CoreFrame]:
        """The Connect stream of one gateway: events out, replies and closes in."""
        md = {k: v for k, v in context.invocation_metadata() or ()}
        session = str(md.get("x-gateway-session") or "")
        link = self.hub.attach(session)
        log.info("gateway %s connected", session)

        async def read() -> None:
            try:
                async for frame in requests:
                    which = frame.WhichOneof("frame")
                    if which == "connection_closed":
                        self.hub.connection_closed(
                            ConnKey(session, frame.connection_closed.connection_id)
                        )
                    elif which == "reply":
                        self.hub.reply(session, frame.reply)
            finally:
                link.closed.set()

        reader = asyncio.get_running_loop().create_task(read())
        try:
            while True:
                frame = await link.next_frame()
                if frame is None:
                    break
                yield frame
        finally:
            reader.cancel()
            self.hub.detach(link)
            log.info("gateway %s disconnected", session)

    def generic_handlers(self) -> list[grpc.GenericRpcHandler]:
        """One generic handler per service of the method table (plus Connect)."""
        by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
        for method in CLIENT_REQUESTS.values():
            assert method.service and method.rpc
            by_service.setdefault(method.service, {})[method.rpc] = self.unary_handler(method)
        by_service.setdefault("SessionService", {})["Connect"] = (
            grpc.stream_stream_rpc_method_handler(
                self.connect,
                request_deserializer=service_pb2.GatewayFrame.FromString,
                response_serializer=service_pb2.CoreFrame.SerializeToString,
            )
        )
        return [
            grpc.method_handlers_generic_handler(f"{SERVICE_FILE.package}.{svc}", handlers)
            for svc, handlers in by_service.items()
        ]


def grpc_target(listen: str) -> str:
    """`unix:///path` or `tcp://host:port` -> a gRPC address."""
    if listen.startswith("unix://"):
        return "unix:" + listen[len("unix://") :]
    if listen.startswith("tcp://"):
        return listen[len("tcp://") :]
    raise ValueError(f"unsupported listen address: {listen} (use unix:///PATH or tcp://HOST:PORT)")


async def run_core(
    listen: str,
    overrides: list[tuple[list[str], Any]],
    *,
    idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
) -> int:
    """Serve the core until SIGTERM/SIGINT; prints `listening on: ADDR` to stderr."""
    load = cfgmod.load_config(None, overrides)
    if load.diagnostic is not None:
        log.error("%s %s", load.diagnostic.summary, load.diagnostic.details)
    core = Core(load, idle_unload_seconds=idle_unload_seconds)
    await core.start()
    server = grpc.aio.server(options=GRPC_OPTIONS)
    server.add_generic_rpc_handlers(core.generic_handlers())
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [f"{SERVICE_FILE.package}.{s.name}" for s in SERVICE_FILE.services_by_name.values()]
    reflection.enable_server_reflection([*names, reflection.SERVICE_NAME, "grpc.health.v1.Health"],
                                        server)
    target = grpc_target(listen)
    _remove_stale_socket(target)
    port = server.add_insecure_port(target)
    await server.start()
    shown = listen if not listen.startswith("tcp://") or not listen.endswith(":0") else (
        listen[: -len(":0")] + f":{port}"
    )
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    print(f"listening on: {shown}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()
    watchdog = loop.create_task(_watch_parent(parent, stop))
    await stop.wait()
    watchdog.cancel()
    log.info("core shutting down")
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace=2.0)
    await core.close()
    return 0


def _remove_stale_socket(target: str) -> None:
    """A unix socket left by a killed core would make the bind fail."""
    if target.startswith("unix:"):
        path = Path(target[len("unix:") :])
        if path.is_socket():
            path.unlink()


async def _watch_parent(parent: int, stop: asyncio.Event) -> None:
    """Stop when the parent dies (no orphan core if the launcher is SIGKILLed)."""
    if os.environ.get("APP_SERVER_CORE_WATCH_PARENT") != "1":
        return
    while not stop.is_set():
        if os.getppid() != parent:
            stop.set()
            return
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            continue
