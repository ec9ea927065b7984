"""Command-shaped tool calls read as codex 0.104 reads them.

Every expected text, argv and display below was observed from the reference
(`codex app-server` against the mock model, approval `never`): the model's
next request carried the error texts, the commandExecution items the
displays and cwds.
"""

from __future__ import annotations

import json

import pytest

from core_service.tools.context import ToolCall, ToolResult
from core_service.tools.shell_call import (
    CommandRequest,
    WriteStdinRequest,
    parse_command_call,
    parse_write_stdin,
    resolve_cwd,
    resolve_shell,
)

CWD = "/work"
PREFIX = "failed to parse function arguments: "


def call(name: str, arguments: object) -> ToolCall:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, separators=(",", ":"))
    return ToolCall("call_1", name, "function", text, {"type": "function_call"})


def request(name: str, arguments: object, cwd: str = CWD) -> CommandRequest:
    req = parse_command_call(call(name, arguments), cwd)
    assert isinstance(req, CommandRequest), req
    return req


def error(name: str, arguments: str) -> str:
    result = parse_command_call(call(name, arguments), CWD)
    assert isinstance(result, ToolResult), result
    assert result.output.startswith(PREFIX)
    return result.output[len(PREFIX):]


OBSERVED_ERRORS = [
    ("exec_command", "nope", "expected ident at line 1 column 2"),
    ("exec_command", "x", "expected value at line 1 column 1"),
    ("exec_command", "{}", "missing field `cmd` at line 1 column 2"),
    ("exec_command", '{"cmd": 1}',
     "invalid type: integer `1`, expected a string at line 1 column 9"),
    ("exec_command", '{"cmd": "echo hi", "workdir": 5}',
     "invalid type: integer `5`, expected a string at line 1 column 31"),
    ("exec_command", '{"cmd": "echo hi"', "EOF while parsing an object at line 1 column 17"),
    ("exec_command", "", "EOF while parsing a value at line 1 column 0"),
    ("exec_command", "[]",
     "invalid length 0, expected struct ExecCommandArgs with 10 elements at line 1 column 2"),
    ("exec_command", '{"cmd":"echo hi","tty":"yes"}',
     'invalid type: string "yes", expected a boolean at line 1 column 28'),
    ("exec_command", '{"cmd": "echo hi"} x', "trailing characters at line 1 column 20"),
    ("exec_command", '{"cmd": "echo hi", "yield_time_ms": -1}',
     "invalid value: integer `-1`, expected u64 at line 1 column 38"),
    ("exec_command", '{"cmd":{}}', "invalid type: map, expected a string at line 1 column 7"),
    ("exec_command", '{"cmd":"echo hi","login":{}}',
     "invalid type: map, expected a boolean at line 1 column 25"),
    ("exec_command", '{"cmd":"echo hi","max_output_tokens":{}}',
     "invalid type: map, expected usize at line 1 column 37"),
    ("exec_command", '{"cmd":"echo hi","sandbox_permissions":{}}',
     "expected value at line 1 column 41"),
    ("exec_command", '{"cmd":"echo hi","prefix_rule":{}}',
     "invalid type: map, expected a sequence at line 1 column 31"),
    ("exec_command", '"s"',
     'invalid type: string "s", expected struct ExecCommandArgs at line 1 column 3'),
    ("exec_command", "1",
     "invalid type: integer `1`, expected struct ExecCommandArgs at line 1 column 1"),
    ("exec_command", "null",
     "invalid type: null, expected struct ExecCommandArgs at line 1 column 4"),
    ("exec_command", '{"cmd":null}', "invalid type: null, expected a string at line 1 column 11"),
    ("exec_command", '{"cmd":"echo hi","login":null,"tty":null}',
     "invalid type: null, expected a boolean at line 1 column 29"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":null}',
     "invalid type: null, expected u64 at line 1 column 37"),
    ("exec_command", '{"cmd":"echo hi","sandbox_permissions":{"x":1}}',
     "unknown variant `x`, expected `use_default` or `require_escalated` at line 1 column 43"),
    ("exec_command", '{"cmd":"echo hi","sandbox_permissions":["use_default"]}',
     "expected value at line 1 column 40"),
    ("exec_command", '{"cmd":"\\u00e9\\q"}', "invalid escape at line 1 column 16"),
    ("exec_command", '{"cmd":"echo hi","tty":tru}', "expected ident at line 1 column 27"),
    ("exec_command", '{"cmd":"a\tb"}',
     "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 10"),
    ("exec_command", '{"cmd":"echo hi","sandbox_permissions":null}',
     "expected value at line 1 column 40"),
    ("exec_command", '{"cmd":"echo hi","bogus":1,"sandbox_permissions":"nah"}',
     "unknown variant `nah`, expected `use_default` or `require_escalated` at line 1 column 54"),
    ("exec_command", '{"cmd":"echo hi","cmd":"x"}', "duplicate field `cmd` at line 1 column 22"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":1.5}',
     "invalid type: floating point `1.5`, expected u64 at line 1 column 36"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":1e5}',
     "invalid type: floating point `100000.0`, expected u64 at line 1 column 36"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":100000000000000000000}',
     "invalid type: floating point `1e+20`, expected u64 at line 1 column 54"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":-0}',
     "invalid type: floating point `-0.0`, expected u64 at line 1 column 35"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":0.0}',
     "invalid type: floating point `0.0`, expected u64 at line 1 column 36"),
    ("exec_command", '{"cmd":"echo hi","yield_time_ms":01}', "invalid number at line 1 column 35"),
    ("exec_command", '{"cmd":"echo hi","max_output_tokens":-3}',
     "invalid value: integer `-3`, expected usize at line 1 column 39"),
    ("exec_command", '{"cmd":"echo hi","prefix_rule":[1]}',
     "invalid type: integer `1`, expected a string at line 1 column 33"),
    ("exec_command", '{"cmd":"echo hi",}', "trailing comma at line 1 column 18"),
    ("exec_command", '\n {"cmd":\n 2}',
     "invalid type: integer `2`, expected a string at line 3 column 2"),
    ("exec_command", "true",
     "invalid type: boolean `true`, expected struct ExecCommandArgs at line 1 column 4"),
    ("exec_command", '{cmd:1}', "key must be a string at line 1 column 2"),
    ("exec_command", '{"cmd":"é",  "tty": 7}',
     "invalid type: integer `7`, expected a boolean at line 1 column 22"),
    ("exec_command", '{"cmd":"echo hi","bogus":[1,}', "expected value at line 1 column 29"),
    ("exec_command", '{"cmd" "x"}', "expected `:` at line 1 column 8"),
    ("exec_command", '{"cmd":"x" "y":1}', "expected `,` or `}` at line 1 column 12"),
    ("exec_command", '{"cmd":"echo hi","prefix_rule":["a",]}',
     "trailing comma at line 1 column 37"),
    ("exec_command", '{"cmd":"echo hi","prefix_rule":["a" "b"]}',
     "expected `,` or `]` at line 1 column 37"),
    ("shell", '{"command": "echo x"}',
     'invalid type: string "echo x", expected a sequence at line 1 column 20'),
    ("shell", "{}", "missing field `command` at line 1 column 2"),
    ("shell", '{"command":["echo","x"],"timeout_ms":{}}',
     "invalid type: map, expected u64 at line 1 column 37"),
    ("shell", '{"command":["echo","x"],"sandbox_permissions":{}}',
     "expected value at line 1 column 48"),
    ("shell", "[]",
     "invalid length 0, expected struct ShellToolCallParams with 6 elements at line 1 column 2"),
    ("shell", '{"command":null}', "invalid type: null, expected a sequence at line 1 column 15"),
    ("shell", '{"command":["echo",1]}',
     "invalid type: integer `1`, expected a string at line 1 column 20"),
    ("shell", '[["echo","x"],{"z":1}]', "invalid type: map, expected a string at line 1 column 14"),
    ("shell", '[["echo","x"],null,{"z":1}]', "invalid type: map, expected u64 at line 1 column 19"),
    ("shell", '[["echo","x"],null,null,{"z":1}]',
     "unknown variant `z`, expected `use_default` or `require_escalated` at line 1 column 28"),
    ("shell", '[["echo","x"],null,null,null,{"z":1}]',
     "invalid type: map, expected a sequence at line 1 column 29"),
    ("shell", '[["echo","x"],null,null,null,null,{"z":1}]',
     "invalid type: map, expected a string at line 1 column 34"),
    ("shell", '[["echo","x"],null,null,null,null,null,{"z":1}]',
     "trailing characters at line 1 column 40"),
    ("shell_command", '{"command": ["echo", "x"]}',
     "invalid type: sequence, expected a string at line 1 column 12"),
    ("shell_command", '{"command":"echo x","login":{}}',
     "invalid type: map, expected a boolean at line 1 column 28"),
    ("shell_command", '["echo hi"]',
     "invalid length 1, expected struct ShellCommandToolCallParams with 7 elements "
     "at line 1 column 11"),
    ("shell_command", '["echo x",null,null,{"z":1}]',
     "invalid type: map, expected u64 at line 1 column 20"),
    ("shell_command", '["echo x",null,null,null,null,{"z":1}]',
     "invalid type: map, expected a sequence at line 1 column 30"),
]


