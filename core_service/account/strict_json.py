"""A strict JSON reader whose errors read like the reference's decoder's.

The reference decodes backend payloads with a typed decoder and quotes its
error in the message clients see ("missing field `plan_type` at line 1
column 20"). Python's `json` neither types nor locates values, so this
module parses into `Node`s that remember where each value ends and offers
typed accessors that fail with `DecodeError` in those words. Positions are
the reference's: the line and 1-based column of the last character the
decoder consumed (the closing brace for a missing field, the last
character of a mistyped scalar); an empty body is column 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WS = " \t\n\r"
_I32_MIN, _I32_MAX = -(2**31), 2**31 - 1

Scalar = str | int | float | bool | None


class DecodeError(Exception):
    """A payload the typed decoder refuses; `str()` is the reference's text with its position."""


@dataclass(frozen=True)
class Node:
    """A parsed JSON value and where it ends in the text.

    `value` is a scalar's value (None for containers); `items` an array's
    Nodes; `members` an object's (key, Node) pairs in document order,
    duplicates kept; `end` is the index of its last character, `start` of
    its first.
    """

    value: Scalar
    start: int
    end: int
    kind: str  # "object", "array", "string", "integer", "float", "bool", "null"
    items: list[Node] = field(default_factory=list)
    members: list[tuple[str, Node]] = field(default_factory=list)


class Reader:
    """Parses one JSON text into Nodes and turns positions into `line L column C`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Node:
        """The document's root value; trailing non-blank characters are an error."""
        node = self._value()
        self._skip()
        if self.pos < len(self.text):
            raise self.error("trailing characters", self.pos)
        return node

    def error(self, message: str, index: int) -> DecodeError:
        """`message` at the (0-based) character `index`, in the reference's form."""
        index = min(index, len(self.text) - 1)
        if index < 0:
            return DecodeError(f"{message} at line 1 column 0")
        line = self.text.count("\n", 0, index) + 1
        column = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return DecodeError(f"{message} at line {line} column {column}")

    def _skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        self.pos = pos

    def _value(self) -> Node:
        self._skip()
        if self.pos >= len(self.text):
            raise self.error("EOF while parsing a value", self.pos - 1)
        char = self.text[self.pos]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char == '"':
            start = self.pos
            return Node(self._string(), start, self.pos - 1, "string")
        if char == "-" or char.isdigit():
            return self._number()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if char == word[0]:
                return self._literal(word, value)
        raise self.error("expected value", self.pos)

    def _literal(self, word: str, value: bool | None) -> Node:
        start = self.pos
        for i, expected in enumerate(word):
            at = start + i
            if at >= len(self.text):
                raise self.error("EOF while parsing a value", at - 1)
            if self.text[at] != expected:
                raise self.error("expected ident", at)
        self.pos = start + len(word)
        return Node(value, start, self.pos - 1, "null" if value is None else "bool")

    def _number(self) -> Node:
        match = _NUMBER_RE.match(self.text, self.pos)
        if match is None:
            raise self.error("invalid number", self.pos)
        start, self.pos = self.pos, match.end()
        raw = match.group(0)
        if match.group(1) or match.group(2):
            return Node(float(raw), start, self.pos - 1, "float")
        return Node(int(raw), start, self.pos - 1, "integer")

    def _string(self) -> str:
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise self.error("EOF while parsing a string", exc.pos) from None
        self.pos = end
        return str(value)

    def _object(self) -> Node:
        start = self.pos
        self.pos += 1
        members: list[tuple[str, Node]] = []
        self._skip()
        if self._peek() == "}":
            self.pos += 1
            return Node(None, start, self.pos - 1, "object", members=members)
        while True:
            self._skip()
            if self._peek() != '"':
                raise self._expected("key must be a string", "EOF while parsing an object")
            key = self._string()
            self._skip()
            if self._peek() != ":":
                raise self._expected("expected `:`", "EOF while parsing an object")
            self.pos += 1
            members.append((key, self._value()))
            self._skip()
            char = self._peek()
            self.pos += 1
            if char == "}":
                return Node(None, start, self.pos - 1, "object", members=members)
            if char != ",":
                self.pos -= 1
                raise self._expected("expected `,` or `}`", "EOF while parsing an object")

    def _array(self) -> Node:
        start = self.pos
        self.pos += 1
        items: list[Node] = []
        self._skip()
        if self._peek() == "]":
            self.pos += 1
            return Node(None, start, self.pos - 1, "array", items=items)
        while True:
            items.append(self._value())
            self._skip()
            char = self._peek()
            self.pos += 1
            if char == "]":
                return Node(None, start, self.pos - 1, "array", items=items)
            if char != ",":
                self.pos -= 1
                raise self._expected("expected `,` or `]`", "EOF while parsing a list")

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expected(self, message: str, at_eof: str) -> DecodeError:
        if self.pos >= len(self.text):
            return self.error(at_eof, self.pos - 1)
        return self.error(message, self.pos)


