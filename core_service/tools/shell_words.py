"""Shell words as the reference reads and writes them: quoting, and `bash -lc` scripts.

Two jobs shared by the command tools. `join` renders an argv as one shell
line the way the reference shows commands to clients (a commandExecution
item's `command`, a command action's `command`): each word quoted only as
much as needed, in chunks, preferring no quotes, then single, then double
quotes (probed: `/bin/bash -lc "printf 'x\\\\n'"`, `echo "it's "'$x'`,
`a'^b'`). `read_script` splits a `bash -lc` script into its commands when it
is nothing but plain words joined by `&&`, `||`, `;` and `|`; anything
else is classified, because the reference treats scripts with expansions
(`$HOME`, backticks) differently from scripts with redirections, subshells,
background jobs, heredocs or variable assignments (see `safety`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, TypeAlias

# Words that need no quotes at all (the POSIX portable set the reference keeps bare).
_BARE = frozenset("+-./:@]_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NO_SINGLE = frozenset("'\\")
_NO_DOUBLE = frozenset("$`!")
_UNQUOTED, _SINGLE, _DOUBLE = 1, 2, 4

# Shells whose `-c` / `-lc` script the reference looks into.
SHELL_NAMES = frozenset({"bash", "zsh", "sh"})
_SCRIPT_FLAGS = frozenset({"-c", "-lc"})

ScriptKind: TypeAlias = Literal["plain", "dynamic", "complex"]


def quote(word: str) -> str:
    """One word quoted for a POSIX shell, in the reference's style."""
    if word == "":
        return "''"
    out: list[str] = []
    rest = word
    while rest:
        length, strategy = _chunk(rest)
        piece, rest = rest[:length], rest[length:]
        if strategy == _UNQUOTED:
            out.append(piece)
        elif strategy == _SINGLE:
            out.append(f"'{piece}'")
        else:
            escaped = piece.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'"{escaped}"')
    return "".join(out)


def _chunk(text: str) -> tuple[int, int]:
    """The longest prefix one quoting style can hold, and that style.

    A `^` starts a chunk of its own (only single quotes keep it literal
    everywhere); `!` cannot sit in double quotes, `'` and `\\` not in single.
    """
    ok = _UNQUOTED | _SINGLE | _DOUBLE
    start = 0
    if text[0] == "^":
        ok, start = _SINGLE, 1
    i = start
    while i < len(text):
        c = text[i]
        if c == "^":
            break
        cur = ok
        if c not in _BARE:
            cur &= ~_UNQUOTED
        if c in _NO_SINGLE:
            cur &= ~_SINGLE
        if c in _NO_DOUBLE:
            cur &= ~_DOUBLE
        if cur == 0:
            break
        ok = cur
        i += 1
    if ok & _UNQUOTED:
        return i, _UNQUOTED
    return i, _SINGLE if ok & _SINGLE else _DOUBLE


def join(words: list[str]) -> str:
    """An argv as one shell line (each word quoted as `quote` does)."""
    return " ".join(quote(w) for w in words)


def shell_script(argv: list[str]) -> str | None:
    """The script of `[<bash|zsh|sh>, -c|-lc, script]` (the shell may be a path)."""
    if len(argv) != 3 or argv[1] not in _SCRIPT_FLAGS:
        return None
    return argv[2] if os.path.basename(argv[0]) in SHELL_NAMES else None


@dataclass(frozen=True)
class Script:
    """A script read for its commands.

    `kind` is "plain" when `commands` holds every command's words (in order,
    operators dropped) and `pipes[i]` says whether command i is fed by a
    `|` from command i-1; "dynamic" when a word expands something (`$`, a
    backtick: the words are not known before running); "complex" when it
    uses any other shell construct (redirection, subshell, `&`, heredoc,
    an assignment, a keyword).
    """

    kind: ScriptKind
    commands: tuple[tuple[str, ...], ...] = ()
    pipes: tuple[bool, ...] = ()


class _Unsupported(Exception):
    def __init__(self, kind: ScriptKind) -> None:
        super().__init__(kind)
        self.kind: ScriptKind = kind


_OPERATORS = ("&&", "||", ";", "|", "\n")
_COMPLEX_CHARS = frozenset("<>()&")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "for", "while", "until", "do",
                       "done", "case", "esac", "function", "select", "!", "{", "}", "[[", "]]"})


def read_script(script: str) -> Script:
    """Split a script into plain commands, or say why it cannot be (see `Script`)."""
    try:
        tokens = _tokens(script)
    except _Unsupported as err:
        return Script(err.kind)
    commands: list[tuple[str, ...]] = []
    pipes: list[bool] = []
    words: list[str] = []
    piped = False
    for token, is_operator in tokens:
        if not is_operator:
            words.append(token)
            continue
        if words:
            if not _plain_command(words):
                return Script("complex")
            commands.append(tuple(words))
            pipes.append(piped)
        elif token != "\n" and token != ";":
            return Script("complex")
        words = []
        piped = token == "|"
    if words:
        if not _plain_command(words):
            return Script("complex")
        commands.append(tuple(words))
        pipes.append(piped)
    return Script("plain", tuple(commands), tuple(pipes))


def _plain_command(words: list[str]) -> bool:
    head = words[0]
    if head in _KEYWORDS:
        return False
    name, eq, _ = head.partition("=")
    return not (eq and name and (name[0].isalpha() or name[0] == "_")
                and all(c.isalnum() or c == "_" for c in name))


def _tokens(script: str) -> list[tuple[str, bool]]:
    """(text, is_operator) pairs; raises _Unsupported for what is not plain."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(script)
    while i < n:
        c = script[i]
        if c in " \t":
            i += 1
            continue
        if script.startswith("|&", i):
            raise _Unsupported("complex")
        op = next((o for o in _OPERATORS if script.startswith(o, i)), None)
        if op is not None:
            out.append((op, True))
            i += len(op)
            continue
        if c == "#":
            raise _Unsupported("complex")
        word, i = _word(script, i)
        out.append((word, False))
    return out


def _word(script: str, i: int) -> tuple[str, int]:
    """One word starting at `i` (quotes removed, backslashes kept as written)."""
    parts: list[str] = []
    n = len(script)
    while i < n:
        c = script[i]
        if c in " \t\n;|":
            break
        if c in "$`":
            raise _Unsupported("dynamic")
        if c in _COMPLEX_CHARS:
            raise _Unsupported("complex")
        if c == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise _Unsupported("complex")
            parts.append(script[i + 1:end])
            i = end + 1
        elif c == '"':
            i = _double_quoted(script, i + 1, parts)
        elif c == "\\" and i + 1 < n:
            parts.append(script[i:i + 2])
            i += 2
        else:
            parts.append(c)
            i += 1
    return "".join(parts), i


def _double_quoted(script: str, i: int, parts: list[str]) -> int:
    start = i
    while i < len(script):
        c = script[i]
        if c == '"':
            parts.append(script[start:i])
            return i + 1
        if c in "$`":
            raise _Unsupported("dynamic")
        i += 2 if c == "\\" else 1
    raise _Unsupported("complex")


def command_words(argv: list[str]) -> Script:
    """The commands an argv runs: the script's when it is `<shell> -lc script`,
    else the argv itself as one plain command."""
    script = shell_script(argv)
    if script is None:
        return Script("plain", (tuple(argv),), (False,)) if argv else Script("plain")
    return read_script(script)
