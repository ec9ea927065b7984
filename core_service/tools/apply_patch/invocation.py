"""Recognising a command that is really `apply_patch`, as the reference does.

Models often run patches through the shell tools. The reference takes
these commands out of the shell and applies them as patches (a fileChange
item, not a commandExecution): an argv `apply_patch <patch>` (or
`applypatch`), or a shell script (`bash|zsh|sh -c|-lc <script>`) that is
exactly one heredoc `apply_patch <<'EOF' ... EOF`, optionally behind one
`cd <dir> &&`. Anything else (a quoted patch argument, another command
before it) stays a command, as measured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

_NAMES = frozenset({"apply_patch", "applypatch"})
_SHELLS = frozenset({"bash", "zsh", "sh"})
_SHELL_FLAGS = frozenset({"-c", "-lc"})
_HEREDOC = re.compile(
    r"\A\s*(?:cd\s+(?P<dir>'[^']*'|\"[^\"\\$`]*\"|[^\s;&|'\"<>]+)\s*&&\s*)?"
    r"(?:apply_patch|applypatch)\s*<<\s*(?P<quote>['\"]?)(?P<delim>\w+)(?P=quote)[ \t]*\n"
    r"(?P<body>.*?)^(?P=delim)[ \t]*\n?\s*\Z",
    re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class Invocation:
    """A command's patch text and the directory its paths are relative to."""

    patch: str
    cwd: str


def patch_invocation(argv: Sequence[str], cwd: str) -> Invocation | None:
    """The patch `argv` runs in `cwd`, or None when it is an ordinary command."""
    if len(argv) == 2 and argv[0] in _NAMES:
        return Invocation(argv[1], cwd)
    if len(argv) == 3 and os.path.basename(argv[0]) in _SHELLS and argv[1] in _SHELL_FLAGS:
        return script_invocation(argv[2], cwd)
    return None


def script_invocation(script: str, cwd: str) -> Invocation | None:
    """The patch of a shell script that is one `apply_patch` heredoc, or None."""
    match = _HEREDOC.match(script)
    if match is None:
        return None
    directory = match.group("dir")
    if directory is not None:
        if directory[0] in "'\"":
            directory = directory[1:-1]
        cwd = os.path.join(cwd, directory)
    return Invocation(match.group("body"), cwd)
