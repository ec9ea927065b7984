"""Unified exec: `exec_command` starts a process, `write_stdin` talks to it later.

One `UnifiedExec` per loaded thread holds its live sessions. What the
reference does (0.104, measured) and this module reproduces:

- `exec_command` waits `yield_time_ms` (default 10 s, clamped to
  250 ms..30 s) or until the process exits. Exited: the model reads
  "Process exited with code N" and no session remains. Still running: the
  process becomes session N ("Process running with session ID N"; N is
  also the item's `processId`) and lives on after the call, even after
  the turn ends.
- Only a session streams: output that arrives after the call returned goes
  to `on_output` (the item's `outputDelta`s), and when the process exits
  `on_exit` receives its end, its `output` being what was streamed (the
  reference completes the item then, with that as `aggregatedOutput`).
- `write_stdin` writes `chars` (a terminal session only: without `tty`
  stdin is /dev/null, and the reference answers "stdin is closed for this
  session; ..."), then waits `yield_time_ms` (default 250 ms; an empty
  poll waits at least 5 s, at most 5 minutes) or until exit, and returns
  the output since the last read. An exited session is forgotten: its id
  is then "Unknown process id N".
- Non-terminal output is stdout and stderr interleaved in arrival order; a
  terminal session's output is the terminal's (CRLF line ends). A terminal
  is 24x80 with TERM=dumb and is the session's controlling terminal (^C
  interrupts; a signal death reads as exit code 1).
- A thread keeps at most 64 sessions: starting a 65th kills the least
  recently used one, whose `on_exit` reports exit code -1.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from core_service.sandbox.process import OUTPUT_CAP, ExecResult, ExecSpec, Process
from core_service.tools import exec_output

DEFAULT_EXEC_YIELD_MS = 10_000
DEFAULT_WRITE_YIELD_MS = 250
MIN_YIELD_MS = 250
MAX_YIELD_MS = 30_000
# An empty write_stdin is a poll: it waits longer (the reference's bounds).
MIN_POLL_YIELD_MS = 5_000
MAX_POLL_YIELD_MS = 300_000
# Live sessions per thread; starting one more ends the least recently used.
MAX_SESSIONS = 64
# What the reference adds to an exec_command's environment (measured):
# no pagers, no colours, a UTF-8 locale, and a marker for CI-aware tools.
UNIFIED_EXEC_ENV = {
    "CODEX_CI": "1", "COLORTERM": "", "GH_PAGER": "cat", "GIT_PAGER": "cat",
    "LC_ALL": "C.UTF-8", "LC_CTYPE": "C.UTF-8", "NO_COLOR": "1", "PAGER": "cat",
}
STDIN_CLOSED = ("write_stdin failed: stdin is closed for this session; "
                "rerun exec_command with tty=true to keep stdin open")


@dataclass(frozen=True)
class UnifiedResult:
    """One exec_command / write_stdin answer.

    `text` is exactly what the model reads; `session_id` is set while the
    process still runs; `exit_code` once it has exited; `output` is the
    output this call returned; `pid` the OS pid; `item_id` the item the
    session was started for (None for an unknown session).
    """

    text: str
    session_id: int | None
    exit_code: int | None
    output: str
    pid: int | None
    duration_ms: int
    item_id: str | None = None


class _Session:
    """A process and its output not yet read by the model."""

    def __init__(self, session_id: int, item_id: str | None,
                 on_output: Callable[[bytes], None] | None,
                 on_exit: Callable[[ExecResult], None] | None) -> None:
        self.id = session_id
        self.item_id = item_id
        self.process: Process | None = None
        self.unread = bytearray()
        self.streamed = bytearray()
        self.streaming = False
        self.last_used = time.monotonic()
        self.watcher: asyncio.Task[None] | None = None
        self.pruned = False
        self._on_output = on_output
        self._on_exit = on_exit

    def on_chunk(self, chunk: bytes) -> None:
        _bounded_add(self.unread, chunk)
        if self.streaming:
            _bounded_add(self.streamed, chunk)
            if self._on_output is not None:
                self._on_output(chunk)

    def take_unread(self) -> str:
        text = self.unread.decode(errors="replace")
        self.unread.clear()
        return text

    def exited(self, result: ExecResult) -> None:
        if self._on_exit is not None:
            self._on_exit(dataclasses.replace(
                result, output=self.streamed.decode(errors="replace")))


class UnifiedExec:
    """The exec_command / write_stdin sessions of one thread."""

    def __init__(self) -> None:
        self._sessions: dict[int, _Session] = {}
        self._closed = False

    async def start(
        self, spec: ExecSpec, *, yield_time_ms: int | None, max_output_tokens: int | None,
        on_start: Callable[[int], None] | None = None,
        on_output: Callable[[bytes], None] | None = None,
        on_exit: Callable[[ExecResult], None] | None = None,
        item_id: str | None = None,
    ) -> UnifiedResult:
        """Run an exec_command: spawn `spec`, wait the yield time, answer the model.

        `on_start` receives the session id (the item's `processId`) once the
        process runs. Raises what `Process.spawn` raises (SandboxUnavailable,
        OSError) with nothing left running; a cancelled call kills the process.
        """
        env = {**(spec.env if spec.env is not None else os.environ), **UNIFIED_EXEC_ENV}
        if spec.tty:
            env["TERM"] = "dumb"
        session = _Session(self._new_id(), item_id, on_output, on_exit)
        started = time.monotonic()
        process = session.process = await Process.start(
            dataclasses.replace(spec, env=env), session.on_chunk)
        try:
            if on_start is not None:
                on_start(session.id)
            limit = _clamp(yield_time_ms, DEFAULT_EXEC_YIELD_MS, MIN_YIELD_MS, MAX_YIELD_MS)
            exited = await process.wait(limit / 1000)
        except BaseException:
            await process.kill()
            raise
        if not exited:
            self._keep(session)
        return self._answer(session, started, max_output_tokens)

    async def write_stdin(
        self, session_id: int, chars: str, *, yield_time_ms: int | None,
        max_output_tokens: int | None,
    ) -> UnifiedResult:
        """Run a write_stdin: write `chars` to session `session_id`, wait, answer the model.

        An unknown (or exited) session and a write to a non-terminal session
        are answered with the reference's texts.
        """
        session = self._sessions.get(session_id)
        if session is None or session.process is None:
            return UnifiedResult(f"write_stdin failed: Unknown process id {session_id}",
                                 None, None, "", None, 0)
        process = session.process
        if chars and not process.spec.tty:
            return UnifiedResult(STDIN_CLOSED, None, None, "", process.pid, 0, session.item_id)
        started = session.last_used = time.monotonic()
        if chars:
            with contextlib.suppress(OSError, TimeoutError):
                await process.write(chars.encode())
            limit = _clamp(yield_time_ms, DEFAULT_WRITE_YIELD_MS, MIN_YIELD_MS, MAX_YIELD_MS)
        else:
            limit = _clamp(yield_time_ms, MIN_POLL_YIELD_MS, MIN_POLL_YIELD_MS, MAX_POLL_YIELD_MS)
        await process.wait(limit / 1000)
        return self._answer(session, started, max_output_tokens)

    async def close(self) -> None:
        """Kill every session (thread unloaded, core shutting down); idempotent.
        Killed sessions do not report through `on_exit`."""
        self._closed = True
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            if session.watcher is not None:
                session.watcher.cancel()
        await asyncio.gather(*(s.process.kill() for s in sessions if s.process is not None),
                             *(s.watcher for s in sessions if s.watcher is not None),
                             return_exceptions=True)

    def _answer(self, session: _Session, started: float,
                max_output_tokens: int | None) -> UnifiedResult:
        """The model's answer for `session` now: its unread output and its state."""
        assert session.process is not None
        output = session.take_unread()
        exit_code = (None if session.process.returncode is None
                     else _session_result(session.process).exit_code)
        if exit_code is not None:
            self._sessions.pop(session.id, None)
        running_id = session.id if exit_code is None else None
        elapsed_ms = (time.monotonic() - started) * 1000
        text = exec_output.unified_text(output, elapsed_ms, exit_code=exit_code,
                                        session_id=running_id, max_tokens=max_output_tokens)
        return UnifiedResult(text, running_id, exit_code, output, session.process.pid,
                             int(elapsed_ms), session.item_id)

    def _keep(self, session: _Session) -> None:
        """Make a still-running process a session: stream it, watch for its exit."""
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.last_used)
            self._sessions.pop(oldest.id)
            oldest.pruned = True
            if oldest.watcher is not None:
                oldest.watcher.cancel()
        session.streaming = True
        self._sessions[session.id] = session
        session.watcher = asyncio.create_task(self._watch(session))

    async def _watch(self, session: _Session) -> None:
        """Wait for a session's process to end; report it; forget it."""
        assert session.process is not None
        try:
            await session.process.wait()
        except asyncio.CancelledError:
            await session.process.kill()
            if session.pruned:
                # The reference ends a pruned session's item failed, exit code -1.
                session.exited(dataclasses.replace(session.process.result(), exit_code=-1))
            raise
        if not self._closed:
            session.exited(_session_result(session.process))

    def _new_id(self) -> int:
        """A session id not in use: a random number, as the reference's look."""
        while True:
            candidate = random.randint(1000, 99_999)
            if candidate not in self._sessions:
                return candidate


def _session_result(process: Process) -> ExecResult:
    """How a session's process ended; a terminal session killed by a signal (say ^C)
    reports exit code 1, as the reference's terminals do."""
    result = process.result()
    if process.spec.tty and result.signal is not None:
        return dataclasses.replace(result, exit_code=1)
    return result


def _clamp(value: int | None, default: int, low: int, high: int) -> int:
    """`value` (or `default` when None) within [low, high]."""
    return min(max(default if value is None else value, low), high)


def _bounded_add(buffer: bytearray, chunk: bytes) -> None:
    """Append, keeping at most OUTPUT_CAP bytes (the newest)."""
    buffer += chunk
    if len(buffer) > OUTPUT_CAP:
        del buffer[:len(buffer) - OUTPUT_CAP]
