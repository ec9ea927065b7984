"""command/exec: a command's output and exit code come back as the reference
gives them; a timeout, an empty argv and a spawn failure are errors; a
cancelled call does not leave its command running; the command runs under the
call's sandboxPolicy, else the config's sandbox_mode, and a sandbox that cannot
run refuses it."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from app_server_protocol.errors import ProtocolError
from app_server_protocol.wire_types import CommandExecParams, SandboxPolicy
from core_service.command import api as command_api
from core_service.command.api import CommandApi
from core_service.config.source import ConfigSource
from tests.unit.core_service.sandbox.leftovers import (
    all_exited,
    fifo_line,
    forking_script,
    marked_pids,
    marker,
)

WAIT = 5.0
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap (bwrap) is not installed")
FULL: SandboxPolicy = {"type": "dangerFullAccess"}
# The reference's answer to a command that outlives its timeout.
TIMED_OUT = (-32603, "exec failed: sandbox error: command timed out")


def params(
    *command: str, timeout_ms: int | None = None, cwd: Path | None = None,
    sandbox: SandboxPolicy | None = FULL,
) -> CommandExecParams:
    """command/exec params as the codec hands them over (every field, null when unset);
    danger-full-access unless told, so the pids the tests watch are the host's."""
    return {"command": list(command), "timeoutMs": timeout_ms,
            "cwd": None if cwd is None else str(cwd), "sandboxPolicy": sandbox}


async def test_output_and_exit_code_are_captured(tmp_path: Path) -> None:
    """stdout and stderr come back separately, with the command's exit code, run in `cwd`."""
    out = await asyncio.wait_for(CommandApi().command_exec(
        params("sh", "-c", "pwd; echo err >&2; exit 3", cwd=tmp_path),
        None), WAIT)
    assert out == {"exitCode": 3, "stdout": f"{tmp_path}\n", "stderr": "err\n"}


async def test_a_command_within_its_timeout_completes() -> None:
    """A `timeoutMs` the command stays within does not change its result."""
    out = await asyncio.wait_for(CommandApi().command_exec(
        params("echo", "hi", timeout_ms=4000), None), WAIT)
    assert out == {"exitCode": 0, "stdout": "hi\n", "stderr": ""}


async def test_timeout_is_the_reference_error() -> None:
    """A command that outlives `timeoutMs` is killed and answered as the reference does:
    -32603 "exec failed: sandbox error: command timed out"."""
    with pytest.raises(ProtocolError) as caught:
        await asyncio.wait_for(CommandApi().command_exec(
            params("sleep", "30", timeout_ms=200), None), WAIT)
    assert (caught.value.code, caught.value.message) == TIMED_OUT


async def test_zero_timeout_times_out_at_once() -> None:
    """`timeoutMs: 0` is a timeout of zero, as on the reference: the command is stopped
    and the call answers the timeout error."""
    with pytest.raises(ProtocolError) as caught:
        await asyncio.wait_for(CommandApi().command_exec(
            params("sleep", "30", timeout_ms=0), None), WAIT)
    assert (caught.value.code, caught.value.message) == TIMED_OUT


async def test_default_timeout_is_the_references_ten_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without `timeoutMs` a command is stopped after the default timeout, the
    reference's 10 s (shortened here so the test does not wait 10 s)."""
    assert command_api.DEFAULT_TIMEOUT_MS == 10_000
    monkeypatch.setattr(command_api, "DEFAULT_TIMEOUT_MS", 200)
    with pytest.raises(ProtocolError) as caught:
        await asyncio.wait_for(CommandApi().command_exec(
            params("sleep", "30"), None), WAIT)
    assert (caught.value.code, caught.value.message) == TIMED_OUT


async def test_command_killed_by_a_signal_is_the_reference_error() -> None:
    """A command that dies of a signal is -32603 "exec failed: sandbox error: command was
    killed by a signal", not a negative exit code no process can have."""
    with pytest.raises(ProtocolError) as caught:
        await asyncio.wait_for(CommandApi().command_exec(
            params("sh", "-c", "kill -9 $$"), None), WAIT)
    assert (caught.value.code, caught.value.message) == (
        -32603, "exec failed: sandbox error: command was killed by a signal")


