"""ThreadService: the thread/* handlers, one per rpc of `service.proto`'s ThreadService.

Handlers validate, call the thread manager (loaded threads) or the store
(threads only on disk), emit the notifications that follow their response
(`after=call`) and answer in the v2 wire shape.
"""

from __future__ import annotations

from typing import Protocol, cast

from app_server_protocol import codec
from app_server_protocol.errors import invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import (
    AskForApproval,
    ReasoningEffort,
    Thread,
    ThreadArchiveParams,
    ThreadArchiveResponse,
    ThreadCompactStartParams,
    ThreadCompactStartResponse,
    ThreadForkParams,
    ThreadForkResponse,
    ThreadListParams,
    ThreadListResponse,
    ThreadLoadedListParams,
    ThreadLoadedListResponse,
    ThreadReadParams,
    ThreadReadResponse,
    ThreadResumeParams,
    ThreadResumeResponse,
    ThreadRollbackParams,
    ThreadRollbackResponse,
    ThreadSetNameParams,
    ThreadSetNameResponse,
    ThreadStartParams,
    ThreadStartResponse,
    ThreadUnarchiveParams,
    ThreadUnarchiveResponse,
    ThreadUnsubscribeParams,
    ThreadUnsubscribeResponse,
)
from core_service.hub import CallInfo, Hub
from core_service.notices import raw_items
from core_service.notices.deprecation import deprecation_notices
from core_service.store.store import Store
from core_service.threads.manager import ThreadManager, check_thread_id, sandbox_policy
from core_service.threads.state import LoadedThread, thread_object
from core_service.tools.dynamic import checked_tools
from core_service.turns.instructions import initial_context


class Compaction(Protocol):
    """What thread/compact/start needs of the turn runner."""

    async def compact(self, thread: LoadedThread, call: CallInfo | None) -> None:
        """Start a compaction turn on `thread` (refused while a turn runs)."""


def session_response(thread: LoadedThread, include_turns: bool) -> ThreadStartResponse:
    """The answer of thread/start, thread/resume and thread/fork: the thread and its settings."""
    cfg = thread.config
    sandbox = thread.meta.get("sandbox") or sandbox_policy(cfg)
    return {
        "thread": thread.thread_json(include_turns),
        "model": cfg.model,
        "modelProvider": cfg.model_provider_id,
        "cwd": thread.meta.get("cwd", ""),
        # The config was validated against these enums when it was loaded.
        "approvalPolicy": cast(AskForApproval, cfg.approval_policy),
        "sandbox": sandbox,
        "reasoningEffort": cast("ReasoningEffort | None", cfg.model_reasoning_effort),
    }


