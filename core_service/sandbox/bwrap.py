"""Enforcing a SandboxPolicy with bubblewrap (`bwrap`).

`wrap` turns a command's argv into a bwrap argv: the whole filesystem bound
read-only, the policy's writable roots bound read-write over it, a fresh
`/dev` and `/proc`, the network namespace unshared unless the policy allows
network, a PID namespace so the command's descendants cannot outlive it,
and `--die-with-parent` so the sandbox dies with the core.

`detect` finds `bwrap` and runs it once (`bwrap --ro-bind / / true`, then
the same with `--unshare-pid`) to learn whether it can create namespaces
here; the answer is cached. When it cannot, `SandboxUnavailable` names the
cause: a command that needs the sandbox is refused, never run unsandboxed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass

from core_service.sandbox.policy import SandboxPolicy

# How long the one-off availability probe may take.
PROBE_TIMEOUT = 10.0
# How much of bwrap's stderr a SandboxUnavailable message quotes.
_STDERR_QUOTE = 300


class SandboxUnavailable(Exception):
    """A command needs the sandbox and bubblewrap cannot provide it; the message says why."""


@dataclass(frozen=True)
class Bwrap:
    """A bubblewrap binary known to work here, and whether it can unshare the PID namespace."""

    path: str
    unshare_pid: bool = True


# Probe results by binary path. Two concurrent first calls may both probe;
# that is harmless, and a lock would tie the module to one event loop.
_cache: dict[str, Bwrap | SandboxUnavailable] = {}


async def detect(binary: str | None = None) -> Bwrap:
    """The working bubblewrap (`binary`, else `bwrap` on PATH), probed once and cached.

    Raises SandboxUnavailable naming the cause: not installed, or unable to
    create namespaces (bwrap's own stderr quoted).
    """
    path = binary if binary is not None else shutil.which("bwrap")
    if path is None or not os.access(path, os.X_OK):
        raise SandboxUnavailable(
            f"sandbox unavailable: bubblewrap (bwrap) is not installed"
            f"{'' if binary is None else f' at {binary}'}")
    known = _cache.get(path)
    if known is None:
        known = _cache[path] = await _probe(path)
    if isinstance(known, SandboxUnavailable):
        raise SandboxUnavailable(str(known))
    return known


async def _probe(path: str) -> Bwrap | SandboxUnavailable:
    """Run bwrap once bare and once with a PID namespace; the first must work."""
    code, err = await _try(path, ["--ro-bind", "/", "/", "true"])
    if code != 0:
        return SandboxUnavailable(
            f"sandbox unavailable: bwrap cannot create namespaces here: {err or f'exit {code}'}")
    code, _ = await _try(path, ["--ro-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "true"])
    return Bwrap(path, unshare_pid=code == 0)


async def _try(path: str, args: list[str]) -> tuple[int, str]:
    """Exit code and stderr (first line, shortened) of one bwrap run."""
    try:
        proc = await asyncio.create_subprocess_exec(
            path, *args, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    except OSError as err:
        return -1, str(err)
    try:
        _, err_out = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, f"no answer within {PROBE_TIMEOUT:g} s"
    text = err_out.decode(errors="replace").strip()
    return proc.returncode if proc.returncode is not None else -1, text[:_STDERR_QUOTE]


def wrap(argv: list[str], policy: SandboxPolicy, cwd: str, bwrap: Bwrap | None = None) -> list[str]:
    """The bwrap argv running `argv` in `cwd` under `policy` (sandboxed modes only).

    Writable roots that do not exist are skipped (bwrap cannot bind them).
    `/tmp` stays the host's: writable when it is a writable root (as the
    reference lets workspace-write commands write it), read-only otherwise.
    """
    if not policy.sandboxed:
        raise ValueError("danger-full-access runs unwrapped")
    tool = bwrap or Bwrap("bwrap")
    out = [tool.path, "--ro-bind", "/", "/", "--dev", "/dev"]
    if policy.mode == "workspace-write":
        for root in policy.writable_roots:
            if os.path.isdir(root):
                out += ["--bind", root, root]
    if tool.unshare_pid:
        out += ["--unshare-pid"]
    out += ["--proc", "/proc"]
    if not policy.network:
        out += ["--unshare-net"]
    out += ["--die-with-parent", "--chdir", cwd, "--", *argv]
    return out
