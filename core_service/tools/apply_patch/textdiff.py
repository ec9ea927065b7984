"""Line diffs in unified format, aligned as the reference aligns them.

The reference diffs with the `similar` crate: lines keep their terminators
(so `a\\r\\n` differs from `a\\n`), Myers' divide-and-conquer alignment with
common prefixes and suffixes taken first, every run of changes between two
equal runs printed as its removed lines then its added lines, hunks with
`context` lines around them (two hunks merge when at most twice that many
equal lines separate them), ranges printed GNU-style (`-3` for one line,
`-2,0` for none) and `\\ No newline at end of file` after a last line that
lacks one. Reproducing its alignment, not just any minimal diff, keeps the
`diff` of fileChange items and `turn/diff/updated` byte-identical.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

NO_NEWLINE = "\\ No newline at end of file\n"
# How long one diff may search for the best alignment (the diff is shown anyway).
DEADLINE_SECONDS = 2.0


@dataclass(frozen=True)
class _Equal:
    old: int
    new: int
    length: int


def split_lines(text: str) -> list[str]:
    """`text` cut after each newline; the last line may lack one."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_hunks(old: str, new: str, context: int,
                  deadline_s: float = DEADLINE_SECONDS) -> str:
    """The hunks (no file header) of the diff from `old` to `new`; "" when equal.

    Past `deadline_s` of searching, what is left unaligned is shown as
    removed then added (as `similar` does past its deadline).
    """
    a, b = split_lines(old), split_lines(new)
    equals = _equal_runs(a, b, time.monotonic() + deadline_s)
    out: list[str] = []
    for group in _groups(equals, len(a), len(b), context):
        out.append(_hunk(a, b, group))
    return "".join(out)


def _equal_runs(a: Sequence[str], b: Sequence[str], deadline: float) -> list[_Equal]:
    """The equal runs of the alignment, in order (adjacent runs merged)."""
    runs: list[_Equal] = []
    _conquer(a, 0, len(a), b, 0, len(b), runs, deadline)
    merged: list[_Equal] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and last.old + last.length == run.old and last.new + last.length == run.new:
            merged[-1] = _Equal(last.old, last.new, last.length + run.length)
        elif run.length:
            merged.append(run)
    return merged


def _conquer(a: Sequence[str], a0: int, a1: int, b: Sequence[str], b0: int, b1: int,
             runs: list[_Equal], deadline: float) -> None:
    prefix = 0
    while a0 + prefix < a1 and b0 + prefix < b1 and a[a0 + prefix] == b[b0 + prefix]:
        prefix += 1
    if prefix:
        runs.append(_Equal(a0, b0, prefix))
    a0, b0 = a0 + prefix, b0 + prefix
    suffix = 0
    while a1 - suffix > a0 and b1 - suffix > b0 and a[a1 - suffix - 1] == b[b1 - suffix - 1]:
        suffix += 1
    a1, b1 = a1 - suffix, b1 - suffix
    snake = None
    # Ranges without a common line have nothing to align (and would cost the most).
    if a0 < a1 and b0 < b1 and not set(a[a0:a1]).isdisjoint(b[b0:b1]):
        snake = _middle_snake(a, a0, a1, b, b0, b1, deadline)
    if snake is not None:
        x, y = snake
        _conquer(a, a0, x, b, b0, y, runs, deadline)
        _conquer(a, x, a1, b, y, b1, runs, deadline)
    if suffix:
        runs.append(_Equal(a1, b1, suffix))


def _middle_snake(a: Sequence[str], a0: int, a1: int, b: Sequence[str], b0: int,
                  b1: int, deadline: float) -> tuple[int, int] | None:
    """Where an optimal edit path crosses the middle (Myers 1986, section 4b); None
    once the deadline has passed."""
    n, m = a1 - a0, b1 - b0
    delta = n - m
    odd = delta % 2 == 1
    vf: dict[int, int] = {1: 0}
    vb: dict[int, int] = {1: 0}
    for d in range((n + m + 1) // 2 + 1):
        if time.monotonic() > deadline:
            return None
        for k in range(d, -d - 1, -2):
            if k == -d or (k != d and vf[k - 1] < vf[k + 1]):
                x = vf[k + 1]
            else:
                x = vf[k - 1] + 1
            y = x - k
            x0, y0 = x, y
            while x < n and y < m and a[a0 + x] == b[b0 + y]:
                x, y = x + 1, y + 1
            vf[k] = x
            if odd and abs(k - delta) <= d - 1 and vf[k] + vb[-(k - delta)] >= n:
                return x0 + a0, y0 + b0
        for k in range(d, -d - 1, -2):
            if k == -d or (k != d and vb[k - 1] < vb[k + 1]):
                x = vb[k + 1]
            else:
                x = vb[k - 1] + 1
            y = x - k
            while x < n and y < m and a[a1 - x - 1] == b[b1 - y - 1]:
                x, y = x + 1, y + 1
            vb[k] = x
            if not odd and abs(k - delta) <= d and vb[k] + vf[-(k - delta)] >= n:
                return n - x + a0, m - y + b0
    return None


def _groups(equals: list[_Equal], n: int, m: int, context: int) -> list[list[_Equal]]:
    """Hunks as the equal runs that bound them (trimmed to `context` lines).

    Each group starts and ends with an equal run (possibly empty) and the
    changes between consecutive runs are the hunk's changes.
    """
    bounded = list(equals)
    if not bounded or (bounded[0].old, bounded[0].new) != (0, 0):
        bounded.insert(0, _Equal(0, 0, 0))
    tail = bounded[-1]
    if (tail.old + tail.length, tail.new + tail.length) != (n, m):
        bounded.append(_Equal(n, m, 0))
    if len(bounded) == 1:
        return []
    first, last = bounded[0], bounded[-1]
    cut = max(first.length - context, 0)
    bounded[0] = _Equal(first.old + cut, first.new + cut, first.length - cut)
    bounded[-1] = _Equal(last.old, last.new, min(last.length, context))
    groups: list[list[_Equal]] = []
    current = [bounded[0]]
    for run in bounded[1:-1]:
        if run.length > 2 * context:
            current.append(_Equal(run.old, run.new, context))
            groups.append(current)
            cut = run.length - context
            current = [_Equal(run.old + cut, run.new + cut, run.length - cut)]
        else:
            current.append(run)
    current.append(bounded[-1])
    groups.append(current)
    return groups


def _hunk(a: Sequence[str], b: Sequence[str], group: list[_Equal]) -> str:
    start, end = group[0], group[-1]
    old_range = _range(start.old, end.old + end.length)
    new_range = _range(start.new, end.new + end.length)
    out = [f"@@ -{old_range} +{new_range} @@\n"]
    for run, following in zip(group, group[1:], strict=False):
        out.extend(_line(" ", line) for line in a[run.old:run.old + run.length])
        out.extend(_line("-", line) for line in a[run.old + run.length:following.old])
        out.extend(_line("+", line) for line in b[run.new + run.length:following.new])
    out.extend(_line(" ", line) for line in a[end.old:end.old + end.length])
    return "".join(out)


def _line(tag: str, line: str) -> str:
    return tag + line if line.endswith("\n") else f"{tag}{line}\n{NO_NEWLINE}"


def _range(start: int, end: int) -> str:
    length = end - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"
