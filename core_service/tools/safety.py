"""Whether a command runs, is put to the user, or is refused, and the texts of each.

The rules, probed against codex 0.104 for every approval policy, sandbox
mode and call shape:

- `sandbox_permissions: "require_escalated"` asks to run outside the
  sandbox. Only `on-request` may ask for it (with the model's
  justification as the request's `reason`; a known-safe command, a
  danger-full-access sandbox or an earlier `acceptForSession` run it at
  once); every other policy refuses it with a text naming the policy.
- `untrusted` asks before any command that is not known to be safe (a
  small read-only list; see `is_known_safe`); `printf` is not on it.
- `on-request`, `on-failure` and `never` run every other command in the
  sandbox without asking. After a sandbox denial the shell shapes (never
  exec_command) are put to the user again under `untrusted` and
  `on-failure` ("command failed; retry without sandbox?") and rerun
  without the sandbox.
- Approved commands still run sandboxed, except escalated ones.

`acceptForSession` covers a later call with the same commands (the script's
words, not its spelling), the same cwd and the same family (exec_command
apart from the shell shapes, which share one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from app_server_protocol.wire_types import AskForApproval
from core_service.sandbox.policy import SandboxPolicy
from core_service.tools.shell_call import CommandRequest
from core_service.tools.shell_words import SHELL_NAMES, command_words, shell_script

Action: TypeAlias = Literal["run", "ask", "reject"]

DENIAL_RETRY_REASON = "command failed; retry without sandbox?"
EXEC_DECLINED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
SHELL_DECLINED = "exec command rejected by user"

_POLICY_NAMES: dict[AskForApproval, str] = {
    "untrusted": "UnlessTrusted", "on-failure": "OnFailure", "on-request": "OnRequest",
    "never": "Never",
}

# Read-only programs `untrusted` runs without asking, whatever their arguments.
_SAFE = frozenset({"cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl",
                   "numfmt", "paste", "pwd", "rev", "seq", "stat", "tac", "tail", "tr", "true",
                   "uname", "uniq", "wc", "which", "whoami"})
_FIND_UNSAFE = frozenset({"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint",
                          "-fprint0", "-fprintf"})
_RG_UNSAFE = frozenset({"--pre", "--hostname-bin", "-z", "--search-zip"})
_BASE64_UNSAFE = frozenset({"-o", "--output"})
_GIT_READ = frozenset({"status", "log", "diff", "show"})
_GIT_UNSAFE_OPTIONS = frozenset({"--output", "--ext-diff", "--textconv", "--exec"})
_GIT_BRANCH_READ = frozenset({"--show-current", "-a", "--all", "-r", "--remotes", "-v", "-vv",
                              "--verbose", "--no-color"})
_SED_PRINT = re.compile(r"\d+(,\d+)?p")


@dataclass(frozen=True)
class Assessment:
    """The verdict on one command request.

    `action`: run it, ask the user first, or refuse it. `sandboxed`: whether
    it runs inside the sandbox (once allowed). `reason`: the approval
    request's `reason` (the justification of an escalation). `reject_text`:
    what the model reads when refused.
    """

    action: Action
    sandboxed: bool
    reason: str | None = None
    reject_text: str | None = None


def assess_command(
    req: CommandRequest, policy: AskForApproval, sandbox: SandboxPolicy,
    approved_for_session: bool,
) -> Assessment:
    """The verdict on `req` under `policy` and `sandbox` (see the module docstring)."""
    sandboxed = sandbox.mode != "danger-full-access"
    if req.escalated:
        if policy != "on-request":
            return Assessment("reject", False, reject_text=escalation_refused_text(req, policy))
        if not sandboxed or approved_for_session or is_known_safe(req.argv):
            return Assessment("run", False)
        return Assessment("ask", False, reason=req.justification)
    if policy == "untrusted" and not approved_for_session and not is_known_safe(req.argv):
        return Assessment("ask", sandboxed)
    return Assessment("run", sandboxed)


def retry_after_denial(policy: AskForApproval, req: CommandRequest | None = None) -> bool:
    """Whether a sandbox denial is followed by a rerun outside the sandbox.

    Under `untrusted` and `on-failure`, for the shell shapes only (an
    exec_command's denial goes to the model). The rerun is put to the user
    with `DENIAL_RETRY_REASON` unless this call was already approved (asked
    and accepted, or accepted for the session): probed, `touch` approved
    under `untrusted` in a read-only sandbox is rerun without a second ask.
    """
    if req is not None and req.tool == "exec_command":
        return False
    return policy in ("untrusted", "on-failure")


def escalation_refused_text(req: CommandRequest, policy: AskForApproval) -> str:
    """What the model reads when it asks for escalation under a policy that forbids it."""
    name = _POLICY_NAMES[policy]
    verb = "cannot" if req.tool == "exec_command" else "should not"
    return (f"approval policy is {name}; reject command \u2014 you {verb} ask for escalated "
            f"permissions if the approval policy is {name}")


def declined_text(req: CommandRequest) -> str:
    """What the model reads when the user declines (or cancels, or answers with an
    error): exec_command's CreateProcess text, the shell shapes' short one.

    Probed: after a decline or an error answer the reference completes a shell
    shape's item a second time, `declined`, with `SHELL_DECLINED` as its
    aggregatedOutput, exitCode -1 and durationMs 0 (exec_command's only once).
    """
    return EXEC_DECLINED if req.tool == "exec_command" else SHELL_DECLINED


def proposed_amendment(req: CommandRequest) -> list[str] | None:
    """The approval request's `proposedExecpolicyAmendment` (probed).

    The model's `prefix_rule` when it gave one; else the words of the first
    command of the script that is not known to be safe; the whole argv when
    the script expands something (`echo $(ls)`); none for a script using
    other shell constructs (redirection, subshell, heredoc, assignment, `&`).
    """
    if req.prefix_rule:
        return list(req.prefix_rule)
    parsed = command_words(req.argv)
    if parsed.kind == "dynamic":
        return list(req.argv)
    if parsed.kind == "complex":
        return None
    return next((list(c) for c in parsed.commands if not _safe_words(list(c))), None)


def session_key(req: CommandRequest) -> str:
    """The memory key of an `acceptForSession` answer (see the module docstring);
    exec_command's includes `tty` (probed: the same command with a TTY asks again)."""
    parsed = command_words(req.argv)
    commands: object = [list(c) for c in parsed.commands] if parsed.kind == "plain" else req.argv
    family = ["exec", req.tty] if req.tool == "exec_command" else ["shell"]
    return json.dumps([*family, req.cwd, commands])


def is_known_safe(argv: list[str]) -> bool:
    """Whether `untrusted` runs `argv` without asking: plain commands, each read-only."""
    parsed = command_words(argv)
    return (parsed.kind == "plain" and bool(parsed.commands)
            and all(_safe_words(list(c)) for c in parsed.commands))


def _safe_words(words: list[str]) -> bool:
    head, args = words[0], words[1:]
    if head in _SAFE:
        return True
    if head == "find":
        return not any(a in _FIND_UNSAFE for a in args)
    if head == "rg":
        return not any(a.split("=", 1)[0] in _RG_UNSAFE for a in args)
    if head == "base64":
        return not any(a.split("=", 1)[0] in _BASE64_UNSAFE for a in args)
    if head == "sed":
        return (len(args) in (2, 3) and args[0] == "-n"
                and _SED_PRINT.fullmatch(args[1]) is not None)
    if head == "git":
        return _git_safe(args)
    if head in SHELL_NAMES and shell_script(words) is not None:
        return is_known_safe(words)
    return False


def _git_safe(args: list[str]) -> bool:
    """Read-only git: status, log, diff, show and listing branches, after `-C DIR`
    or `--no-pager` (probed: `git -c k=v status` asks)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "-C":
            i += 2
        elif args[i] == "--no-pager":
            i += 1
        else:
            return False
    if i >= len(args):
        return False
    sub, rest = args[i], args[i + 1:]
    if sub in _GIT_READ:
        return not any(a.split("=", 1)[0] in _GIT_UNSAFE_OPTIONS for a in rest)
    return sub == "branch" and all(a in _GIT_BRANCH_READ for a in rest)
