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

from app_server_protocol.errors import INVALID_REQUEST, ProtocolError, internal_error
from app_server_protocol.wire_types import (
    ConfigBatchWriteParams,
    ConfigReadParams,
    ConfigReadResponse,
    ConfigValueWriteParams,
    ConfigWriteResponse,
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

    async def config_read(
        self, params: ConfigReadParams, call: CallInfo | None
    ) -> ConfigReadResponse:
        """config/read."""
        try:
            return read_config_response(
                self.source.load, bool(params.get("includeLayers")), params.get("cwd")
            )
        except ConfigError as err:
            raise internal_error(err.message) from None

    async def _write(
        self,
        edits: Sequence[Edit],
        request: ConfigValueWriteParams | ConfigBatchWriteParams,
    ) -> ConfigWriteResponse:
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
        return response

    async def config_value_write(
        self, params: ConfigValueWriteParams, call: CallInfo | None
    ) -> ConfigWriteResponse:
        """config/value/write."""
        strategy = params.get("mergeStrategy") or "replace"
        return await self._write([(params["keyPath"], params.get("value"), strategy)], params)

    async def config_batch_write(
        self, params: ConfigBatchWriteParams, call: CallInfo | None
    ) -> ConfigWriteResponse:
        """config/batchWrite."""
        edits: list[Edit] = [
            (e["keyPath"], e.get("value"), e.get("mergeStrategy") or "replace")
            for e in params.get("edits") or []
        ]
        return await self._write(edits, params)
