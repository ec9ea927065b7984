"""The effective sandbox policy of a command: what it may write and whether it has network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

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
