"""sandbox.process: a command runs in its sandbox and its own process group; output is
captured and streamed; a timeout or a cancel kills everything it forked; a sandbox
that cannot run refuses the command before anything is spawned."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from pathlib import Path

import pytest

from core_service.sandbox.bwrap import SandboxUnavailable
from core_service.sandbox.policy import SandboxPolicy
from core_service.sandbox.process import ExecSpec, likely_sandbox_denied, run
from tests.unit.core_service.sandbox.leftovers import (
    WAIT,
    all_exited,
    fifo_line,
    forking_script,
    marked_pids,
    marker,
)

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap (bwrap) is not installed")
FULL = SandboxPolicy("danger-full-access", network=True)
READ_ONLY = SandboxPolicy("read-only")


def workspace(root: Path, *, network: bool = False) -> SandboxPolicy:
    """workspace-write with `root` as the only writable root."""
    return SandboxPolicy("workspace-write", (str(root),), network)


async def run_sh(script: str, cwd: Path, policy: SandboxPolicy) -> tuple[int, str]:
    """Exit code and output of `sh -c script` in `cwd` under `policy` (bounded)."""
    result = await asyncio.wait_for(run(ExecSpec(["sh", "-c", script], str(cwd), policy)), WAIT)
    return result.exit_code, result.output


async def test_output_exit_code_and_streaming(tmp_path: Path) -> None:
    """stdout and stderr are captured apart; `output` is stdout then stderr, as the
    reference aggregates it; every chunk reaches on_output; on_start gets the pid."""
    chunks: list[bytes] = []
    pids: list[int] = []
    result = await asyncio.wait_for(run(
        ExecSpec(["sh", "-c", "echo err >&2; echo out; exit 3"], str(tmp_path), FULL),
        on_start=pids.append, on_output=chunks.append), WAIT)
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert result.output == "out\nerr\n"
    assert sorted(chunks) == [b"err\n", b"out\n"]
    assert len(pids) == 1 and pids[0] > 0
    assert not result.timed_out and not result.sandbox_denied


async def test_timeout_is_exit_code_124_and_keeps_output(tmp_path: Path) -> None:
    """A command past its timeout is killed and reported timed out with exit code 124
    (the reference's), its output so far kept."""
    result = await asyncio.wait_for(run(ExecSpec(
        ["sh", "-c", "echo start; exec sleep 30"], str(tmp_path), FULL, timeout_ms=200)), WAIT)
    assert result.timed_out and result.exit_code == 124
    assert result.output == "start\n"
    assert 150 <= result.duration_ms < 4000


async def test_missing_program_is_file_not_found(tmp_path: Path) -> None:
    """A program that does not exist raises FileNotFoundError, sandboxed or not."""
    for policy in (FULL, READ_ONLY):
        with pytest.raises(FileNotFoundError):
            await run(ExecSpec(["no-such-program-h2"], str(tmp_path), policy))


async def test_signal_death_is_reported(tmp_path: Path) -> None:
    """An unsandboxed command killed by a signal has `signal` set and exit code 128 + N."""
    result = await asyncio.wait_for(run(ExecSpec(["sh", "-c", "kill -9 $$"], str(tmp_path),
                                                 FULL)), WAIT)
    assert (result.signal, result.exit_code) == (9, 137)


def test_denial_heuristic_is_the_references() -> None:
    """A failure whose output names a denial is a likely sandbox denial; success never is."""
    assert likely_sandbox_denied(1, "touch: cannot touch 'x': Permission denied\n")
    assert likely_sandbox_denied(1, "Read-only file system")
    assert not likely_sandbox_denied(0, "Permission denied")
    assert not likely_sandbox_denied(1, "plain failure")


async def test_sandbox_unavailable_refuses_before_spawning(tmp_path: Path) -> None:
    """With no bwrap a sandboxed command raises SandboxUnavailable naming the cause and
    runs nothing (its side effect is absent); danger-full-access still runs."""
    flag = tmp_path / "ran"
    spec = ExecSpec(["sh", "-c", f"touch {flag}"], str(tmp_path), READ_ONLY,
                    bwrap_binary=str(tmp_path / "no-bwrap"))
    with pytest.raises(SandboxUnavailable, match="bubblewrap \\(bwrap\\) is not installed"):
        await run(spec)
    assert not flag.exists()
    code, _ = await run_sh(f"touch {flag}", tmp_path, FULL)
    assert code == 0 and flag.exists()


@needs_bwrap
async def test_workspace_write_refuses_writes_outside_the_workspace(tmp_path: Path) -> None:
    """Under workspace-write a write inside the writable root succeeds, one outside it
    fails with the kernel's refusal (and is flagged a likely sandbox denial)."""
    inside, outside = tmp_path / "ws", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    code, out = await run_sh("echo hi > inside.txt", inside, workspace(inside))
    assert code == 0 and (inside / "inside.txt").read_text() == "hi\n"
    result = await asyncio.wait_for(run(ExecSpec(
        ["sh", "-c", f"echo no > {outside}/x"], str(inside), workspace(inside))), WAIT)
    assert result.exit_code != 0 and not (outside / "x").exists()
    assert "Read-only file system" in result.output and result.sandbox_denied


@needs_bwrap
async def test_read_only_refuses_every_write(tmp_path: Path) -> None:
    """Under read-only even the working directory cannot be written."""
    code, out = await run_sh("echo no > here.txt", tmp_path, READ_ONLY)
    assert code != 0 and not (tmp_path / "here.txt").exists()


@needs_bwrap
async def test_danger_full_access_runs_unwrapped(tmp_path: Path) -> None:
    """danger-full-access runs outside any namespace: it sees the host's pid of itself
    and writes anywhere."""
    code, out = await run_sh("echo $$; echo x > w.txt", tmp_path, FULL)
    assert code == 0 and int(out.split()[0]) > 2 and (tmp_path / "w.txt").exists()


async def _listener() -> tuple[asyncio.Server, int, list[int]]:
    accepted: list[int] = []

    async def on_connect(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        accepted.append(1)
        w.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], accepted


@needs_bwrap
async def test_network_refused_without_network_and_allowed_with_it(tmp_path: Path) -> None:
    """A connection to a loopback listener on the host fails from a sandbox without
    network (its own network namespace) and succeeds when the policy allows network."""
    server, port, accepted = await _listener()
    probe = ["python3", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 2)"]
    async with server:
        closed = await asyncio.wait_for(run(ExecSpec(probe, str(tmp_path), workspace(tmp_path))),
                                        WAIT)
        assert closed.exit_code != 0 and "ConnectionRefusedError" in closed.output
        assert accepted == []
        opened = await asyncio.wait_for(run(ExecSpec(
            probe, str(tmp_path), workspace(tmp_path, network=True))), WAIT)
        assert opened.exit_code == 0
        assert accepted == [1]
    assert socket.AF_INET  # the probe used IPv4 loopback, as the listener


@pytest.mark.parametrize("policy", [FULL, READ_ONLY], ids=["unwrapped", "bwrap"])
@pytest.mark.parametrize("how", ["timeout", "cancel"])
async def test_nothing_survives_a_timeout_or_cancel(
    tmp_path: Path, policy: SandboxPolicy, how: str
) -> None:
    """A command that forked a grandchild (`sleep & sleep`) leaves no process behind
    when it times out or its call is cancelled, sandboxed or not."""
    if policy.sandboxed and shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed")
    name, value = marker()
    fifo = tmp_path / "started"
    script = forking_script(fifo)
    spec = ExecSpec(["sh", "-c", script], str(tmp_path), policy,
                    env={**os.environ, name: value},
                    timeout_ms=60_000 if how == "cancel" else 1_000)
    call = asyncio.ensure_future(run(spec))
    assert await fifo_line(fifo) == "up"
    pids = marked_pids(value)
    assert len(pids) >= 2  # the shell's two sleeps at least
    if how == "cancel":
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(call, WAIT)
    else:
        assert (await asyncio.wait_for(call, WAIT)).timed_out
    await all_exited(pids)
