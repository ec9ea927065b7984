"""The loaded threads: creating, loading and forking them, and unloading idle ones.

The manager owns every thread loaded in the core. Threads are created
(thread/start, fork) or loaded from their rollout (resume) here; the caller
that asked is subscribed; threads that have had no subscriber and no running
turn for the idle timeout are unloaded and announced with `thread/closed`.
The thread/* handlers are in :mod:`core_service.threads.api`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from app_server_protocol.errors import ProtocolError, invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import (
    SandboxPolicy,
    ThreadForkParams,
    ThreadResumeParams,
    ThreadStartParams,
)
from core_service.config.errors import ConfigError
from core_service.config.overrides import derive_thread_config
from core_service.config.schema import Config
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.ids import invalid_thread_id_message, is_valid_uuid, uuid7
from core_service.store import records
from core_service.store.reader import StoredThread
from core_service.store.records import SessionMeta
from core_service.store.store import IndexedRecorder, NullRecorder, Store
from core_service.threads.gitinfo import git_info
from core_service.threads.state import LoadedThread
from core_service.user_agent import CLI_VERSION

log = logging.getLogger(__name__)

DEFAULT_IDLE_UNLOAD_SECONDS = 30 * 60.0
# How long archiving waits for a running turn to stop once cancelled.
ARCHIVE_STOP_SECONDS = 10.0
# The thread/resume params that change a loaded thread's configuration.
_RESUME_OVERRIDES = ("model", "modelProvider", "cwd", "approvalPolicy", "sandbox", "config",
                     "baseInstructions", "developerInstructions")

# The policies of the modes that take no settings (`workspace-write` takes
# the `[sandbox_workspace_write]` table's).
_SANDBOX_BY_MODE: dict[str, SandboxPolicy] = {
    "read-only": {"type": "readOnly", "access": {"type": "fullAccess"}},
    "danger-full-access": {"type": "dangerFullAccess"},
}


def sandbox_policy(config: Config) -> SandboxPolicy:
    """The v2 SandboxPolicy object of a config's sandbox mode (read-only when unknown)."""
    if config.sandbox_mode == "workspace-write":
        ws = config.sandbox_workspace_write
        return {
            "type": "workspaceWrite",
            "writableRoots": list(ws.writable_roots),
            "readOnlyAccess": {"type": "fullAccess"},
            "networkAccess": ws.network_access,
            "excludeTmpdirEnvVar": ws.exclude_tmpdir_env_var,
            "excludeSlashTmp": ws.exclude_slash_tmp,
        }
    return copy.deepcopy(_SANDBOX_BY_MODE.get(config.sandbox_mode, _SANDBOX_BY_MODE["read-only"]))


def check_thread_id(thread_id: str) -> None:
    """Reject a malformed thread id with the reference's message."""
    if not is_valid_uuid(thread_id):
        raise invalid_request(invalid_thread_id_message(thread_id))