@pytest.mark.parametrize(("name", "arguments", "expected"), OBSERVED_ERRORS)
def test_malformed_arguments_get_serde_jsons_message(
    name: str, arguments: str, expected: str,
) -> None:
    """A call whose arguments do not decode tells the model serde_json's message and position."""
    assert error(name, arguments) == expected


OBSERVED_STDIN_ERRORS = [
    ("{}", "missing field `session_id` at line 1 column 2"),
    ('{"session_id": "abc"}', 'invalid type: string "abc", expected i32 at line 1 column 20'),
    ('{"session_id":99999999999}',
     "invalid value: integer `99999999999`, expected i32 at line 1 column 25"),
    ('{"session_id":999,"chars":null}',
     "invalid type: null, expected a string at line 1 column 30"),
    ('{"session_id":999,"yield_time_ms":{}}',
     "invalid type: map, expected u64 at line 1 column 34"),
    ('{"session_id":999,"max_output_tokens":{}}',
     "invalid type: map, expected usize at line 1 column 38"),
    ("[]", "invalid length 0, expected struct WriteStdinArgs with 4 elements at line 1 column 2"),
]


@pytest.mark.parametrize(("arguments", "expected"), OBSERVED_STDIN_ERRORS)
def test_write_stdin_malformed_arguments(arguments: str, expected: str) -> None:
    """write_stdin's argument errors name its own struct and types (session_id is an i32)."""
    result = parse_write_stdin(call("write_stdin", arguments))
    assert result == ToolResult(PREFIX + expected)


