"""Finding a chunk's lines: exact, then ignoring trailing, surrounding and typographic blanks."""

from __future__ import annotations

from core_service.tools.apply_patch.matching import seek_sequence


def test_exact_match_wins_over_a_fuzzy_earlier_one() -> None:
    """Each pass scans the whole file before a looser pass is tried."""
    lines = ["a  ", "b", "a"]
    assert seek_sequence(lines, ["a"], 0, False) == 2


def test_trailing_then_surrounding_whitespace_is_ignored() -> None:
    """`x ` matches `x`; `  x` matches only once leading blanks are ignored too."""
    assert seek_sequence(["x \t"], ["x"], 0, False) == 0
    assert seek_sequence(["  x"], ["x"], 0, False) == 0
    assert seek_sequence(["one\r", "two\r"], ["one", "two"], 0, False) == 0


def test_typographic_punctuation_matches_ascii() -> None:
    """Dashes, curly quotes and odd spaces in the file match their ASCII forms."""
    assert seek_sequence(["a \u2014 \u201cb\u201d\u00a0\u2019c"], ["a - \"b\" 'c"], 0, False) == 0


def test_start_end_of_file_and_bounds() -> None:
    """The search starts at `start`; `end_of_file` looks only at the end; a pattern
    longer than the file is not found; an empty one is found at `start`."""
    lines = ["a", "b", "a"]
    assert seek_sequence(lines, ["a"], 1, False) == 2
    assert seek_sequence(lines, ["a"], 0, True) == 2
    assert seek_sequence(lines, ["b"], 0, True) is None
    assert seek_sequence(lines, ["a"] * 4, 0, False) is None
    assert seek_sequence(lines, [], 2, False) == 2
    assert seek_sequence(lines, ["c"], 0, False) is None
