"""core_service.config.scan: value spans of TOML text and offsets as line:column."""

from __future__ import annotations

import tomllib
from typing import Any

from core_service.config.scan import Lines, SpanScanner, scan_spans


def test_span_scanner_finds_every_value() -> None:
    """The position scanner locates every value of a tricky document exactly."""
    text = '''\
# comment with = and [brackets]
a = 1979-05-27 07:32:00Z  # datetime with a space
"quoted.key" = 'lit # not a comment'
b.c . d = """multi
line "" with quotes"""""
e = \'\'\'raw
\'\'\'
arr = [ 1, [2, 3], { x = "}" }, # comment
  "last", ]
[t."sub.t"]
k = { i = { j = -0.5e3 } }
[[aot]]
v = true
[[aot]]
v = false
[aot.inner]
w = "w"
'''
    data = tomllib.loads(text)
    spans = SpanScanner(text).scan()

    def leaves(node: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in leaves(v, (*path, k))]
        if isinstance(node, list) and path[-1] != "aot":
            return [(path, node)] + [x for i, v in enumerate(node) for x in leaves(v, (*path, i))]
        if isinstance(node, list):
            return [x for i, v in enumerate(node) for x in leaves(v, (*path, i))]
        return [(path, node)]

    found = leaves(data, ())
    assert len(found) > 10
    for path, value in found:
        start, end = spans[path]
        assert tomllib.loads(f"v = {text[start:end]}")["v"] == value, path
    assert ("aot", 1, "inner", "w") in spans


def test_scan_spans_gives_up_quietly_on_text_it_cannot_walk() -> None:
    """Text the scanner trips over yields no spans instead of an exception."""
    assert scan_spans("a = [1, 2") == {}


def test_lines_positions_are_one_based() -> None:
    """Offsets map to 1-based (line, column), the first character of a line being column 1."""
    lines = Lines("ab\ncd\n")
    assert lines.position(0) == (1, 1)
    assert lines.position(1) == (1, 2)
    assert lines.position(3) == (2, 1)
    assert lines.position(6) == (3, 1)
