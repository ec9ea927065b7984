"""The experimental fuzzyFileSearch session API: one search, query after query.

`fuzzyFileSearch/sessionStart {sessionId, roots}` opens a session (no roots:
-32603, the reference's text); `sessionUpdate {sessionId, query}` answers
`{}` and then notifies the caller: `fuzzyFileSearch/sessionUpdated` with the
matches and `fuzzyFileSearch/sessionCompleted`, as the reference does. The
roots are walked once, on the first update with a query, which therefore
first reports no files while the walk runs (as the reference's first update
does); a blank query reports no files at once; a new update cancels the one
still running. An update of an unknown session is -32600 `fuzzy file search
session not found: <id>`; `sessionStop` forgets a session (an unknown one
too, without error). Sessions
belong to the connection that opened them; at most `MAX_SESSIONS` are kept,
the oldest dropped first. Walks and ranking run in worker threads.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from app_server_protocol import codec, fuzzy_file_search_pb2
from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.wire_types import FuzzyFileSearchResult
from core_service.hub import CallInfo, ConnKey, Hub
from core_service.search.fuzzy import Match, Walked, rank, walk_roots
from core_service.search.pattern import parse

MAX_SESSIONS = 64
NO_ROOTS = ("failed to start fuzzy file search session: at least one search directory "
            "is required")


def wire_results(matches: list[Match]) -> list[FuzzyFileSearchResult]:
    """Matches as `FuzzyFileSearchResult`s."""
    return [{"root": m.root, "path": m.path, "file_name": m.file_name, "score": m.score,
             "indices": m.indices} for m in matches]


@dataclass
class Session:
    """One open session: its roots, their files once walked, the running update."""

    roots: list[str]
    walked: list[Walked] | None = None
    task: asyncio.Task[None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


class Sessions:
    """The open sessions of the core, keyed by (connection, session id)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._open: OrderedDict[tuple[ConnKey | None, str], Session] = OrderedDict()

    def start(self, session_id: str, roots: list[str], call: CallInfo | None) -> None:
        """Open (or reopen) a session over `roots`."""
        if not roots:
            raise internal_error(NO_ROOTS)
        key = (call.key if call else None, session_id)
        self._drop(key)
        self._open[key] = Session(list(roots))
        while len(self._open) > MAX_SESSIONS:
            self._drop(next(iter(self._open)))

    def update(self, session_id: str, query: str, call: CallInfo | None) -> None:
        """Rank `query` in the background; its results are notified to the caller."""
        session = self._find(session_id, call)
        if session.task is not None:
            session.cancel.set()
            session.task.cancel()
        session.cancel = threading.Event()
        session.task = asyncio.get_running_loop().create_task(
            self._run(session, session_id, query, call, session.cancel))

    def stop(self, session_id: str, call: CallInfo | None) -> None:
        """Close a session (its running update stops without a word); stopping an
        unknown one is no error, as with the reference."""
        self._drop((call.key if call else None, session_id))

    def _find(self, session_id: str, call: CallInfo | None) -> Session:
        session = self._open.get((call.key if call else None, session_id))
        if session is None:
            raise invalid_request(f"fuzzy file search session not found: {session_id}")
        return session

    def _drop(self, key: tuple[ConnKey | None, str]) -> None:
        session = self._open.pop(key, None)
        if session is not None and session.task is not None:
            session.cancel.set()
            session.task.cancel()

    async def _run(self, session: Session, session_id: str, query: str,
                   call: CallInfo | None, cancel: threading.Event) -> None:
        if session.walked is None and parse(query):
            self._updated(session_id, query, [], call)
            session.walked = await asyncio.to_thread(walk_roots, session.roots, os.getcwd())
        matches = await asyncio.to_thread(rank, query, session.walked or [], cancel)
        if cancel.is_set():
            return
        self._updated(session_id, query, wire_results(matches), call)
        self._emit(fuzzy_file_search_pb2.FuzzyFileSearchSessionCompletedNotification,
                   {"sessionId": session_id}, call)

    def _updated(self, session_id: str, query: str, files: list[FuzzyFileSearchResult],
                 call: CallInfo | None) -> None:
        self._emit(fuzzy_file_search_pb2.FuzzyFileSearchSessionUpdatedNotification,
                   {"sessionId": session_id, "query": query, "files": files}, call)

    def _emit(self, cls: type, payload: dict[str, object], call: CallInfo | None) -> None:
        if call is not None:
            self.hub.emit(codec.from_json(cls, payload), to=[call.key], after=call)

    async def close(self) -> None:
        """Stop every running update (the core is stopping)."""
        tasks = [s.task for s in self._open.values() if s.task is not None]
        for key in list(self._open):
            self._drop(key)
        await asyncio.gather(*tasks, return_exceptions=True)
