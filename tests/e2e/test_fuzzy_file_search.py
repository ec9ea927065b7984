"""End to end: fuzzyFileSearch ranks the files under its roots as the reference does."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.conftest import Launcher


def _tree(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for rel in ("src/app/main.py", "src/app/mapper.py", "ignored/main.py", "x.log",
                "node_modules/x/main.js", "map.txt", "mAin.rs", ".hidden_main.py",
                ".hid/main.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    (root / ".gitignore").write_text("ignored/\n*.log\n")


async def test_matches_are_ranked_with_indices(launch: Launcher, transport: str,
                                               tmp_path: Path) -> None:
    """Matches carry root, path, file name, score and the matched character indices,
    best first and equal scores by path; .gitignore'd files are left out, hidden ones
    and untracked folders are not; upper case in the query makes it case-sensitive."""
    root = tmp_path / "tree"
    _tree(root)
    client = await launch(transport)
    await client.initialize()
    found = await client.call("fuzzyFileSearch", {"query": "main", "roots": [str(root)]})
    assert [(f["path"], f["score"], f["indices"]) for f in found["files"]] == [
        (".hid/main.py", 109, [5, 6, 7, 8]),
        ("mAin.rs", 109, [0, 1, 2, 3]),
        ("node_modules/x/main.js", 109, [15, 16, 17, 18]),
        ("src/app/main.py", 109, [8, 9, 10, 11]),
        (".hidden_main.py", 104, [8, 9, 10, 11]),
    ]
    assert found["files"][0]["root"] == str(root)
    assert found["files"][0]["file_name"] == "main.py"
    sensitive = await client.call("fuzzyFileSearch", {"query": "Ain", "roots": [str(root)]})
    assert [f["path"] for f in sensitive["files"]] == ["mAin.rs"]


async def test_empty_query_missing_root_and_relative_root(launch: Launcher,
                                                          tmp_path: Path) -> None:
    """A blank query or a missing root finds nothing; a relative root is taken against
    the server's folder and echoed as given; a cancellation token is accepted."""
    client = await launch("stdio")
    await client.initialize()
    _tree(tmp_path / "work")
    empty = await client.call("fuzzyFileSearch", {"query": "", "roots": [str(tmp_path)]})
    assert empty == {"files": []}
    missing = await client.call("fuzzyFileSearch",
                                {"query": "main", "roots": [str(tmp_path / "nope")]})
    assert missing == {"files": []}
    rel = await client.call("fuzzyFileSearch", {"query": "main", "roots": ["src"],
                                                "cancellationToken": "t1"})
    assert [(f["root"], f["path"], f["score"]) for f in rel["files"]] == [
        ("src", "app/main.py", 109)]


async def test_session_api_notifies_the_caller(launch: Launcher, tmp_path: Path) -> None:
    """With experimentalApi, a session's update answers {} and then notifies the caller:
    sessionUpdated without files while the first walk runs, with the matches, then
    sessionCompleted; an unknown session is refused; without the capability the
    methods are refused."""
    root = tmp_path / "tree"
    _tree(root)
    client = await launch("stdio")
    await client.initialize(experimentalApi=True)
    assert await client.call("fuzzyFileSearch/sessionStart",
                             {"sessionId": "s1", "roots": [str(root)]}) == {}
    assert await client.call("fuzzyFileSearch/sessionUpdate",
                             {"sessionId": "s1", "query": "mapper"}) == {}
    await client.wait_notification("fuzzyFileSearch/sessionCompleted")
    updates = [n["params"] for n in client.notifications
               if n["method"] == "fuzzyFileSearch/sessionUpdated"]
    assert [u["files"] for u in updates][0] == []
    assert [f["path"] for f in updates[-1]["files"]] == ["src/app/mapper.py"]
    missing = await client.request("fuzzyFileSearch/sessionUpdate",
                                   {"sessionId": "nope", "query": "x"})
    assert missing["error"] == {"code": -32600,
                                "message": "fuzzy file search session not found: nope"}
    assert await client.call("fuzzyFileSearch/sessionStop", {"sessionId": "s1"}) == {}
    plain = await launch("stdio")
    await plain.initialize()
    refused = await plain.request("fuzzyFileSearch/sessionStart",
                                  {"sessionId": "s", "roots": [str(root)]})
    assert refused["error"]["message"] == (
        "fuzzyFileSearch/sessionStart requires experimentalApi capability")
