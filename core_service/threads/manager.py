"""Thread lifecycle: start, resume, fork, list, read, archive, name, rollback, unload.

The manager owns the loaded threads. It subscribes the calling connection on
thread/start, thread/resume and thread/fork, persists through the store
(rollout files + SQLite index) and unloads threads that have had no
subscriber and no running turn for the idle timeout, announcing it with
`thread/closed`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError, invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from core_service.config.load import Config, ConfigError, derive_thread_config
from core_service.hub import CallInfo, Hub
from core_service.ids import invalid_thread_id_message, is_valid_uuid, uuid7
from core_service.store.store import Store, StoredThread
from core_service.threads.gitinfo import git_info
from core_service.threads.state import LoadedThread, NullRecorder
from core_service.user_agent import CLI_VERSION

log = logging.getLogger(__name__)

DEFAULT_IDLE_UNLOAD_SECONDS = 30 * 60.0

_SANDBOX_BY_MODE: dict[str, dict[str, Any]] = {
    "read-only": {"type": "readOnly", "access": {"type": "fullAccess"}},
    "workspace-write": {
        "type": "workspaceWrite",
        "writableRoots": [],
        "readOnlyAccess": {"type": "fullAccess"},
        "networkAccess": False,
        "excludeTmpdirEnvVar": False,
        "excludeSlashTmp": False,
    },
    "danger-full-access": {"type": "dangerFullAccess"},
}


def sandbox_policy(config: Config) -> dict[str, Any]:
    """The v2 SandboxPolicy object of a sandbox mode."""
    policy = dict(_SANDBOX_BY_MODE.get(config.sandbox_mode, _SANDBOX_BY_MODE["read-only"]))
    if policy["type"] == "workspaceWrite":
        ws = getattr(config, "sandbox_workspace_write", None)
        if ws is not None:
            policy["writableRoots"] = list(getattr(ws, "writable_roots", []) or [])
            policy["networkAccess"] = bool(getattr(ws, "network_access", False))
            policy["excludeTmpdirEnvVar"] = bool(getattr(ws, "exclude_tmpdir_env_var", False))
            policy["excludeSlashTmp"] = bool(getattr(ws, "exclude_slash_tmp", False))
    return policy


def check_thread_id(thread_id: str) -> None:
    """Reject a malformed thread id with the reference's message."""
    if not is_valid_uuid(thread_id):
        raise invalid_request(invalid_thread_id_message(thread_id))


