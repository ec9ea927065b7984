"""End to end: the model runs commands (exec_command, shell shapes, local_shell_call).

Shapes, texts and orderings observed from codex 0.104.0 against the same
mock model: exec_command's item carries a process (session) id and no
output deltas; the shell shapes start their item before running and stream
`item/commandExecution/outputDelta`; an interrupted command leaves no
process and no `item/completed`.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap (bwrap) is not installed")


def _items(client: ProtocolClient, start: int, method: str) -> list[dict[str, Any]]:
    return [n["params"]["item"] for n in client.notifications[start:]
            if n["method"] == method and n["params"]["item"]["type"] == "commandExecution"]


def _outputs(mock: MockModelServer) -> dict[str, str]:
    return {i["call_id"]: i["output"] for i in mock.responses_requests[-1].body["input"]
            if i["type"] == "function_call_output"}


async def _thread(client: ProtocolClient, work: Path, **params: Any) -> str:
    await client.initialize()
    result = await client.call("thread/start", {"cwd": str(work), **params})
    return str(result["thread"]["id"])


@needs_bwrap
async def test_exec_command_runs_in_the_sandbox(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """exec_command: item/started carries the processId, item/completed the output,
    exit code and duration; the model reads the unified-exec text (Chunk ID, wall time,
    exit code, token count, output); no output deltas."""
    mock.enqueue({"kind": "function_call", "name": "exec_command", "call_id": "call_exec1",
                  "arguments": {"cmd": "echo hi"}}, {"kind": "text", "text": "done"})
    client = await launch("stdio", sandbox_mode="workspace-write")
    tid = await _thread(client, tmp_path / "work")
    start = len(client.notifications)
    assert (await run_turn(client, tid, "run"))["status"] == "completed"
    started, = _items(client, start, "item/started")
    completed, = _items(client, start, "item/completed")
    assert started["status"] == "inProgress" and started["processId"]
    assert started["command"] == completed["command"]
    assert started["command"].endswith("-lc 'echo hi'")
    assert started["commandActions"] == [{"type": "unknown", "command": "echo hi"}]
    assert completed["status"] == "completed" and completed["exitCode"] == 0
    assert completed["aggregatedOutput"].endswith("hi\n")
    assert isinstance(completed["durationMs"], int)
    assert "item/commandExecution/outputDelta" not in client.methods(start)
    text = _outputs(mock)["call_exec1"]
    assert re.fullmatch(r"Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\n"
                        r"Process exited with code 0\nOriginal token count: \d+\nOutput:\n"
                        r"(.|\n)*hi\n", text), text


@needs_bwrap
async def test_shell_shapes_stream_their_output(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """shell, shell_command and local_shell_call: item/started (processId null) first,
    output as item/commandExecution/outputDelta, then item/completed; the model reads
    "Exit code: N\\nWall time: N seconds\\nOutput:\\n..."; an empty argv and a failing
    command are reported, not raised."""
    mock.enqueue(
        {"kind": "function_call", "name": "shell", "call_id": "s1",
         "arguments": {"command": ["echo", "sh"]}},
        {"kind": "function_call", "name": "shell_command", "call_id": "s2",
         "arguments": {"command": "echo shc; exit 3"}},
        {"kind": "item", "item": {"type": "local_shell_call", "call_id": "l1",
                                  "status": "completed",
                                  "action": {"type": "exec", "command": ["echo", "local"]}}},
        {"kind": "function_call", "name": "shell", "call_id": "s3",
         "arguments": {"command": []}},
        {"kind": "text", "text": "done"})
    client = await launch("ws", sandbox_mode="read-only")
    tid = await _thread(client, tmp_path / "work")
    start = len(client.notifications)
    await run_turn(client, tid, "run")
    notes = client.notifications[start:]
    for call_id, expected in (("s1", "sh\n"), ("s2", "shc\n"), ("l1", "local\n")):
        seq = [n["method"] for n in notes
               if n["params"].get("itemId") == call_id
               or n["params"].get("item", {}).get("id") == call_id]
        assert seq[0] == "item/started" and seq[-1] == "item/completed", seq
        assert "item/commandExecution/outputDelta" in seq
        deltas = "".join(n["params"]["delta"] for n in notes
                         if n["method"] == "item/commandExecution/outputDelta"
                         and n["params"]["itemId"] == call_id)
        assert deltas.endswith(expected)
    completed = {i["id"]: i for i in _items(client, start, "item/completed")}
    assert completed["s1"]["command"] == "echo sh" and completed["s1"]["processId"] is None
    assert completed["s2"]["status"] == "failed" and completed["s2"]["exitCode"] == 3
    outputs = _outputs(mock)
    assert re.fullmatch(r"Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\n(.|\n)*sh\n",
                        outputs["s1"])
    assert outputs["s2"].startswith("Exit code: 3\n")
    assert outputs["l1"].startswith("Exit code: 0\n")
    assert outputs["s3"] == "command args are empty"
    assert "s3" not in completed


@needs_bwrap
async def test_workspace_write_refuses_writes_outside_and_the_network(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """In workspace-write (approval never) a command may write its cwd, not outside
    it, and cannot reach a listener on the host (no network namespace access).
    (/tmp, where the test's folders are, is taken off the writable roots.)"""
    outside = tmp_path / "outside"
    outside.mkdir()
    script = (f"echo in > inside.txt; echo out > {outside}/x.txt; "
              f"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", "
              f"{mock.port}), timeout=2)' && echo CONNECTED || echo REFUSED")
    mock.enqueue({"kind": "function_call", "name": "shell_command", "call_id": "w1",
                  "arguments": {"command": script}}, {"kind": "text", "text": "done"})
    client = await launch("stdio", sandbox_mode="workspace-write", extra=(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n"))
    work = tmp_path / "work"
    tid = await _thread(client, work)
    await run_turn(client, tid, "write")
    assert (work / "inside.txt").read_text() == "in\n"
    assert not (outside / "x.txt").exists()
    output = _outputs(mock)["w1"]
    assert "Read-only file system" in output
    assert "REFUSED" in output and "CONNECTED" not in output


async def test_interrupt_kills_the_command_and_its_children(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """turn/interrupt during a command kills its whole process group (a background
    grandchild included); the item gets no item/completed and the turn ends
    interrupted; the next request tells the model the call was aborted."""
    script = "sleep 300 & echo $! > child.pid; echo started; sleep 300"
    mock.enqueue({"kind": "function_call", "name": "shell_command", "call_id": "i1",
                  "arguments": {"command": script, "timeout_ms": 600_000}},
                 {"kind": "text", "text": "next"})
    client = await launch("ws", sandbox_mode="danger-full-access")
    work = tmp_path / "work"
    tid = await _thread(client, work)
    start = len(client.notifications)
    turn_id = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "wait"}]}))["turn"]["id"]
    # The script prints after writing the pid file: its output delta says it is there.
    await client.wait_notification("item/commandExecution/outputDelta",
                                   lambda p: "started" in p["delta"])
    child = int((work / "child.pid").read_text())
    await client.call("turn/interrupt", {"threadId": tid, "turnId": turn_id})
    done = await client.wait_notification("turn/completed")
    assert done["params"]["turn"]["status"] == "interrupted"
    await _exited(child, timeout=10)
    assert _items(client, start, "item/completed") == []
    await run_turn(client, tid, "again")
    outputs = _outputs(mock)
    assert re.fullmatch(r"aborted by user after \d+\.\ds", outputs["i1"]), outputs


