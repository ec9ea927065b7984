"""Tests for core_service.threads.api: the ThreadService handlers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError
from app_server_protocol.v2 import thread_pb2 as T
from core_service.hub import CallInfo, ConnKey
from core_service.ids import uuid7
from core_service.store.layout import rollout_path
from core_service.threads.api import ThreadApi
from core_service.threads.state import ActiveTurn, LoadedThread
from tests.unit.core_service.store.sample import CREATED, meta, simple_turn
from tests.unit.core_service.threads.conftest import Env

CALLER = CallInfo(ConnKey("g1", "c1"), 7)


class FakeCompaction:
    """Records the compactions asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[LoadedThread, CallInfo | None]] = []

    async def compact(self, thread: LoadedThread, call: CallInfo | None) -> None:
        self.calls.append((thread, call))


def _params(cls: Any, **fields: Any) -> Any:
    """Params as the servicer hands them over: every field present, absent ones null."""
    return codec.to_json(cls(**fields))


@pytest.fixture
def api(env: Env) -> ThreadApi:
    return ThreadApi(env.threads, env.store, env.hub, FakeCompaction())


async def _on_disk(env: Env, turns: int = 2) -> str:
    """A thread recorded (and indexed) through the store, then not loaded."""
    m = meta(preview="q1")  # the agent loop sets it before recording the first message
    recorder = env.store.recorder(m, str(rollout_path(env.home, m["id"], CREATED)))
    for n in range(1, turns + 1):
        await simple_turn(recorder, f"t{n}", f"q{n}", f"a{n}")  # type: ignore[arg-type]
    await recorder.flush()
    return m["id"]


async def test_start_answers_subscribes_and_announces_after_the_response(
    api: ThreadApi, env: Env
) -> None:
    """thread/start: the thread and its settings; the caller subscribed; thread/started
    broadcast behind the call's response."""
    link = env.hub.attach("g1")
    response = await api.start(_params(T.ThreadStartParams, cwd=str(env.home)), CALLER)
    thread = response["thread"]
    assert thread["cwd"] == str(env.home) and thread["turns"] == []
    assert response["sandbox"] == {"type": "readOnly", "access": {"type": "fullAccess"}}
    assert env.hub.subscribers(thread["id"]) == {CALLER.key}
    frame = await asyncio.wait_for(link.next_frame(), 5)
    assert frame is not None
    event = frame.events[0]
    assert event.notification.thread_started.thread.id == thread["id"]
    assert event.to.all_initialized
    assert (event.after_connection_id, event.after_request_seq) == ("c1", 7)
    codec.from_json(T.ThreadStartResponse, response)  # the wire shape


async def test_read_of_a_thread_only_on_disk_numbers_its_items(
    api: ThreadApi, env: Env
) -> None:
    """thread/read of an unloaded thread reads its rollout; items get read-back ids."""
    tid = await _on_disk(env)
    read = await api.read(_params(T.ThreadReadParams, thread_id=tid, include_turns=True), None)
    turns = read["thread"]["turns"]
    assert [t["id"] for t in turns] == ["t1", "t2"]
    assert [i["id"] for t in turns for i in t["items"]] == ["item-1", "item-2", "item-3", "item-4"]
    assert read["thread"]["preview"] == "q1"
    assert tid not in env.threads.loaded
    missing = uuid7()
    with pytest.raises(ProtocolError, match=f"thread not loaded: {missing}"):
        await api.read(_params(T.ThreadReadParams, thread_id=missing), None)


async def test_read_with_turns_before_the_first_message_is_refused(
    api: ThreadApi, env: Env
) -> None:
    """A loaded thread not yet materialised has no turns to read back."""
    started = await api.start(_params(T.ThreadStartParams, cwd=str(env.home)), None)
    tid = started["thread"]["id"]
    assert (await api.read(_params(T.ThreadReadParams, thread_id=tid), None))["thread"]["id"] == tid
    with pytest.raises(ProtocolError, match="is not materialized yet"):
        await api.read(_params(T.ThreadReadParams, thread_id=tid, include_turns=True), None)


async def test_list_shows_indexed_threads_and_loaded_ones_live(api: ThreadApi, env: Env) -> None:
    """thread/list builds Threads from index rows, or from the loaded thread when there is one."""
    tid = await _on_disk(env)
    listed = await api.list_threads(_params(T.ThreadListParams), None)
    assert [t["id"] for t in listed["data"]] == [tid] and listed["nextCursor"] is None
    assert listed["data"][0]["preview"] == "q1" and listed["data"][0]["turns"] == []
    thread = await env.threads.load(tid)
    thread.meta["preview"] = "live preview"
    listed = await api.list_threads(_params(T.ThreadListParams), None)
    assert listed["data"][0]["preview"] == "live preview"
    with pytest.raises(ProtocolError, match="invalid cursor: nope"):
        await api.list_threads(_params(T.ThreadListParams, cursor="nope"), None)