class ThreadManager:
    """Loaded threads and the thread/* methods."""

    def __init__(
        self,
        hub: Hub,
        store: Store,
        base_config: Config,
        idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
    ) -> None:
        self.hub = hub
        self.store = store
        self.base_config = base_config
        self.loaded: dict[str, LoadedThread] = {}
        self.idle_unload_seconds = idle_unload_seconds
        self._reaper: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        hub.add_listener(self._on_subscriptions_changed)

    # -- lifecycle -------------------------------------------------------------
    def start_reaper(self) -> None:
        """Start the background task that unloads idle unsubscribed threads."""
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap_loop())

    async def close(self) -> None:
        """Stop the reaper, interrupt running turns and flush every thread."""
        if self._reaper is not None:
            self._reaper.cancel()
        for thread in list(self.loaded.values()):
            if thread.active is not None and thread.active.task is not None:
                thread.active.task.cancel()
                try:
                    await asyncio.wait_for(thread.active.done.wait(), 5)
                except TimeoutError:
                    log.warning("turn of %s did not stop in time", thread.id)
            try:
                await thread.recorder.flush(fsync=True)
            except Exception:
                log.exception("flush of %s failed", thread.id)

    def _on_subscriptions_changed(self) -> None:
        now = time.monotonic()
        for thread in self.loaded.values():
            if not self.hub.subscribers(thread.id) and thread.idle_since is None:
                thread.idle_since = now
        self._wake.set()

    async def _reap_loop(self) -> None:
        while True:
            timeout = max(0.05, min(self.idle_unload_seconds / 4, 30.0))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            now = time.monotonic()
            for thread in list(self.loaded.values()):
                if thread.active is not None or self.hub.subscribers(thread.id):
                    continue
                if thread.idle_since is None:
                    thread.idle_since = now
                    continue
                if now - thread.idle_since >= self.idle_unload_seconds:
                    await self.unload(thread.id)
                    self.hub.emit(N.ThreadClosedNotification(thread_id=thread.id),
                                  broadcast=True)

    async def unload(self, thread_id: str) -> None:
        """Forget a loaded thread (after flushing it)."""
        thread = self.loaded.pop(thread_id, None)
        if thread is None:
            return
        self.hub.drop_thread(thread_id)
        try:
            await thread.recorder.flush(fsync=True)
        except Exception:
            log.exception("flush of %s failed", thread_id)

    # -- helpers -----------------------------------------------------------------
    def get_loaded(self, thread_id: str) -> LoadedThread | None:
        """A loaded thread by id."""
        return self.loaded.get(thread_id)

    def _subscribe_caller(self, thread: LoadedThread, call: CallInfo | None) -> None:
        if call is not None:
            self.hub.subscribe(thread.id, call.key)
            thread.idle_since = None

    def _derive(self, params: dict[str, Any], base: Config | None = None) -> Config:
        try:
            return derive_thread_config(
                base or self.base_config,
                model=params.get("model"),
                model_provider=params.get("modelProvider"),
                cwd=params.get("cwd"),
                approval_policy=params.get("approvalPolicy"),
                sandbox=params.get("sandbox"),
                base_instructions=params.get("baseInstructions"),
                developer_instructions=params.get("developerInstructions"),
                config_overrides=params.get("config"),
            )
        except ConfigError as err:
            text = str(err)
            if not text.startswith("error deriving config"):
                text = f"error deriving config: {text}"
            raise invalid_request(text) from None

    def _session_response(self, thread: LoadedThread, include_turns: bool) -> dict[str, Any]:
        cfg = thread.config
        return {
            "thread": thread.thread_json(include_turns),
            "model": cfg.model,
            "modelProvider": cfg.model_provider_id,
            "cwd": thread.meta.get("cwd", ""),
            "approvalPolicy": cfg.approval_policy,
            "sandbox": thread.meta.get("sandbox") or sandbox_policy(cfg),
            "reasoningEffort": cfg.model_reasoning_effort,
        }

    def _new_meta(self, cfg: Config, cwd: str, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "id": uuid7(),
            "created_at": now,
            "updated_at": now,
            "cwd": cwd,
            "model_provider": cfg.model_provider_id,
            "model": cfg.model,
            "cli_version": CLI_VERSION,
            "source": "vscode",
            "preview": "",
            "git_info": git_info(cwd),
            "approval_policy": cfg.approval_policy,
            "sandbox": sandbox_policy(cfg),
            "reasoning_effort": cfg.model_reasoning_effort,
            "base_instructions": cfg.base_instructions,
            "developer_instructions": cfg.developer_instructions,
            **extra,
        }

    def _from_stored(self, stored: StoredThread, cfg: Config) -> LoadedThread:
        thread = LoadedThread(
            id=stored.meta["id"],
            meta=dict(stored.meta),
            config=cfg,
            recorder=self.store.recorder(stored.meta, stored.path, materialized=True),
            path=stored.path,
            turns=stored.turns,
            history=stored.history,
            materialized=True,
            name=stored.name,
        )
        if stored.token_total:
            thread.tokens.total.update(stored.token_total)
            thread.tokens.last = stored.token_last
        thread.abort_notice = stored.last_turn_interrupted
        return thread

    def _mark_materialized(self, holder: list[LoadedThread]) -> Any:
        async def on_materialize() -> None:
            if holder:
                holder[0].materialized = True

        return on_materialize

    async def _load(self, thread_id: str) -> LoadedThread:
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is not None:
            return thread
        stored = await self.store.load(thread_id)
        if stored is None:
            raise invalid_request(f"no rollout found for thread id {thread_id}")
        base = self.base_config
        overrides = {
            "model": stored.meta.get("model"),
            "modelProvider": stored.meta.get("model_provider"),
            "cwd": stored.meta.get("cwd"),
        }
        try:
            cfg = self._derive(overrides, base)
        except ProtocolError:
            cfg = base
        thread = self._from_stored(stored, cfg)
        self.loaded[thread_id] = thread
        return thread

    # -- methods -------------------------------------------------------------------
    async def start(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/start."""
        cfg = self._derive(params)
        cwd = params.get("cwd") or os.getcwd()
        meta = await asyncio.to_thread(self._new_meta, cfg, cwd)
        ephemeral = bool(params.get("ephemeral"))
        path = None if ephemeral else self.store.planned_path(meta)
        holder: list[LoadedThread] = []
        recorder = NullRecorder() if ephemeral else self.store.recorder(
            meta, path, on_materialize=self._mark_materialized(holder))
        thread = LoadedThread(
            id=meta["id"], meta=meta, config=cfg, recorder=recorder, ephemeral=ephemeral,
            path=path, materialized=False,
        )
        holder.append(thread)
        self.loaded[thread.id] = thread
        self._subscribe_caller(thread, call)
        response = self._session_response(thread, include_turns=False)
        self.hub.emit(
            codec.from_json(N.ThreadStartedNotification, {"thread": response["thread"]}),
            broadcast=True,
            after=call,
        )
        return response

    async def resume(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/resume: load from disk if needed and subscribe the caller."""
        thread = await self._load(params["threadId"])
        if any(params.get(k) for k in ("model", "modelProvider", "cwd", "approvalPolicy",
                                       "sandbox", "config", "baseInstructions",
                                       "developerInstructions")):
            thread.config = self._derive(params, thread.config)
            if params.get("cwd"):
                thread.meta["cwd"] = params["cwd"]
            if params.get("sandbox"):
                thread.meta["sandbox"] = sandbox_policy(thread.config)
        self._subscribe_caller(thread, call)
        return self._session_response(thread, include_turns=True)

    async def fork(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/fork: a new thread carrying the source's turns and history."""
        source = await self._load(params["threadId"])
        cfg = self._derive(params, source.config)
        cwd = params.get("cwd") or source.meta.get("cwd") or os.getcwd()
        meta = await asyncio.to_thread(
            self._new_meta, cfg, cwd, forked_from_id=source.id,
            preview=source.meta.get("preview", ""),
        )
        path = self.store.planned_path(meta)
        if source.materialized:
            await source.recorder.flush(fsync=True)
        holder: list[LoadedThread] = []
        thread = LoadedThread(
            id=meta["id"], meta=meta, config=cfg,
            recorder=self.store.recorder(meta, path, materialized=False,
                                         fork_source=source.path if source.materialized
                                         else None,
                                         on_materialize=self._mark_materialized(holder)),
            path=path,
            turns=[{**t, "items": list(t.get("items", []))} for t in source.turns
                   if t.get("status") != "inProgress"],
            history=list(source.history),
        )
        holder.append(thread)
        thread.tokens.total.update(source.tokens.total)
        thread.tokens.last = source.tokens.last
        if source.materialized:
            await thread.recorder.materialize()  # type: ignore[attr-defined]
            thread.materialized = True
        self.loaded[thread.id] = thread
        self._subscribe_caller(thread, call)
        response = self._session_response(thread, include_turns=True)
        self.hub.emit(
            codec.from_json(N.ThreadStartedNotification, {"thread": response["thread"]}),
            broadcast=True,
            after=call,
        )
        return response

    async def list_threads(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/list (newest first, cursor paging)."""
        try:
            rows, next_cursor = await self.store.list(
                cursor=params.get("cursor"),
                limit=params.get("limit"),
                sort_key=params.get("sortKey") or "created_at",
                model_providers=params.get("modelProviders"),
                source_kinds=params.get("sourceKinds"),
                archived=bool(params.get("archived")),
                cwd=params.get("cwd"),
            )
        except ValueError as err:
            raise invalid_request(str(err)) from None
        data = []
        for row in rows:
            loaded = self.loaded.get(row["id"])
            if loaded is not None and not params.get("archived"):
                data.append(loaded.thread_json(include_turns=False))
            else:
                data.append(row)
        return {"data": data, "nextCursor": next_cursor}

    async def read(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/read (loaded threads, or threads only on disk)."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        include = bool(params.get("includeTurns"))
        thread = self.loaded.get(thread_id)
        if thread is not None:
            if include and not thread.materialized:
                raise invalid_request(
                    f"thread {thread_id} is not materialized yet; includeTurns is unavailable "
                    "before first user message"
                )
            return {"thread": thread.thread_json(include)}
        stored = await self.store.load(thread_id, include_archived=True)
        if stored is None:
            raise invalid_request(f"thread not loaded: {thread_id}")
        tmp = self._from_stored(stored, self.base_config)
        return {"thread": tmp.thread_json(include)}

    async def archive(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/archive: unload and move the rollout to archived_sessions/."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is not None and thread.active is not None and thread.active.task:
            thread.active.task.cancel()
            await asyncio.wait_for(thread.active.done.wait(), 10)
        if thread is not None:
            await thread.recorder.flush(fsync=True)
        moved = await self.store.archive(thread_id)
        if not moved:
            raise invalid_request(f"no rollout found for thread id {thread_id}")
        self.loaded.pop(thread_id, None)
        self.hub.emit(N.ThreadArchivedNotification(thread_id=thread_id), broadcast=True,
                      after=call)
        self.hub.drop_thread(thread_id)
        return {}

    async def unarchive(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/unarchive: move the rollout back (the thread stays unloaded)."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        stored = await self.store.unarchive(thread_id)
        if stored is None:
            raise invalid_request(f"no archived rollout found for thread id {thread_id}")
        tmp = self._from_stored(stored, self.base_config)
        self.hub.emit(N.ThreadUnarchivedNotification(thread_id=thread_id), broadcast=True,
                      after=call)
        return {"thread": tmp.thread_json(include_turns=False)}

    async def set_name(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/name/set."""
        thread_id, name = params["threadId"], params["name"]
        check_thread_id(thread_id)
        if not name.strip():
            raise invalid_request("thread name must not be empty")
        thread = self.loaded.get(thread_id)
        if thread is None and await self.store.load(thread_id, include_archived=True) is None:
            raise invalid_request(f"thread not found: {thread_id}")
        if thread is not None:
            thread.name = name
        await self.store.set_name(
            thread_id, name,
            recorder=thread.recorder if thread is not None and thread.materialized else None,
        )
        self.hub.emit(
            N.ThreadNameUpdatedNotification(thread_id=thread_id, thread_name=name),
            broadcast=True,
            after=call,
        )
        return {}

    async def loaded_list(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/loaded/list: ids of loaded threads, paged by id."""
        ids = sorted(self.loaded)
        cursor = params.get("cursor")
        if cursor:
            ids = [i for i in ids if i > cursor]
        limit = params.get("limit")
        next_cursor = None
        if limit is not None and limit > 0 and len(ids) > limit:
            ids = ids[:limit]
            next_cursor = ids[-1]
        return {"data": ids, "nextCursor": next_cursor}

    async def rollback(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/rollback: drop the last N turns (and their model history)."""
        thread = self.require_loaded(params["threadId"])
        n = int(params.get("numTurns", 0))
        if n < 1:
            raise invalid_request("numTurns must be at least 1")
        if thread.active is not None:
            raise invalid_request("cannot roll back while a turn is running")
        if n > len(thread.turns):
            raise invalid_request(
                f"cannot roll back {n} turns: thread has only {len(thread.turns)}"
            )
        if len(thread.history_marks) == len(thread.turns):
            cut = thread.history_marks[-n]
            del thread.history[cut:]
            del thread.history_marks[-n:]
            del thread.turns[-n:]
            if thread.materialized:
                await self.store.record_rollback(thread, n)
        else:
            await self.store.rollback(thread, n)
        return {"thread": thread.thread_json(include_turns=True)}

    async def unsubscribe(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/unsubscribe: stop delivering this thread's events to the caller."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        if thread_id not in self.loaded:
            return {"status": "notLoaded"}
        if call is None or not self.hub.unsubscribe(thread_id, call.key):
            return {"status": "notSubscribed"}
        return {"status": "unsubscribed"}

    def require_loaded(self, thread_id: str) -> LoadedThread:
        """The loaded thread or the reference's `thread not found: <id>` error."""
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is None:
            raise invalid_request(f"thread not found: {thread_id}")
        return thread

