"""CommandService.CommandExec: run an argv with a timeout and capture its output."""

from __future__ import annotations

import asyncio
import os

from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.wire_types import CommandExecParams, CommandExecResponse
from core_service.hub import CallInfo

COMMAND_OUTPUT_LIMIT = 1 << 20
# The reference's timeout of a command/exec call that names none.
DEFAULT_TIMEOUT_MS = 10_000
TIMED_OUT = "exec failed: sandbox error: command timed out"
KILLED = "exec failed: sandbox error: command was killed by a signal"


class CommandApi:
    """command/exec."""

    async def command_exec(
        self, params: CommandExecParams, call: CallInfo | None
    ) -> CommandExecResponse:
        """command/exec: run a command (argv) with a timeout; capture its output.

        Failures are the reference's: -32603 "exec failed: ..." for a command
        that cannot start, times out (`timeoutMs`, 10 s by default, 0 at once)
        or dies of a signal.
        """
        argv = params.get("command") or []
        if not argv:
            raise invalid_request("command must not be empty")
        cwd = params.get("cwd") or os.getcwd()
        timeout_ms = params.get("timeoutMs")
        if timeout_ms is None:
            timeout_ms = DEFAULT_TIMEOUT_MS
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
        except OSError as err:
            # Worded as the reference words an OS error: "<reason> (os error N)".
            reason = f"{err.strerror} (os error {err.errno})" if err.errno else str(err)
            raise internal_error(f"exec failed: {reason}") from None
        try:
            out, err_out = await asyncio.wait_for(proc.communicate(), max(timeout_ms, 0) / 1000)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise internal_error(TIMED_OUT) from None
        except asyncio.CancelledError:
            # The call was cancelled (client gone, core shutting down): the
            # command must not outlive it.
            proc.kill()
            raise
        if proc.returncode is None or proc.returncode < 0:
            raise internal_error(KILLED)
        return {
            "exitCode": proc.returncode,
            "stdout": out[:COMMAND_OUTPUT_LIMIT].decode(errors="replace"),
            "stderr": err_out[:COMMAND_OUTPUT_LIMIT].decode(errors="replace"),
        }
