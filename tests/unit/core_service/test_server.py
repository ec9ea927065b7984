"""The core process (`run_core`), run as a real child process: it prints its
address, answers gRPC health and reflection, and stops in order on SIGTERM,
SIGINT or its parent's death (health NOT_SERVING, in-flight calls drained,
then exit 0)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2

from app_server_protocol.addresses import grpc_target
from app_server_protocol.methods import CLIENT_REQUESTS, SERVICE_FILE
from tests.support.client import REPO, ServerProcess, server_env

WAIT = 10.0
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
EXEC = CLIENT_REQUESTS["command/exec"]
CORE = ("import asyncio, sys; from core_service.server import run_core; "
        "sys.exit(asyncio.run(run_core(sys.argv[1], [])))")


@asynccontextmanager
async def core_process(
    listen: str, home: Path, **env: str
) -> AsyncIterator[ServerProcess]:
    """`run_core(listen)` in a child process on a private CODEX_HOME; killed at the end
    if the test did not stop it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CORE, listen, cwd=REPO, env=server_env(home, **env),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    server = ServerProcess(proc)
    try:
        yield server
    finally:
        await server.stop(signal.SIGKILL)


@contextmanager
def exit_watch(pid: int) -> Iterator[asyncio.Future[None]]:
    """A future done when process `pid` (child or not) exits: a pidfd turns readable."""
    fd = os.pidfd_open(pid)
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not exited.done():
            exited.set_result(None)

    loop.add_reader(fd, readable)
    try:
        yield exited
    finally:
        loop.remove_reader(fd)
        os.close(fd)


@contextmanager
def fifo_reader(path: Path) -> Iterator[asyncio.Future[bytes]]:
    """A FIFO at `path` and a future of the first bytes written to it (the loop never
    blocks: the FIFO is opened non-blocking and read when it turns readable)."""
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    loop = asyncio.get_running_loop()
    got: asyncio.Future[bytes] = loop.create_future()

    def readable() -> None:
        if not got.done():
            got.set_result(os.read(fd, 64))

    loop.add_reader(fd, readable)
    try:
        yield got
    finally:
        loop.remove_reader(fd)
        os.close(fd)


async def health_of(listen: str) -> int:
    """The core's overall health status, asked over gRPC."""
    async with grpc.aio.insecure_channel(grpc_target(listen)) as channel:
        checked = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=WAIT)
        return int(checked.status)


async def list_services(channel: grpc.aio.Channel, version: str) -> set[str]:
    """The service names the server's reflection `version` (v1 or v1alpha) lists."""
    # v1 is v1alpha's messages under another package name: the same stub, another path.
    info = channel.stream_stream(
        f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    async for answer in info(iter([request]), timeout=WAIT):
        return {s.name for s in answer.list_services_response.service}
    raise AssertionError("no reflection answer")


async def test_unix_socket_health_reflection_and_sigterm(tmp_path: Path) -> None:
    """On `unix:///PATH` the core prints `listening on: unix:///PATH` to stderr; reflection
    v1 and v1alpha list every service it serves (not the ServerRequests table, which is
    never served) plus health and both reflections; health answers SERVING for "" and
    for each of them by name, NOT_FOUND for another; it exits 0 on SIGTERM."""
    listen = f"unix://{tmp_path}/core.sock"
    async with core_process(listen, tmp_path / "home") as core:
        assert await core.listening("unix://", WAIT) == listen
        async with grpc.aio.insecure_channel(listen) as channel:
            served = {f"{SERVICE_FILE.package}.{name}" for name in SERVICE_FILE.services_by_name
                      if name != "ServerRequests"}
            expected = served | {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                 "grpc.reflection.v1alpha.ServerReflection"}
            assert await list_services(channel, "v1") == expected
            assert await list_services(channel, "v1alpha") == expected
            health = health_pb2_grpc.HealthStub(channel)
            for name in ["", *sorted(expected)]:
                checked = await health.Check(health_pb2.HealthCheckRequest(service=name),
                                             timeout=WAIT)
                assert checked.status == SERVING, name
            with pytest.raises(grpc.aio.AioRpcError) as unknown:
                await health.Check(health_pb2.HealthCheckRequest(
                    service=f"{SERVICE_FILE.package}.ServerRequests"), timeout=WAIT)
            assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
        assert await core.stop(signal.SIGTERM, WAIT) == 0


async def test_sigterm_is_an_ordered_stop(tmp_path: Path) -> None:
    """SIGTERM turns health NOT_SERVING, refuses new calls, lets a call already in flight
    finish with its result, then exits 0."""
    listen = f"unix://{tmp_path}/core.sock"
    started = tmp_path / "started"
    # The command announces itself on a FIFO, then works on past the SIGTERM.
    script = f"echo go > {started}; sleep 1; echo done"
    with fifo_reader(started) as announced:
        async with core_process(listen, tmp_path / "home") as core:
            await core.listening("unix://", WAIT)
            async with grpc.aio.insecure_channel(grpc_target(listen)) as channel:
                statuses = health_statuses(channel)
                assert await asyncio.wait_for(anext(statuses), WAIT) == SERVING
                exec_call = channel.unary_unary(
                    EXEC.grpc_path, request_serializer=EXEC.params.SerializeToString,
                    response_deserializer=EXEC.result.FromString)
                in_flight = asyncio.ensure_future(
                    exec_call(EXEC.params(command=["sh", "-c", script]), timeout=WAIT))
                assert await asyncio.wait_for(announced, WAIT) == b"go\n"
                core.proc.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(anext(statuses), WAIT) == NOT_SERVING
                result = await asyncio.wait_for(in_flight, WAIT)
                assert (result.exit_code, result.stdout) == (0, "done\n")
                with pytest.raises(grpc.RpcError):
                    await exec_call(EXEC.params(command=["true"]), timeout=WAIT)
            async with asyncio.timeout(WAIT):
                assert await core.proc.wait() == 0


async def health_statuses(channel: grpc.aio.Channel) -> AsyncIterator[int]:
    """The statuses a Health.Watch stream on `channel` reports, in order."""
    watch = health_pb2_grpc.HealthStub(channel).Watch(
        health_pb2.HealthCheckRequest(), timeout=WAIT)
    async for answer in watch:
        yield answer.status


async def test_tcp_port_zero_is_shown_resolved_and_sigint_stops(tmp_path: Path) -> None:
    """`tcp://127.0.0.1:0` is printed as a gRPC target, `127.0.0.1:PORT` with the port
    actually bound, that a gRPC channel dials as is; SIGINT exits 0."""
    async with core_process("tcp://127.0.0.1:0", tmp_path / "home") as core:
        shown = await core.listening("127.0.0.1:", WAIT)
        assert shown.rpartition(":")[2].isdigit() and not shown.endswith(":0")
        async with grpc.aio.insecure_channel(shown) as channel:
            checked = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=WAIT)
            assert checked.status == SERVING
        assert await core.stop(signal.SIGINT, WAIT) == 0


