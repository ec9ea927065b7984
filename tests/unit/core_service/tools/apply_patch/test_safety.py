"""The approval rule for patches and the sandbox refusals, as measured on the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_server_protocol.wire_types import AskForApproval
from core_service.sandbox.policy import SandboxMode, SandboxPolicy
from core_service.tools.apply_patch.planner import FileChange
from core_service.tools.apply_patch.safety import (
    OUTSIDE_PROJECT,
    Denial,
    Rejected,
    assess,
    first_denial,
    writable,
)

INSIDE = (FileChange("add", "/work/in.txt", "in.txt", None, "in\n"),)
OUTSIDE = (FileChange("add", "/elsewhere/out.txt", "/elsewhere/out.txt", None, "o\n"),)


def sandbox(mode: SandboxMode) -> SandboxPolicy:
    return SandboxPolicy(mode, ("/work", "/tmp") if mode == "workspace-write" else ())


@pytest.mark.parametrize(("policy", "mode", "changes", "verdict"), [
    ("untrusted", "read-only", INSIDE, "ask"),
    ("untrusted", "workspace-write", INSIDE, "ask"),
    ("untrusted", "danger-full-access", INSIDE, "ask"),
    ("on-request", "read-only", INSIDE, "ask"),
    ("on-request", "workspace-write", INSIDE, "apply"),
    ("on-request", "workspace-write", OUTSIDE, "ask"),
    ("on-request", "danger-full-access", OUTSIDE, "apply"),
    ("on-failure", "read-only", INSIDE, "apply"),
    ("on-failure", "workspace-write", OUTSIDE, "apply"),
    ("never", "read-only", INSIDE, Rejected(OUTSIDE_PROJECT)),
    ("never", "workspace-write", INSIDE, "apply"),
    ("never", "workspace-write", OUTSIDE, Rejected(OUTSIDE_PROJECT)),
    ("never", "danger-full-access", OUTSIDE, "apply"),
])
def test_policy_by_sandbox(policy: AskForApproval, mode: SandboxMode,
                           changes: tuple[FileChange, ...], verdict: object) -> None:
    """Each policy × sandbox × inside/outside the writable roots, as the reference
    decided it in probes."""
    assert assess(changes, policy, sandbox(mode)) == verdict


def test_an_empty_patch_is_rejected() -> None:
    """Even `untrusted` rejects a patch without hunks."""
    assert assess((), "untrusted", sandbox("danger-full-access")) == Rejected("empty patch")


def test_writable_roots_are_path_prefixes() -> None:
    """A root covers itself and what is below it, after `..` is resolved."""
    ws = sandbox("workspace-write")
    assert writable("/work/a/b.txt", ws)
    assert writable("/work", ws)
    assert not writable("/workshop/x", ws)
    assert not writable("/work/../etc/passwd", ws)


def test_first_denial(tmp_path: Path) -> None:
    """Writes are refused retryably, deletes, missing parents and move sources not."""
    ro = sandbox("read-only")
    assert first_denial(INSIDE, sandbox("workspace-write")) is None
    assert first_denial(INSIDE, ro) == Denial("Failed to write file in.txt", True)
    delete = FileChange("delete", "/work/d.txt", "d.txt", "d\n", None)
    assert first_denial((delete, *INSIDE), ro) == Denial("Failed to delete file d.txt", False)
    deep = FileChange("add", str(tmp_path / "no/such/x.txt"), "no/such/x.txt", None, "")
    assert first_denial((deep,), ro) == Denial(
        "Failed to create parent directories for no/such/x.txt", False)
    move = FileChange("update", "/etc/a", "/etc/a", "", "", "/work/b", "b")
    assert first_denial((move,), sandbox("workspace-write")) == Denial(
        "Failed to remove original /etc/a", False)
