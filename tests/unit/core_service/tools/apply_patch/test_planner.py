"""Planning: new contents computed from the disk, errors in the reference's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_service.tools.apply_patch.parser import parse_patch
from core_service.tools.apply_patch.planner import FileChange, PlanError, plan_patch


def patch(*lines: str) -> str:
    return "\n".join(("*** Begin Patch", *lines, "*** End Patch"))


async def plan(tmp_path: Path, *lines: str) -> tuple[FileChange, ...]:
    return await plan_patch(str(tmp_path), parse_patch(patch(*lines)))


async def plan_error(tmp_path: Path, *lines: str) -> str:
    with pytest.raises(PlanError) as caught:
        await plan(tmp_path, *lines)
    return str(caught.value)


async def test_each_hunk_gets_its_contents_and_resolved_paths(tmp_path: Path) -> None:
    """Adds carry the new content, deletes the old, updates both; paths are joined to
    the cwd and the patch's own spelling is kept for the summary."""
    (tmp_path / "a.txt").write_text("zero\none\ntwo\nthree\n")
    (tmp_path / "b.txt").write_text("bee\n")
    changes = await plan(
        tmp_path, "*** Add File: n.txt", "+n", "*** Delete File: b.txt",
        "*** Update File: a.txt", "*** Move to: sub/d.txt", "@@", " one", "-two", "+TWO")
    base = str(tmp_path)
    assert changes == (
        FileChange("add", f"{base}/n.txt", "n.txt", None, "n\n"),
        FileChange("delete", f"{base}/b.txt", "b.txt", "bee\n", None),
        FileChange("update", f"{base}/a.txt", "a.txt", "zero\none\ntwo\nthree\n",
                   "zero\none\nTWO\nthree\n", f"{base}/sub/d.txt", "sub/d.txt"),
    )
    assert changes[2].target == f"{base}/sub/d.txt"


async def test_context_marker_then_old_lines(tmp_path: Path) -> None:
    """`@@ ctx` moves the search past the context line; later chunks search after
    earlier ones."""
    (tmp_path / "a.txt").write_text("x\ndef f\nx\ny\nx\n")
    (change,) = await plan(tmp_path, "*** Update File: a.txt", "@@ def f", "-x", "+X",
                           "@@", "-x", "+XX")
    assert change.new == "x\ndef f\nX\ny\nXX\n"


async def test_fuzzy_match_replaces_with_the_patch_lines(tmp_path: Path) -> None:
    """Lines found ignoring blanks (or CRLF) are replaced by the patch's own lines."""
    (tmp_path / "a.txt").write_text("  one   \ntwo\t\n")
    (tmp_path / "c.txt").write_text("one\r\ntwo\r\n")
    (a,) = await plan(tmp_path, "*** Update File: a.txt", "@@", " one", "-two", "+2")
    (c,) = await plan(tmp_path, "*** Update File: c.txt", "@@", " one", "-two", "+2")
    assert a.new == "one\n2\n"
    assert c.new == "one\n2\n"


async def test_end_of_file_and_final_newline(tmp_path: Path) -> None:
    """`*** End of File` anchors at the end; the result always ends with a newline."""
    (tmp_path / "a.txt").write_text("last\nmid\nlast")
    (change,) = await plan(tmp_path, "*** Update File: a.txt", "@@", "-last", "+LAST",
                           "*** End of File")
    assert change.new == "last\nmid\nLAST\n"


async def test_pure_addition_and_trailing_empty_old_line(tmp_path: Path) -> None:
    """A chunk without old lines appends; an old part ending in an empty line also
    matches at the end of the file without it."""
    (tmp_path / "a.txt").write_text("a\nb\n")
    (added,) = await plan(tmp_path, "*** Update File: a.txt", "@@", "+c")
    assert added.new == "a\nb\nc\n"
    (end,) = await plan(tmp_path, "*** Update File: a.txt", "@@", " b", "-", "+B", "+")
    assert end.new == "a\nb\nB\n"


async def test_errors_read_as_the_reference(tmp_path: Path) -> None:
    """Missing files, missing context and unfound lines are named with resolved paths."""
    base = str(tmp_path)
    (tmp_path / "a.txt").write_text("one\n")
    assert await plan_error(tmp_path, "*** Delete File: gone.txt") == (
        f"Failed to read {base}/gone.txt: No such file or directory (os error 2)")
    assert await plan_error(tmp_path, "*** Update File: nope.txt", "@@", "-a") == (
        f"Failed to read file to update {base}/nope.txt: "
        "No such file or directory (os error 2)")
    assert await plan_error(tmp_path, "*** Update File: a.txt", "@@ def foo", "-one") == (
        f"Failed to find context 'def foo' in {base}/a.txt")
    assert await plan_error(tmp_path, "*** Update File: a.txt", "@@", "-x", "-y", "+z") == (
        f"Failed to find expected lines in {base}/a.txt:\nx\ny")
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    assert await plan_error(tmp_path, "*** Delete File: bin") == (
        f"Failed to read {base}/bin: stream did not contain valid UTF-8")


async def test_absolute_paths_stay_absolute(tmp_path: Path) -> None:
    """An absolute path in the patch is not joined to the cwd."""
    other = tmp_path / "other"
    other.mkdir()
    (change,) = await plan_patch(str(tmp_path / "cwd"), parse_patch(
        patch(f"*** Add File: {other}/x.txt", "+x")))
    assert change.path == f"{other}/x.txt"