async def test_stale_socket_of_a_killed_core_is_replaced(tmp_path: Path) -> None:
    """A socket file left at the address (a killed core) does not stop the core binding."""
    path = tmp_path / "core.sock"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()
    assert path.is_socket()
    async with core_process(f"unix://{path}", tmp_path / "home") as core:
        assert await core.listening("unix://", WAIT) == f"unix://{path}"
        assert await health_of(f"unix://{path}") == SERVING


async def test_sigterm_right_after_readiness_is_an_ordered_stop(tmp_path: Path) -> None:
    """A SIGTERM sent the moment `listening on:` is out still stops the core in order
    (exit 0): the readiness line is printed only once signals are handled."""
    listen = f"unix://{tmp_path}/core.sock"
    # The child signals itself as soon as its readiness line is written: no race.
    code = ("import asyncio, os, signal, sys; import core_service.server as s\n"
            "def ready(*a, **k):\n"
            "    print_(*a, **k)\n"
            "    if 'listening on:' in str(a[0]): os.kill(os.getpid(), signal.SIGTERM)\n"
            "print_ = print; s.print = ready\n"
            "sys.exit(asyncio.run(s.run_core(sys.argv[1], [])))")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, listen, cwd=REPO, env=server_env(tmp_path / "home"),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        async with asyncio.timeout(WAIT):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_parent_death_stops_the_core(tmp_path: Path) -> None:
    """With APP_SERVER_CORE_WATCH_PARENT=<launcher pid> a serving core whose launcher
    is SIGKILLed stops by itself (no orphan core)."""
    listen = f"unix://{tmp_path}/core.sock"
    async with core_under_parent(listen, tmp_path) as (parent, core_pid):
        with exit_watch(core_pid) as core_exited:
            await parent.listening("unix://", WAIT)
            assert await health_of(listen) == SERVING
            parent.proc.kill()
            await asyncio.wait_for(core_exited, WAIT)


async def test_parent_death_during_start_up_stops_the_core(tmp_path: Path) -> None:
    """A core whose parent dies before it is ready stops by itself as well."""
    listen = f"unix://{tmp_path}/core.sock"
    async with core_under_parent(listen, tmp_path) as (parent, core_pid):
        with exit_watch(core_pid) as core_exited:
            parent.proc.kill()
            await asyncio.wait_for(core_exited, 6.0)


@asynccontextmanager
async def core_under_parent(
    listen: str, tmp_path: Path
) -> AsyncIterator[tuple[ServerProcess, int]]:
    """A parent process that runs `run_core(listen)` as its child with
    APP_SERVER_CORE_WATCH_PARENT=<its pid> (the core writes to the parent's stderr); yields the
    parent and the core's pid. Both are killed at the end if still there."""
    parent_code = (
        "import os, subprocess, sys; "
        "env = dict(os.environ, APP_SERVER_CORE_WATCH_PARENT=str(os.getpid())); "
        f"p = subprocess.Popen([sys.executable, '-c', {CORE!r}, {listen!r}], env=env); "
        "print(p.pid, flush=True); p.wait()")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", parent_code, cwd=REPO,
        env=server_env(tmp_path / "home"),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    parent = ServerProcess(proc)
    core_pid: int | None = None
    try:
        assert proc.stdout is not None
        core_pid = int(await asyncio.wait_for(proc.stdout.readline(), WAIT))
        yield parent, core_pid
    finally:
        if core_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(core_pid, signal.SIGKILL)
        await parent.stop(signal.SIGKILL)
