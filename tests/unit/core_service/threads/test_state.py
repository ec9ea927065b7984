"""Tests for core_service.threads.state: the one v2 `Thread` builder and item numbering."""

from __future__ import annotations

from typing import Any

from core_service.store.store import NullRecorder
from core_service.threads.state import LoadedThread, renumber_items, thread_object

META: Any = {"id": "th", "created_at": 10, "updated_at": 20, "cwd": "/w",
             "model_provider": "mock", "cli_version": "0.1", "source": "cli", "preview": "q",
             "git_info": {"sha": "s", "branch": "b", "originUrl": None}}


def _turns() -> Any:
    return [
        {"id": "t1", "status": "completed", "error": None, "items": [
            {"type": "userMessage", "id": "live-1", "content": []},
            {"type": "agentMessage", "id": "live-2", "text": "a"}]},
        {"id": "t2", "status": "interrupted", "error": None, "items": [
            {"type": "userMessage", "id": "live-3", "content": []}]},
    ]


def test_thread_object_of_metadata() -> None:
    """The Thread carries the metadata under its wire names, with null/empty defaults."""
    assert thread_object(META, "/p.jsonl", []) == {
        "id": "th", "preview": "q", "modelProvider": "mock", "createdAt": 10, "updatedAt": 20,
        "path": "/p.jsonl", "cwd": "/w", "cliVersion": "0.1", "source": "cli",
        "gitInfo": {"sha": "s", "branch": "b", "originUrl": None}, "turns": [],
    }
    bare = thread_object({"id": "x", "created_at": 5}, None, [])
    assert bare["updatedAt"] == 5 and bare["preview"] == "" and bare["gitInfo"] is None
    assert bare["source"] == "vscode" and bare["path"] is None


def test_read_back_items_are_numbered_across_the_thread() -> None:
    """Items show item-1, item-2, ... over all turns; the thread's own turns are untouched."""
    turns = _turns()
    shown = thread_object(META, None, turns)["turns"]
    assert [[i["id"] for i in t["items"]] for t in shown] == [["item-1", "item-2"], ["item-3"]]
    assert [t["id"] for t in shown] == ["t1", "t2"]
    assert turns[0]["items"][0]["id"] == "live-1"
    assert renumber_items([]) == []


def test_loaded_thread_shows_turns_only_when_asked() -> None:
    """thread_json leaves turns out unless include_turns (thread/start, thread/list)."""
    thread = LoadedThread(id="th", meta=META, config=None,  # type: ignore[arg-type]
                          recorder=NullRecorder(), path="/p.jsonl", turns=_turns())
    assert thread.thread_json(include_turns=False)["turns"] == []
    assert len(thread.thread_json(include_turns=True)["turns"]) == 2
