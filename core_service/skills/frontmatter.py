"""The YAML subset skill files are written in: block mappings and lists, plain,
quoted and folded scalars, flow lists of scalars.

Skills need a handful of keys from `SKILL.md` front matter and
`agents/openai.yaml`; this reads those shapes without a YAML dependency.
Anything it cannot read is a `YamlError` whose text names the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DELIMITER = "---"


class YamlError(Exception):
    """The text is not YAML this reader accepts; `str()` says where."""


@dataclass
class _Line:
    number: int
    indent: int
    text: str


def split_front_matter(text: str) -> tuple[str, str] | None:
    """The front matter between the first two `---` lines and the body after it;
    None when the file does not start with one."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _DELIMITER:
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == _DELIMITER:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    return None


def parse(text: str) -> Any:
    """The document as dicts, lists and strings (None for an empty document)."""
    lines = [_Line(n, len(raw) - len(raw.lstrip(" ")), raw.strip())
             for n, raw in enumerate(text.splitlines(), start=1)
             if raw.strip() and not raw.lstrip().startswith("#")]
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0].indent)
    if end != len(lines):
        raise YamlError(f"unexpected content at line {lines[end].number}")
    return value


def _block(lines: list[_Line], i: int, indent: int) -> tuple[Any, int]:
    if lines[i].text.startswith("- ") or lines[i].text == "-":
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _mapping(lines: list[_Line], i: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        key, sep, rest = line.text.partition(":")
        if not sep or (rest and not rest.startswith(" ")):
            raise YamlError(f"expected `key: value` at line {line.number}")
        key, rest = _scalar(key.strip()), rest.strip()
        i += 1
        if rest in ("|", ">", "|-", ">-"):
            out[key], i = _literal(lines, i, indent, folded=rest.startswith(">"))
        elif rest:
            out[key] = _inline(rest, line.number)
        elif i < len(lines) and lines[i].indent > indent:
            out[key], i = _block(lines, i, lines[i].indent)
        elif i < len(lines) and lines[i].indent == indent and lines[i].text.startswith("-"):
            out[key], i = _sequence(lines, i, indent)
        else:
            out[key] = None
    if i < len(lines) and lines[i].indent > indent:
        raise YamlError(f"bad indentation at line {lines[i].number}")
    return out, i


def _sequence(lines: list[_Line], i: int, indent: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(lines) and lines[i].indent == indent and lines[i].text.startswith("-"):
        line = lines[i]
        rest = line.text[1:].strip()
        i += 1
        if not rest:
            if i < len(lines) and lines[i].indent > indent:
                item, i = _block(lines, i, lines[i].indent)
                out.append(item)
            else:
                out.append(None)
        elif _starts_mapping(rest):
            # A mapping that starts on the dash line: its keys line up after "- ".
            inner = indent + len(line.text) - len(rest)
            nested = [_Line(line.number, inner, rest)]
            while i < len(lines) and lines[i].indent >= inner:
                nested.append(lines[i])
                i += 1
            item, used = _mapping(nested, 0, inner)
            if used != len(nested):
                raise YamlError(f"bad indentation at line {nested[used].number}")
            out.append(item)
        else:
            out.append(_inline(rest, line.number))
    return out, i


def _starts_mapping(text: str) -> bool:
    key, sep, rest = text.partition(":")
    return bool(sep) and not key.startswith(("'", '"', "[")) and (not rest or rest[0] == " ")


def _literal(lines: list[_Line], i: int, indent: int, *, folded: bool) -> tuple[str, int]:
    parts: list[str] = []
    while i < len(lines) and lines[i].indent > indent:
        parts.append(lines[i].text)
        i += 1
    return (" " if folded else "\n").join(parts), i


def _inline(text: str, number: int) -> Any:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(p.strip()) for p in inner.split(",")] if inner else []
    if text.startswith(("[", "{")):
        raise YamlError(f"unsupported flow collection at line {number}")
    return _scalar(text)


def _scalar(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    if text in ("true", "True", "false", "False"):
        return text.lower() == "true"
    if text in ("null", "~", "Null"):
        return None
    return text
