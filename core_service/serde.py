"""JSON read as the reference's serde_json reads it, with its error texts.

The reference decodes JSON it is given (a model's function-call arguments,
the ChatGPT backend's payloads) with serde_json into typed structs and, when
that fails, reports serde_json's message: to the model as `failed to parse
function arguments: <message>`, to clients inside its error texts. Models
and clients react to those exact texts (they name the field, the expected
type and the line and column). Python's json module reports neither the
same words nor the same positions, so this module decodes against a small
schema (`Struct`, `Str`, `UInt`, `Int`, `Bool`, `Seq`, `Enum`, `Opt`) with
a positional reader that reproduces serde_json's messages and columns (the
column counts the bytes consumed on the line when the error is found).
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

PREFIX = "failed to parse function arguments: "

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WS = " \t\n\r"
# The json module's own string scanner (C-accelerated; missing from typeshed).
_scanstring = cast(Callable[[str, int], tuple[str, int]], json.decoder.scanstring)  # type: ignore[attr-defined]


class ArgumentError(Exception):
    """Arguments that do not decode; `str()` is serde_json's message with its position."""

    def model_text(self) -> str:
        """What the model reads: the reference's prefix and the message."""
        return PREFIX + str(self)


@dataclass(frozen=True)
class Str:
    """A JSON string (`a string`)."""


@dataclass(frozen=True)
class Bool:
    """A JSON boolean (`a boolean`)."""


@dataclass(frozen=True)
class UInt:
    """An unsigned integer; `name` is the Rust type in messages (u64, u32, usize)."""

    name: str = "u64"
    bits: int = 64


@dataclass(frozen=True)
class Int:
    """A signed integer; `name` is the Rust type in messages (i32, i64)."""

    name: str = "i64"
    bits: int = 64


@dataclass(frozen=True)
class Seq:
    """A JSON array of `item`."""

    item: Schema


@dataclass(frozen=True)
class Enum:
    """A string naming one of `variants` (serde's unit variants)."""

    variants: tuple[str, ...]


@dataclass(frozen=True)
class Opt:
    """`inner` or null (absent fields of a `Struct` are always allowed to be Opt)."""

    inner: Schema


@dataclass(frozen=True)
class Struct:
    """A JSON object decoded into the named struct: `fields` in declaration order,
    the required ones listed in `required`; `deny_unknown` refuses other keys."""

    name: str
    fields: Mapping[str, Schema]
    required: frozenset[str] = field(default_factory=frozenset)
    deny_unknown: bool = False


Schema = Str | Bool | UInt | Int | Seq | Enum | Opt | Struct


