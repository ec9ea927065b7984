"""Every command-shaped tool call turned into one `CommandRequest`.

The model can ask for a command in four shapes (probed against codex 0.104):
`exec_command {"cmd": script}` runs the script with a shell (`shell` names
it, the user's login shell by default; `login: false` gives `-c` instead of
`-lc`); `shell {"command": [argv]}` (and `container.exec`) spawns the list
as it is, never wrapped in a shell; `shell_command {"command": script}`
runs the script with the user's shell; a `local_shell_call` item carries an
argv in its `action`. Arguments decode as serde_json decodes them into the
reference's structs (`serde`), so a malformed call gets the
reference's `failed to parse function arguments: ...` text.

The item's `command` (`display`) is the argv joined as the reference joins
it (`/bin/bash -lc 'echo hi'`); `cwd` is the turn's cwd joined with
`workdir` as given (not normalised: `src/../src` stays), an absolute
`workdir` replacing it and an empty one ignored.
"""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from core_service.serde import (
    ArgumentError,
    Bool,
    Enum,
    Int,
    Opt,
    Schema,
    Seq,
    Str,
    Struct,
    UInt,
    decode,
)
from core_service.tools.context import ToolCall, ToolResult
from core_service.tools.shell_words import join

CommandTool: TypeAlias = Literal["exec_command", "shell", "shell_command", "local_shell"]

_PERMISSIONS = Enum(("use_default", "require_escalated"))
_U64 = UInt("u64", 64)
_USIZE = UInt("usize", 64)

# The reference's argument structs, fields in declaration order (serde reads a
# JSON array as the fields in this order; errors name the struct).
EXEC_COMMAND_ARGS = Struct("ExecCommandArgs", {
    "cmd": Str(), "workdir": Opt(Str()), "shell": Opt(Str()), "login": Bool(), "tty": Bool(),
    "yield_time_ms": _U64, "max_output_tokens": Opt(_USIZE),
    "sandbox_permissions": _PERMISSIONS, "justification": Opt(Str()),
    "prefix_rule": Opt(Seq(Str())),
}, frozenset({"cmd"}))
SHELL_ARGS = Struct("ShellToolCallParams", {
    "command": Seq(Str()), "workdir": Opt(Str()), "timeout_ms": Opt(_U64),
    "sandbox_permissions": Opt(_PERMISSIONS), "prefix_rule": Opt(Seq(Str())),
    "justification": Opt(Str()),
}, frozenset({"command"}))
SHELL_COMMAND_ARGS = Struct("ShellCommandToolCallParams", {
    "command": Str(), "workdir": Opt(Str()), "login": Opt(Bool()), "timeout_ms": Opt(_U64),
    "sandbox_permissions": Opt(_PERMISSIONS), "prefix_rule": Opt(Seq(Str())),
    "justification": Opt(Str()),
}, frozenset({"command"}))
WRITE_STDIN_ARGS = Struct("WriteStdinArgs", {
    "session_id": Int("i32", 32), "chars": Str(), "yield_time_ms": _U64,
    "max_output_tokens": Opt(_USIZE),
}, frozenset({"session_id"}))

# Shell kinds the reference knows by name; any other `shell` runs /bin/sh.
_KNOWN_SHELLS = frozenset({"bash", "zsh", "sh"})
FALLBACK_SHELL = "/bin/sh"


@dataclass(frozen=True)
class CommandRequest:
    """One command the model asked for, whatever the call's shape.

    `argv` is what is spawned; `display` the item's `command` string;
    `escalated` is `sandbox_permissions: "require_escalated"`; `login` and
    `shell` are exec_command's (the resolved shell is `argv[0]`);
    `yield_time_ms` / `max_output_tokens` / `tty` matter to unified exec
    only, `timeout_ms` to the shell shapes.
    """

    tool: CommandTool
    argv: list[str]
    display: str
    cwd: str
    timeout_ms: int | None = None
    escalated: bool = False
    justification: str | None = None
    prefix_rule: list[str] | None = None
    tty: bool = False
    yield_time_ms: int | None = None
    max_output_tokens: int | None = None
    login: bool = True
    shell: str | None = None


@dataclass(frozen=True)
class WriteStdinRequest:
    """A `write_stdin` call: characters for a running exec_command session."""

    session_id: int
    chars: str = ""
    yield_time_ms: int | None = None
    max_output_tokens: int | None = None


def user_shell() -> str:
    """The user's login shell (the passwd entry), /bin/sh when it has none."""
    try:
        return pwd.getpwuid(os.getuid()).pw_shell or FALLBACK_SHELL
    except KeyError:
        return FALLBACK_SHELL


