"""Unified hunks byte-identical to the reference's (the `similar` crate's Myers diff)."""

from __future__ import annotations

from core_service.tools.apply_patch.textdiff import split_lines, unified_hunks


def test_one_line_of_context_as_in_items() -> None:
    """The fileChange item's diff uses one line of context (measured)."""
    old = "zero\none\ntwo\nthree\nfour\n"
    new = "zero\none\nTWO\nthree\nfour\n"
    assert unified_hunks(old, new, 1) == "@@ -2,3 +2,3 @@\n one\n-two\n+TWO\n three\n"
    assert unified_hunks(old, new, 3) == (
        "@@ -1,5 +1,5 @@\n zero\n one\n-two\n+TWO\n three\n four\n")


def test_gnu_ranges_for_empty_and_single_line_sides() -> None:
    """One line is `-N`, none is `-N,0` starting at the line before."""
    assert unified_hunks("", "a\nb\n", 3) == "@@ -0,0 +1,2 @@\n+a\n+b\n"
    assert unified_hunks("bee\n", "", 3) == "@@ -1 +0,0 @@\n-bee\n"
    assert unified_hunks("x\n", "x\n", 3) == ""


def test_missing_final_newline_is_marked() -> None:
    """A last line without a newline is followed by the `\\ No newline` marker."""
    assert unified_hunks("last\nmid\nlast", "last\nmid\nLAST\n", 1) == (
        "@@ -2,2 +2,2 @@\n mid\n-last\n\\ No newline at end of file\n+LAST\n")


def test_line_endings_are_part_of_the_line() -> None:
    """CRLF lines differ from LF lines and are printed with their CR."""
    assert unified_hunks("one\r\ntwo\r\n", "one\n2\n", 1) == (
        "@@ -1,2 +1,2 @@\n-one\r\n-two\r\n+one\n+2\n")
    assert split_lines("a\r\nb") == ["a\r\n", "b"]


def test_distant_changes_make_separate_hunks_close_ones_merge() -> None:
    """Hunks split when more than twice the context separates changes (measured)."""
    old = "".join(f"{i}\n" for i in range(1, 20))
    new = old.replace("\n3\n", "\nX\n").replace("\n9\n", "\nNINE\nNINE2\n")
    assert unified_hunks(old, new, 1) == (
        "@@ -2,3 +2,3 @@\n 2\n-3\n+X\n 4\n@@ -8,3 +8,4 @@\n 8\n-9\n+NINE\n+NINE2\n 10\n")
    assert unified_hunks("a\nb\nc\nd\n", "A\nb\nc\nD\n", 1) == (
        "@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n")


def test_changes_between_equal_runs_print_removals_first() -> None:
    """Interleaved edits come out as all removed lines, then all added ones."""
    assert unified_hunks("a\nb\nc\n", "x\nb\ny\nz\n", 0) == (
        "@@ -1 +1 @@\n-a\n+x\n@@ -3 +3,2 @@\n-c\n+y\n+z\n")
    assert unified_hunks("a\nb\n", "c\nd\n", 3) == "@@ -1,2 +1,2 @@\n-a\n-b\n+c\n+d\n"


def test_past_the_deadline_the_rest_is_replaced_whole() -> None:
    """A search out of time shows the unaligned middle as removed then added lines
    (common ends are still found)."""
    assert unified_hunks("k\na\nb\nc\n", "k\nb\nx\n", 0, deadline_s=-1.0) == (
        "@@ -2,3 +2,2 @@\n-a\n-b\n-c\n+b\n+x\n")
