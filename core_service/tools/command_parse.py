"""What a command does, summarised as the reference summarises it (`commandActions`).

Clients show a command as reads, listings and searches rather than as a
script. The reference reads `<shell> -lc script` (and a bare argv) as
follows, every rule probed against codex 0.104:

1. A script that is not plain words joined by `&&`, `||`, `;`, `|` (it
   expands, redirects, uses a subshell, ...) is one `unknown` action whose
   command is the script as written.
2. Small formatting helpers are dropped (`printf`, `sort`, `wc`, `yes`, ...,
   and `head` / `tail` / `sed` / `awk` / `nl` reading a pipe); when nothing
   is left, the script as written is the one `unknown` action
   (`printf '%s\\n' x`, `yes | head -n 2`).
3. With more than one command left, a leading `echo` and any `true` are
   dropped too (`echo hi; ls` lists files).
4. `cd DIR` is consumed: later reads are relative to it (`cd src && cat
   main.rs` reads `src/main.rs`); listings and searches keep their own path.
5. Each command becomes `read` (cat, less, more with one file; head, tail
   with at most `-n N`; nl; awk; `sed -n RANGEp`), `listFiles` (ls, tree,
   du, find without a name test, `rg --files`, `git ls-files`), `search`
   (rg, grep, `git grep`, fd, `find -name`) or `unknown`, its command
   re-joined as the reference joins words; consecutive duplicates go.
   Listing and search paths are shortened to their last telling component
   (`src/sub/` is `sub`; `src`, `build`, `dist`, `node_modules` are skipped).
6. A script that is one pipeline through `sed -n` and reads one file shows
   the whole pipeline as the read's command (`nl -ba f | sed -n '1,5p'`).
"""

from __future__ import annotations

import os
import re

from app_server_protocol.wire_types import CommandAction
from core_service.tools.shell_words import Script, command_words, join, shell_script

# Dropped wherever they appear: they only shape another command's output.
_FORMATTERS = frozenset({"wc", "tr", "cut", "sort", "uniq", "xargs", "tee", "column", "yes",
                         "printf"})
# Dropped when they read no file (a pipe's output).
_FILTERS = frozenset({"head", "tail", "sed", "awk", "nl"})
# Readers of exactly one file.
_SINGLE_FILE = frozenset({"cat", "less", "more"})
_LISTERS = frozenset({"ls", "tree", "du"})
_SED_RANGE = re.compile(r"\d+(,\d+)?p")
_LINE_COUNT = re.compile(r"-n\d+")
# Directory names a listing's or search's path is never shown by.
_UNTELLING = frozenset({"src", "build", "dist", "node_modules"})
# find's tests whose value is the search's query (the first one given wins).
_FIND_QUERIES = frozenset({"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename",
                           "-regex", "-iregex"})
# Options that take a value, per program (their value is not an operand).
_VALUE_OPTIONS = {
    "rg": frozenset({"-g", "--glob", "--iglob", "-t", "--type", "-T", "--type-not", "-m",
                     "--max-count", "-A", "-B", "-C", "--context", "-j", "--threads",
                     "--max-depth", "-M", "--max-columns"}),
    "fd": frozenset({"-e", "--extension", "-t", "--type", "-d", "--max-depth", "-E",
                     "--exclude", "-x", "--exec", "-X", "--exec-batch", "-S", "--size"}),
    "tree": frozenset({"-L", "-P", "-I", "-o", "--filelimit"}),
    "grep": frozenset({"-A", "-B", "-C", "-m", "--max-count", "--include", "--exclude"}),
}


def command_actions(argv: list[str]) -> list[CommandAction]:
    """The `commandActions` of a command spawned as `argv` (see the module docstring)."""
    parsed = command_words(argv)
    script = shell_script(argv)
    whole = script if script is not None else join(argv)
    if parsed.kind != "plain":
        return [{"type": "unknown", "command": whole}]
    commands = [list(c) for c in parsed.commands]
    kept = [c for c in commands if not _formatter(c)]
    if not kept:
        return [{"type": "unknown", "command": whole}]
    # Probed: `true` goes wherever it is (`ls || true`), `echo` only as the
    # first command (`echo hi; ls` lists, `cat a.txt; echo done` keeps it).
    while len(kept) > 1 and (kept[0][0] == "echo" or any(c[0] == "true" for c in kept)):
        kept.remove(kept[0] if kept[0][0] == "echo" else next(c for c in kept if c[0] == "true"))
    actions = _dedupe(_summarise(kept))
    if len(actions) == 1 and actions[0]["type"] == "read" and _sed_pipeline(parsed):
        actions[0]["command"] = " | ".join(join(c) for c in commands)
    return actions


