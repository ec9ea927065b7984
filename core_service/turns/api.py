"""TurnService: turn/start, turn/steer and turn/interrupt on top of the thread manager."""

from __future__ import annotations

import dataclasses

from app_server_protocol import codec
from app_server_protocol.errors import invalid_request
from app_server_protocol.v2.notification_pb2 import TurnStartedNotification
from app_server_protocol.wire_types import (
    Turn,
    TurnInterruptParams,
    TurnInterruptResponse,
    TurnStartParams,
    TurnStartResponse,
    TurnSteerParams,
    TurnSteerResponse,
)
from core_service.hub import CallInfo, Hub
from core_service.ids import uuid7
from core_service.threads.manager import ThreadManager, sandbox_policy
from core_service.threads.state import LoadedThread
from core_service.turns.lifecycle import interrupt
from core_service.turns.runner import TurnRunner


class TurnApi:
    """The turn/* methods."""

    def __init__(self, threads: ThreadManager, runner: TurnRunner, hub: Hub) -> None:
        self.threads = threads
        self.runner = runner
        self.hub = hub

    async def start(self, params: TurnStartParams, call: CallInfo | None) -> TurnStartResponse:
        """turn/start: respond with the new turn at once; the turn runs in the background."""
        thread_id = params["threadId"]
        thread = self.threads.require_loaded(thread_id)
        self._apply_settings(thread, params)
        if thread.active is not None:
            return self._join_active(thread, params, call)
        schema = params.get("outputSchema")
        active = self.runner.start(
            thread,
            list(params["input"]),
            output_schema=schema if isinstance(schema, dict) and schema else None,
            originator=self.hub.client_info(call.key if call else None),
            call=call,
        )
        return {"turn": {"id": active.id, "items": [], "status": "inProgress", "error": None}}

    def _join_active(self, thread: LoadedThread, params: TurnStartParams,
                     call: CallInfo | None) -> TurnStartResponse:
        """turn/start while a turn runs, as the reference answers it: a new turn id
        (answered, and announced by `turn/started`, but never run or completed)
        while the input joins the running turn, as `turn/steer` would add it:
        its user message and the model's answer to it come in that turn."""
        active = thread.active
        assert active is not None
        active.steer.append(list(params["input"]))
        turn: Turn = {"id": uuid7(), "items": [], "status": "inProgress", "error": None}
        self.hub.emit(codec.from_json(TurnStartedNotification,
                                      {"threadId": thread.id, "turn": turn}),
                      thread_id=thread.id, after=call)
        return {"turn": turn}

    def _apply_settings(self, thread: LoadedThread, params: TurnStartParams) -> None:
        """Make turn/start's settings the thread's own, for this turn and those after it."""
        sticky = {
            "model": params.get("model"),
            "cwd": params.get("cwd"),
            "approvalPolicy": params.get("approvalPolicy"),
        }
        if any(v is not None for v in sticky.values()):
            thread.config = self.threads.derive_config(sticky, thread.config)
            cwd = params.get("cwd")
            if cwd:
                thread.meta["cwd"] = cwd
        policy = params.get("sandboxPolicy")
        if policy is not None:
            # The session metadata keeps the policy as the JSON it was given.
            thread.meta["sandbox"] = policy
        elif thread.meta.get("sandbox") is None:
            thread.meta["sandbox"] = sandbox_policy(thread.config)
        effort, summary = params.get("effort"), params.get("summary")
        if effort is not None or summary is not None:
            # A new Config: the old one may be shared (the manager's base, another thread's).
            cfg = thread.config
            thread.config = dataclasses.replace(
                cfg,
                model_reasoning_effort=cfg.model_reasoning_effort if effort is None else effort,
                model_reasoning_summary=cfg.model_reasoning_summary if summary is None else summary,
            )

    async def steer(self, params: TurnSteerParams, call: CallInfo | None) -> TurnSteerResponse:
        """turn/steer: add input to the running turn (sent with its next model request)."""
        thread = self.threads.require_loaded(params["threadId"])
        # Checked in the reference's order (probed): the input, then the turn.
        if not params["input"]:
            raise invalid_request("input must not be empty")
        active = thread.active
        if active is None:
            raise invalid_request("no active turn to steer")
        expected = params.get("expectedTurnId")
        if expected and expected != active.id:
            raise invalid_request(
                f"expected active turn id `{expected}` but found `{active.id}`"
            )
        active.steer.append(list(params["input"]))
        return {"turnId": active.id}

    async def interrupt(
        self, params: TurnInterruptParams, call: CallInfo | None
    ) -> TurnInterruptResponse:
        """turn/interrupt: cancel the running turn; it completes as `interrupted`."""
        thread = self.threads.require_loaded(params["threadId"])
        active = thread.active
        if active is None:
            raise invalid_request(f"no turn in progress on thread {thread.id}")
        turn_id = params.get("turnId")
        if turn_id and turn_id != active.id:
            raise invalid_request(f"turn {turn_id} is not in progress (current: {active.id})")
        # The interrupt's response precedes the turn's last events.
        interrupt(thread, call)
        return {}
