"""core_service.account.strict_json: positions and texts of the reference's decoder."""

from __future__ import annotations

import pytest

from core_service.account.strict_json import DecodeError, Decoder, Reader


def decoder(text: str) -> tuple[Decoder, Reader]:
    """A decoder over `text` and its reader."""
    reader = Reader(text)
    return Decoder(reader), reader


@pytest.mark.parametrize(("text", "error"), [
    ("", "EOF while parsing a value at line 1 column 0"),
    ("nul", "EOF while parsing a value at line 1 column 3"),
    ("not json", "expected ident at line 1 column 2"),
    ("{} x", "trailing characters at line 1 column 4"),
    ('{"a" 1}', "expected `:` at line 1 column 6"),
    ('{"a": 1', "EOF while parsing an object at line 1 column 7"),
    ("[1 2]", "expected `,` or `]` at line 1 column 4"),
    ("?", "expected value at line 1 column 1"),
])
def test_syntax_errors_are_located(text: str, error: str) -> None:
    """Syntax errors name the character where the decoder stopped (1-based columns)."""
    with pytest.raises(DecodeError) as info:
        Reader(text).parse()
    assert str(info.value) == error


def test_typed_accessors_name_what_they_found() -> None:
    """Each accessor refuses another type in the reference's words, at the value's end."""
    dec, reader = decoder('{"n": 1.5, "s": "x", "b": null,\n "big": 2147483648, "o": {}}')
    fields = dec.struct(reader.parse(), "T", {
        "n": lambda n: n, "s": lambda n: n, "b": lambda n: n, "big": lambda n: n,
        "o": lambda n: n}, ())
    assert "b" not in fields  # a null optional member is absent
    cases = [
        (dec.i32, fields["n"], "invalid type: floating point `1.5`, expected i32 at line 1 "
                               "column 9"),
        (dec.boolean, fields["s"], 'invalid type: string "x", expected a boolean at line 1 '
                                   "column 19"),
        (dec.i32, fields["big"], "invalid value: integer `2147483648`, expected i32 at line 2 "
                                 "column 18"),
        (dec.string, fields["o"], "invalid type: map, expected a string at line 2 column 26"),
        (dec.items, fields["s"], 'invalid type: string "x", expected a sequence at line 1 '
                                 "column 19"),
    ]
    for read, node, error in cases:
        with pytest.raises(DecodeError) as info:
            read(node)
        assert str(info.value) == error


def test_struct_duplicates_and_missing_members() -> None:
    """A member twice is refused; a required one absent is missing at the closing brace."""
    dec, reader = decoder('{"a": 1, "a": 2}')
    with pytest.raises(DecodeError, match="duplicate field `a` at line 1 column 15"):
        dec.struct(reader.parse(), "T", {"a": dec.i32}, ("a",))
    dec, reader = decoder('{"z": 1}')
    with pytest.raises(DecodeError, match="missing field `a` at line 1 column 8"):
        dec.struct(reader.parse(), "T", {"a": dec.i32}, ("a",))
