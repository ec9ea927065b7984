"""Commands that are really patches, recognised as the reference recognises them."""

from __future__ import annotations

import pytest

from core_service.tools.apply_patch.invocation import Invocation, patch_invocation

PATCH = "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch"


def test_argv_form() -> None:
    """`apply_patch <patch>` and `applypatch <patch>` as two argv words."""
    assert patch_invocation(["apply_patch", PATCH], "/w") == Invocation(PATCH, "/w")
    assert patch_invocation(["applypatch", PATCH], "/w") == Invocation(PATCH, "/w")


@pytest.mark.parametrize("opener", ["<<'EOF'", "<<EOF", '<<"EOF"', "<< 'PATCH'"])
def test_heredoc_scripts(opener: str) -> None:
    """A script that is one heredoc, whatever its delimiter and quoting."""
    delim = opener.strip("<' \"")
    script = f"apply_patch {opener}\n{PATCH}\n{delim}\n"
    body = PATCH + "\n"  # a heredoc's body ends with its last newline
    assert patch_invocation(["bash", "-lc", script], "/w") == Invocation(body, "/w")
    assert patch_invocation(["/bin/zsh", "-c", script], "/w") == Invocation(body, "/w")


def test_cd_before_the_heredoc_moves_the_cwd() -> None:
    """`cd dir && apply_patch <<EOF` resolves the patch's paths from `dir`."""
    script = f"cd 'my dir' && apply_patch <<'EOF'\n{PATCH}\nEOF"
    assert patch_invocation(["bash", "-lc", script], "/w") == Invocation(PATCH + "\n", "/w/my dir")
    script = f"cd sub && apply_patch <<'EOF'\n{PATCH}\nEOF"
    assert patch_invocation(["sh", "-c", script], "/w") == Invocation(PATCH + "\n", "/w/sub")


@pytest.mark.parametrize("argv", [
    ["bash", "-lc", f"apply_patch '{PATCH}'"],
    ["bash", "-lc", f"echo hi && apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
    ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF\necho after\n"],
    ["python3", "-c", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
    ["apply_patch"],
    ["echo", PATCH],
])
def test_other_commands_are_commands(argv: list[str]) -> None:
    """A quoted argument, a command before or after, another program: not a patch
    (measured: the reference runs these as commands)."""
    assert patch_invocation(argv, "/w") is None
