"""tools.unified_exec: exec_command / write_stdin sessions behave as the reference's
(measured): exit within the yield, sessions that outlive the call and stream, terminal
sessions that take input, the reference's error texts, and nothing left after close."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest

from core_service.sandbox.policy import SandboxPolicy
from core_service.sandbox.process import ExecResult, ExecSpec
from core_service.tools import unified_exec as ue
from core_service.tools.unified_exec import UnifiedExec
from tests.unit.core_service.sandbox.leftovers import (
    WAIT,
    all_exited,
    fifo_line,
    forking_script,
    marked_pids,
    marker,
)

FULL = SandboxPolicy("danger-full-access", network=True)
HEADER = re.compile(r"^Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\n")


def sh(script: str, cwd: Path, env: dict[str, str] | None = None) -> ExecSpec:
    """`sh -c script` unsandboxed in `cwd`, with `env` added to the environment."""
    return ExecSpec(["sh", "-c", script], str(cwd), FULL, env={**os.environ, **(env or {})})


async def test_a_quick_command_exits_within_the_call(tmp_path: Path) -> None:
    """A command done within the yield answers its exit code and output, interleaved in
    arrival order; no session remains and on_exit is not called."""
    exits: list[ExecResult] = []
    unified = UnifiedExec()
    result = await asyncio.wait_for(unified.start(
        sh("echo out; echo err >&2; exit 7", tmp_path), yield_time_ms=None,
        max_output_tokens=None, on_exit=exits.append), WAIT)
    assert (result.exit_code, result.session_id) == (7, None)
    assert sorted(result.output.splitlines()) == ["err", "out"]
    assert HEADER.match(result.text)
    assert result.text.endswith("Process exited with code 7\nOriginal token count: 2\n"
                                f"Output:\n{result.output}")
    assert exits == []
    again = await unified.write_stdin(12345, "", yield_time_ms=None, max_output_tokens=None)
    assert again.text == "write_stdin failed: Unknown process id 12345"


async def test_a_session_outlives_its_call_streams_and_reports_its_exit(tmp_path: Path) -> None:
    """A command still running at the yield becomes a session (its id is what on_start
    got); later output streams to on_output; a poll returns it with the exit code; on_exit
    reports the end with the streamed output; the exited id is then unknown."""
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    started: list[int] = []
    streamed: list[bytes] = []
    ended: asyncio.Future[ExecResult] = asyncio.get_running_loop().create_future()
    unified = UnifiedExec()
    first = await asyncio.wait_for(unified.start(
        sh(f"echo early; read x < {fifo}; echo late", tmp_path), yield_time_ms=250,
        max_output_tokens=None, on_start=started.append, on_output=streamed.append,
        on_exit=ended.set_result, item_id="call_1"), WAIT)
    assert first.session_id is not None and started == [first.session_id]
    assert first.exit_code is None and first.item_id == "call_1"
    assert first.output == "early\n" and f"Process running with session ID {first.session_id}\n" \
        in first.text
    writer = asyncio.ensure_future(asyncio.to_thread(fifo.write_text, "go\n"))
    poll = await asyncio.wait_for(unified.write_stdin(
        first.session_id, "", yield_time_ms=None, max_output_tokens=None), WAIT)
    await writer
    assert (poll.exit_code, poll.output) == (0, "late\n")
    end = await asyncio.wait_for(ended, WAIT)
    assert (end.exit_code, end.output) == (0, "late\n")
    assert b"".join(streamed) == b"late\n"
    gone = await unified.write_stdin(first.session_id, "", yield_time_ms=None,
                                     max_output_tokens=None)
    assert gone.text == f"write_stdin failed: Unknown process id {first.session_id}"


@pytest.mark.skipif(shutil.which("setsid") is None, reason="util-linux setsid is missing")
async def test_a_terminal_session_takes_input(tmp_path: Path) -> None:
    """With tty the command gets a terminal: written chars are echoed and answered (CRLF),
    ^D ends `cat`, and the session's id is then unknown."""
    unified = UnifiedExec()
    first = await asyncio.wait_for(unified.start(
        ExecSpec(["cat"], str(tmp_path), FULL, tty=True), yield_time_ms=250,
        max_output_tokens=None), WAIT)
    assert first.session_id is not None
    echo = await asyncio.wait_for(unified.write_stdin(
        first.session_id, "hello\n", yield_time_ms=300, max_output_tokens=None), WAIT)
    assert echo.output == "hello\r\nhello\r\n" and echo.session_id == first.session_id
    assert "Original token count: 4\n" in echo.text
    end = await asyncio.wait_for(unified.write_stdin(
        first.session_id, "\x04", yield_time_ms=None, max_output_tokens=None), WAIT)
    assert end.exit_code == 0 and end.session_id is None


async def test_stdin_of_a_non_terminal_session_is_closed(tmp_path: Path) -> None:
    """Without tty stdin is /dev/null (so `cat` ends at once), and writing to a running
    non-terminal session is refused with the reference's text."""
    unified = UnifiedExec()
    cat = await asyncio.wait_for(unified.start(
        ExecSpec(["cat"], str(tmp_path), FULL), yield_time_ms=None, max_output_tokens=None),
        WAIT)
    assert cat.exit_code == 0
    sleeper = await asyncio.wait_for(unified.start(
        sh("exec sleep 30", tmp_path), yield_time_ms=250, max_output_tokens=None), WAIT)
    assert sleeper.session_id is not None
    refused = await unified.write_stdin(sleeper.session_id, "abc", yield_time_ms=None,
                                        max_output_tokens=None)
    assert refused.text == ("write_stdin failed: stdin is closed for this session; "
                            "rerun exec_command with tty=true to keep stdin open")
    await unified.close()