def unexpected(node: Node) -> str:
    """How the reference's decoder names a value it did not expect."""
    if node.kind == "string":
        return f"string {json.dumps(node.value)}"
    if node.kind == "integer":
        return f"integer `{node.value}`"
    if node.kind == "float":
        return f"floating point `{node.value}`"
    if node.kind == "bool":
        return f"boolean `{'true' if node.value else 'false'}`"
    return {"null": "null", "object": "map", "array": "sequence"}[node.kind]


class Decoder:
    """Typed accessors over a `Reader`'s nodes, each failing in the reference's words."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def invalid_type(self, node: Node, expected: str) -> DecodeError:
        """`invalid type: <found>, expected <expected>` at the end of `node`."""
        at = node.start if node.kind in ("object", "array") else node.end
        return self.reader.error(f"invalid type: {unexpected(node)}, expected {expected}", at)

    def struct(
        self, node: Node, name: str, fields: Mapping[str, Callable[[Node], Any]],
        required: Sequence[str],
    ) -> dict[str, Any]:
        """An object decoded as struct `name`: each member by its reader, in document order.

        `fields` maps the struct's members (in declaration order) to their
        readers; unknown members are ignored; a null member not `required`
        is absent; a `required` member missing once every present member
        decoded is "missing field" (the reference's decoder checks then).
        """
        if node.kind == "array":
            expected = f"struct {name} with {len(fields)} elements"
            raise self.reader.error(
                f"invalid length {len(node.items)}, expected {expected}", node.end)
        if node.kind != "object":
            raise self.invalid_type(node, f"struct {name}")
        values: dict[str, Any] = {}
        for key, value in node.members:
            read = fields.get(key)
            if read is None:
                continue
            if key in values:
                raise self.reader.error(f"duplicate field `{key}`", value.end)
            values[key] = None if value.kind == "null" and key not in required else read(value)
        for key in fields:
            if key not in values and key in required:
                raise self.reader.error(f"missing field `{key}`", node.end)
        return {k: v for k, v in values.items() if v is not None}

    def i32(self, node: Node) -> int:
        """A 32-bit signed integer."""
        if node.kind != "integer":
            raise self.invalid_type(node, "i32")
        value = node.value
        assert isinstance(value, int)
        if not _I32_MIN <= value <= _I32_MAX:
            raise self.reader.error(f"invalid value: integer `{value}`, expected i32", node.end)
        return value

    def boolean(self, node: Node) -> bool:
        """A JSON boolean."""
        if node.kind != "bool":
            raise self.invalid_type(node, "a boolean")
        return bool(node.value)

    def string(self, node: Node) -> str:
        """A JSON string."""
        if node.kind != "string":
            raise self.invalid_type(node, "a string")
        return str(node.value)

    def variant(self, node: Node, variants: Sequence[str]) -> str:
        """One of the unit variants `variants` of an enum, spelled as a string."""
        if node.kind != "string":
            raise self.reader.error("expected value", node.start)
        value = str(node.value)
        if value not in variants:
            names = ", ".join(f"`{v}`" for v in variants)
            raise self.reader.error(f"unknown variant `{value}`, expected one of {names}",
                                    node.end)
        return value

    def items(self, node: Node) -> list[Node]:
        """The items of a JSON array."""
        if node.kind != "array":
            raise self.invalid_type(node, "a sequence")
        return node.items
