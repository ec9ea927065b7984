"""When a patch needs the user's approval, and what the sandbox would refuse.

The reference's rule for patches: an empty patch is rejected; `untrusted`
always asks; otherwise a patch whose every written path lies in the
sandbox's writable roots (any path under danger-full-access, none under
read-only) is applied without asking, as is any patch under `on-failure`;
`never` rejects the rest ("writing outside of the project"), the other
policies ask. `grantRoot` and `reason` stay null in the first request.

The reference then applies in its sandbox first, even after an approval,
and the sandbox refuses writes outside the writable roots: the first
refused write streams `Failed to write file <path>` and is retried outside
the sandbox (asking first, with `RETRY_REASON`, when nobody approved yet);
a refused delete, a missing parent directory it may not create or an
original it may not remove is an ordinary failure (exit code 1), not
retried. `first_denial` tells which of these the sandbox would hit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from app_server_protocol.wire_types import AskForApproval
from core_service.sandbox.policy import SandboxPolicy
from core_service.tools.apply_patch.planner import FileChange

RETRY_REASON = "command failed; retry without sandbox?"
OUTSIDE_PROJECT = "writing outside of the project; rejected by user approval settings"
EMPTY_PATCH = "empty patch"


@dataclass(frozen=True)
class Rejected:
    """The patch is refused without asking; the model reads `patch rejected: <reason>`."""

    reason: str


Verdict: TypeAlias = Literal["apply", "ask"] | Rejected


@dataclass(frozen=True)
class Denial:
    """What the sandbox would refuse first: the text the patch tool prints, and
    whether the reference reads it as a sandbox refusal worth a retry."""

    message: str
    retryable: bool


def assess(
    changes: Sequence[FileChange], policy: AskForApproval, sandbox: SandboxPolicy
) -> Verdict:
    """Whether the patch is applied directly, needs the user, or is rejected."""
    if not changes:
        return Rejected(EMPTY_PATCH)
    if policy == "untrusted":
        return "ask"
    constrained = all(writable(path, sandbox) for path in written_paths(changes))
    if constrained or policy == "on-failure":
        return "apply"
    if policy == "never":
        return Rejected(OUTSIDE_PROJECT)
    return "ask"


def written_paths(changes: Sequence[FileChange]) -> list[str]:
    """Every path the patch creates, changes or removes."""
    paths: list[str] = []
    for change in changes:
        paths.append(change.path)
        if change.move_to is not None:
            paths.append(change.move_to)
    return paths


def writable(path: str, sandbox: SandboxPolicy) -> bool:
    """Whether the sandbox lets a process write `path` (absolute)."""
    if sandbox.mode == "danger-full-access":
        return True
    if sandbox.mode == "read-only":
        return False
    target = os.path.normpath(path)
    return any(_within(target, os.path.normpath(root)) for root in sandbox.writable_roots)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def first_denial(changes: Sequence[FileChange], sandbox: SandboxPolicy) -> Denial | None:
    """The first operation of the patch the sandbox would refuse, or None.

    Looks at the disk for missing parent directories (creating them is a
    write of its own).
    """
    for change in changes:
        if change.kind == "delete":
            if not writable(change.path, sandbox):
                return Denial(f"Failed to delete file {change.display}", False)
            continue
        shown = change.move_display or change.display
        parent = os.path.dirname(change.target)
        if parent and not os.path.isdir(parent) and not writable(parent, sandbox):
            return Denial(f"Failed to create parent directories for {shown}", False)
        if not writable(change.target, sandbox):
            return Denial(f"Failed to write file {shown}", True)
        if change.move_to is not None and not writable(change.path, sandbox):
            return Denial(f"Failed to remove original {change.display}", False)
    return None
