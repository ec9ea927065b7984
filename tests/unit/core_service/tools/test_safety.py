"""Approval decisions and texts as codex 0.104 makes them.

`reference_approvals.json` holds 246 calls observed from the reference
(policy x sandbox x call shape x command, with acceptForSession memory):
whether it ran without asking, asked (with which reason and
proposedExecpolicyAmendment) or refused the call, and what the model read
when refused or declined. The explicit tests below name each rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core_service.sandbox.policy import SandboxPolicy
from core_service.tools import safety
from core_service.tools.context import ToolCall
from core_service.tools.shell_call import CommandRequest, parse_command_call

OBSERVED: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "reference_approvals.json").read_text())["observed"]
READ_ONLY = SandboxPolicy("read-only")
FULL = SandboxPolicy("danger-full-access")


def request(call: dict[str, Any], cwd: str = "/work") -> CommandRequest:
    if "local_shell" in call:
        tool_call = ToolCall("c", "local_shell", "local_shell", "", {},
                             {"type": "exec", "command": call["local_shell"]})
    else:
        tool_call = ToolCall("c", call["name"], "function", json.dumps(call["arguments"]), {})
    req = parse_command_call(tool_call, cwd)
    assert isinstance(req, CommandRequest)
    return req


def exec_req(script: str, **args: Any) -> CommandRequest:
    return request({"name": "exec_command", "arguments": {"cmd": script, **args}})


@pytest.mark.parametrize("row", OBSERVED, ids=lambda r: f"{r['policy']}-{r['sandbox']}-{r['call']}")
def test_observed_decisions(row: dict[str, Any]) -> None:
    """Each observed call gets the reference's verdict, request fields and texts."""
    req = request(row["call"])
    verdict = safety.assess_command(req, row["policy"], SandboxPolicy(row["sandbox"]),
                                    row["approved_for_session"])
    assert verdict.action == row["verdict"]
    asked = row.get("request")
    if asked is not None:
        assert safety.proposed_amendment(req) == asked["proposedExecpolicyAmendment"]
        if asked["retry"]:
            assert asked["reason"] == safety.DENIAL_RETRY_REASON
            assert safety.retry_after_denial(row["policy"], req)
        else:
            assert verdict.reason == asked["reason"]
    if row["verdict"] == "reject":
        assert verdict.reject_text == row["model_reads"]
    elif "model_reads" in row:
        assert safety.declined_text(req) == row["model_reads"]


def test_untrusted_asks_for_unknown_commands_only() -> None:
    """ls, cat, git status run; printf, sort and redirections are asked about."""
    for script in ("ls", "cat a.txt", "git status", "sed -n 1p a.txt", "cd src && ls", "rg foo"):
        assert safety.assess_command(exec_req(script), "untrusted", READ_ONLY, False) == (
            safety.Assessment("run", True))
    for script in ("printf x", "sort a.txt", "ls > out.txt", "rg --pre x foo", "find . -delete"):
        assert safety.assess_command(exec_req(script), "untrusted", READ_ONLY, False) == (
            safety.Assessment("ask", True))
    assert safety.assess_command(exec_req("printf x"), "untrusted", READ_ONLY, True).action == "run"


def test_escalation_on_request_asks_with_the_justification() -> None:
    """require_escalated under on-request asks with the justification, runs unsandboxed."""
    req = exec_req("printf x", sandbox_permissions="require_escalated", justification="need it")
    assert safety.assess_command(req, "on-request", READ_ONLY, False) == safety.Assessment(
        "ask", False, reason="need it")
    assert safety.assess_command(req, "on-request", READ_ONLY, True) == safety.Assessment(
        "run", False)
    assert safety.assess_command(req, "on-request", FULL, False) == safety.Assessment("run", False)


@pytest.mark.parametrize(("policy", "name"), [
    ("never", "Never"), ("untrusted", "UnlessTrusted"), ("on-failure", "OnFailure")])
def test_escalation_refused_elsewhere(policy: Any, name: str) -> None:
    """Other policies refuse escalation; exec_command "cannot", the shell shapes "should not"."""
    req = exec_req("printf x", sandbox_permissions="require_escalated")
    verdict = safety.assess_command(req, policy, READ_ONLY, False)
    assert verdict.action == "reject"
    assert verdict.reject_text == (
        f"approval policy is {name}; reject command \u2014 you cannot ask for escalated "
        f"permissions if the approval policy is {name}")
    shell = request({"name": "shell", "arguments": {
        "command": ["printf", "x"], "sandbox_permissions": "require_escalated"}})
    assert "you should not ask" in (safety.escalation_refused_text(shell, policy))


def test_retry_after_denial() -> None:
    """Shell shapes retry unsandboxed under untrusted and on-failure; exec_command never."""
    shell = request({"name": "shell", "arguments": {"command": ["touch", "x"]}})
    assert [safety.retry_after_denial(p, shell) for p in
            ("untrusted", "on-failure", "on-request", "never")] == [True, True, False, False]
    assert not safety.retry_after_denial("on-failure", exec_req("touch x"))


def test_declined_texts() -> None:
    """exec_command's decline reads as a CreateProcess error, the shell shapes' as one line."""
    assert safety.declined_text(exec_req("printf x")) == (
        'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }')
    shell = request({"name": "shell_command", "arguments": {"command": "printf x"}})
    assert safety.declined_text(shell) == "exec command rejected by user"


def test_proposed_amendment() -> None:
    """The first unsafe command; the whole argv when it expands; none for redirections."""
    assert safety.proposed_amendment(exec_req("printf 'approved-output\\n'")) == [
        "printf", "approved-output\\n"]
    assert safety.proposed_amendment(exec_req("cat a.txt && printf x")) == ["printf", "x"]
    assert safety.proposed_amendment(exec_req("ls > out.txt")) is None
    req = exec_req("echo $(ls)")
    assert safety.proposed_amendment(req) == req.argv
    assert safety.proposed_amendment(exec_req("printf z", prefix_rule=["ls"])) == ["ls"]
    assert safety.proposed_amendment(exec_req("printf z", prefix_rule=[])) == ["printf", "z"]


def test_session_key() -> None:
    """Same words and cwd share a key (spelling, login shell and shell binary aside);
    another cwd, a TTY or the other tool family do not."""
    key = safety.session_key(exec_req("printf s1"))
    assert safety.session_key(exec_req("printf  s1")) == key
    assert safety.session_key(exec_req("printf s1", login=False, shell="/bin/sh")) == key
    assert safety.session_key(exec_req("printf s1", workdir="src")) != key
    assert safety.session_key(exec_req("printf s1", tty=True)) != key
    shell = request({"name": "shell", "arguments": {"command": ["printf", "s1"]}})
    assert safety.session_key(shell) != key
    assert safety.session_key(shell) == safety.session_key(
        request({"name": "shell_command", "arguments": {"command": "printf s1"}}))
    local = request({"local_shell": ["printf", "s1"]})
    assert safety.session_key(shell) == safety.session_key(local)


def test_known_safe_nested_shells_and_git() -> None:
    """A nested shell is as safe as its script; git reads pass after -C or --no-pager."""
    assert safety.is_known_safe(["bash", "-c", "ls"])
    assert not safety.is_known_safe(["bash", "-lc", "printf x"])
    assert safety.is_known_safe(["git", "-C", ".", "status"])
    assert safety.is_known_safe(["git", "branch", "--show-current"])
    assert not safety.is_known_safe(["git", "branch", "-D", "x"])
    assert not safety.is_known_safe(["git", "-c", "x=y", "status"])
    assert not safety.is_known_safe([])
