"""sandbox.policy: the wire SandboxPolicy and the config's sandbox mode become the
enforced policy with the reference's writable roots."""

from __future__ import annotations

from pathlib import Path

from core_service.config.schema import Config, SandboxWorkspaceWrite
from core_service.sandbox.policy import SandboxPolicy

CWD = "/work/proj"
HOME = Path("/nonexistent/codex-home")


def config(mode: str, table: SandboxWorkspaceWrite | None = None) -> Config:
    """A config with `sandbox_mode` (and the workspace table) set."""
    return Config(codex_home=HOME, config_path=HOME / "config.toml", sandbox_mode=mode,
                  sandbox_workspace_write=table or SandboxWorkspaceWrite())


def ww(**over: object) -> dict[str, object]:
    """A wire workspaceWrite policy with every field, overridden by `over`."""
    base: dict[str, object] = {"type": "workspaceWrite", "writableRoots": [],
                               "readOnlyAccess": {"type": "fullAccess"}, "networkAccess": False,
                               "excludeTmpdirEnvVar": False, "excludeSlashTmp": False}
    return {**base, **over}


def test_workspace_write_roots_are_cwd_named_roots_tmp_and_tmpdir() -> None:
    """workspace-write may write the cwd, the named roots (relative ones against the
    cwd), /tmp and $TMPDIR; duplicates appear once; no network unless asked."""
    policy = SandboxPolicy.from_wire(ww(writableRoots=["/data", "out", "/data"]), CWD,
                                     {"TMPDIR": "/var/tmp/me"})
    assert policy == SandboxPolicy(
        "workspace-write", (CWD, "/data", f"{CWD}/out", "/tmp", "/var/tmp/me"), False)
    assert policy.sandboxed


def test_tmp_exclusions_and_network() -> None:
    """excludeSlashTmp and excludeTmpdirEnvVar drop those roots; networkAccess allows network."""
    policy = SandboxPolicy.from_wire(
        ww(excludeSlashTmp=True, excludeTmpdirEnvVar=True, networkAccess=True), CWD,
        {"TMPDIR": "/var/tmp/me"})
    assert policy == SandboxPolicy("workspace-write", (CWD,), True)


def test_other_modes() -> None:
    """readOnly and unknown types are read-only; dangerFullAccess and externalSandbox
    run unwrapped (the latter with the network it declares)."""
    assert SandboxPolicy.from_wire({"type": "readOnly", "access": {"type": "fullAccess"}},
                                   CWD) == SandboxPolicy("read-only")
    assert SandboxPolicy.from_wire({"type": "bogus"}, CWD) == SandboxPolicy("read-only")
    full = SandboxPolicy.from_wire({"type": "dangerFullAccess"}, CWD)
    assert full.mode == "danger-full-access" and not full.sandboxed
    external = SandboxPolicy.from_wire({"type": "externalSandbox", "networkAccess": "restricted"},
                                       CWD)
    assert external == SandboxPolicy("danger-full-access", network=False)


def test_unrestricted_is_danger_full_access_with_network() -> None:
    """An escalated run leaves the sandbox entirely, network included."""
    policy = SandboxPolicy("workspace-write", (CWD,), False).unrestricted()
    assert policy == SandboxPolicy("danger-full-access", network=True) and not policy.sandboxed


def test_from_config_uses_the_mode_and_the_workspace_table() -> None:
    """The config's sandbox_mode picks the mode; workspace-write takes its roots and
    network from `[sandbox_workspace_write]`; an unknown mode is read-only."""
    cfg = config("workspace-write", SandboxWorkspaceWrite(
        writable_roots=["/extra"], network_access=True, exclude_slash_tmp=True))
    assert SandboxPolicy.from_config(cfg, CWD, {}) == SandboxPolicy(
        "workspace-write", (CWD, "/extra"), True)
    assert SandboxPolicy.from_config(config("bogus"), CWD).mode == "read-only"
    assert SandboxPolicy.from_config(config("danger-full-access"), CWD).mode == \
        "danger-full-access"
