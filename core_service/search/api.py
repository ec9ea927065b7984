"""SearchService: fuzzyFileSearch over the walk and scorer of this package.

The walk and the scoring run in a worker thread, never on the event loop. A
search that names a `cancellationToken` cancels the running search that
named the same one: that search stops and answers with what it ranked so
far. Relative roots are taken against the core's working folder, and each
match names its root as the caller gave it. A blank query answers no files.
"""

from __future__ import annotations

import asyncio
import os
import threading

from app_server_protocol.wire_types import FuzzyFileSearchParams, FuzzyFileSearchResponse
from core_service.hub import CallInfo
from core_service.search.fuzzy import search


class SearchApi:
    """fuzzyFileSearch, with the cancellation tokens of the searches running."""

    def __init__(self) -> None:
        self._running: dict[str, threading.Event] = {}

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
        return {"files": [
            {"root": m.root, "path": m.path, "file_name": m.file_name, "score": m.score,
             "indices": m.indices}
            for m in matches
        ]}