class ThreadManager:
    """The loaded threads of the core."""

    def __init__(
        self,
        hub: Hub,
        store: Store,
        configs: ConfigSource,
        idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
    ) -> None:
        self.hub = hub
        self.store = store
        self.configs = configs
        self.loaded: dict[str, LoadedThread] = {}
        self.idle_unload_seconds = idle_unload_seconds
        self._reaper: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._unload_hooks: list[Callable[[str], Awaitable[None]]] = []
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

    def on_unload(self, hook: Callable[[str], Awaitable[None]]) -> None:
        """Call `await hook(thread_id)` whenever a thread is unloaded (its processes,
        approvals and other per-thread state elsewhere end with it)."""
        self._unload_hooks.append(hook)

    async def unload(self, thread_id: str) -> None:
        """Forget a loaded thread (after flushing it)."""
        thread = self.loaded.pop(thread_id, None)
        if thread is None:
            return
        self.hub.drop_thread(thread_id)
        for hook in self._unload_hooks:
            try:
                await hook(thread_id)
            except Exception:
                log.exception("unload hook of %s failed", thread_id)
        try:
            await thread.recorder.flush(fsync=True)
        except Exception:
            log.exception("flush of %s failed", thread_id)

    # -- lookups -----------------------------------------------------------------
    def require_loaded(self, thread_id: str) -> LoadedThread:
        """The loaded thread or the reference's `thread not found: <id>` error."""
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is None:
            raise invalid_request(f"thread not found: {thread_id}")
        return thread

    def subscribe_caller(self, thread: LoadedThread, call: CallInfo | None) -> None:
        """Deliver `thread`'s events to the calling connection (none for in-process calls)."""
        if call is not None:
            self.hub.subscribe(thread.id, call.key, after=call)
            thread.idle_since = None

    def derive_config(self, params: Mapping[str, Any], base: Config | None = None) -> Config:
        """A thread's Config: `base` (the current configuration by default) with the
        overrides in `params` (wire names); a bad override is an invalid request."""
        try:
            return derive_thread_config(base or self.configs.config, params)
        except ConfigError as err:
            text = str(err)
            if not text.startswith("error deriving config"):
                text = f"error deriving config: {text}"
            raise invalid_request(text) from None


    def _new_meta(self, cfg: Config, cwd: str, preview: str = "") -> SessionMeta:
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
            "preview": preview,
            "git_info": git_info(cwd),
            "approval_policy": cfg.approval_policy,
            "sandbox": sandbox_policy(cfg),
            "reasoning_effort": cfg.model_reasoning_effort,
            "base_instructions": cfg.base_instructions,
            "developer_instructions": cfg.developer_instructions,
        }

    def _from_stored(self, stored: StoredThread, cfg: Config) -> LoadedThread:
        # One meta for the thread and its recorder: the index row written at
        # each turn boundary must see the thread's activity (updated_at, cwd).
        thread = LoadedThread(
            id=stored.meta["id"],
            meta=stored.meta,
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

    @staticmethod
    def _on_materialize(holder: list[LoadedThread]) -> Callable[[], Awaitable[None]]:
        # The thread does not exist yet when its recorder is made: the
        # callback finds it through `holder` once it does.
        async def on_materialize() -> None:
            if holder:
                holder[0].materialized = True

        return on_materialize

    # -- threads in and out --------------------------------------------------------
    async def create(self, params: ThreadStartParams) -> LoadedThread:
        """A new loaded thread (thread/start); its rollout appears with the first message."""
        cfg = self.derive_config(params)
        cwd = params.get("cwd") or os.getcwd()
        meta = await asyncio.to_thread(self._new_meta, cfg, cwd)
        if params.get("ephemeral"):
            thread = LoadedThread(id=meta["id"], meta=meta, config=cfg,
                                  recorder=NullRecorder(), ephemeral=True)
        else:
            holder: list[LoadedThread] = []
            path = self.store.planned_path(meta)
            recorder = self.store.recorder(meta, path, on_materialize=self._on_materialize(holder))
            thread = LoadedThread(id=meta["id"], meta=meta, config=cfg, recorder=recorder,
                                  path=path)
            holder.append(thread)
        self.loaded[thread.id] = thread
        return thread

    async def load(self, thread_id: str) -> LoadedThread:
        """The loaded thread, read from its rollout first if it is not loaded."""
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is not None:
            return thread
        stored = await self.store.load(thread_id)
        if stored is None:
            raise invalid_request(f"no rollout found for thread id {thread_id}")
        base = self.configs.config
        overrides = {
            "model": stored.meta.get("model"),
            "modelProvider": stored.meta.get("model_provider"),
            "cwd": stored.meta.get("cwd"),
        }
        try:
            cfg = self.derive_config(overrides, base)
        except ProtocolError:
            cfg = base
        thread = self._from_stored(stored, cfg)
        self.loaded[thread_id] = thread
        return thread

    def reconfigure(self, thread: LoadedThread, params: ThreadResumeParams) -> None:
        """Apply thread/resume's configuration overrides to a loaded thread, if any."""
        if not any(params.get(k) for k in _RESUME_OVERRIDES):
            return
        thread.config = self.derive_config(params, thread.config)
        cwd = params.get("cwd")
        if cwd:
            thread.meta["cwd"] = cwd
        if params.get("sandbox"):
            thread.meta["sandbox"] = sandbox_policy(thread.config)

    async def fork(self, source: LoadedThread, params: ThreadForkParams) -> LoadedThread:
        """A new loaded thread carrying `source`'s finished turns and its history."""
        cfg = self.derive_config(params, source.config)
        cwd = params.get("cwd") or source.meta.get("cwd") or os.getcwd()
        meta = await asyncio.to_thread(
            self._new_meta, cfg, cwd, source.meta.get("preview", ""))
        meta["forked_from_id"] = source.id
        path = self.store.planned_path(meta)
        if source.materialized:
            await source.recorder.flush(fsync=True)
        holder: list[LoadedThread] = []
        recorder: IndexedRecorder = self.store.recorder(
            meta, path, fork_source=source.path if source.materialized else None,
            on_materialize=self._on_materialize(holder))
        thread = LoadedThread(
            id=meta["id"], meta=meta, config=cfg, recorder=recorder, path=path,
            turns=[{**t, "items": list(t["items"])} for t in source.turns
                   if t["status"] != "inProgress"],
            history=list(source.history),
        )
        holder.append(thread)
        thread.tokens.total.update(source.tokens.total)
        thread.tokens.last = source.tokens.last
        if source.materialized:
            await recorder.materialize()
        self.loaded[thread.id] = thread
        return thread

    async def archive(self, thread_id: str) -> None:
        """Stop and forget a thread and move its rollout to archived_sessions/."""
        check_thread_id(thread_id)
        thread = self.loaded.get(thread_id)
        if thread is not None:
            if thread.active is not None and thread.active.task is not None:
                thread.active.task.cancel()
                await asyncio.wait_for(thread.active.done.wait(), ARCHIVE_STOP_SECONDS)
            await thread.recorder.flush(fsync=True)
        if not await self.store.archive(thread_id):
            raise invalid_request(f"no rollout found for thread id {thread_id}")
        self.loaded.pop(thread_id, None)

    async def rollback(self, thread: LoadedThread, num_turns: int) -> None:
        """Drop the last `num_turns` turns of an idle thread and the history they added
        (all of them when it has fewer; the record keeps the number asked for)."""
        if len(thread.history_marks) == len(thread.turns):
            # Every turn started in this process: cut in memory, record the cut.
            cut = min(num_turns, len(thread.turns))
            if cut:
                del thread.history[thread.history_marks[-cut]:]
                del thread.history_marks[-cut:]
                del thread.turns[-cut:]
            if thread.materialized:
                await self._record_rollback(thread, num_turns)
        elif thread.materialized and thread.path is not None:
            # Turns read from disk: the history before them is known only by
            # replaying the rollout, which honours the record just written.
            await self._record_rollback(thread, num_turns)
            stored = await self.store.reload(thread.path)
            thread.turns, thread.history = stored.turns, stored.history
        else:
            del thread.turns[-num_turns:]

    async def _record_rollback(self, thread: LoadedThread, num_turns: int) -> None:
        await thread.recorder.append([records.rollback(num_turns)])
        await thread.recorder.flush(fsync=True)
