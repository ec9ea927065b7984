"""A whole search: candidates, ranking, the limit, roots."""

from __future__ import annotations

import threading
from pathlib import Path

from core_service.search.fuzzy import LIMIT, search


def test_best_fifty_by_score_then_path(tmp_path: Path) -> None:
    """Only the best 50 are kept, highest score first and equal scores by path."""
    for i in range(LIMIT + 20):
        (tmp_path / f"f{i}.mm").write_text("")
    (tmp_path / "mm.txt").write_text("")
    found = search("mm", [str(tmp_path)], "/")
    assert len(found) == LIMIT
    assert found[0].path == "mm.txt" and found[0].score > found[1].score
    rest = [m.path for m in found[1:]]
    assert rest == sorted(rest)


def test_roots_as_given_and_the_last_containing_root(tmp_path: Path) -> None:
    """A relative root resolves against `cwd` and is reported as given; a file under
    two roots is reported twice, each time under the last root containing it (as the
    reference does); a blank or only-negated query finds nothing."""
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "main.py").write_text("")
    rel = search("main", ["src"], str(tmp_path))
    assert [(m.root, m.path, m.file_name) for m in rel] == [("src", "app/main.py", "main.py")]
    roots = [str(tmp_path / "src"), str(tmp_path / "src" / "app")]
    both = search("main", roots, "/")
    assert [(m.root, m.path) for m in both] == [(roots[1], "main.py")] * 2
    assert search(" ", roots, "/") == [] and search("!x", roots, "/") == []


def test_a_cancelled_search_returns_what_it_has(tmp_path: Path) -> None:
    """A search whose cancel is already set stops before walking."""
    (tmp_path / "main.py").write_text("")
    cancel = threading.Event()
    cancel.set()
    assert search("main", [str(tmp_path)], "/", cancel) == []
