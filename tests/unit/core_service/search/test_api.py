"""fuzzyFileSearch's handler: the wire shape and cancellation tokens."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from core_service.search import api as search_api
from core_service.search.api import SearchApi
from tests.unit.core_service.turns.support import CALL, RecordingHub


async def test_answers_wire_results(tmp_path: Path) -> None:
    """Each match becomes a FuzzyFileSearchResult (root, path, file_name, score, indices)."""
    (tmp_path / "main.py").write_text("")
    found = await SearchApi(RecordingHub()).fuzzy_file_search(
        {"query": "main", "roots": [str(tmp_path)], "cancellationToken": None}, None)
    assert found == {"files": [{"root": str(tmp_path), "path": "main.py",
                                "file_name": "main.py", "score": 109, "indices": [0, 1, 2, 3]}]}


async def test_same_token_cancels_the_running_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second search naming the same token cancels the first, which answers with what
    it had; a search with another token is left alone."""
    seen: dict[str, threading.Event] = {}
    arrived = {q: threading.Event() for q in ("first", "other", "second")}
    release = threading.Event()

    def fake(query: str, roots: list[str], cwd: str, cancel: threading.Event) -> list[object]:
        seen[query] = cancel
        arrived[query].set()
        if query == "first":
            cancel.wait(5)
        release.wait(5)
        return []

    monkeypatch.setattr(search_api, "search", fake)
    api = SearchApi(RecordingHub())
    first = asyncio.create_task(api.fuzzy_file_search(
        {"query": "first", "roots": [], "cancellationToken": "t"}, None))
    other = asyncio.create_task(api.fuzzy_file_search(
        {"query": "other", "roots": [], "cancellationToken": "u"}, None))
    for query in ("first", "other"):
        assert await asyncio.to_thread(arrived[query].wait, 5)
    second = asyncio.create_task(api.fuzzy_file_search(
        {"query": "second", "roots": [], "cancellationToken": "t"}, None))
    assert await asyncio.to_thread(arrived["second"].wait, 5)
    assert seen["first"].is_set() and not seen["other"].is_set()
    release.set()
    assert list(await asyncio.wait_for(asyncio.gather(first, other, second), 5)) == [
        {"files": []}] * 3


async def test_session_methods_answer_empty_objects(tmp_path: Path) -> None:
    """sessionStart, sessionUpdate and sessionStop answer {} (the results of an update
    are notified, see test_sessions)."""
    api = SearchApi(RecordingHub())
    assert await api.session_start({"sessionId": "s", "roots": [str(tmp_path)]}, CALL) == {}
    assert await api.session_update({"sessionId": "s", "query": ""}, CALL) == {}
    assert await api.session_stop({"sessionId": "s"}, CALL) == {}
    await api.sessions.close()
