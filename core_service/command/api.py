"""CommandService.CommandExec: run an argv with a timeout and capture its output."""

from __future__ import annotations

import asyncio
import os

from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.wire_types import CommandExecParams, CommandExecResponse
from core_service.hub import CallInfo

COMMAND_OUTPUT_LIMIT = 1 << 20


class CommandApi:
    """command/exec."""

    async def command_exec(
        self, params: CommandExecParams, call: CallInfo | None
    ) -> CommandExecResponse:
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
