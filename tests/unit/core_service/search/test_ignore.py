"""Ignore-file rules, read as git reads them."""

from __future__ import annotations

from core_service.search.ignore import IgnoreFile, parse_rule


def test_blank_and_comment_lines_have_no_rule() -> None:
    """Blank lines and `#` comments are skipped; `\\#` is a literal name."""
    assert parse_rule("") is None and parse_rule("# note") is None
    rule = parse_rule("\\#name")
    assert rule is not None and rule.regex.match("#name")


def test_anchoring_globs_and_negation() -> None:
    """A name matches at any depth, a slashed pattern only from the file's folder; `*`
    stays in a component, `**` spans them; a trailing `/` matches folders only; the
    last matching rule wins, `!` re-including."""
    rules = IgnoreFile("*.log\n/top.txt\nbuild/\ndocs/**/*.md\n!keep.log\n")
    assert rules.decide("a.log", False) is True
    assert rules.decide("deep/b.log", False) is True
    assert rules.decide("keep.log", False) is False
    assert rules.decide("top.txt", False) is True
    assert rules.decide("sub/top.txt", False) is None
    assert rules.decide("build", True) is True
    assert rules.decide("build", False) is None
    assert rules.decide("docs/a/b/c.md", False) is True
    assert rules.decide("docs/c.md", False) is True
    assert rules.decide("src/x.py", False) is None
