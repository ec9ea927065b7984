"""Query syntax: atoms, their kinds, smart case and diacritics."""

from __future__ import annotations

from core_service.search.fuzzy import score_path
from core_service.search.pattern import Kind, fold, parse


def test_atoms_and_their_kinds() -> None:
    """Whitespace splits atoms; `^`, `'`, `$` and `!` choose the kind; an upper-case
    letter makes the atom case-sensitive; a blank query has no atom."""
    atoms = parse("app  ^src 'exact py$ ^whole$ !neg Main")
    assert [(a.text, a.kind, a.negated, a.case_sensitive) for a in atoms] == [
        ("app", Kind.FUZZY, False, False),
        ("src", Kind.PREFIX, False, False),
        ("exact", Kind.SUBSTRING, False, False),
        ("py", Kind.POSTFIX, False, False),
        ("whole", Kind.EXACT, False, False),
        ("neg", Kind.SUBSTRING, True, False),
        ("Main", Kind.FUZZY, False, True),
    ]
    assert parse("   ") == []
    assert [a.text for a in parse(r"sp\ ace")] == ["sp ace"]


def test_fold_keeps_one_character_per_character() -> None:
    """Folding lowers case and drops Latin diacritics without moving indices."""
    assert fold("ÜnïCode") == "unicode"
    assert len(fold("İstanbul")) == len("İstanbul")


def test_atoms_combine_observed_cases() -> None:
    """Atoms' scores add up and their indices merge (observed: `app main` 193, `sp ace`
    139, `^src` 84, `'abc` the leftmost of equal occurrences, `py$` 56); a negated atom
    excludes; case-sensitive atoms need the case."""
    assert score_path(parse("app main"), "src/app/main.py") == (193, [4, 5, 6, 8, 9, 10, 11])
    assert score_path(parse("sp ace"), "sp ace.md") == (139, [0, 1, 3, 4, 5])
    assert score_path(parse("^src"), "src/app/main.py") == (84, [0, 1, 2])
    assert score_path(parse("'abc"), "x/abc/abc.py") == (84, [2, 3, 4])
    assert score_path(parse("py$"), "x/abc/abc.py") == (56, [10, 11])
    assert score_path(parse("abc !cab"), "x/abc/cab.py") is None
    assert score_path(parse("abc !cab"), "x/abc/abc.py") == (84, [6, 7, 8])
    assert score_path(parse("APP/M"), "src/app/main.py") is None
    assert score_path(parse("Main"), "sub/deep/MainFile.java") == (109, [9, 10, 11, 12])
