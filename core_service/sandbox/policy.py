"""The effective sandbox policy of a command: what it may write and whether it has network.

Built from the v2 wire `SandboxPolicy` a thread or a `command/exec` call
carries (the thread keeps it in `thread.meta["sandbox"]`) and the directory
the command runs in. The writable roots of `workspace-write` are the
reference's on Linux: the cwd, the roots the policy names, `/tmp` unless
`excludeSlashTmp`, and `$TMPDIR` unless `excludeTmpdirEnvVar`. Nothing
inside them is kept read-only: the reference (0.104, Linux) lets a
workspace-write command write `.git/` and `.codex/` (measured), so we do too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from app_server_protocol.wire_types import SandboxPolicy as WireSandboxPolicy
from core_service.config.schema import Config

SandboxMode: TypeAlias = Literal["read-only", "workspace-write", "danger-full-access"]


@dataclass(frozen=True)
class SandboxPolicy:
    """A sandbox as enforced: its mode, the roots it may write, its network access.

    `writable_roots` are absolute paths and matter only for `workspace-write`
    (read-only writes nothing, danger-full-access everything).
    """

    mode: SandboxMode
    writable_roots: tuple[str, ...] = ()
    network: bool = False

    @property
    def sandboxed(self) -> bool:
        """Whether a command under this policy must run inside bubblewrap."""
        return self.mode != "danger-full-access"

    def unrestricted(self) -> SandboxPolicy:
        """The policy of a command approved to run outside the sandbox (escalated, or
        rerun after a sandbox denial): danger-full-access with network."""
        return SandboxPolicy("danger-full-access", network=True)

    @classmethod
    def from_wire(
        cls, wire: WireSandboxPolicy | Mapping[str, object], cwd: str,
        env: Mapping[str, str] | None = None,
    ) -> SandboxPolicy:
        """The policy of a v2 wire `SandboxPolicy` for a command run in `cwd`.

        `env` supplies `$TMPDIR` (the core's environment by default). An
        `externalSandbox` policy means the caller already sandboxes the
        process, so it runs unwrapped (danger-full-access) with the network
        it declares; an unknown type is read-only, the safe reading.
        """
        kind = wire.get("type")
        if kind == "dangerFullAccess":
            return cls("danger-full-access", network=True)
        if kind == "externalSandbox":
            return cls("danger-full-access", network=wire.get("networkAccess") == "enabled")
        if kind != "workspaceWrite":
            return cls("read-only")
        env = os.environ if env is None else env
        roots = [cwd]
        named = wire.get("writableRoots")
        if isinstance(named, list):
            roots.extend(str(root) for root in named)
        if not wire.get("excludeSlashTmp"):
            roots.append("/tmp")
        tmpdir = env.get("TMPDIR")
        if tmpdir and not wire.get("excludeTmpdirEnvVar"):
            roots.append(tmpdir)
        return cls("workspace-write", _unique_absolute(roots, cwd),
                   network=bool(wire.get("networkAccess")))

    @classmethod
    def from_config(
        cls, config: Config, cwd: str, env: Mapping[str, str] | None = None
    ) -> SandboxPolicy:
        """The policy of the config's `sandbox_mode` (and its `[sandbox_workspace_write]`
        table) for a command run in `cwd`; an unknown mode is read-only."""
        if config.sandbox_mode == "danger-full-access":
            return cls.from_wire({"type": "dangerFullAccess"}, cwd, env)
        if config.sandbox_mode != "workspace-write":
            return cls("read-only")
        table = config.sandbox_workspace_write
        return cls.from_wire({
            "type": "workspaceWrite",
            "writableRoots": list(table.writable_roots),
            "networkAccess": table.network_access,
            "excludeTmpdirEnvVar": table.exclude_tmpdir_env_var,
            "excludeSlashTmp": table.exclude_slash_tmp,
        }, cwd, env)


def _unique_absolute(roots: list[str], cwd: str) -> tuple[str, ...]:
    """Roots made absolute (relative ones against `cwd`) and normalised, first one kept."""
    seen: dict[str, None] = {}
    for root in roots:
        seen.setdefault(os.path.normpath(os.path.join(cwd, os.path.expanduser(root))), None)
    return tuple(seen)
