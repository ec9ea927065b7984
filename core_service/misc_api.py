"""Small method families of the core: initialize, model/list, config/*, command/exec."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from app_server_protocol import codec
from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from core_service import config as cfgmod
from core_service.hub import CURRENT_CALL, Hub
from core_service.models import catalog
from core_service.user_agent import user_agent

COMMAND_OUTPUT_LIMIT = 1 << 20


class MiscApi:
    """initialize, model/list, config/read|value/write|batchWrite, command/exec."""

    def __init__(self, hub: Hub, load: cfgmod.LoadResult) -> None:
        self.hub = hub
        self.load = load

    async def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        """Record the connection's clientInfo; answer its user agent."""
        info = params.get("clientInfo") or {}
        call = CURRENT_CALL.get()
        if call is not None:
            self.hub.connection_initialized(call.key, info)
        diag = self.load.diagnostic
        if diag is not None and call is not None and not call.replay:
            self.hub.emit(
                codec.from_json(N.ConfigWarningNotification, diag.to_notification()),
                to=[call.key],
            )
        return {"userAgent": user_agent(info.get("name"), info.get("version"))}

    async def model_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """model/list with index cursors."""
        entries = catalog(self.load.config.model, bool(params.get("includeHidden")))
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

    async def config_read(self, params: dict[str, Any]) -> dict[str, Any]:
        """config/read."""
        try:
            return cfgmod.read_config_response(
                self.load, bool(params.get("includeLayers")), params.get("cwd")
            )
        except cfgmod.ConfigError as err:
            raise internal_error(str(err)) from None

    async def _write(self, edits: list[tuple[str, Any, str]], expected: str | None
                     ) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(
                cfgmod.write_values, self.load.config.codex_home, edits, expected
            )
        except cfgmod.ConfigError as err:
            raise invalid_request(str(err)) from None

    async def config_value_write(self, params: dict[str, Any]) -> dict[str, Any]:
        """config/value/write."""
        return await self._write(
            [(params["keyPath"], params.get("value"), params.get("mergeStrategy", "replace"))],
            params.get("expectedVersion"),
        )

    async def config_batch_write(self, params: dict[str, Any]) -> dict[str, Any]:
        """config/batchWrite."""
        edits = [
            (e["keyPath"], e.get("value"), e.get("mergeStrategy", "replace"))
            for e in params.get("edits", [])
        ]
        return await self._write(edits, params.get("expectedVersion"))

    async def command_exec(self, params: dict[str, Any]) -> dict[str, Any]:
        """command/exec: run a command (argv) with a timeout; capture its output."""
        argv = params.get("command") or []
        if not argv:
            raise invalid_request("command must not be empty")
        cwd = params.get("cwd") or os.getcwd()
        timeout_ms = params.get("timeoutMs")
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
        except OSError as err:
            raise internal_error(f"failed to spawn command: {err}") from None
        try:
            out, err_out = await asyncio.wait_for(
                proc.communicate(), (timeout_ms / 1000) if timeout_ms else None
            )
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return {"exitCode": 124, "stdout": "", "stderr": "command timed out"}
        except asyncio.CancelledError:
            # The call was cancelled (client gone, core shutting down): the
            # command must not outlive it.
            proc.kill()
            raise
        return {
            "exitCode": proc.returncode if proc.returncode is not None else -1,
            "stdout": out[:COMMAND_OUTPUT_LIMIT].decode(errors="replace"),
            "stderr": err_out[:COMMAND_OUTPUT_LIMIT].decode(errors="replace"),
        }
