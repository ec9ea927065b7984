"""ConfigService: config/read, config/value/write, config/batchWrite.

Every successful write makes the core reload its configuration
(:class:`~core_service.config.source.ConfigSource`) before answering, so the
next request sees the written values. Config errors become the reference's
JSON-RPC errors here: refused writes are -32600 with
`data.config_write_error_code`, a broken file makes `config/read` -32603.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

from app_server_protocol.errors import INVALID_REQUEST, ProtocolError, internal_error
from app_server_protocol.wire_types import (
    ConfigBatchWriteParams,
    ConfigReadParams,
    ConfigValueWriteParams,
)
from core_service.config.errors import ConfigError
from core_service.config.source import ConfigSource
from core_service.config.write import Edit, read_config_response, write_values
from core_service.hub import CallInfo


def write_error(err: ConfigError) -> ProtocolError:
    """The JSON-RPC error of a refused write (its code travels as `data`, like the reference)."""
    data = None if err.code is None else {"config_write_error_code": err.code}
    return ProtocolError(INVALID_REQUEST, err.message, data)


class ConfigApi:
    """config/read and the writes, on the core's one ConfigSource."""

    def __init__(self, source: ConfigSource) -> None:
        self.source = source
        # Writes and their reload go one at a time: a version check must see
        # the file the previous write left, and the last reload the last write.
        self._writing = asyncio.Lock()

    async def config_read(self, params: dict[str, Any], call: CallInfo | None) -> dict[str, Any]:
        """config/read."""
        request = cast(ConfigReadParams, params)
        try:
            response = read_config_response(
                self.source.load, bool(request.get("includeLayers")), request.get("cwd")
            )
        except ConfigError as err:
            raise internal_error(err.message) from None
        return cast(dict[str, Any], response)

    async def _write(
        self,
        edits: Sequence[Edit],
        request: ConfigValueWriteParams | ConfigBatchWriteParams,
    ) -> dict[str, Any]:
        async with self._writing:
            try:
                response = await asyncio.to_thread(
                    write_values,
                    self.source.codex_home,
                    edits,
                    request.get("expectedVersion"),
                    file_path=request.get("filePath"),
                    overrides=self.source.overrides,
                )
            except ConfigError as err:
                raise write_error(err) from None
            await self.source.reload()
        return cast(dict[str, Any], response)

    async def config_value_write(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """config/value/write."""
        request = cast(ConfigValueWriteParams, params)
        strategy = request.get("mergeStrategy") or "replace"
        return await self._write([(request["keyPath"], request.get("value"), strategy)], request)

    async def config_batch_write(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """config/batchWrite."""
        request = cast(ConfigBatchWriteParams, params)
        edits: list[Edit] = [
            (e["keyPath"], e.get("value"), e.get("mergeStrategy") or "replace")
            for e in request.get("edits") or []
        ]
        return await self._write(edits, request)
