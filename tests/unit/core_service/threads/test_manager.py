"""Tests for core_service.threads.manager: loaded threads in and out of memory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError
from app_server_protocol.v2 import thread_pb2 as T
from core_service.config.schema import Config, SandboxWorkspaceWrite
from core_service.ids import uuid7
from core_service.store import records
from core_service.store.layout import rollout_path
from core_service.store.reader import load_rollout
from core_service.store.writer import RolloutWriter
from core_service.threads.manager import sandbox_policy
from core_service.threads.state import LoadedThread
from tests.unit.core_service.store.sample import CREATED, meta, simple_turn
from tests.unit.core_service.threads.conftest import Env


def _start(**fields: Any) -> Any:
    return codec.to_json(T.ThreadStartParams(**fields))


def _config(**fields: Any) -> Config:
    return Config(codex_home=Path("/h"), config_path=Path("/h/config.toml"), **fields)


def test_sandbox_policy_of_each_mode() -> None:
    """Each mode gives its wire SandboxPolicy (workspace-write its table's; unknown: read-only)."""
    ws = SandboxWorkspaceWrite(writable_roots=["/a"], network_access=True)
    assert sandbox_policy(_config(sandbox_mode="workspace-write", sandbox_workspace_write=ws)) == {
        "type": "workspaceWrite", "writableRoots": ["/a"], "readOnlyAccess": {"type": "fullAccess"},
        "networkAccess": True, "excludeTmpdirEnvVar": False, "excludeSlashTmp": False}
    assert sandbox_policy(_config(sandbox_mode="danger-full-access")) == {
        "type": "dangerFullAccess"}
    read_only = sandbox_policy(_config(sandbox_mode="nonsense"))
    assert read_only == {"type": "readOnly", "access": {"type": "fullAccess"}}
    assert read_only is not sandbox_policy(_config())  # each thread gets its own copy


async def _on_disk(env: Env, turns: int = 2) -> str:
    """A thread that exists only as a rollout file, with `turns` finished turns."""
    m = meta()
    w = RolloutWriter(rollout_path(env.home, m["id"], CREATED), m)
    for n in range(1, turns + 1):
        await simple_turn(w, f"t{n}", f"q{n}", f"a{n}")
    await w.append([records.token_count({"totalTokens": 5}, {"totalTokens": 2})])
    await w.flush()
    return m["id"]


async def _user_turn(thread: LoadedThread, turn_id: str, text: str) -> None:
    """What the agent loop does for a one-message turn, recorded through the recorder."""
    item = {"type": "userMessage", "id": f"u-{turn_id}",
            "content": [{"type": "text", "text": text, "text_elements": []}]}
    thread.history_marks.append(len(thread.history))
    thread.history.append({"type": "message", "role": "user", "content": text})
    thread.turns.append({"id": turn_id, "items": [item], "status": "completed",  # type: ignore[list-item]
                         "error": None})
    await thread.recorder.append([
        records.turn_started(turn_id), records.response_item(thread.history[-1]),
        records.item_completed(turn_id, item), records.turn_completed(turn_id, "completed", None),
    ])
    await thread.recorder.flush()


async def test_load_reads_a_thread_from_disk_once(env: Env) -> None:
    """A thread only on disk is loaded with its turns, history and token usage; then kept."""
    tid = await _on_disk(env)
    thread = await env.threads.load(tid)
    assert [t["id"] for t in thread.turns] == ["t1", "t2"]
    assert len(thread.history) == 4 and thread.materialized
    assert thread.tokens.total["totalTokens"] == 5 and thread.tokens.last == {"totalTokens": 2}
    assert await env.threads.load(tid) is thread
    assert env.threads.require_loaded(tid) is thread


async def test_lookups_refuse_bad_and_unknown_ids(env: Env) -> None:
    """Malformed ids get the reference's message; unknown ones `thread not found` / no rollout."""
    with pytest.raises(ProtocolError, match="invalid thread id: invalid character"):
        env.threads.require_loaded("not-a-uuid!")
    tid = uuid7()
    with pytest.raises(ProtocolError, match=f"thread not found: {tid}"):
        env.threads.require_loaded(tid)
    with pytest.raises(ProtocolError, match=f"no rollout found for thread id {tid}"):
        await env.threads.load(tid)


async def test_resumed_thread_keeps_its_index_row_current(env: Env) -> None:
    """Activity on a thread loaded from disk reaches thread/list (its recorder shares the meta)."""
    tid = await _on_disk(env)
    thread = await env.threads.load(tid)
    later = thread.meta["updated_at"] + 1000
    thread.meta["updated_at"] = later  # what the end of a turn does
    await thread.recorder.flush()
    rows, _ = await env.store.list(cursor=None, limit=None, sort_key="updated_at",
                                   model_providers=None, source_kinds=None, archived=False,
                                   cwd=None)
    assert [(r.id, r.updated_at) for r in rows] == [(tid, later)]


async def test_new_thread_materialises_with_its_first_user_message(env: Env) -> None:
    """A started thread has no file until a user message; ephemeral ones never have one."""
    thread = await env.threads.create(_start(cwd=str(env.home)))
    assert not thread.materialized and thread.path is not None
    await _user_turn(thread, "t1", "hello")
    assert thread.materialized
    assert [t["id"] for t in load_rollout(thread.path).turns] == ["t1"]

    ephemeral = await env.threads.create(_start(cwd=str(env.home), ephemeral=True))
    await _user_turn(ephemeral, "t1", "hello")
    assert ephemeral.path is None and not ephemeral.materialized
    assert sorted(env.threads.loaded) == sorted([thread.id, ephemeral.id])


async def test_fork_copies_finished_turns_and_history_into_a_new_rollout(env: Env) -> None:
    """A fork of a materialised thread has its own file, the source's turns and history."""
    source = await env.threads.load(await _on_disk(env))
    fork = await env.threads.fork(source, codec.to_json(T.ThreadForkParams(thread_id=source.id)))
    assert fork.id != source.id and fork.meta["forked_from_id"] == source.id
    assert fork.materialized and fork.path is not None
    assert [t["id"] for t in fork.turns] == ["t1", "t2"] and fork.history == source.history
    assert load_rollout(fork.path).meta["id"] == fork.id


async def test_rollback_of_turns_run_here_cuts_memory_and_records_it(env: Env) -> None:
    """Turns started in this process are cut in memory; the rollout agrees after reload."""
    thread = await env.threads.create(_start(cwd=str(env.home)))
    for n in (1, 2, 3):
        await _user_turn(thread, f"t{n}", f"q{n}")
    await env.threads.rollback(thread, 2)
    assert [t["id"] for t in thread.turns] == ["t1"]
    assert [h["content"] for h in thread.history] == ["q1"]
    assert thread.path is not None
    assert [t["id"] for t in load_rollout(thread.path).turns] == ["t1"]
    await env.threads.rollback(thread, 5)  # more than there are: all of them
    assert thread.turns == [] and thread.history == []
    assert load_rollout(thread.path).turns == []


async def test_rollback_of_turns_read_from_disk_replays_the_rollout(env: Env) -> None:
    """Turns loaded from disk have no history marks: the cut comes from replaying the file."""
    thread = await env.threads.load(await _on_disk(env, turns=3))
    await env.threads.rollback(thread, 2)
    assert [t["id"] for t in thread.turns] == ["t1"]
    assert [h["content"][0]["text"] for h in thread.history] == ["q1", "a1"]


async def test_archive_forgets_the_thread_and_moves_its_rollout(env: Env) -> None:
    """Archiving unloads the thread; archiving one without a rollout is refused."""
    tid = await _on_disk(env)
    await env.threads.load(tid)
    await env.threads.archive(tid)
    assert tid not in env.threads.loaded
    assert list((env.home / "archived_sessions").iterdir())[0].name.endswith(f"{tid}.jsonl")
    with pytest.raises(ProtocolError, match=f"no rollout found for thread id {tid}"):
        await env.threads.archive(tid)


async def test_idle_unsubscribed_thread_is_unloaded_and_announced(env: Env) -> None:
    """With no subscriber and no turn for the idle timeout, a thread is unloaded: thread/closed."""
    link = env.hub.attach("g1")
    thread = await env.threads.create(_start(cwd=str(env.home)))
    env.threads.start_reaper()
    frame = await asyncio.wait_for(link.next_frame(), 5)
    assert frame is not None
    event = frame.events[0]
    assert event.notification.WhichOneof("notification") == "thread_closed"
    assert event.notification.thread_closed.thread_id == thread.id
    assert thread.id not in env.threads.loaded
