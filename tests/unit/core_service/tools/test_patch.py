"""The apply_patch handler: the fileChange item flow, approvals and texts of the reference."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

import pytest

from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import AskForApproval
from core_service.sandbox.policy import SandboxMode, SandboxPolicy
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.tools.context import CallKind, Decision, ToolCall, ToolContext, TurnCancelled
from core_service.tools.patch import apply_shell_patch, handle_apply_patch, structured_text

ADD = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch"
SUCCESS = re.compile(r"Exit code: 0\nWall time: \d+(\.\d)? seconds\nOutput:\n"
                     r"Success\. Updated the following files:\n")


class FakeApprovals:
    """Answers approval requests from a script and remembers session keys."""

    def __init__(self, *answers: Decision | Literal["interrupted"]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, Mapping[str, object]]] = []
        self.session: set[str] = set()
        self.events: list[tuple[str, Any]] | None = None

    async def ask_command(self, ctx: ToolContext, item_id: str,
                          params: Mapping[str, object]) -> Decision:
        raise AssertionError("a patch never asks about a command")

    async def ask_file_change(self, ctx: ToolContext, item_id: str,
                              params: Mapping[str, object]) -> Decision:
        self.asked.append((item_id, dict(params)))
        if self.events is not None:
            self.events.append(("ask", params.get("reason")))
        answer = self.answers.pop(0)
        if answer == "interrupted":
            raise asyncio.CancelledError
        return answer

    def approved_for_session(self, ctx: ToolContext, key: str) -> bool:
        return key in self.session

    def remember(self, ctx: ToolContext, key: str) -> None:
        self.session.add(key)


class Recorder:
    """A ToolContext whose items and notifications are recorded in order."""

    def __init__(self, cwd: Path, policy: AskForApproval, mode: SandboxMode,
                 approvals: FakeApprovals) -> None:
        self.events: list[tuple[str, Any]] = []
        approvals.events = self.events
        self.approvals = approvals
        roots = (str(cwd),) if mode == "workspace-write" else ()
        self.ctx = ToolContext(
            thread=cast(LoadedThread, type("Thread", (), {"id": "thr"})()),
            active=ActiveTurn("turn"), cwd=str(cwd), approval_policy=policy,
            sandbox=SandboxPolicy(mode, roots), approvals=approvals,
            item_started=lambda item: self.events.append(("started", item)),
            item_completed=lambda item: self.events.append(("completed", item)),
            emit=self._emit)

    def _emit(self, cls: type, payload: Mapping[str, object]) -> None:
        if cls is N.FileChangeOutputDeltaNotification:
            assert payload["itemId"] == "call_1"
            self.events.append(("delta", payload["delta"]))
        elif cls is N.TurnDiffUpdatedNotification:
            self.events.append(("diff", payload["diff"]))
        else:
            raise AssertionError(cls)
        assert (payload["threadId"], payload["turnId"]) == ("thr", "turn")

    def kinds(self) -> list[str]:
        out = []
        for kind, value in self.events:
            out.append(f"{kind}:{value['status']}" if kind in ("started", "completed")
                       else kind)
        return out

    async def run(self, patch: str, kind: CallKind = "custom") -> str:
        call = ToolCall("call_1", "apply_patch", kind, patch, {})
        return (await handle_apply_patch(self.ctx, call)).output


def recorder(tmp_path: Path, policy: AskForApproval = "never",
             mode: SandboxMode = "workspace-write",
             *answers: Decision | Literal["interrupted"]) -> Recorder:
    return Recorder(tmp_path, policy, mode, FakeApprovals(*answers))


async def test_applied_without_asking(tmp_path: Path) -> None:
    """`never` inside the workspace: started → delta → completed → turn diff; the model
    reads the exec-style success text."""
    rec = recorder(tmp_path)
    output = await rec.run(ADD)
    assert SUCCESS.match(output) and output.endswith("A hello.txt\n")
    assert (tmp_path / "hello.txt").read_text() == "hello\n"
    assert rec.kinds() == ["started:inProgress", "delta", "completed:completed", "diff"]
    started = rec.events[0][1]
    assert started == {"type": "fileChange", "id": "call_1", "status": "inProgress",
                       "changes": [{"path": f"{tmp_path}/hello.txt", "kind": {"type": "add"},
                                    "diff": "hello\n"}]}
    assert rec.events[1][1] == "Success. Updated the following files:\nA hello.txt\n"
    assert rec.events[3][1].startswith(f"diff --git a/{tmp_path}/hello.txt b/")


async def test_untrusted_asks_after_item_started(tmp_path: Path) -> None:
    """The request (reason and grantRoot null) comes between item/started and the write."""
    rec = recorder(tmp_path, "untrusted", "workspace-write", "accept")
    assert SUCCESS.match(await rec.run(ADD))
    assert rec.approvals.asked == [("call_1", {"reason": None, "grantRoot": None})]
    assert rec.kinds() == ["started:inProgress", "ask", "delta", "completed:completed",
                           "diff"]


@pytest.mark.parametrize(("answer", "statuses"), [
    ("decline", ["declined", "declined"]),
    ("failed", ["failed", "declined"]),
])
async def test_declined_writes_nothing(tmp_path: Path, answer: Decision,
                                       statuses: list[str]) -> None:
    """A decline completes the item `declined` twice (an error answer `failed` then
    `declined`), writes nothing and the model reads the rejection."""
    rec = recorder(tmp_path, "untrusted", "workspace-write", answer)
    assert await rec.run(ADD) == "patch rejected by user"
    assert not (tmp_path / "hello.txt").exists()
    assert rec.kinds() == ["started:inProgress", "ask"] + [f"completed:{s}" for s in statuses]


async def test_cancel_ends_the_turn(tmp_path: Path) -> None:
    """`cancel` completes the item `declined` once and raises TurnCancelled."""
    rec = recorder(tmp_path, "untrusted", "workspace-write", "cancel")
    with pytest.raises(TurnCancelled) as caught:
        await rec.run(ADD)
    assert caught.value.result.output == "patch rejected by user"
    assert rec.kinds() == ["started:inProgress", "ask", "completed:declined"]
    assert not (tmp_path / "hello.txt").exists()


async def test_interrupt_while_asking_declines_the_item(tmp_path: Path) -> None:
    """turn/interrupt during the question completes the item `declined` (as the
    reference does) and the cancellation goes on up."""
    rec = recorder(tmp_path, "untrusted", "workspace-write", "interrupted")
    with pytest.raises(asyncio.CancelledError):
        await rec.run(ADD)
    assert rec.kinds() == ["started:inProgress", "ask", "completed:declined"]


async def test_accept_for_session_covers_the_same_paths(tmp_path: Path) -> None:
    """After acceptForSession a patch to the same file is not asked; another file is."""
    (tmp_path / "a.txt").write_text("a\n")
    rec = recorder(tmp_path, "untrusted", "workspace-write", "acceptForSession", "accept")
    update = "*** Begin Patch\n*** Update File: a.txt\n@@\n-{}\n+{}\n*** End Patch"
    await rec.run(update.format("a", "A"))
    await rec.run(update.format("A", "AA"))
    await rec.run(ADD)
    assert len(rec.approvals.asked) == 2
    assert (tmp_path / "a.txt").read_text() == "AA\n"


async def test_bad_patches_have_no_item(tmp_path: Path) -> None:
    """Parse and verification failures and policy rejections are texts without an item."""
    rec = recorder(tmp_path)
    assert await rec.run("*** Add File: x\n+x\n*** End Patch") == (
        "apply_patch verification failed: invalid patch: The first line of the patch must "
        "be '*** Begin Patch'")
    assert await rec.run("*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch") == (
        f"apply_patch verification failed: Failed to read {tmp_path}/gone.txt: "
        "No such file or directory (os error 2)")
    assert await rec.run("*** Begin Patch\n*** End Patch") == "patch rejected: empty patch"
    assert await recorder(tmp_path, "never", "read-only").run(ADD) == (
        "patch rejected: writing outside of the project; rejected by user approval settings")
    assert rec.events == []


async def test_on_failure_retries_a_refused_write_after_asking(tmp_path: Path) -> None:
    """`on-failure` in read-only: the sandbox's refusal is streamed, then the user is
    asked to retry without it (the reference's reason) and the patch applies."""
    rec = recorder(tmp_path, "on-failure", "read-only", "accept")
    assert SUCCESS.match(await rec.run(ADD))
    assert rec.kinds() == ["started:inProgress", "delta", "ask", "delta",
                           "completed:completed", "diff"]
    assert rec.events[1][1] == "Failed to write file hello.txt\n"
    assert rec.events[2][1] == "command failed; retry without sandbox?"


async def test_approved_patch_outside_the_sandbox_streams_the_refusal_first(
        tmp_path: Path) -> None:
    """An approved patch is still tried in the sandbox first (as the reference does):
    the refusal is streamed and the write retried without asking again."""
    rec = recorder(tmp_path, "on-request", "read-only", "accept")
    assert SUCCESS.match(await rec.run(ADD))
    assert rec.kinds() == ["started:inProgress", "ask", "delta", "delta",
                           "completed:completed", "diff"]


async def test_a_refused_delete_fails_the_item(tmp_path: Path) -> None:
    """A delete the sandbox refuses is an ordinary failure: exit code 1, item failed."""
    (tmp_path / "d.txt").write_text("d\n")
    rec = recorder(tmp_path, "on-failure", "read-only")
    patch = "*** Begin Patch\n*** Delete File: d.txt\n*** Add File: in.txt\n+in\n*** End Patch"
    output = await rec.run(patch)
    assert re.fullmatch(r"Exit code: 1\nWall time: \d+(\.\d)? seconds\nOutput:\n"
                        r"Failed to delete file d\.txt\n", output)
    assert rec.kinds() == ["started:inProgress", "delta", "completed:failed"]
    assert (tmp_path / "d.txt").exists() and not (tmp_path / "in.txt").exists()


async def test_function_call_input_and_its_errors(tmp_path: Path) -> None:
    """`apply_patch {"input": patch}` applies; malformed arguments get serde's text."""
    rec = recorder(tmp_path)
    assert SUCCESS.match(await rec.run('{"input": ' + repr(ADD).replace("'", '"') + "}",
                                       "function"))
    assert await rec.run("{}", "function") == (
        "failed to parse function arguments: missing field `input` at line 1 column 2")


async def test_update_and_move_diffs_in_the_item(tmp_path: Path) -> None:
    """Updates show a one-line-context hunk; a move appends `Moved to:` and sets
    move_path; changes are sorted by path."""
    (tmp_path / "c.txt").write_text("x\n")
    (tmp_path / "b.txt").write_text("bee\n")
    rec = recorder(tmp_path)
    await rec.run("*** Begin Patch\n*** Update File: c.txt\n*** Move to: sub/d.txt\n@@\n-x\n"
                  "+y\n*** Delete File: b.txt\n*** End Patch")
    changes = rec.events[0][1]["changes"]
    assert changes == [
        {"path": f"{tmp_path}/b.txt", "kind": {"type": "delete"}, "diff": "bee\n"},
        {"path": f"{tmp_path}/c.txt",
         "kind": {"type": "update", "move_path": f"{tmp_path}/sub/d.txt"},
         "diff": f"@@ -1 +1 @@\n-x\n+y\n\n\nMoved to: {tmp_path}/sub/d.txt"},
    ]
    assert rec.events[1][1] == "Success. Updated the following files:\nM sub/d.txt\nD b.txt\n"


async def test_shell_commands_that_are_patches(tmp_path: Path) -> None:
    """An argv `apply_patch <patch>` is applied with the shell text; a `cd dir &&`
    heredoc script relative to that directory with the reference's JSON; any other
    command is left to the shell tools."""
    (tmp_path / "sub").mkdir()
    rec = recorder(tmp_path)
    call = ToolCall("call_1", "shell", "function", "", {})
    argv = await apply_shell_patch(rec.ctx, call, ["apply_patch", ADD], str(tmp_path),
                                   structured=False)
    assert argv is not None and SUCCESS.match(argv.output)
    script = f"cd sub && apply_patch <<'EOF'\n{ADD.replace('hello', 'hi')}\nEOF\n"
    heredoc = await apply_shell_patch(rec.ctx, call, ["/bin/bash", "-lc", script],
                                      str(tmp_path), structured=True)
    assert heredoc is not None
    assert json.loads(heredoc.output) == {
        "output": "Success. Updated the following files:\nA hi.txt\n",
        "metadata": {"exit_code": 0, "duration_seconds": 0.0}}
    assert (tmp_path / "sub" / "hi.txt").read_text() == "hi\n"
    assert await apply_shell_patch(rec.ctx, call, ["echo", "x"], str(tmp_path),
                                   structured=True) is None


def test_structured_text_is_compact_serde_json() -> None:
    """Keys in the reference's order, no spaces, the duration as a float in tenths."""
    assert structured_text(1, 1260, "é") == (
        '{"output":"é","metadata":{"exit_code":1,"duration_seconds":1.3}}')