async def test_timeout_kills_the_command(tmp_path: Path) -> None:
    """A command that outlives `timeoutMs` is gone when the call returns (whatever the
    call answers), and the call returns well before the command would have ended."""
    pid_fifo = tmp_path / "pid"
    with _PidFifo(pid_fifo) as pid_of:
        call = asyncio.ensure_future(CommandApi().command_exec(
            params("sh", "-c", f"echo $$ > {pid_fifo}; exec sleep 30", timeout_ms=300), None))
        with _ExitWatch(await pid_of()) as exited:
            try:
                await asyncio.wait_for(asyncio.shield(call), WAIT)
            except ProtocolError:
                pass  # the reference's answer; its shape is the test above
            await asyncio.wait_for(exited, WAIT)


async def test_empty_argv_is_refused() -> None:
    """An empty `command` is -32600 "command must not be empty", the reference's answer."""
    with pytest.raises(ProtocolError) as caught:
        await CommandApi().command_exec(params(), None)
    assert (caught.value.code, caught.value.message) == (-32600, "command must not be empty")


async def test_spawn_failure_is_an_internal_error_naming_the_cause(tmp_path: Path) -> None:
    """A program that cannot be started is -32603 with the OS's reason in the message."""
    with pytest.raises(ProtocolError) as caught:
        await CommandApi().command_exec(params(str(tmp_path / "missing")), None)
    assert caught.value.code == -32603
    assert "No such file or directory" in caught.value.message


async def test_spawn_failure_message_is_the_references(tmp_path: Path) -> None:
    """A program that cannot be started is -32603 "exec failed: <reason>", as on the
    reference, so a client matching the prefix sees one message for every exec failure."""
    with pytest.raises(ProtocolError) as caught:
        await CommandApi().command_exec(params(str(tmp_path / "missing")), None)
    assert caught.value.message.startswith("exec failed: ")


async def test_cancelled_call_kills_the_command(tmp_path: Path) -> None:
    """When the call is cancelled (client gone, core stopping) the command is killed
    at once rather than left to run."""
    pid_fifo = tmp_path / "pid"
    with _PidFifo(pid_fifo) as pid_of:
        call = asyncio.ensure_future(CommandApi().command_exec(
            params("sh", "-c", f"echo $$ > {pid_fifo}; exec sleep 30"), None))
        with _ExitWatch(await pid_of()) as exited:
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(call, WAIT)
            await asyncio.wait_for(exited, WAIT)


def _source(tmp_path: Path, mode: str) -> ConfigSource:
    """A config source whose config.toml sets `sandbox_mode`, and keeps /tmp (where the
    tests' directories are) out of workspace-write's roots."""
    home = tmp_path / "home"
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        f'sandbox_mode = "{mode}"\n[sandbox_workspace_write]\nexclude_slash_tmp = true\n')
    return ConfigSource(home, env={})


@needs_bwrap
async def test_default_sandbox_is_the_configs_mode(tmp_path: Path) -> None:
    """Without sandboxPolicy the config's sandbox_mode (and `[sandbox_workspace_write]`)
    applies: read-only refuses a write in the cwd, workspace-write allows it there and
    refuses one outside it."""
    work, other = tmp_path / "work", tmp_path / "other"
    work.mkdir()
    other.mkdir()
    write = ("sh", "-c", "echo x > here.txt")
    refused = await asyncio.wait_for(CommandApi(_source(tmp_path / "ro", "read-only"))
                                     .command_exec(params(*write, cwd=work, sandbox=None), None),
                                     WAIT)
    assert refused["exitCode"] != 0 and "Read-only file system" in refused["stderr"]
    assert not (work / "here.txt").exists()
    api = CommandApi(_source(tmp_path / "ww", "workspace-write"))
    done = await asyncio.wait_for(api.command_exec(params(*write, cwd=work, sandbox=None), None),
                                  WAIT)
    assert done["exitCode"] == 0 and (work / "here.txt").read_text() == "x\n"
    outside = await asyncio.wait_for(api.command_exec(
        params("sh", "-c", f"echo x > {other}/no.txt", cwd=work, sandbox=None), None), WAIT)
    assert outside["exitCode"] != 0 and not (other / "no.txt").exists()