def decode(text: str, schema: Schema) -> Any:
    """Decode `text` against `schema`: dicts for structs (absent optional fields
    left out), lists, str, int, bool, None; raises ArgumentError."""
    reader = _Reader(text)
    value = reader.value(schema)
    reader.skip_ws()
    if reader.pos < len(text):
        reader.pos += 1
        raise reader.error("trailing characters")
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, at: int | None = None) -> ArgumentError:
        pos = self.pos if at is None else at
        line = self.text.count("\n", 0, pos) + 1
        start = self.text.rfind("\n", 0, pos) + 1
        # serde_json counts columns in bytes (probed: "é" counts two).
        column = len(self.text[start:pos].encode("utf-8", "surrogatepass"))
        return ArgumentError(f"{message} at line {line} column {column}")

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        self.pos = pos

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def eof(self, what: str) -> ArgumentError:
        return self.error(f"EOF while parsing {what}")

    # -- scalars ------------------------------------------------------------------------
    def string(self) -> str:
        try:
            value, end = _scanstring(self.text, self.pos + 1)
        except json.JSONDecodeError as err:
            if "Unterminated" in err.msg:
                self.pos = len(self.text)
                raise self.eof("a string") from None
            if "control character" in err.msg:
                # Probed: a raw tab inside a string, reported at the tab.
                self.pos = err.pos + 1
                raise self.error("control character (\\u0000-\\u001F) found while "
                                 "parsing a string") from None
            # serde_json reports a bad escape after reading the letter that follows `\`.
            self.pos = min(err.pos + 2, len(self.text))
            raise self.error("invalid escape") from None
        self.pos = end
        return value

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            self.pos += 1
            raise self.error("invalid number")
        self.pos = match.end()
        if self.text[self.pos:self.pos + 1].isdigit():
            self.pos += 1  # a leading zero ("01"), reported at the digit after it
            raise self.error("invalid number")
        token = match.group(0)
        if match.group(1) is None and match.group(2) is None:
            # serde_json reads "-0" as the float -0.0 and integers beyond 64 bits as
            # floats (probed: "floating point `-0.0`", "floating point `1e+20`").
            value = int(token)
            if token != "-0" and -(1 << 63) <= value < (1 << 64):
                return value
        return float(token)

    def literal(self) -> bool | None:
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word[0], self.pos):
                # serde_json reads the word letter by letter (probed: "nope" ->
                # "expected ident at line 1 column 2").
                for i, letter in enumerate(word):
                    if self.pos + i >= len(self.text):
                        self.pos = len(self.text)
                        raise self.eof("a value")
                    if self.text[self.pos + i] != letter:
                        self.pos += i + 1
                        raise self.error("expected ident")
                self.pos += len(word)
                return value
        self.pos += 1
        raise self.error("expected value")

    def unexpected(self, expected: str) -> ArgumentError:
        """The error for a value that is not what `expected` describes."""
        c = self.peek()
        if c == "":
            return self.eof("a value")
        if c == "[":
            return self.error(f"invalid type: sequence, expected {expected}")
        if c == "{":
            return self.error(f"invalid type: map, expected {expected}")
        if c == '"':
            return self.error(f"invalid type: string {json.dumps(self.string())}, "
                              f"expected {expected}")
        if c == "-" or c.isdigit():
            number = self.number()
            return self.error(f"invalid type: {_describe_number(number)}, expected {expected}")
        literal = self.literal()
        what = "null" if literal is None else f"boolean `{str(literal).lower()}`"
        return self.error(f"invalid type: {what}, expected {expected}")

    # -- typed values -------------------------------------------------------------------
    def value(self, schema: Schema) -> Any:
        c = self.peek()
        if isinstance(schema, Opt):
            if self.text.startswith("null", self.pos):
                self.pos += 4
                return None
            return self.value(schema.inner)
        if c == "":
            raise self.eof("a value")
        if isinstance(schema, Str):
            if c != '"':
                raise self.unexpected("a string")
            return self.string()
        if isinstance(schema, Bool):
            if c not in "tf" or self.text.startswith("null", self.pos):
                raise self.unexpected("a boolean")
            return self.literal()
        if isinstance(schema, UInt | Int):
            return self.integer(schema)
        if isinstance(schema, Enum):
            return self.variant(schema)
        if isinstance(schema, Seq):
            if c != "[":
                raise self.unexpected("a sequence")
            return self.sequence(schema.item)
        return self.struct(schema)

    def integer(self, schema: UInt | Int) -> int:
        c = self.peek()
        if not (c == "-" or c.isdigit()):
            raise self.unexpected(schema.name)
        number = self.number()
        if isinstance(number, float):
            raise self.error(f"invalid type: {_describe_number(number)}, expected {schema.name}")
        low = 0 if isinstance(schema, UInt) else -(1 << (schema.bits - 1))
        high = (1 << schema.bits) - 1 if isinstance(schema, UInt) else (1 << (schema.bits - 1)) - 1
        if not low <= number <= high:
            raise self.error(f"invalid value: integer `{number}`, expected {schema.name}")
        return number

    def variant(self, schema: Enum) -> str:
        braced = self.peek() == "{"
        if braced:
            # serde also reads a unit variant as `{"name": null}`.
            self.pos += 1
        if self.peek() != '"':
            self.pos += 1
            raise self.error("expected value")
        name = self.string()
        if name not in schema.variants:
            raise self.error(f"unknown variant `{name}`, expected {_one_of(schema.variants)}")
        if braced:
            if self.peek() != ":":
                self.pos += 1
                raise self.error("expected `:`")
            self.pos += 1
            if self.value(Opt(Struct("unit", {}))) is not None or self.peek() != "}":
                self.pos += 1
                raise self.error("expected `}`")
            self.pos += 1
        return name

    def sequence(self, item: Schema) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        if self.peek() == "]":
            self.pos += 1
            return out
        while True:
            out.append(self.value(item))
            c = self.peek()
            if c == "]":
                self.pos += 1
                return out
            if c != ",":
                if c == "":
                    raise self.eof("a list")
                self.pos += 1
                raise self.error("expected `,` or `]`")
            self.pos += 1
            if self.peek() == "]":
                self.pos += 1
                raise self.error("trailing comma")

    def struct(self, schema: Struct) -> dict[str, Any]:
        c = self.peek()
        if c == "[":
            return self.struct_from_sequence(schema)
        if c != "{":
            raise self.unexpected(f"struct {schema.name}")
        self.pos += 1
        out: dict[str, Any] = {}
        if self.peek() == "}":
            self.pos += 1
            return self.finish_struct(schema, out)
        while True:
            if self.peek() != '"':
                if self.peek() == "":
                    raise self.eof("an object")
                self.pos += 1
                raise self.error("key must be a string")
            key = self.string()
            if schema.deny_unknown and key not in schema.fields:
                raise self.error(f"unknown field `{key}`, expected {_one_of(tuple(schema.fields))}")
            if key in out:
                # Found before the colon is read (probed: the column ends the key).
                raise self.error(f"duplicate field `{key}`")
            if self.peek() != ":":
                if self.peek() == "":
                    raise self.eof("an object")
                self.pos += 1
                raise self.error("expected `:`")
            self.pos += 1
            self.member(schema, key, out)
            c = self.peek()
            if c == "}":
                self.pos += 1
                return self.finish_struct(schema, out)
            if c != ",":
                if c == "":
                    raise self.eof("an object")
                self.pos += 1
                raise self.error("expected `,` or `}`")
            self.pos += 1
            if self.peek() == "}":
                self.pos += 1
                raise self.error("trailing comma")

    def member(self, schema: Struct, key: str, out: dict[str, Any]) -> None:
        sub = schema.fields.get(key)
        if sub is None:
            self.any_value()
            return
        value = self.value(sub)
        if value is not None or key in schema.required:
            out[key] = value

    def finish_struct(self, schema: Struct, out: dict[str, Any]) -> dict[str, Any]:
        for name in schema.fields:
            if name in schema.required and name not in out:
                raise self.error(f"missing field `{name}`")
        return out

    def struct_from_sequence(self, schema: Struct) -> dict[str, Any]:
        # serde also accepts a struct as the array of its fields, in order.
        self.pos += 1
        out: dict[str, Any] = {}
        names = list(schema.fields)
        for index, name in enumerate(names):
            if self.peek() == "]":
                self.pos += 1
                raise self.error(f"invalid length {index}, expected struct {schema.name} "
                                 f"with {len(names)} elements")
            if index:
                if self.peek() != ",":
                    self.pos += 1
                    raise self.error("expected `,` or `]`")
                self.pos += 1
            value = self.value(schema.fields[name])
            if value is not None:
                out[name] = value
        if self.peek() == ",":
            self.pos += 1  # serde_json reports the element after the comma
            if self.peek() == "]":
                self.pos += 1
                raise self.error("trailing comma")
        if self.peek() != "]":
            self.pos += 1
            raise self.error("trailing characters")
        self.pos += 1
        return out

    def any_value(self) -> None:
        c = self.peek()
        if c == "":
            raise self.eof("a value")
        if c == '"':
            self.string()
        elif c == "-" or c.isdigit():
            self.number()
        elif c == "[":
            self.pos += 1
            if self.peek() == "]":
                self.pos += 1
                return
            while True:
                self.any_value()
                if self.peek() == "]":
                    self.pos += 1
                    return
                self.expect_comma("]")
        elif c == "{":
            self.pos += 1
            if self.peek() == "}":
                self.pos += 1
                return
            while True:
                if self.peek() != '"':
                    self.pos += 1
                    raise self.error("key must be a string")
                self.string()
                if self.peek() != ":":
                    self.pos += 1
                    raise self.error("expected `:`")
                self.pos += 1
                self.any_value()
                if self.peek() == "}":
                    self.pos += 1
                    return
                self.expect_comma("}")
        else:
            self.literal()

    def expect_comma(self, close: str) -> None:
        c = self.peek()
        if c != ",":
            if c == "":
                raise self.eof("a value")
            self.pos += 1
            raise self.error(f"expected `,` or `{close}`")
        self.pos += 1


def _describe_number(number: int | float) -> str:
    if isinstance(number, int):
        return f"integer `{number}`"
    # Probed: 1e5 -> `100000.0`, 0.0 -> `0.0`, 1e20 -> `1e+20` (Python's repr agrees).
    return f"floating point `{number!r}`"


def _one_of(names: tuple[str, ...]) -> str:
    quoted = [f"`{n}`" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return "one of " + ", ".join(quoted)
