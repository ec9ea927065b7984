"""Finding a chunk's lines in a file, as leniently as the reference does.

Models copy context imperfectly, so a run of lines is looked for in four
passes, each over every start position before the next is tried: exactly,
ignoring trailing whitespace, ignoring surrounding whitespace, and finally
ignoring surrounding whitespace with typographic dashes, quotes and spaces
read as their ASCII forms. A chunk marked `*** End of File` is looked for
at the end of the file only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f"
_SPACES = "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_ASCII = str.maketrans(
    {**{c: "-" for c in _DASHES}, **{c: "'" for c in _SINGLE_QUOTES},
     **{c: '"' for c in _DOUBLE_QUOTES}, **{c: " " for c in _SPACES}}
)


def _normalised(line: str) -> str:
    return line.strip().translate(_ASCII)


_PASSES: tuple[Callable[[str], str], ...] = (
    lambda line: line,
    str.rstrip,
    str.strip,
    _normalised,
)


def seek_sequence(
    lines: Sequence[str], pattern: Sequence[str], start: int, end_of_file: bool
) -> int | None:
    """The first index at or after `start` where `pattern` occurs in `lines`, or None.

    An empty pattern is found at `start`. With `end_of_file` the search
    starts where the pattern would end the file.
    """
    if not pattern:
        return start
    if len(pattern) > len(lines):
        return None
    last = len(lines) - len(pattern)
    first = last if end_of_file else start
    for key in _PASSES:
        wanted = [key(p) for p in pattern]
        for i in range(first, last + 1):
            if all(key(lines[i + j]) == w for j, w in enumerate(wanted)):
                return i
    return None
