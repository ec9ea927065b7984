"""ConfigService: config/read, config/value/write, config/batchWrite."""

from __future__ import annotations

import asyncio
from typing import Any

from app_server_protocol.errors import internal_error, invalid_request
from core_service.config.load import ConfigError, LoadResult
from core_service.config.write import read_config_response, write_values
from core_service.hub import CallInfo


class ConfigApi:
    """config/read and the writes."""

    def __init__(self, load: LoadResult) -> None:
        self.load = load

    async def config_read(self, params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        """config/read."""
        try:
            return read_config_response(
                self.load, bool(params.get("includeLayers")), params.get("cwd")
            )
        except ConfigError as err:
            raise internal_error(str(err)) from None

    async def _write(self, edits: list[tuple[str, Any, str]], expected: str | None
                     ) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(
                write_values, self.load.config.codex_home, edits, expected
            )
        except ConfigError as err:
            raise invalid_request(str(err)) from None

    async def config_value_write(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """config/value/write."""
        return await self._write(
            [(params["keyPath"], params.get("value"), params.get("mergeStrategy", "replace"))],
            params.get("expectedVersion"),
        )

    async def config_batch_write(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """config/batchWrite."""
        edits = [
            (e["keyPath"], e.get("value"), e.get("mergeStrategy", "replace"))
            for e in params.get("edits", [])
        ]
        return await self._write(edits, params.get("expectedVersion"))