def test_write_stdin_request() -> None:
    """A negative session id decodes (the reference then answers `Unknown process id -5`)."""
    assert parse_write_stdin(call("write_stdin", {"session_id": -5})) == WriteStdinRequest(-5)
    assert parse_write_stdin(call("write_stdin", {
        "session_id": 3, "chars": "y\n", "yield_time_ms": 10, "max_output_tokens": None,
    })) == WriteStdinRequest(3, "y\n", 10, None)


def test_exec_command_runs_the_script_with_a_login_shell() -> None:
    """`/bin/bash -lc 'echo hi'`: the user's shell (bash here), `-lc`, quoted for display."""
    req = request("exec_command", {"cmd": "echo hi"})
    assert req.tool == "exec_command"
    assert req.argv[1:] == ["-lc", "echo hi"]
    assert req.display == f"{req.argv[0]} -lc 'echo hi'"
    assert req.cwd == CWD
    assert (req.escalated, req.tty, req.login, req.yield_time_ms) == (False, False, True, None)


def test_exec_command_display_with_single_quotes_uses_double_quotes() -> None:
    """`printf 'approved-output\\n'` shows as `/bin/bash -lc "printf 'approved-output\\\\n'"`."""
    req = request("exec_command", {"cmd": "printf 'approved-output\\n'", "shell": "/bin/bash"})
    assert req.display == "/bin/bash -lc \"printf 'approved-output\\\\n'\""


def test_exec_command_fields() -> None:
    """login false gives `-c`; the escalation, justification and rule are kept."""
    req = request("exec_command", {
        "cmd": "ls", "shell": "/bin/bash", "login": False, "tty": True, "yield_time_ms": 500,
        "max_output_tokens": 100, "sandbox_permissions": "require_escalated",
        "justification": "needs network", "prefix_rule": ["ls"], "workdir": "src"})
    assert req.argv == ["/bin/bash", "-c", "ls"]
    assert req.display == "/bin/bash -c ls"
    assert req.cwd == "/work/src"
    assert (req.tty, req.yield_time_ms, req.max_output_tokens) == (True, 500, 100)
    assert (req.escalated, req.justification, req.prefix_rule) == (True, "needs network", ["ls"])
    assert (req.login, req.shell) == (False, "/bin/bash")


def test_exec_command_null_options_are_absent() -> None:
    """Null workdir, shell, max_output_tokens, justification and prefix_rule run the command."""
    req = request("exec_command", '{"cmd":"echo hi","workdir":null,"shell":null,'
                  '"max_output_tokens":null,"justification":null,"prefix_rule":null}')
    assert (req.cwd, req.max_output_tokens, req.justification, req.prefix_rule) == (
        CWD, None, None, None)


def test_unit_variant_as_a_map() -> None:
    """serde also reads `{"use_default": null}` as the variant (the command ran)."""
    req = request("exec_command", '{"cmd":"ls","sandbox_permissions":{"use_default":null}}')
    assert not req.escalated


