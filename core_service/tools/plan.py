"""`update_plan`: the model's task plan, shown to clients as `turn/plan/updated`.

No item is created (the reference emits none outside plan mode); the model
reads "Plan updated". Step statuses arrive in the model's snake_case
(`in_progress`) and go out in v2 camelCase (`inProgress`).
"""

from __future__ import annotations

from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import TurnPlanStep, TurnPlanStepStatus
from core_service.serde import ArgumentError, Enum, Opt, Seq, Str, Struct, decode
from core_service.tools.context import ToolCall, ToolContext, ToolResult

PLAN_UPDATED = "Plan updated"
_STATUSES: dict[str, TurnPlanStepStatus] = {
    "pending": "pending", "in_progress": "inProgress", "completed": "completed"}
_ITEM = Struct("PlanItemArg", {"step": Str(), "status": Enum(tuple(_STATUSES))},
               frozenset({"step", "status"}), deny_unknown=True)
ARGS = Struct("UpdatePlanArgs", {"explanation": Opt(Str()), "plan": Seq(_ITEM)},
              frozenset({"plan"}))


async def handle_update_plan(ctx: ToolContext, call: ToolCall) -> ToolResult:
    """Announce the plan of the call's arguments; malformed arguments are the model's error."""
    try:
        args = decode(call.arguments, ARGS)
    except ArgumentError as err:
        return ToolResult(err.model_text())
    steps: list[TurnPlanStep] = [
        {"step": s["step"], "status": _STATUSES[s["status"]]} for s in args["plan"]]
    ctx.emit(N.TurnPlanUpdatedNotification, {
        "threadId": ctx.thread_id, "turnId": ctx.turn_id,
        "explanation": args.get("explanation"), "plan": steps})
    return ToolResult(PLAN_UPDATED)
