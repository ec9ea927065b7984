"""The reference's quoting of commands and its reading of `bash -lc` scripts.

Displays come from `reference_command_actions.json` (commandExecution items
of codex 0.104) and from single words sent as `shell` argv and shown back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core_service.tools.shell_words import (
    Script,
    command_words,
    join,
    quote,
    read_script,
    shell_script,
)

OBSERVED: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "reference_command_actions.json").read_text())["observed"]

# `shell {"command": ["echo", WORD]}` was shown as `echo <quoted>` (probed).
QUOTED = [
    ("a\\b", '"a\\\\b"'), ("%s\\n", '"%s\\\\n"'), ('a"b', "'a\"b'"), ("x$y", "'x$y'"),
    ("it's $x", "\"it's \"'$x'"), ("a!b'c", "'a!b'\"'c\""), ("é", "'é'"), ("a\tb", "'a\tb'"),
    ("", "''"), ("^a", "'^a'"), ("a^b", "a'^b'"), ("a=b", "'a=b'"), ("a%b", "'a%b'"),
    ("a#b", "'a#b'"), ("a@b:c+d", "a@b:c+d"), ("a]b", "a]b"), ("a[b", "'a[b'"),
    ("a`b", "'a`b'"), ("a\\'b", '"a\\\\\'b"'), ("a\nb", "'a\nb'"), ("!", "'!'"),
    ("it's!", "\"it's\"'!'"), ("$'x", "'$'\"'x\""), ("a,b", "'a,b'"), ("~", "'~'"), ("*", "'*'"),
]


@pytest.mark.parametrize(("word", "expected"), QUOTED)
def test_quote(word: str, expected: str) -> None:
    """Each word is quoted in chunks: bare, then single, then double quotes."""
    assert quote(word) == expected


@pytest.mark.parametrize("row", OBSERVED, ids=lambda r: repr(r.get("script", r.get("argv"))))
def test_observed_displays(row: dict[str, Any]) -> None:
    """The item's `command` is the spawned argv joined (`/bin/bash -lc '...'`)."""
    argv = ["/bin/bash", "-lc", row["script"]] if "script" in row else row["argv"]
    assert join(argv) == row["display"]


def test_shell_script() -> None:
    """Only `<bash|zsh|sh> -c|-lc script` has a script; the shell may be a path."""
    assert shell_script(["/bin/bash", "-lc", "ls"]) == "ls"
    assert shell_script(["sh", "-c", "ls"]) == "ls"
    assert shell_script(["bash", "-c", "-l", "ls"]) is None
    assert shell_script(["python3", "-c", "1"]) is None


def test_read_script_plain() -> None:
    """Plain words joined by operators are commands; quotes go, backslashes stay."""
    assert read_script("ls -la | grep a && cat 'a b.txt'; echo \"x\"y") == Script(
        "plain", (("ls", "-la"), ("grep", "a"), ("cat", "a b.txt"), ("echo", "xy")),
        (False, True, False, False))
    assert read_script("echo a\\\\b").commands == (("echo", "a\\\\b"),)
    assert read_script("find . -exec ls {} ;").commands == (("find", ".", "-exec", "ls", "{}"),)
    assert read_script("") == Script("plain")


@pytest.mark.parametrize("script", ["echo $(ls)", "ls $HOME", 'printf "$x"', "ls `pwd`",
                                    "x=1 echo $x"])
def test_read_script_dynamic(script: str) -> None:
    """A word that expands makes the script dynamic."""
    assert read_script(script).kind == "dynamic"


@pytest.mark.parametrize("script", ["ls > out.txt", "ls 2>/dev/null", "(ls)", "ls &", "FOO=1 ls",
                                    "cat <<EOF\nx\nEOF", "ls |& cat", "if true; then ls; fi",
                                    "echo 'unclosed"])
def test_read_script_complex(script: str) -> None:
    """Redirections, subshells, background jobs, assignments and keywords are complex."""
    assert read_script(script).kind == "complex"


def test_command_words_of_a_bare_argv() -> None:
    """An argv that is not a shell script is one command (none when empty)."""
    assert command_words(["ls", "-la"]) == Script("plain", (("ls", "-la"),), (False,))
    assert command_words([]) == Script("plain")