@needs_bwrap
async def test_the_calls_sandbox_policy_wins(tmp_path: Path) -> None:
    """A sandboxPolicy in the call overrides the config: readOnly refuses a write the
    config's danger-full-access would allow."""
    api = CommandApi(_source(tmp_path, "danger-full-access"))
    out = await asyncio.wait_for(api.command_exec(params(
        "sh", "-c", "echo x > f.txt", cwd=tmp_path,
        sandbox={"type": "readOnly", "access": {"type": "fullAccess"}}), None), WAIT)
    assert out["exitCode"] != 0 and not (tmp_path / "f.txt").exists()


async def test_an_unavailable_sandbox_refuses_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no bwrap a sandboxed command/exec is -32603 "exec failed: sandbox unavailable:
    ..." naming the cause, and nothing runs; danger-full-access still runs."""
    monkeypatch.setenv("PATH", f"{tmp_path / 'empty'}:/no/such")
    flag = tmp_path / "ran"
    with pytest.raises(ProtocolError) as caught:
        await CommandApi().command_exec(params("/bin/sh", "-c", f"echo > {flag}",
                                               sandbox=None), None)
    assert (caught.value.code, caught.value.message) == (
        -32603, "exec failed: sandbox unavailable: bubblewrap (bwrap) is not installed")
    assert not flag.exists()
    ran = await CommandApi().command_exec(params("/bin/sh", "-c", f"echo > {flag}"), None)
    assert ran["exitCode"] == 0 and flag.exists()


@needs_bwrap
@pytest.mark.parametrize("how", ["timeout", "cancel"])
async def test_a_sandboxed_command_leaves_nothing_behind(tmp_path: Path, how: str) -> None:
    """A sandboxed command/exec that forked a grandchild leaves no process when it times
    out or its call is cancelled."""
    name, value = marker()
    fifo = tmp_path / "up"
    api = CommandApi()
    script = f"export {name}={value}; {forking_script(fifo)}"
    call = asyncio.ensure_future(api.command_exec(params(
        "sh", "-c", script, cwd=tmp_path, sandbox=None,
        timeout_ms=1000 if how == "timeout" else 60_000), None))
    assert await fifo_line(fifo) == "up"
    pids = marked_pids(value)
    assert len(pids) >= 1
    if how == "cancel":
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(call, WAIT)
    else:
        with pytest.raises(ProtocolError) as caught:
            await asyncio.wait_for(call, WAIT)
        assert (caught.value.code, caught.value.message) == TIMED_OUT
    await all_exited(pids)


class _PidFifo:
    """A FIFO the command writes its pid to; `await pid_of()` reads it (bounded)."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        # Non-blocking, so opening does not wait for the writer.
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def __enter__(self) -> _PidFifo:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)

    async def __call__(self) -> int:
        loop = asyncio.get_running_loop()
        got: asyncio.Future[bytes] = loop.create_future()

        def readable() -> None:
            if not got.done():
                got.set_result(os.read(self._fd, 64))

        loop.add_reader(self._fd, readable)
        try:
            return int(await asyncio.wait_for(got, WAIT))
        finally:
            loop.remove_reader(self._fd)


class _ExitWatch:
    """A future done when the process exits (a pidfd turns readable: no polling)."""

    def __init__(self, pid: int) -> None:
        self._fd = os.pidfd_open(pid)
        loop = asyncio.get_running_loop()
        self.exited: asyncio.Future[None] = loop.create_future()
        loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def __enter__(self) -> asyncio.Future[None]:
        return self.exited

    def __exit__(self, *exc: object) -> None:
        asyncio.get_running_loop().remove_reader(self._fd)
        os.close(self._fd)
