"""SearchService: fuzzyFileSearch over the walk and scorer of this package.

The walk and the scoring run in a worker thread, never on the event loop. A
search that names a `cancellationToken` cancels the running search that
named the same one: that search stops and answers with what it ranked so
far. Relative roots are taken against the core's working folder, and each
match names its root as the caller gave it. A blank query answers no files.
The experimental session methods are served by `sessions`.
"""

from __future__ import annotations

import asyncio
import os
import threading

from app_server_protocol.wire_types import (
    FuzzyFileSearchParams,
    FuzzyFileSearchResponse,
    FuzzyFileSearchSessionStartParams,
    FuzzyFileSearchSessionStartResponse,
    FuzzyFileSearchSessionStopParams,
    FuzzyFileSearchSessionStopResponse,
    FuzzyFileSearchSessionUpdateParams,
    FuzzyFileSearchSessionUpdateResponse,
)
from core_service.hub import CallInfo, Hub
from core_service.search.fuzzy import search
from core_service.search.sessions import Sessions, wire_results


class SearchApi:
    """fuzzyFileSearch, with the cancellation tokens of the searches running, and
    the experimental session API (`sessions`)."""

    def __init__(self, hub: Hub) -> None:
        self._running: dict[str, threading.Event] = {}
        self.sessions = Sessions(hub)

    async def fuzzy_file_search(
        self, params: FuzzyFileSearchParams, call: CallInfo | None
    ) -> FuzzyFileSearchResponse:
        """fuzzyFileSearch: the best 50 files under `roots` for `query`."""
        token = params.get("cancellationToken")
        cancel = threading.Event()
        if token is not None:
            previous = self._running.get(token)
            if previous is not None:
                previous.set()
            self._running[token] = cancel
        try:
            matches = await asyncio.to_thread(
                search, params["query"], list(params["roots"]), os.getcwd(), cancel)
        finally:
            # Cancelled by a later call: cancel it too when this call's task ends.
            cancel.set()
            if token is not None and self._running.get(token) is cancel:
                del self._running[token]
        return {"files": wire_results(matches)}

    async def session_start(self, params: FuzzyFileSearchSessionStartParams,
                            call: CallInfo | None) -> FuzzyFileSearchSessionStartResponse:
        """fuzzyFileSearch/sessionStart (experimental)."""
        self.sessions.start(params["sessionId"], list(params["roots"]), call)
        return {}

    async def session_update(self, params: FuzzyFileSearchSessionUpdateParams,
                             call: CallInfo | None) -> FuzzyFileSearchSessionUpdateResponse:
        """fuzzyFileSearch/sessionUpdate (experimental): results follow as notifications."""
        self.sessions.update(params["sessionId"], params["query"], call)
        return {}

    async def session_stop(self, params: FuzzyFileSearchSessionStopParams,
                           call: CallInfo | None) -> FuzzyFileSearchSessionStopResponse:
        """fuzzyFileSearch/sessionStop (experimental)."""
        self.sessions.stop(params["sessionId"], call)
        return {}
