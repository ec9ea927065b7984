"""Scores and indices of single atoms, each case observed on the reference (0.104)."""

from __future__ import annotations

import pytest

from core_service.search.fuzzy import score_path
from core_service.search.pattern import parse
from core_service.search.score import BONUS_DELIMITER, bonuses, char_class

# (query, path, score, indices) as the reference answered them; None: no match.
OBSERVED: list[tuple[str, str, int | None, list[int] | None]] = [
    ("main", "src/app/main.py", 109, [8, 9, 10, 11]),
    ("main", ".hidden_main.py", 104, [8, 9, 10, 11]),
    ("main", "mAin.rs", 109, [0, 1, 2, 3]),
    ("mp", "src/app/main.py", 52, [8, 13]),
    ("mp", "map.txt", 47, [0, 2]),
    ("mp", "src/app/mapper.py", 50, [8, 15]),
    ("mp", ".git/hooks/applypatch-msg.sample", 40, [22, 29]),
    ("mp", ".git/hooks/fsmonitor-watchman.sample", 36, [32, 33]),
    ("app", "src/app/main.py", 84, [4, 5, 6]),
    ("unicode", "Ünïcode_main.md", 184, [0, 1, 2, 3, 4, 5, 6]),
    ("ab", "x/abc/abc.py", 59, [6, 7]),
    ("ab", "a_xxxxxxxxxxxxxxxxxxxxxxx_b.rs", 31, [0, 26]),
    ("ab", "a_" + "x" * 61 + "_b.txt", 24, [0, 64]),
    ("fb", "foo bar.c", 53, [0, 4]),
    ("fb", "FooBar.h", 51, [0, 3]),
    ("fb", "foo1bar.c", 45, [0, 4]),
    ("obar", "foo bar.c", 85, [2, 4, 5, 6]),
    ("obar", "FooBar.h", 77, [2, 3, 4, 5]),
    ("obar", "foo1bar.c", 69, [2, 4, 5, 6]),
    ("abc", "d2/file0_abc.txt", 80, [9, 10, 11]),
    ("mm", "f10.mm", 56, [4, 5]),
    ("zzzz", "src/app/main.py", None, None),
]


@pytest.mark.parametrize(("query", "path", "score", "indices"), OBSERVED)
def test_fuzzy_atoms_score_as_the_reference(query: str, path: str, score: int | None,
                                            indices: list[int] | None) -> None:
    """A fuzzy atom's best alignment scores and places its indices as the reference's
    matcher does: boundary bonuses, consecutive runs, gap penalties, the score floored
    at 0 over a long gap, and the rightmost of equal alignments."""
    found = score_path(parse(query), path)
    assert (found[0] if found else None, found[1] if found else None) == (score, indices)


def test_bonuses_by_character_class() -> None:
    """The start and a character after `/` earn 9, after `_`, `.` or a space 8 (as do
    those separators themselves, but not `/`), a camelCase step or a digit after a
    letter 5, anything else 0."""
    assert bonuses("a/b_c.d e") == [BONUS_DELIMITER, 0, 9, 8, 8, 8, 8, 8, 8]
    assert bonuses("fooBar1") == [9, 0, 0, 5, 0, 0, 5]
    assert char_class("é") == char_class("e")
