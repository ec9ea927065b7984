"""The patch grammar: hunks parsed as the reference parses them, errors in its words."""

from __future__ import annotations

import pytest

from core_service.tools.apply_patch.parser import (
    AddFile,
    Chunk,
    DeleteFile,
    ParseError,
    UpdateFile,
    parse_patch,
)


def patch(*lines: str) -> str:
    return "\n".join(("*** Begin Patch", *lines, "*** End Patch"))


def error_of(text: str) -> str:
    with pytest.raises(ParseError) as caught:
        parse_patch(text)
    return str(caught.value)


def test_add_delete_update_and_move_are_parsed_in_order() -> None:
    """Every hunk kind comes out in patch order with its lines."""
    hunks = parse_patch(patch(
        "*** Add File: new.txt", "+one", "+two",
        "*** Delete File: old.txt",
        "*** Update File: a.txt", "*** Move to: b.txt", "@@ def f", " keep", "-x", "+y",
        "@@", "-z", "+Z", "*** End of File",
    ))
    assert hunks == (
        AddFile("new.txt", "one\ntwo\n"),
        DeleteFile("old.txt"),
        UpdateFile("a.txt", "b.txt", (
            Chunk("def f", ("keep", "x"), ("keep", "y")),
            Chunk(None, ("z",), ("Z",), end_of_file=True),
        )),
    )


def test_an_empty_patch_has_no_hunks() -> None:
    """Begin and End markers alone are a valid, empty patch."""
    assert parse_patch("*** Begin Patch\n*** End Patch") == ()


def test_markers_may_carry_blanks_and_the_text_crlf_endings() -> None:
    """The text is trimmed, boundary lines are compared trimmed and CRLF counts as LF."""
    text = "  *** Begin Patch  \r\n*** Update File: a.txt\r\n-a\r\n+b\r\n*** End Patch\r\n\n"
    assert parse_patch(text) == (UpdateFile("a.txt", None, (Chunk(None, ("a",), ("b",)),)),)


@pytest.mark.parametrize("opener", ["<<EOF", "<<'EOF'", '<<"EOF"'])
def test_a_bare_heredoc_wrapper_is_removed(opener: str) -> None:
    """`<<EOF` ... `EOF` around the patch is unwrapped (the reference's leniency)."""
    text = f"{opener}\n{patch('*** Add File: h.txt', '+hi')}\nEOF\n"
    assert parse_patch(text) == (AddFile("h.txt", "hi\n"),)


def test_a_heredoc_behind_a_command_is_not_unwrapped() -> None:
    """`apply_patch <<'EOF'` as the first line is not a patch (measured on the reference)."""
    text = f"apply_patch <<'EOF'\n{patch('*** Add File: h.txt', '+hi')}\nEOF\n"
    assert error_of(text) == (
        "invalid patch: The first line of the patch must be '*** Begin Patch'")


def test_boundary_errors() -> None:
    """A missing first or last marker is named; an empty text lacks the last."""
    assert error_of("*** Add File: x\n+x\n*** End Patch") == (
        "invalid patch: The first line of the patch must be '*** Begin Patch'")
    assert error_of("*** Begin Patch\n*** Add File: x.txt\n+x\n") == (
        "invalid patch: The last line of the patch must be '*** End Patch'")
    assert error_of("") == "invalid patch: The last line of the patch must be '*** End Patch'"


def test_hunk_errors_name_their_line() -> None:
    """Bad headers, empty updates and stray lines read as the reference's texts."""
    assert error_of(patch("*** Frobnicate File: a.txt")) == (
        "invalid hunk at line 2, '*** Frobnicate File: a.txt' is not a valid hunk header. "
        "Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', "
        "'*** Update File: {path}'")
    assert error_of(patch("*** Update File: a.txt")) == (
        "invalid hunk at line 2, Update file hunk for path 'a.txt' is empty")
    assert error_of(patch("*** Update File: a.txt", "@@", "-a", "garbage")) == (
        "invalid hunk at line 5, Expected update hunk to start with a @@ context marker, "
        "got: 'garbage'")
    assert error_of(patch("*** Update File: a.txt", "@@", "garbage")) == (
        "invalid hunk at line 4, Unexpected line found in update hunk: 'garbage'. Every line "
        "should start with ' ' (context line), '+' (added line), or '-' (removed line)")
    assert error_of(patch("*** Update File: a.txt", "@@", "*** End of File")) == (
        "invalid hunk at line 4, Update hunk does not contain any lines")


def test_update_leniencies() -> None:
    """The first chunk may omit `@@`, an empty line inside a chunk is an empty
    context line and blank lines before a chunk's `@@` are skipped."""
    hunks = parse_patch(patch(
        "*** Update File: a.txt", " a", "", "-b", "@@ c", "+d", "*** Update File: b.txt",
        "  ", "@@", "-e"))
    assert hunks == (
        UpdateFile("a.txt", None, (
            Chunk(None, ("a", "", "b"), ("a", "")),
            Chunk("c", (), ("d",)),
        )),
        UpdateFile("b.txt", None, (Chunk(None, ("e",), ()),)),
    )


def test_an_add_hunk_ends_at_the_first_line_without_plus() -> None:
    """Lines of an added file are the `+` lines that follow its header."""
    hunks = parse_patch(patch("*** Add File: a.txt", "+1", "*** Add File: b.txt"))
    assert hunks == (AddFile("a.txt", "1\n"), AddFile("b.txt", ""))
