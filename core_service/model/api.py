"""ModelService: `model/list`, the catalog paged by index cursors as the reference pages it."""

from __future__ import annotations

import re

from app_server_protocol.errors import invalid_request
from app_server_protocol.wire_types import ModelListParams, ModelListResponse
from core_service.hub import CallInfo
from core_service.model.catalog import models

# What the reference's cursor parser (a 64-bit unsigned integer) accepts.
_CURSOR = re.compile(r"\+?[0-9]+")
_CURSOR_LIMIT = 1 << 64


class ModelApi:
    """The handlers of ModelService."""

    async def model_list(
        self, params: ModelListParams, call: CallInfo | None
    ) -> ModelListResponse:
        """model/list: a page of the catalog.

        The cursor is the index of the first entry; no limit means the whole
        rest, a limit of 0 is read as 1; a cursor past the end is refused.
        """
        entries = models(bool(params.get("includeHidden")))
        start = _start(params.get("cursor"), len(entries))
        limit = params.get("limit")
        end = len(entries) if limit is None else min(len(entries), start + max(1, limit))
        return {"data": entries[start:end],
                "nextCursor": str(end) if end < len(entries) else None}


def _start(cursor: str | None, total: int) -> int:
    if cursor is None:
        return 0
    start = int(cursor) if _CURSOR.fullmatch(cursor) else _CURSOR_LIMIT
    if start >= _CURSOR_LIMIT:
        raise invalid_request(f"invalid cursor: {cursor}")
    if start > total:
        raise invalid_request(f"cursor {start} exceeds total models {total}")
    return start