async def test_resume_fork_and_loaded_list(api: ThreadApi, env: Env) -> None:
    """thread/resume loads and subscribes; thread/fork makes a new thread; loaded/list pages."""
    tid = await _on_disk(env)
    resumed = await api.resume(_params(T.ThreadResumeParams, thread_id=tid), CALLER)
    assert [t["id"] for t in resumed["thread"]["turns"]] == ["t1", "t2"]
    assert env.hub.subscribers(tid) == {CALLER.key}
    forked = await api.fork(_params(T.ThreadForkParams, thread_id=tid), None)
    fid = forked["thread"]["id"]
    assert fid != tid and len(forked["thread"]["turns"]) == 2
    first = await api.loaded_list(_params(T.ThreadLoadedListParams, limit=1), None)
    assert first == {"data": [min(tid, fid)], "nextCursor": min(tid, fid)}
    rest = await api.loaded_list(
        _params(T.ThreadLoadedListParams, cursor=first["nextCursor"]), None)
    assert rest == {"data": [max(tid, fid)], "nextCursor": None}


async def test_set_name_checks_and_records(api: ThreadApi, env: Env) -> None:
    """thread/name/set refuses empty names and unknown threads; the name reaches the index."""
    tid = await _on_disk(env)
    with pytest.raises(ProtocolError, match="thread name must not be empty"):
        await api.set_name(_params(T.ThreadSetNameParams, thread_id=tid, name="  "), None)
    missing = uuid7()
    with pytest.raises(ProtocolError, match=f"thread not found: {missing}"):
        await api.set_name(_params(T.ThreadSetNameParams, thread_id=missing, name="n"), None)
    assert await api.set_name(_params(T.ThreadSetNameParams, thread_id=tid, name="n"), None) == {}
    stored = await env.store.load(tid)
    assert stored is not None and stored.name == "n"


async def test_rollback_validation_and_result(api: ThreadApi, env: Env) -> None:
    """thread/rollback refuses 0 and a running turn; answers the cut thread, all its
    turns cut when asked for more than it has."""
    tid = await _on_disk(env)
    thread = await env.threads.load(tid)
    with pytest.raises(ProtocolError, match="numTurns must be >= 1"):
        await api.rollback(_params(T.ThreadRollbackParams, thread_id=tid, num_turns=0), None)
    thread.active = ActiveTurn(id="running")  # the reference's text, probed
    with pytest.raises(ProtocolError, match=r"^Cannot rollback while a turn is in progress\.$"):
        await api.rollback(_params(T.ThreadRollbackParams, thread_id=tid, num_turns=1), None)
    thread.active = None
    done = await api.rollback(_params(T.ThreadRollbackParams, thread_id=tid, num_turns=1), None)
    assert [t["id"] for t in done["thread"]["turns"]] == ["t1"]
    # More turns than there are: all of them go, as on the reference (probed).
    done = await api.rollback(_params(T.ThreadRollbackParams, thread_id=tid, num_turns=3), None)
    assert done["thread"]["turns"] == []
    assert (await env.threads.load(tid)).turns == []


async def test_archive_and_unarchive(api: ThreadApi, env: Env) -> None:
    """thread/archive unloads and moves the rollout; thread/unarchive brings it back unloaded."""
    tid = await _on_disk(env)
    await env.threads.load(tid)
    assert await api.archive(_params(T.ThreadArchiveParams, thread_id=tid), None) == {}
    assert tid not in env.threads.loaded
    back = await api.unarchive(_params(T.ThreadUnarchiveParams, thread_id=tid), None)
    assert back["thread"]["id"] == tid and back["thread"]["turns"] == []
    assert tid not in env.threads.loaded
    with pytest.raises(ProtocolError, match="no archived rollout found"):
        await api.unarchive(_params(T.ThreadUnarchiveParams, thread_id=tid), None)


async def test_compact_start_hands_the_thread_and_call_to_the_runner(
    api: ThreadApi, env: Env
) -> None:
    """thread/compact/start runs the compaction of the loaded thread for the caller."""
    tid = await _on_disk(env)
    thread = await env.threads.load(tid)
    assert await api.compact_start(_params(T.ThreadCompactStartParams, thread_id=tid), CALLER) == {}
    assert api.compaction.calls == [(thread, CALLER)]  # type: ignore[attr-defined]
    with pytest.raises(ProtocolError, match="thread not found"):
        await api.compact_start(_params(T.ThreadCompactStartParams, thread_id=uuid7()), None)


async def test_unsubscribe_statuses(api: ThreadApi, env: Env) -> None:
    """notLoaded, then unsubscribed for a subscriber, then notSubscribed."""
    tid = await _on_disk(env)
    params = _params(T.ThreadUnsubscribeParams, thread_id=tid)
    assert await api.unsubscribe(params, CALLER) == {"status": "notLoaded"}
    await api.resume(_params(T.ThreadResumeParams, thread_id=tid), CALLER)
    assert await api.unsubscribe(params, CALLER) == {"status": "unsubscribed"}
    assert await api.unsubscribe(params, CALLER) == {"status": "notSubscribed"}
