"""The turn's cumulative git-style diff, byte-identical to the reference's."""

from __future__ import annotations

from pathlib import Path

from core_service.tools.apply_patch.applier import apply_changes
from core_service.tools.apply_patch.parser import parse_patch
from core_service.tools.apply_patch.planner import plan_patch
from core_service.tools.apply_patch.turn_diff import TurnDiff


def patch(*lines: str) -> str:
    return "\n".join(("*** Begin Patch", *lines, "*** End Patch"))


async def apply(tracker: TurnDiff, cwd: Path, *lines: str) -> None:
    changes = await plan_patch(str(cwd), parse_patch(patch(*lines)))
    await tracker.snapshot(changes)
    await apply_changes(changes)
    tracker.moved(changes)


async def test_add_update_delete_move_outside_git(tmp_path: Path) -> None:
    """Paths are absolute outside a work tree; blocks are sorted by current path; git
    blob ids and mode lines as the reference prints them (measured text)."""
    w = str(tmp_path)
    (tmp_path / "a.txt").write_text("zero\none\ntwo\nthree\nfour\n")
    (tmp_path / "b.txt").write_text("bee\n")
    (tmp_path / "c.txt").write_text("x\n")
    tracker = TurnDiff()
    await apply(tracker, tmp_path, "*** Update File: a.txt", "@@", " one", "-two", "+TWO",
                " three", "*** Delete File: b.txt", "*** Update File: c.txt",
                "*** Move to: sub/d.txt", "@@", "-x", "+y", "*** Add File: new.txt", "+n")
    assert await tracker.render() == (
        f"diff --git a/{w}/a.txt b/{w}/a.txt\n"
        "index fa220f83637386c3297a50141c2f2de222eca306..e6cb1bc5c12a3925054b018d10530725dbd7f583\n"
        f"--- a/{w}/a.txt\n+++ b/{w}/a.txt\n"
        "@@ -1,5 +1,5 @@\n zero\n one\n-two\n+TWO\n three\n four\n"
        f"diff --git a/{w}/b.txt b/{w}/b.txt\ndeleted file mode 100644\n"
        "index af9c6fd168ea28cf99aa2c2dd9057a8b720e2262..0000000000000000000000000000000000000000\n"
        f"--- a/{w}/b.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bee\n"
        f"diff --git a/{w}/new.txt b/{w}/new.txt\nnew file mode 100644\n"
        "index 0000000000000000000000000000000000000000..8ba3a16384aacc37d01564b28401755ce8053f51\n"
        f"--- /dev/null\n+++ b/{w}/new.txt\n@@ -0,0 +1 @@\n+n\n"
        f"diff --git a/{w}/c.txt b/{w}/sub/d.txt\n"
        "index 587be6b4c3f93f93c489c0111bba5596147a26cb..975fbec8256d3e8a3797e7a3611380f27c49f4ac\n"
        f"--- a/{w}/c.txt\n+++ b/{w}/sub/d.txt\n@@ -1 +1 @@\n-x\n+y\n"
    )


async def test_cumulative_against_the_first_touch(tmp_path: Path) -> None:
    """A second patch to a file diffs against the content before the first one."""
    (tmp_path / "a.txt").write_text("a\n")
    tracker = TurnDiff()
    await apply(tracker, tmp_path, "*** Update File: a.txt", "@@", "-a", "+A")
    await apply(tracker, tmp_path, "*** Update File: a.txt", "@@", "-A", "+AA")
    diff = await tracker.render()
    assert diff.endswith("@@ -1 +1 @@\n-a\n+AA\n")
    assert ("index 78981922613b2afb6025042ff6bd878ac1994e85.."
            "104cbc4ea9b2a39f3bee83efd8ed177b97f7c8e5\n") in diff


async def test_unchanged_and_created_then_deleted_files_are_left_out(tmp_path: Path) -> None:
    """Nothing differs: the diff is empty (and is then not shown)."""
    (tmp_path / "a.txt").write_text("a\n")
    tracker = TurnDiff()
    assert await tracker.render() == ""
    await apply(tracker, tmp_path, "*** Update File: a.txt", "@@", "-a", "+b")
    await apply(tracker, tmp_path, "*** Update File: a.txt", "@@", "-b", "+a",
                "*** Add File: t.txt", "+t")
    await apply(tracker, tmp_path, "*** Delete File: t.txt")
    assert await tracker.render() == ""


async def test_paths_relative_to_the_git_root(tmp_path: Path) -> None:
    """Inside a work tree paths are relative to its root, whatever the cwd (measured)."""
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.txt").write_text("a\n")
    tracker = TurnDiff()
    await apply(tracker, sub, "*** Add File: g.txt", "+g", "*** Update File: a.txt", "@@",
                "-a", "+b")
    assert await tracker.render() == (
        "diff --git a/sub/a.txt b/sub/a.txt\n"
        "index 78981922613b2afb6025042ff6bd878ac1994e85..61780798228d17af2d34fce4cfbdf35556832472\n"
        "--- a/sub/a.txt\n+++ b/sub/a.txt\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --git a/sub/g.txt b/sub/g.txt\nnew file mode 100644\n"
        "index 0000000000000000000000000000000000000000..01058d844a98d293a3b03a8615a34700e4ed2be3\n"
        "--- /dev/null\n+++ b/sub/g.txt\n@@ -0,0 +1 @@\n+g\n"
    )


async def test_an_add_over_an_existing_file_is_a_modification(tmp_path: Path) -> None:
    """The baseline is what was on disk at the first touch, whatever the hunk kind."""
    (tmp_path / "a.txt").write_text("old\n")
    (tmp_path / "x.sh").write_text("")
    (tmp_path / "x.sh").chmod(0o755)
    tracker = TurnDiff()
    await apply(tracker, tmp_path, "*** Add File: a.txt", "+new", "*** Delete File: x.sh")
    diff = await tracker.render()
    assert "new file mode" not in diff
    assert "@@ -1 +1 @@\n-old\n+new\n" in diff
    assert "deleted file mode 100755\n" in diff
