"""sandbox.bwrap: the bwrap argv of each policy, and availability detection that names
its cause."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core_service.sandbox import bwrap
from core_service.sandbox.bwrap import Bwrap, SandboxUnavailable, detect, wrap
from core_service.sandbox.policy import SandboxPolicy


def test_read_only_argv(tmp_path: Path) -> None:
    """read-only: root bound read-only, fresh /dev and /proc, PID and network namespaces,
    death with the parent, the command after `--`."""
    argv = wrap(["ls", "-l"], SandboxPolicy("read-only"), str(tmp_path), Bwrap("/usr/bin/bwrap"))
    assert argv == ["/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--unshare-pid",
                    "--proc", "/proc", "--unshare-net", "--die-with-parent",
                    "--chdir", str(tmp_path), "--", "ls", "-l"]


def test_workspace_write_binds_existing_roots_and_keeps_network_when_allowed(
    tmp_path: Path,
) -> None:
    """workspace-write binds each existing writable root read-write (missing ones are
    skipped); network allowed means no --unshare-net; no PID namespace when unsupported."""
    policy = SandboxPolicy("workspace-write", (str(tmp_path), str(tmp_path / "missing")), True)
    argv = wrap(["true"], policy, str(tmp_path), Bwrap("bwrap", unshare_pid=False))
    assert ["--bind", str(tmp_path), str(tmp_path)] == argv[6:9]
    assert str(tmp_path / "missing") not in argv
    assert "--unshare-net" not in argv and "--unshare-pid" not in argv


def test_danger_full_access_is_never_wrapped(tmp_path: Path) -> None:
    """Wrapping danger-full-access is a programming error, not a silent sandbox."""
    with pytest.raises(ValueError, match="unwrapped"):
        wrap(["true"], SandboxPolicy("danger-full-access"), str(tmp_path))


async def test_missing_binary_names_the_cause(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """No bwrap on PATH (or at the given path): SandboxUnavailable says it is not installed."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable,
                       match="^sandbox unavailable: bubblewrap \\(bwrap\\) is not installed$"):
        await detect()
    with pytest.raises(SandboxUnavailable, match="not installed at /nope/bwrap"):
        await detect("/nope/bwrap")


async def test_a_bwrap_that_cannot_create_namespaces_is_quoted(tmp_path: Path) -> None:
    """A bwrap that fails its probe makes SandboxUnavailable quote its stderr, and the
    verdict is cached (the probe runs once)."""
    fake = tmp_path / "bwrap"
    count = tmp_path / "count"
    fake.write_text(f"#!/bin/sh\necho x >> {count}\n"
                    "echo 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    for _ in range(2):
        with pytest.raises(SandboxUnavailable) as caught:
            await detect(str(fake))
        assert str(caught.value) == ("sandbox unavailable: bwrap cannot create namespaces here: "
                                     "bwrap: No permissions to creating new namespace")
    assert count.read_text() == "x\n"
    bwrap._cache.pop(str(fake))


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
async def test_the_installed_bwrap_works() -> None:
    """The bwrap installed here passes the probe (with a PID namespace, as root here)."""
    found = await detect()
    assert found.path == shutil.which("bwrap")
