"""ModelService.ModelList: the catalog, paged by index cursors."""

from __future__ import annotations

from typing import Any

from app_server_protocol.errors import invalid_request
from core_service.config.load import Config
from core_service.hub import CallInfo
from core_service.model.catalog import catalog


class ModelApi:
    """model/list."""

    def __init__(self, config: Config) -> None:
        self.config = config

    async def model_list(self, params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        """model/list with index cursors."""
        entries = catalog(self.config.model, bool(params.get("includeHidden")))
        start = 0
        cursor = params.get("cursor")
        if cursor:
            try:
                start = int(cursor)
            except ValueError:
                raise invalid_request(f"invalid cursor: {cursor}") from None
        limit = params.get("limit") or len(entries)
        page = entries[start : start + limit]
        nxt = start + limit
        return {"data": page, "nextCursor": str(nxt) if nxt < len(entries) else None}
