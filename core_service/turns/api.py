"""turn/start, turn/steer and turn/interrupt on top of the thread manager."""

from __future__ import annotations

from typing import Any

from app_server_protocol.errors import invalid_request
from core_service.hub import CallInfo, Hub
from core_service.threads.manager import ThreadManager, sandbox_policy
from core_service.turns.runner import TurnRunner


class TurnApi:
    """The turn/* methods."""

    def __init__(self, threads: ThreadManager, runner: TurnRunner, hub: Hub) -> None:
        self.threads = threads
        self.runner = runner
        self.hub = hub

    async def start(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """turn/start: respond with the new turn at once; the turn runs in the background."""
        thread_id = params["threadId"]
        thread = self.threads.require_loaded(thread_id)
        if thread.active is not None:
            raise invalid_request(
                f"a turn is already in progress on thread {thread_id}: {thread.active.id}"
            )
        sticky = {
            "model": params.get("model"),
            "cwd": params.get("cwd"),
            "approvalPolicy": params.get("approvalPolicy"),
        }
        if any(v is not None for v in sticky.values()):
            thread.config = self.threads._derive(sticky, thread.config)
            if params.get("cwd"):
                thread.meta["cwd"] = params["cwd"]
        if params.get("sandboxPolicy") is not None:
            thread.meta["sandbox"] = params["sandboxPolicy"]
        elif thread.meta.get("sandbox") is None:
            thread.meta["sandbox"] = sandbox_policy(thread.config)
        if params.get("effort") is not None:
            thread.config.model_reasoning_effort = params["effort"]
        if params.get("summary") is not None:
            thread.config.model_reasoning_summary = params["summary"]
        client = self.hub.client_info(call.key if call else None)
        active = self.runner.start(thread, list(params.get("input", [])), params, client, call)
        return {"turn": {"id": active.id, "items": [], "status": "inProgress", "error": None}}

    async def steer(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """turn/steer: add input to the running turn (sent with its next model request)."""
        thread = self.threads.require_loaded(params["threadId"])
        active = thread.active
        if active is None:
            raise invalid_request("no active turn to steer")
        expected = params.get("expectedTurnId")
        if expected and expected != active.id:
            raise invalid_request(
                f"expected active turn id `{expected}` but found `{active.id}`"
            )
        if not params.get("input"):
            raise invalid_request("input must not be empty")
        active.steer.append(list(params["input"]))
        return {"turnId": active.id}

    async def interrupt(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """turn/interrupt: cancel the running turn; it completes as `interrupted`."""
        thread = self.threads.require_loaded(params["threadId"])
        active = thread.active
        if active is None:
            raise invalid_request(f"no turn in progress on thread {thread.id}")
        turn_id = params.get("turnId")
        if turn_id and turn_id != active.id:
            raise invalid_request(f"turn {turn_id} is not in progress (current: {active.id})")
        # The interrupt's response precedes the turn's last events.
        active.after = call
        if active.task is not None:
            active.task.cancel()
        return {}

    async def compact_start(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """thread/compact/start: compaction runs as a turn of its own."""
        thread = self.threads.require_loaded(params["threadId"])
        await self.runner.compact(thread, call)
        return {}