class ThreadApi:
    """The ThreadService handlers."""

    def __init__(
        self, threads: ThreadManager, store: Store, hub: Hub, compaction: Compaction
    ) -> None:
        self.threads = threads
        self.store = store
        self.hub = hub
        self.compaction = compaction

    def _announce_started(self, thread: Thread, call: CallInfo | None) -> None:
        self.hub.emit(
            codec.from_json(N.ThreadStartedNotification, {"thread": thread}),
            broadcast=True,
            after=call,
        )

    async def start(
        self, params: ThreadStartParams, call: CallInfo | None
    ) -> ThreadStartResponse:
        """thread/start: a new thread, the caller subscribed; `thread/started` follows."""
        tools = checked_tools(params.get("dynamicTools"))
        thread = await self.threads.create(params)
        thread.dynamic_tools = [dict(t) for t in tools]
        thread.raw_events = bool(params.get("experimentalRawEvents"))
        self.threads.subscribe_caller(thread, call)
        response = session_response(thread, include_turns=False)
        self._announce_started(response["thread"], call)
        cwd = thread.meta.get("cwd", "")
        raw_items.announce_context(self.hub, thread, initial_context(thread.config, cwd), call)
        for notice in deprecation_notices(thread.config.raw):
            self.hub.emit(codec.from_json(N.DeprecationNoticeNotification, notice),
                          thread_id=thread.id, after=call)
        return response

    async def resume(
        self, params: ThreadResumeParams, call: CallInfo | None
    ) -> ThreadResumeResponse:
        """thread/resume: load from disk if needed and subscribe the caller."""
        thread = await self.threads.load(params["threadId"])
        self.threads.reconfigure(thread, params)
        self.threads.subscribe_caller(thread, call)
        return session_response(thread, include_turns=True)

    async def fork(self, params: ThreadForkParams, call: CallInfo | None) -> ThreadForkResponse:
        """thread/fork: a new thread carrying the source's turns and history."""
        source = await self.threads.load(params["threadId"])
        thread = await self.threads.fork(source, params)
        self.threads.subscribe_caller(thread, call)
        response = session_response(thread, include_turns=True)
        self._announce_started(response["thread"], call)
        return response

    async def list_threads(
        self, params: ThreadListParams, call: CallInfo | None
    ) -> ThreadListResponse:
        """thread/list (newest first, cursor paging); loaded threads show their live state."""
        archived = bool(params.get("archived"))
        try:
            rows, next_cursor = await self.store.list(
                cursor=params.get("cursor"),
                limit=params.get("limit"),
                sort_key=params.get("sortKey") or "created_at",
                model_providers=params.get("modelProviders"),
                source_kinds=cast("list[str] | None", params.get("sourceKinds")),
                archived=archived,
                cwd=params.get("cwd"),
            )
        except ValueError as err:
            raise invalid_request(str(err)) from None
        data: list[Thread] = []
        for row in rows:
            loaded = self.threads.loaded.get(row.id)
            if loaded is not None and not archived:
                data.append(loaded.thread_json(include_turns=False))
            else:
                data.append(thread_object(row.session_meta(), row.path, []))
        return {"data": data, "nextCursor": next_cursor}

    async def read(self, params: ThreadReadParams, call: CallInfo | None) -> ThreadReadResponse:
        """thread/read (loaded threads, or threads only on disk)."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        include = bool(params.get("includeTurns"))
        thread = self.threads.loaded.get(thread_id)
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
        return {"thread": thread_object(stored.meta, stored.path, stored.turns if include else [])}

    async def archive(
        self, params: ThreadArchiveParams, call: CallInfo | None
    ) -> ThreadArchiveResponse:
        """thread/archive: unload and move the rollout to archived_sessions/."""
        thread_id = params["threadId"]
        await self.threads.archive(thread_id)
        self.hub.emit(N.ThreadArchivedNotification(thread_id=thread_id), broadcast=True,
                      after=call)
        self.hub.drop_thread(thread_id)
        return {}

    async def unarchive(
        self, params: ThreadUnarchiveParams, call: CallInfo | None
    ) -> ThreadUnarchiveResponse:
        """thread/unarchive: move the rollout back (the thread stays unloaded)."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        stored = await self.store.unarchive(thread_id)
        if stored is None:
            raise invalid_request(f"no archived rollout found for thread id {thread_id}")
        self.hub.emit(N.ThreadUnarchivedNotification(thread_id=thread_id), broadcast=True,
                      after=call)
        return {"thread": thread_object(stored.meta, stored.path, [])}

    async def set_name(
        self, params: ThreadSetNameParams, call: CallInfo | None
    ) -> ThreadSetNameResponse:
        """thread/name/set: recorded in the rollout and the index; everyone is told."""
        thread_id, name = params["threadId"], params["name"]
        check_thread_id(thread_id)
        if not name.strip():
            raise invalid_request("thread name must not be empty")
        thread = self.threads.loaded.get(thread_id)
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
        self, params: ThreadLoadedListParams, call: CallInfo | None
    ) -> ThreadLoadedListResponse:
        """thread/loaded/list: ids of loaded threads, paged by id."""
        ids = sorted(self.threads.loaded)
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
        self, params: ThreadRollbackParams, call: CallInfo | None
    ) -> ThreadRollbackResponse:
        """thread/rollback: drop the last N turns (and their model history); N beyond
        the thread's turns drops them all."""
        thread = self.threads.require_loaded(params["threadId"])
        n = int(params.get("numTurns", 0))
        if n < 1:
            raise invalid_request("numTurns must be >= 1")
        if thread.active is not None:
            raise invalid_request("Cannot rollback while a turn is in progress.")
        # More turns than the thread has: all of them, as the reference does.
        await self.threads.rollback(thread, n)
        return {"thread": thread.thread_json(include_turns=True)}

    async def compact_start(
        self, params: ThreadCompactStartParams, call: CallInfo | None
    ) -> ThreadCompactStartResponse:
        """thread/compact/start: compaction runs as a turn of its own."""
        thread = self.threads.require_loaded(params["threadId"])
        await self.compaction.compact(thread, call)
        return {}

    async def unsubscribe(
        self, params: ThreadUnsubscribeParams, call: CallInfo | None
    ) -> ThreadUnsubscribeResponse:
        """thread/unsubscribe: stop delivering this thread's events to the caller."""
        thread_id = params["threadId"]
        check_thread_id(thread_id)
        if thread_id not in self.threads.loaded:
            return {"status": "notLoaded"}
        if call is None or not self.hub.unsubscribe(thread_id, call.key):
            return {"status": "notSubscribed"}
        return {"status": "unsubscribed"}
