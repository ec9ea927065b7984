"""The experimental session API: updates notified to the caller, in the reference's order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.search.sessions import MAX_SESSIONS, NO_ROOTS, Sessions
from tests.unit.core_service.turns.support import CALL, RecordingHub

UPDATED = "fuzzyFileSearch/sessionUpdated"
COMPLETED = "fuzzyFileSearch/sessionCompleted"


async def _settle(sessions: Sessions, session_id: str) -> None:
    """Wait (bounded) for the session's running update."""
    task = sessions._open[(CALL.key, session_id)].task
    assert task is not None
    await asyncio.wait_for(task, 5)


async def test_first_update_walks_then_later_ones_rank_at_once(tmp_path: Path) -> None:
    """The first update reports no files while the walk runs, then the matches and
    sessionCompleted; a later one reports its matches at once."""
    (tmp_path / "main.py").write_text("")
    hub = RecordingHub()
    sessions = Sessions(hub)
    sessions.start("s1", [str(tmp_path)], CALL)
    sessions.update("s1", "main", CALL)
    await _settle(sessions, "s1")
    sessions.update("s1", "zzz", CALL)
    await _settle(sessions, "s1")
    assert hub.methods() == [UPDATED, UPDATED, COMPLETED, UPDATED, COMPLETED]
    updates = hub.of(UPDATED)
    assert [len(u["files"]) for u in updates] == [0, 1, 0]
    assert updates[1]["files"][0]["path"] == "main.py" and updates[1]["query"] == "main"
    assert hub.of(COMPLETED) == [{"sessionId": "s1"}] * 2


async def test_blank_query_answers_no_files_without_walking(tmp_path: Path) -> None:
    """A blank query reports no files once, then sessionCompleted."""
    hub = RecordingHub()
    sessions = Sessions(hub)
    sessions.start("s", [str(tmp_path / "missing")], CALL)
    sessions.update("s", " ", CALL)
    await _settle(sessions, "s")
    assert hub.methods() == [UPDATED, COMPLETED]


async def test_errors_stop_and_the_bound(tmp_path: Path) -> None:
    """No roots is -32603 with the reference's text; an unknown session -32600; stop
    forgets a session (an unknown one too); the oldest session goes past the bound."""
    sessions = Sessions(RecordingHub())
    with pytest.raises(ProtocolError) as no_roots:
        sessions.start("s", [], CALL)
    assert (no_roots.value.code, no_roots.value.message) == (-32603, NO_ROOTS)
    with pytest.raises(ProtocolError) as unknown:
        sessions.update("nope", "x", CALL)
    assert unknown.value.message == "fuzzy file search session not found: nope"
    sessions.start("s", [str(tmp_path)], CALL)
    sessions.stop("s", CALL)
    sessions.stop("never", CALL)
    with pytest.raises(ProtocolError):
        sessions.update("s", "x", CALL)
    for n in range(MAX_SESSIONS + 1):
        sessions.start(f"s{n}", [str(tmp_path)], CALL)
    with pytest.raises(ProtocolError):
        sessions.update("s0", "x", CALL)
    sessions.update(f"s{MAX_SESSIONS}", "x", CALL)
    await sessions.close()