def resolve_shell(
    requested: str | None,
    default: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.isfile,
) -> str:
    """The shell binary exec_command runs for its `shell` argument (probed).

    None means the user's shell. A name the reference does not know
    (`dash`, `fish`, `pwsh`, `python3`) gives /bin/sh. A known one is taken
    as given when it is an existing path, else the user's shell when that
    is the same kind (`bash` -> /bin/bash), else looked up on PATH (`sh` ->
    /usr/bin/sh), else /bin/sh (`zsh` when not installed).
    """
    mine = default if default is not None else user_shell()
    if requested is None:
        return mine if os.path.basename(mine) in _KNOWN_SHELLS else FALLBACK_SHELL
    kind = os.path.basename(requested)
    if kind not in _KNOWN_SHELLS:
        return FALLBACK_SHELL
    if os.path.isabs(requested) and exists(requested):
        return requested
    if os.path.basename(mine) == kind:
        return mine
    return which(kind) or FALLBACK_SHELL


def resolve_cwd(turn_cwd: str, workdir: str | None) -> str:
    """The command's working directory: `workdir` joined to the turn's cwd as is."""
    if not workdir:
        return turn_cwd
    return os.path.join(turn_cwd, workdir)


def parse_command_call(call: ToolCall, turn_cwd: str) -> CommandRequest | ToolResult:
    """The request of an exec_command / shell / container.exec / shell_command /
    local_shell call, or what the model reads when its arguments do not decode."""
    if call.kind == "local_shell":
        return _local_shell(call.action or {}, turn_cwd)
    try:
        if call.name == "exec_command":
            return _exec_command(_decode(call.arguments, EXEC_COMMAND_ARGS), turn_cwd)
        if call.name == "shell_command":
            return _shell_command(_decode(call.arguments, SHELL_COMMAND_ARGS), turn_cwd)
        return _shell(_decode(call.arguments, SHELL_ARGS), turn_cwd)
    except ArgumentError as err:
        return ToolResult(err.model_text())


def parse_write_stdin(call: ToolCall) -> WriteStdinRequest | ToolResult:
    """The request of a write_stdin call, or the model's text for bad arguments."""
    try:
        args = _decode(call.arguments, WRITE_STDIN_ARGS)
    except ArgumentError as err:
        return ToolResult(err.model_text())
    return WriteStdinRequest(session_id=args["session_id"], chars=args.get("chars", ""),
                             yield_time_ms=args.get("yield_time_ms"),
                             max_output_tokens=args.get("max_output_tokens"))


def _decode(text: str, schema: Schema) -> dict[str, Any]:
    value = decode(text, schema)
    assert isinstance(value, dict)
    return value


def _common(args: Mapping[str, Any]) -> dict[str, Any]:
    return {"escalated": args.get("sandbox_permissions") == "require_escalated",
            "justification": args.get("justification"), "prefix_rule": args.get("prefix_rule")}


def _exec_command(args: dict[str, Any], turn_cwd: str) -> CommandRequest:
    login = bool(args.get("login", True))
    shell = resolve_shell(args.get("shell"))
    argv = [shell, "-lc" if login else "-c", args["cmd"]]
    return CommandRequest(
        tool="exec_command", argv=argv, display=join(argv),
        cwd=resolve_cwd(turn_cwd, args.get("workdir")), tty=bool(args.get("tty", False)),
        yield_time_ms=args.get("yield_time_ms"), max_output_tokens=args.get("max_output_tokens"),
        login=login, shell=args.get("shell"), **_common(args))


def _shell(args: dict[str, Any], turn_cwd: str) -> CommandRequest:
    argv = list(args["command"])
    return CommandRequest(
        tool="shell", argv=argv, display=join(argv),
        cwd=resolve_cwd(turn_cwd, args.get("workdir")), timeout_ms=args.get("timeout_ms"),
        **_common(args))


def _shell_command(args: dict[str, Any], turn_cwd: str) -> CommandRequest:
    login = args.get("login") is not False
    argv = [user_shell(), "-lc" if login else "-c", args["command"]]
    return CommandRequest(
        tool="shell_command", argv=argv, display=join(argv),
        cwd=resolve_cwd(turn_cwd, args.get("workdir")), timeout_ms=args.get("timeout_ms"),
        login=login, **_common(args))


def _local_shell(action: Mapping[str, object], turn_cwd: str) -> CommandRequest:
    command = action.get("command")
    argv = [str(w) for w in command] if isinstance(command, list) else []
    workdir = action.get("working_directory")
    timeout = action.get("timeout_ms")
    return CommandRequest(
        tool="local_shell", argv=argv, display=join(argv),
        cwd=resolve_cwd(turn_cwd, workdir if isinstance(workdir, str) else None),
        timeout_ms=timeout if isinstance(timeout, int) and not isinstance(timeout, bool) else None)