async def test_the_reference_environment_is_added(tmp_path: Path) -> None:
    """exec_command's environment has the reference's additions (no pager, no colour)."""
    out = await asyncio.wait_for(UnifiedExec().start(
        sh("echo $PAGER $NO_COLOR $CODEX_CI", tmp_path), yield_time_ms=None,
        max_output_tokens=None), WAIT)
    assert out.output == "cat 1 1\n"


def test_yield_bounds_are_the_references() -> None:
    """Default yields 10 s (exec_command), 250 ms (write), 5 s (empty poll); clamped to
    250 ms..30 s (a poll to 5 s..5 min)."""
    assert (ue.DEFAULT_EXEC_YIELD_MS, ue.DEFAULT_WRITE_YIELD_MS, ue.MIN_POLL_YIELD_MS) == (
        10_000, 250, 5_000)
    assert ue._clamp(200, 1, ue.MIN_YIELD_MS, ue.MAX_YIELD_MS) == 250
    assert ue._clamp(40_000, 1, ue.MIN_YIELD_MS, ue.MAX_YIELD_MS) == 30_000


async def test_close_kills_every_session_and_its_children(tmp_path: Path) -> None:
    """close() kills each live session with everything it forked; on_exit is not called;
    a second close is harmless."""
    name, value = marker()
    fifo = tmp_path / "up"
    ended: list[ExecResult] = []
    unified = UnifiedExec()
    starting = asyncio.ensure_future(unified.start(
        sh(forking_script(fifo), tmp_path, {name: value}),
        yield_time_ms=250, max_output_tokens=None, on_exit=ended.append))
    assert await fifo_line(fifo) == "up"
    assert (await asyncio.wait_for(starting, WAIT)).session_id is not None
    pids = marked_pids(value)
    assert len(pids) >= 2
    await asyncio.wait_for(unified.close(), WAIT)
    await all_exited(pids)
    await unified.close()
    assert ended == []


async def test_a_cancelled_start_leaves_nothing(tmp_path: Path) -> None:
    """A turn interrupted during exec_command's yield kills the command and its children."""
    name, value = marker()
    fifo = tmp_path / "up"
    call = asyncio.ensure_future(UnifiedExec().start(
        sh(forking_script(fifo), tmp_path, {name: value}),
        yield_time_ms=20_000, max_output_tokens=None))
    assert await fifo_line(fifo) == "up"
    pids = marked_pids(value)
    assert len(pids) >= 2
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(call, WAIT)
    await all_exited(pids)


async def test_past_the_session_limit_the_least_recently_used_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting a session beyond the limit (64 on the reference; 2 here) kills the least
    recently used one, reported through its on_exit with exit code -1 (the reference ends
    its item failed, exit code -1); its id is then unknown; the others live on."""
    monkeypatch.setattr(ue, "MAX_SESSIONS", 2)
    ended: dict[str, asyncio.Future[ExecResult]] = {}
    unified = UnifiedExec()
    ids = []
    for n in range(3):
        ended[f"s{n}"] = asyncio.get_running_loop().create_future()
        started = await asyncio.wait_for(unified.start(
            sh("exec sleep 30", tmp_path), yield_time_ms=250, max_output_tokens=None,
            on_exit=ended[f"s{n}"].set_result), WAIT)
        assert started.session_id is not None
        ids.append(started.session_id)
    first = await asyncio.wait_for(ended["s0"], WAIT)
    assert first.exit_code == -1 and first.output == ""
    gone = await unified.write_stdin(ids[0], "", yield_time_ms=None, max_output_tokens=None)
    assert gone.text == f"write_stdin failed: Unknown process id {ids[0]}"
    assert not ended["s1"].done() and not ended["s2"].done()
    await unified.close()


@pytest.mark.skipif(shutil.which("setsid") is None, reason="util-linux setsid is missing")
async def test_a_terminal_is_24x80_dumb_and_interruptible(tmp_path: Path) -> None:
    """A terminal session sees a 24x80 terminal with TERM=dumb, as the reference's; ^C
    interrupts its foreground command, which then reads as exit code 1."""
    unified = UnifiedExec()
    size = await asyncio.wait_for(unified.start(
        ExecSpec(["sh", "-c", "stty size; echo $TERM"], str(tmp_path), FULL, tty=True),
        yield_time_ms=None, max_output_tokens=None), WAIT)
    assert size.output == "24 80\r\ndumb\r\n"
    sleeper = await asyncio.wait_for(unified.start(
        ExecSpec(["sleep", "30"], str(tmp_path), FULL, tty=True), yield_time_ms=250,
        max_output_tokens=None), WAIT)
    assert sleeper.session_id is not None
    stopped = await asyncio.wait_for(unified.write_stdin(
        sleeper.session_id, "\x03", yield_time_ms=2000, max_output_tokens=None), WAIT)
    assert stopped.exit_code == 1 and stopped.output == "^C"