def test_exec_command_as_an_array_of_fields() -> None:
    """serde reads a struct from an array of its fields in order (cmd, workdir, shell, login)."""
    assert error("exec_command", '["echo hi",{"z":1}]') == (
        "invalid type: map, expected a string at line 1 column 11")
    assert error("exec_command", '["echo hi",null,null,{"z":1}]') == (
        "invalid type: map, expected a boolean at line 1 column 21")


def test_shell_list_is_spawned_as_is() -> None:
    """`shell`'s argv is not wrapped in a shell: ["echo $HOME"] is one program name."""
    req = request("shell", {"command": ["echo $HOME"]})
    assert (req.tool, req.argv, req.display) == ("shell", ["echo $HOME"], "'echo $HOME'")
    req = request("shell", {"command": ["echo", "a b", "it's", "$x"], "timeout_ms": 5000})
    assert req.display == "echo 'a b' \"it's\" '$x'"
    assert req.timeout_ms == 5000
    assert request("shell", {"command": ["bash", "-lc", "ls && cat a.txt"]}).display == (
        "bash -lc 'ls && cat a.txt'")


def test_empty_shell_command_is_a_request() -> None:
    """An empty argv still starts an item (command ""); running it reports the emptiness."""
    req = request("shell", {"command": []})
    assert (req.argv, req.display) == ([], "")


def test_container_exec_reads_as_shell() -> None:
    """`container.exec` takes shell's arguments."""
    assert request("container.exec", {"command": ["ls"]}).argv == ["ls"]


def test_shell_command_uses_the_users_shell() -> None:
    """`shell_command` runs the script with `-lc`, or `-c` when login is false."""
    req = request("shell_command", {"command": "echo x"})
    assert req.tool == "shell_command"
    assert req.argv[1:] == ["-lc", "echo x"]
    req = request("shell_command", {"command": "ls", "login": False})
    assert req.argv[1:] == ["-c", "ls"]
    assert req.display == f"{req.argv[0]} -c ls"
    assert request("shell_command", '{"command":"ls","login":null}').login


def test_local_shell_action() -> None:
    """A local_shell_call's action gives argv, working directory and timeout."""
    action = {"type": "exec", "command": ["printf", "d4"], "working_directory": "sub",
              "timeout_ms": 1000}
    item_call = ToolCall("c", "local_shell", "local_shell", "", {"type": "local_shell_call"},
                         action)
    req = parse_command_call(item_call, CWD)
    assert isinstance(req, CommandRequest)
    assert (req.tool, req.argv, req.display, req.cwd, req.timeout_ms) == (
        "local_shell", ["printf", "d4"], "printf d4", "/work/sub", 1000)


@pytest.mark.parametrize(("workdir", "expected"), [
    (None, "/work"), ("", "/work"), ("src", "/work/src"), ("src/../src", "/work/src/../src"),
    ("/tmp", "/tmp"),
])
def test_workdir_joins_without_normalising(workdir: str | None, expected: str) -> None:
    """The item's cwd is the turn's cwd joined with workdir as given (probed)."""
    assert resolve_cwd("/work", workdir) == expected


@pytest.mark.parametrize(("requested", "expected"), [
    (None, "/bin/bash"), ("bash", "/bin/bash"), ("/bin/bash", "/bin/bash"),
    ("sh", "/usr/bin/sh"), ("/bin/sh", "/bin/sh"), ("zsh", "/bin/sh"), ("/usr/bin/zsh", "/bin/sh"),
    ("fish", "/bin/sh"), ("dash", "/bin/sh"), ("/bin/dash", "/bin/sh"), ("pwsh", "/bin/sh"),
    ("/usr/bin/python3", "/bin/sh"), ("cmd", "/bin/sh"),
])
def test_shell_resolution(requested: str | None, expected: str) -> None:
    """exec_command's `shell`, as the reference resolved it for a user whose shell is
    /bin/bash on a machine with bash and sh (/usr/bin first on PATH) but no zsh."""
    found = {"sh": "/usr/bin/sh", "bash": "/usr/bin/bash", "dash": "/usr/bin/dash"}
    present = {"/bin/bash", "/bin/sh", "/usr/bin/sh", "/usr/bin/bash", "/bin/dash"}
    assert resolve_shell(requested, "/bin/bash", found.get, present.__contains__) == expected


def test_default_shell_of_an_unknown_kind_is_sh() -> None:
    """A login shell the reference cannot drive (fish) gives /bin/sh."""
    assert resolve_shell(None, "/usr/bin/fish") == "/bin/sh"