def _sed_pipeline(parsed: Script) -> bool:
    """One pipeline of several commands, one of them `sed -n RANGEp`."""
    return (len(parsed.commands) > 1 and all(parsed.pipes[1:])
            and any(_sed_range(list(c)) for c in parsed.commands))


def _formatter(words: list[str]) -> bool:
    head = words[0] if words else ""
    if head in _FORMATTERS:
        return True
    return head in _FILTERS and _read_path(words) is None


def _summarise(kept: list[list[str]]) -> list[CommandAction]:
    out: list[CommandAction] = []
    cwd: str | None = None
    for words in kept:
        if words[0] == "cd":
            target = next((w for w in words[1:] if not w.startswith("-")), None)
            if target is not None:
                cwd = target if cwd is None else os.path.join(cwd, target)
            continue
        action = _action(words)
        if action["type"] == "read" and cwd is not None:
            action["path"] = os.path.join(cwd, action["path"])
        out.append(action)
    return out


def _dedupe(actions: list[CommandAction]) -> list[CommandAction]:
    out: list[CommandAction] = []
    for action in actions:
        if not out or out[-1] != action:
            out.append(action)
    return out


def _action(words: list[str]) -> CommandAction:
    head, args = words[0], words[1:]
    command = join(words)
    read = _read_path(words)
    if read is not None:
        return {"type": "read", "command": command, "name": os.path.basename(read), "path": read}
    git = head == "git"
    operands = [short_path(a) for a in _operands(head, args[1:] if git else args)]
    if head in _LISTERS or (head == "rg" and "--files" in args) or words[:2] == ["git", "ls-files"]:
        return {"type": "listFiles", "command": command,
                "path": operands[0] if operands else None}
    if head == "find":
        return _find(args, command)
    if head in ("rg", "grep", "fd") or words[:2] == ["git", "grep"]:
        query = _operands(head, args[1:] if git else args)[:1]
        return {"type": "search", "command": command, "query": query[0] if query else None,
                "path": operands[1] if len(operands) > 1 else None}
    return {"type": "unknown", "command": command}


def short_path(path: str) -> str:
    """A listing's or search's path as shown: its last component that tells something
    (probed: `src/sub/` -> `sub`, `./src` -> `.`, `/` -> ``, `src` -> `src`)."""
    trimmed = path.rstrip("/")
    for part in reversed(trimmed.split("/")):
        if part and part not in _UNTELLING:
            return part
    return trimmed


def _operands(head: str, args: list[str]) -> list[str]:
    """The arguments that are not options nor an option's value."""
    takes_value = _VALUE_OPTIONS.get(head, frozenset())
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in takes_value:
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def _read_path(words: list[str]) -> str | None:
    """The file a reader reads (the first one), or None when it is no plain read."""
    head, args = words[0], words[1:]
    if head == "sed":
        return args[2] if _sed_range(words) and len(args) > 2 else None
    if head in ("head", "tail"):
        if args[:1] == ["-n"]:
            args = args[2:]
        elif args[:1] and _LINE_COUNT.fullmatch(args[0]):
            args = args[1:]
        if any(a.startswith("-") for a in args):
            return None  # probed: `head -20 f`, `tail -f f` are no reads
    elif head not in _SINGLE_FILE and head not in ("nl", "awk"):
        return None
    operands = [a for a in args if not a.startswith("-")]
    if head == "awk":
        return operands[1] if len(operands) >= 2 else None
    if head in _SINGLE_FILE and len(operands) != 1:
        return None
    return operands[0] if operands else None


def _sed_range(words: list[str]) -> bool:
    return (len(words) >= 3 and words[0] == "sed" and words[1] == "-n"
            and _SED_RANGE.fullmatch(words[2]) is not None)


def _find(args: list[str], command: str) -> CommandAction:
    path = next((short_path(a) for a in args if not a.startswith("-")), None)
    for i, arg in enumerate(args[:-1]):
        if arg in _FIND_QUERIES:
            return {"type": "search", "command": command, "query": args[i + 1], "path": path}
    return {"type": "listFiles", "command": command, "path": path}
