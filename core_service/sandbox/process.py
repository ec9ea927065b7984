"""Running a command under its sandbox: process group, output capture, timeout, cancel.

Every command is spawned as the leader of a new session (a process group
of its own), so a timeout or a cancelled turn kills it and everything it
forked with one `killpg`. Sandboxed commands run inside bubblewrap (see
`bwrap`), which also puts them in a PID namespace and dies with the core;
unsandboxed ones get `setpriv --pdeathsig KILL` so they die with the core
too. A command that needs the sandbox where bubblewrap cannot run raises
`SandboxUnavailable` before anything is spawned.

`Process` is one spawned command (pipes, or a pseudo-terminal with
`tty=True`), used directly by unified exec's long-lived sessions; `run`
runs one command to completion, as the `shell` tools and `command/exec` do.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import shutil
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core_service.sandbox import bwrap
from core_service.sandbox.policy import SandboxPolicy

# Captured bytes kept per stream; the rest is counted, not kept.
OUTPUT_CAP = 1 << 20
# How long output may keep flowing after the command exits (a background
# child holding the pipe open must not hold the call forever).
DRAIN_AFTER_EXIT = 2.0
# How long reaping a killed process group may take.
KILL_GRACE = 5.0
# How long a write to a terminal may wait for the child to read.
WRITE_TIMEOUT = 5.0
# The exit code the reference reports for a command it timed out.
TIMEOUT_EXIT_CODE = 124
# Exit codes of a command killed by signal N: 128 + N, as a shell reports them.
SIGNAL_EXIT_BASE = 128
_READ_CHUNK = 64 * 1024
# Set in the environment of a command without network access.
NETWORK_DISABLED_VAR = "CODEX_SANDBOX_NETWORK_DISABLED"
# Output that marks a failure under a sandbox as likely the sandbox's doing
# (lower-cased): the reference's heuristic (a fake "Permission denied" from a
# command that exits 1 makes the reference offer a retry without sandbox).
_DENIAL_SIGNS = ("operation not permitted", "permission denied", "read-only file system",
                 "seccomp", "sandbox", "landlock", "failed to write file")


@dataclass(frozen=True)
class ExecSpec:
    """A command to run: argv, directory, sandbox, environment (None: the core's),
    timeout (None: none) and whether it gets a pseudo-terminal."""

    argv: list[str]
    cwd: str
    policy: SandboxPolicy
    env: Mapping[str, str] | None = None
    timeout_ms: int | None = None
    tty: bool = False
    bwrap_binary: str | None = None


@dataclass(frozen=True)
class ExecResult:
    """How a command ended.

    `output` is stdout followed by stderr, as the reference aggregates a
    command's output (a terminal has only stdout). A timed-out command has
    exit code 124; one killed by signal N has 128 + N and `signal` N.
    `sandbox_denied` is the reference's guess that a failure was the
    sandbox refusing something. `truncated` says capture stopped at
    `OUTPUT_CAP` bytes of a stream.
    """

    exit_code: int
    stdout: str
    stderr: str
    output: str
    duration_ms: int
    timed_out: bool
    sandbox_denied: bool
    signal: int | None = None
    truncated: bool = False


class _Capture:
    """Bytes of one stream, kept up to OUTPUT_CAP."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = OUTPUT_CAP - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        self.data += chunk[:max(room, 0)]

    def text(self) -> str:
        return self.data.decode(errors="replace")


class Process:
    """One spawned command: its pid, output as it arrives, stdin (terminal only), its end.

    Build it with `Process.start`; `wait` for it, `kill` its process group,
    `result` once it has ended. `on_output` receives every chunk of output
    (stdout and stderr alike) in arrival order.
    """

    def __init__(self, spec: ExecSpec, proc: asyncio.subprocess.Process, master: int | None,
                 on_output: Callable[[bytes], None] | None) -> None:
        self.spec = spec
        self.pid = proc.pid
        self._proc = proc
        self._master = master
        self._on_output = on_output
        self._started = time.monotonic()
        self._ended: float | None = None
        self._stdout, self._stderr = _Capture(), _Capture()
        self._readers: list[asyncio.Task[None]] = []
        self._pty_eof = asyncio.Event()
        self.timed_out = False
        if master is not None:
            os.set_blocking(master, False)
            asyncio.get_running_loop().add_reader(master, self._on_pty_readable)
        else:
            assert proc.stdout is not None and proc.stderr is not None
            self._readers = [asyncio.create_task(self._read(proc.stdout, self._stdout)),
                             asyncio.create_task(self._read(proc.stderr, self._stderr))]

    @classmethod
    async def spawn(cls, spec: ExecSpec,
                    on_output: Callable[[bytes], None] | None = None) -> Process:
        """Start `spec` in its sandbox, in a new session.

        Raises SandboxUnavailable (nothing spawned) when the policy needs
        bubblewrap and it cannot run, FileNotFoundError when argv[0] is not
        found, and OSError when the process cannot start (e.g. no cwd).
        """
        argv = await _sandboxed_argv(spec)
        env = spec.env
        if not spec.policy.network:
            # Told as the reference tells it, so tools can skip network work.
            env = {**(env if env is not None else os.environ), NETWORK_DISABLED_VAR: "1"}
        if spec.tty:
            master, slave = os.openpty()
            # The reference's terminals are 24 rows by 80 columns (a fresh pty is 0x0).
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            setsid = shutil.which("setsid")
            # A terminal session needs its terminal as controlling tty (for
            # ^C and /dev/tty); `setsid -c` makes it so after a new session.
            prefix = [setsid, "-c"] if setsid else []
            try:
                proc = await asyncio.create_subprocess_exec(
                    *prefix, *argv, cwd=spec.cwd, env=env, stdin=slave, stdout=slave,
                    stderr=slave, start_new_session=not prefix)
            except BaseException:
                os.close(master)
                raise
            finally:
                os.close(slave)
            return cls(spec, proc, master, on_output)
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=spec.cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True)
        return cls(spec, proc, None, on_output)

    @classmethod
    async def start(cls, spec: ExecSpec,
                    on_output: Callable[[bytes], None] | None = None) -> Process:
        """`spawn`, safe to cancel: a call cancelled while the process is being created
        lets the creation finish, kills what it made, then re-raises CancelledError
        (cancelled inside asyncio's spawn the child would run on unowned)."""
        spawning = asyncio.ensure_future(cls.spawn(spec, on_output))
        try:
            return await asyncio.shield(spawning)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                made = await asyncio.wait_for(spawning, KILL_GRACE)
                await made.kill()
            raise

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended (negative: killed by that signal)."""
        return self._proc.returncode

    async def wait(self, limit: float | None = None) -> bool:
        """Wait up to `limit` seconds (None: no limit) for the process to exit and its
        output to drain; True when it has exited."""
        try:
            await asyncio.wait_for(self._proc.wait(), limit)
        except TimeoutError:
            return False
        if self._ended is None:
            self._ended = time.monotonic()
        await self._drain()
        return True

    async def write(self, data: bytes) -> None:
        """Write to the terminal (tty sessions only), waiting up to WRITE_TIMEOUT for room."""
        if self._master is None:
            raise BrokenPipeError(errno.EPIPE, "stdin is closed")
        loop = asyncio.get_running_loop()
        while data:
            try:
                data = data[os.write(self._master, data):]
            except BlockingIOError:
                ready = loop.create_future()
                loop.add_writer(self._master, ready.set_result, None)
                try:
                    await asyncio.wait_for(ready, WRITE_TIMEOUT)
                finally:
                    loop.remove_writer(self._master)

    async def kill(self) -> None:
        """Kill the whole process group, reap the process (bounded) and stop reading."""
        # Once reaped, the pid may name someone else's group: no signal then.
        if self._proc.returncode is None:
            _killpg(self.pid)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._proc.wait(), KILL_GRACE)
        if self._ended is None:
            self._ended = time.monotonic()
        await self._drain()

    def result(self) -> ExecResult:
        """How the process ended (call after `wait` returned True or `kill`)."""
        code = self._proc.returncode
        sig = -code if code is not None and code < 0 else None
        if self.timed_out:
            exit_code = TIMEOUT_EXIT_CODE
        elif sig is not None:
            exit_code = SIGNAL_EXIT_BASE + sig
        else:
            exit_code = code if code is not None else -1
        stdout, stderr = self._stdout.text(), self._stderr.text()
        output = stdout + stderr
        return ExecResult(
            exit_code=exit_code, stdout=stdout, stderr=stderr, output=output,
            duration_ms=self.elapsed_ms(), timed_out=self.timed_out,
            sandbox_denied=(self.spec.policy.sandboxed and not self.timed_out
                            and likely_sandbox_denied(exit_code, output)),
            signal=sig, truncated=self._stdout.truncated or self._stderr.truncated)

    def elapsed_ms(self) -> int:
        """Milliseconds since the spawn, up to the end when it has ended."""
        end = self._ended if self._ended is not None else time.monotonic()
        return int((end - self._started) * 1000)

    async def _drain(self) -> None:
        """Let output after the exit arrive (bounded), then stop reading."""
        if self._master is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pty_eof.wait(), DRAIN_AFTER_EXIT)
            self._close_pty()
            return
        _, pending = await asyncio.wait(self._readers, timeout=DRAIN_AFTER_EXIT)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _read(self, stream: asyncio.StreamReader, capture: _Capture) -> None:
        while chunk := await stream.read(_READ_CHUNK):
            capture.add(chunk)
            if self._on_output is not None:
                self._on_output(chunk)

    def _on_pty_readable(self) -> None:
        assert self._master is not None
        try:
            chunk = os.read(self._master, _READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""  # EIO: every holder of the terminal has closed it
        if not chunk:
            asyncio.get_running_loop().remove_reader(self._master)
            self._pty_eof.set()
            return
        self._stdout.add(chunk)
        if self._on_output is not None:
            self._on_output(chunk)

    def _close_pty(self) -> None:
        if self._master is not None:
            asyncio.get_running_loop().remove_reader(self._master)
            os.close(self._master)
            self._master = None
            self._pty_eof.set()


async def run(
    spec: ExecSpec, *, on_start: Callable[[int], None] | None = None,
    on_output: Callable[[bytes], None] | None = None,
) -> ExecResult:
    """Run `spec` to its end and return how it ended.

    Output chunks go to `on_output` as they arrive. A command that outlives
    `spec.timeout_ms` is killed with its whole process group and reported
    timed out (exit code 124). When the calling task is cancelled (the turn
    was interrupted) the process group is killed and reaped before
    CancelledError propagates. Raises SandboxUnavailable, before spawning,
    when the policy needs bubblewrap and it cannot run; FileNotFoundError
    or OSError when the command cannot start.
    """
    proc = await Process.start(spec, on_output)
    try:
        if on_start is not None:
            on_start(proc.pid)
        timeout = None if spec.timeout_ms is None else max(spec.timeout_ms, 0) / 1000
        if not await proc.wait(timeout):
            proc.timed_out = True
            await proc.kill()
    except BaseException:
        await proc.kill()
        raise
    return proc.result()


def likely_sandbox_denied(exit_code: int, output: str) -> bool:
    """The reference's guess that a sandboxed command failed because the sandbox refused:
    a non-zero exit with a denial phrase in its output."""
    if exit_code == 0:
        return False
    lowered = output.lower()
    return any(sign in lowered for sign in _DENIAL_SIGNS)


async def _sandboxed_argv(spec: ExecSpec) -> list[str]:
    """The argv to spawn: bubblewrap around the command when sandboxed, else the
    command with a parent-death signal (so it dies with the core)."""
    if not spec.argv:
        raise ValueError("empty argv")
    # Wrapped, a missing program would be the wrapper's exit status; the
    # caller must see the same error as for an unwrapped spawn.
    program = spec.argv[0]
    if os.sep in program:
        found = os.access(os.path.join(spec.cwd, program), os.X_OK)
    else:
        env_path = (spec.env if spec.env is not None else os.environ).get("PATH")
        found = shutil.which(program, path=env_path) is not None
    if not found:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)
    if spec.policy.sandboxed:
        tool = await bwrap.detect(spec.bwrap_binary)
        return bwrap.wrap(spec.argv, spec.policy, spec.cwd, tool)
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *spec.argv] if setpriv else list(spec.argv)


def _killpg(pid: int) -> None:
    """SIGKILL the process group led by `pid` (or `pid` alone, before it has one)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    except PermissionError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