async def _exited(pid: int, timeout: float) -> None:
    """Wait (bounded) until `pid` has exited: its pidfd becomes readable."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    gone: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, lambda: gone.done() or gone.set_result(None))
    try:
        await asyncio.wait_for(gone, timeout)
    finally:
        loop.remove_reader(fd)
        os.close(fd)


@needs_bwrap
async def test_an_exec_session_outlives_its_call_and_takes_input(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """exec_command with a terminal yields while its process runs ("Process running
    with session ID N", the item's processId); write_stdin sends it input
    (item/commandExecution/terminalInteraction), and the item completes when the
    process ends, after the call that started it."""
    mock.enqueue({"kind": "function_call", "name": "exec_command", "call_id": "e1",
                  "arguments": {"cmd": "read line; echo got:$line", "tty": True,
                                "yield_time_ms": 2000}})
    client = await launch("stdio", sandbox_mode="workspace-write")
    tid = await _thread(client, tmp_path / "work")
    start = len(client.notifications)
    await client.call("turn/start", {"threadId": tid,
                                     "input": [{"type": "text", "text": "talk"}]})
    started = await client.wait_notification("item/started", lambda p: p["item"]["id"] == "e1")
    session = started["params"]["item"]["processId"]
    # The call yields after 2 s: the model's next answer is queued well before.
    mock.enqueue({"kind": "function_call", "name": "write_stdin", "call_id": "w1",
                  "arguments": {"session_id": int(session), "chars": "hello\n",
                                "yield_time_ms": 2000}},
                 {"kind": "text", "text": "done"})
    await client.wait_notification("turn/completed")
    interaction = await client.wait_notification("item/commandExecution/terminalInteraction")
    assert interaction["params"] == {"threadId": tid, "turnId": started["params"]["turnId"],
                                     "itemId": "e1", "processId": session, "stdin": "hello\n"}
    completed, = _items(client, start, "item/completed")
    assert completed["id"] == "e1" and completed["exitCode"] == 0
    assert "got:hello" in (completed["aggregatedOutput"] or "")
    outputs = _outputs(mock)
    assert f"Process running with session ID {session}\n" in outputs["e1"]
    assert "Process exited with code 0\n" in outputs["w1"] and "got:hello" in outputs["w1"]


@needs_bwrap
async def test_a_heredoc_patch_through_exec_command_is_applied(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """`apply_patch <<'EOF' ... EOF` run through exec_command is applied as a patch (a
    fileChange item, not a command) and answered with the reference's JSON."""
    script = ("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: via_shell.txt\n+from the "
              "shell\n*** End Patch\nEOF\n")
    mock.enqueue({"kind": "function_call", "name": "exec_command", "call_id": "p1",
                  "arguments": {"cmd": script}}, {"kind": "text", "text": "done"})
    client = await launch("ws", sandbox_mode="workspace-write")
    work = tmp_path / "work"
    tid = await _thread(client, work)
    start = len(client.notifications)
    await run_turn(client, tid, "patch")
    assert (work / "via_shell.txt").read_text() == "from the shell\n"
    kinds = [n["params"]["item"]["type"] for n in client.notifications[start:]
             if n["method"] == "item/completed"]
    assert "fileChange" in kinds and "commandExecution" not in kinds
    text = _outputs(mock)["p1"]
    assert text.startswith('{"output":"Success. Updated the following files:\\nA via_shell.txt')
