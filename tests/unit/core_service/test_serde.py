"""serde_json's messages and positions, as the reference gives them to the model.

Every expected text below was observed from codex 0.104.0 (function calls
with these arguments sent by a mock model; the model's next request carried
the output).
"""

from __future__ import annotations

import pytest

from core_service.serde import (
    PREFIX,
    ArgumentError,
    Bool,
    Int,
    Opt,
    Seq,
    Str,
    Struct,
    UInt,
    decode,
)
from core_service.tools.plan import ARGS as PLAN

EXEC = Struct("ExecCommandArgs", {
    "cmd": Str(), "justification": Opt(Str()), "login": Opt(Bool()),
    "max_output_tokens": Opt(UInt()), "prefix_rule": Opt(Seq(Str())),
    "sandbox_permissions": Opt(Str()), "shell": Opt(Str()), "tty": Opt(Bool()),
    "workdir": Opt(Str()), "yield_time_ms": Opt(UInt())}, frozenset({"cmd"}))
STDIN = Struct("WriteStdinArgs", {"session_id": Int("i32", 32), "chars": Opt(Str())},
               frozenset({"session_id"}))

OBSERVED = [
    (EXEC, "{}", "missing field `cmd` at line 1 column 2"),
    (EXEC, '{"cmd": 1}', "invalid type: integer `1`, expected a string at line 1 column 9"),
    (EXEC, '{"cmd": 1.5}',
     "invalid type: floating point `1.5`, expected a string at line 1 column 11"),
    (EXEC, '{"cmd": true}',
     "invalid type: boolean `true`, expected a string at line 1 column 12"),
    (EXEC, '{"cmd": null}', "invalid type: null, expected a string at line 1 column 12"),
    (EXEC, '{"cmd": [1,2]}', "invalid type: sequence, expected a string at line 1 column 8"),
    (EXEC, '{"cmd": {"a":1}}', "invalid type: map, expected a string at line 1 column 8"),
    (EXEC, '{"cmd": "x", "yield_time_ms": "abc"}',
     'invalid type: string "abc", expected u64 at line 1 column 35'),
    (EXEC, '{"cmd": "x", "yield_time_ms": -5}',
     "invalid value: integer `-5`, expected u64 at line 1 column 32"),
    (EXEC, '{"cmd": "x", "yield_time_ms": 1.5}',
     "invalid type: floating point `1.5`, expected u64 at line 1 column 33"),
    (EXEC, '{"cmd": "x", "tty": "yes"}',
     'invalid type: string "yes", expected a boolean at line 1 column 25'),
    (EXEC, "[]",
     "invalid length 0, expected struct ExecCommandArgs with 10 elements at line 1 column 2"),
    (EXEC, '"str"',
     'invalid type: string "str", expected struct ExecCommandArgs at line 1 column 5'),
    (EXEC, "", "EOF while parsing a value at line 1 column 0"),
    (EXEC, '{"cmd": "x"} trailing', "trailing characters at line 1 column 14"),
    (EXEC, '{"cmd": "x",}', "trailing comma at line 1 column 13"),
    (EXEC, '{"cmd" "x"}', "expected `:` at line 1 column 8"),
    (EXEC, '{"cmd": "x"', "EOF while parsing an object at line 1 column 11"),
    (EXEC, '{not json', "key must be a string at line 1 column 2"),
    (EXEC, '{\n  "cmd": 5\n}', "invalid type: integer `5`, expected a string at line 2 column 10"),
    (PLAN, '{"plan": "x"}', 'invalid type: string "x", expected a sequence at line 1 column 12'),
    (PLAN, '{"plan": [{"step": "a"}]}', "missing field `status` at line 1 column 23"),
    (PLAN, '{"plan": [{"step": 1, "status": "pending"}]}',
     "invalid type: integer `1`, expected a string at line 1 column 20"),
    (PLAN, '{"plan": [1]}',
     "invalid type: integer `1`, expected struct PlanItemArg at line 1 column 11"),
    (PLAN, '{"explanation": 3, "plan": []}',
     "invalid type: integer `3`, expected a string at line 1 column 17"),
    (PLAN, '{"plan": [{"step": "a", "status": "pending", "x": 1}]}',
     "unknown field `x`, expected `step` or `status` at line 1 column 48"),
    (PLAN, '{"plan": [{"step": "a", "status": 7}]}', "expected value at line 1 column 35"),
    (PLAN, '{"plan": [{"step": "a", "status": "bogus"}]}',
     "unknown variant `bogus`, expected one of `pending`, `in_progress`, `completed` "
     "at line 1 column 41"),
    (STDIN, '{"session_id": "abc"}',
     'invalid type: string "abc", expected i32 at line 1 column 20'),
    (STDIN, '{"chars": "x"}', "missing field `session_id` at line 1 column 14"),
]


@pytest.mark.parametrize(("schema", "text", "message"), OBSERVED)
def test_reference_messages(schema: Struct, text: str, message: str) -> None:
    """Each malformed argument text gets serde_json's message and position."""
    with pytest.raises(ArgumentError) as info:
        decode(text, schema)
    assert str(info.value) == message
    assert info.value.model_text() == PREFIX + message


def test_valid_arguments_decode() -> None:
    """Valid arguments decode; unknown keys are skipped; null optional fields are left out."""
    assert decode('{"cmd": "ls", "unknown": [1, {"a": null}], "tty": null, "login": false}',
                  EXEC) == {"cmd": "ls", "login": False}
    assert decode('{"plan": [], "explanation": null}', PLAN) == {"plan": []}
    assert decode('{"session_id": -3}', STDIN) == {"session_id": -3}


def test_integer_ranges() -> None:
    """An integer outside the Rust type's range is an invalid value."""
    with pytest.raises(ArgumentError, match=r"invalid value: integer `2147483648`, expected i32"):
        decode('{"session_id": 2147483648}', STDIN)
