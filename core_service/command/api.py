"""CommandService.CommandExec: run an argv under a sandbox with a timeout; capture its output.

The command runs under the call's `sandboxPolicy`, else the one of the
config's `sandbox_mode` (read-only by default), through the same process
handling as the agent's commands (`sandbox.process`): its own process
group, killed with everything it forked on timeout or when the call is
cancelled, and dying with the core. Where bubblewrap cannot run, a
sandboxed command/exec is refused ("exec failed: sandbox unavailable: ...");
the reference refuses every sandboxed command/exec in app-server mode
("exec failed: codex-linux-sandbox was required but not provided"), we run
it sandboxed when we can.
"""

from __future__ import annotations

import os

from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.wire_types import CommandExecParams, CommandExecResponse
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo
from core_service.sandbox.bwrap import SandboxUnavailable
from core_service.sandbox.policy import SandboxPolicy
from core_service.sandbox.process import ExecSpec, run

# The reference's timeout of a command/exec call that names none.
DEFAULT_TIMEOUT_MS = 10_000
TIMED_OUT = "exec failed: sandbox error: command timed out"
KILLED = "exec failed: sandbox error: command was killed by a signal"


class CommandApi:
    """command/exec, with the sandbox of the call or of the current config."""

    def __init__(self, source: ConfigSource | None = None) -> None:
        self._source = source

    def policy(self, params: CommandExecParams, cwd: str) -> SandboxPolicy:
        """The sandbox of a call: its `sandboxPolicy`, else the config's mode."""
        wire = params.get("sandboxPolicy")
        if wire:
            return SandboxPolicy.from_wire(wire, cwd)
        if self._source is None:
            return SandboxPolicy("read-only")
        return SandboxPolicy.from_config(self._source.config, cwd)

    async def command_exec(
        self, params: CommandExecParams, call: CallInfo | None
    ) -> CommandExecResponse:
        """command/exec: run a command (argv) with a timeout; capture its output.

        Failures are the reference's: -32603 "exec failed: ..." for a command
        that cannot start (or needs a sandbox that cannot run), times out
        (`timeoutMs`, 10 s by default, 0 at once) or dies of a signal.
        """
        argv = params.get("command") or []
        if not argv:
            raise invalid_request("command must not be empty")
        cwd = params.get("cwd") or os.getcwd()
        timeout_ms = params.get("timeoutMs")
        if timeout_ms is None:
            timeout_ms = DEFAULT_TIMEOUT_MS
        spec = ExecSpec(list(argv), cwd, self.policy(params, cwd), timeout_ms=timeout_ms)
        try:
            result = await run(spec)
        except SandboxUnavailable as err:
            raise internal_error(f"exec failed: {err}") from None
        except OSError as err:
            # Worded as the reference words an OS error: "<reason> (os error N)".
            reason = f"{err.strerror} (os error {err.errno})" if err.errno else str(err)
            raise internal_error(f"exec failed: {reason}") from None
        if result.timed_out:
            raise internal_error(TIMED_OUT)
        if result.signal is not None:
            raise internal_error(KILLED)
        return {"exitCode": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}
