"""The agent loop: one turn of a thread against the model.

A turn records the user's input, asks the model (Responses API over SSE)
with the thread's whole history, streams the items it produces as v2
notifications in the reference's order, and ends with `turn/completed`
(`completed`, `failed` with a TurnError, or `interrupted`). Follow-up model
requests run within the same turn when the model called a tool or the
client steered the turn.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import mimetypes
import time
import uuid
from pathlib import Path
from typing import Any

from app_server_protocol import codec
from app_server_protocol.errors import invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from core_service.hub import CallInfo, Hub
from core_service.ids import uuid7
from core_service.model import client as mc
from core_service.model.catalog import context_window, supports_reasoning
from core_service.threads.state import ActiveTurn, LoadedThread
from core_service.turns.instructions import (
    BASE_INSTRUCTIONS,
    TURN_ABORTED_NOTICE,
    environment_context,
    permissions_message,
)
from core_service.user_agent import user_agent

log = logging.getLogger(__name__)

NULL_RATE_LIMITS: dict[str, Any] = {
    "limitId": "codex",
    "limitName": None,
    "primary": None,
    "secondary": None,
    "credits": None,
    "planType": None,
}


def _now_ts() -> int:
    return int(time.time())


def user_input_to_model(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Responses API content parts of a user message (runs in a worker: may read images)."""
    parts: list[dict[str, Any]] = []
    for item in inputs:
        kind = item.get("type")
        if kind == "text":
            parts.append({"type": "input_text", "text": item.get("text", "")})
        elif kind == "image":
            parts.append({"type": "input_image", "image_url": item.get("url", "")})
        elif kind == "localImage":
            path = Path(item.get("path", ""))
            try:
                data = path.read_bytes()
            except OSError as err:
                parts.append(
                    {"type": "input_text", "text": f"<image {path} could not be read: {err}>"}
                )
                continue
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
            parts.append({"type": "input_image", "image_url": url})
        elif kind in ("skill", "mention"):
            parts.append(
                {"type": "input_text", "text": f"<{kind} name={item.get('name')!r} "
                 f"path={item.get('path')!r}>"}
            )
    return parts


def _part(parts_by_item: dict[str, list[list[str]]], item_id: str, index: int) -> list[str]:
    """The text pieces of part `index` of an item (summary or content), created on demand."""
    parts = parts_by_item.setdefault(item_id, [])
    while len(parts) <= index:
        parts.append([])
    return parts[index]


def preview_of(inputs: list[dict[str, Any]]) -> str:
    """Thread preview: the text of the first user message."""
    return "".join(i.get("text", "") for i in inputs if i.get("type") == "text")


class TurnRunner:
    """Runs turns for the thread manager (one instance per core)."""

    def __init__(self, hub: Hub, client: mc.ModelClient, auth: Any) -> None:
        self.hub = hub
        self.client = client
        self.auth = auth
        # Last rate-limit snapshot broadcast, per limit id.
        self._last_limits: dict[str, dict[str, Any]] = {}

    # -- notifications ------------------------------------------------------
    @staticmethod
    def _after(thread: LoadedThread) -> CallInfo | None:
        return thread.active.after if thread.active is not None else None

    def _emit_json(self, thread: LoadedThread, cls: type, data: dict[str, Any]) -> None:
        self.hub.emit(codec.from_json(cls, data), thread_id=thread.id, after=self._after(thread))

    def _item(self, thread: LoadedThread, turn_id: str, item: dict[str, Any], done: bool) -> None:
        cls = N.ItemCompletedNotification if done else N.ItemStartedNotification
        self._emit_json(thread, cls, {"item": item, "threadId": thread.id, "turnId": turn_id})

    def _rate_limits(self, thread: LoadedThread, snapshot: dict[str, Any]) -> None:
        """account/rateLimits/updated: to the turn's subscribers every time (the
        reference's per-turn sequence), to every other connection only when the
        snapshot of that limit changed (a broadcast per turn would make each
        turn cost O(connections) writes)."""
        msg = codec.from_json(N.AccountRateLimitsUpdatedNotification, {"rateLimits": snapshot})
        key = snapshot.get("limitId") or ""
        if self._last_limits.get(key) != snapshot:
            self._last_limits[key] = snapshot
            self.hub.emit(msg, broadcast=True, after=self._after(thread))
        else:
            self.hub.emit(msg, thread_id=thread.id, after=self._after(thread))

    def _token_usage(self, thread: LoadedThread, turn_id: str) -> None:
        last = thread.tokens.last or dict(thread.tokens.total)
        self._emit_json(
            thread,
            N.ThreadTokenUsageUpdatedNotification,
            {
                "threadId": thread.id,
                "turnId": turn_id,
                "tokenUsage": {
                    "total": thread.tokens.total,
                    "last": last,
                    "modelContextWindow": context_window(thread.config.model),
                },
            },
        )

    # -- the turn -------------------------------------------------------------
    def start(
        self,
        thread: LoadedThread,
        inputs: list[dict[str, Any]],
        overrides: dict[str, Any],
        originator: dict[str, Any] | None,
        call: CallInfo | None,
    ) -> ActiveTurn:
        """Start a turn in the background; returns its handle (id known at once)."""
        active = ActiveTurn(id=uuid7(), after=call)
        thread.active = active
        thread.idle_since = None
        turn: dict[str, Any] = {"id": active.id, "items": [], "status": "inProgress", "error": None}
        if len(thread.history_marks) == len(thread.turns):
            thread.history_marks.append(len(thread.history))
        thread.turns.append(turn)
        active.task = asyncio.get_running_loop().create_task(
            self._run(thread, active, turn, inputs, overrides, originator)
        )
        return active

    async def _run(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        inputs: list[dict[str, Any]],
        overrides: dict[str, Any],
        originator: dict[str, Any] | None,
    ) -> None:
        status, error = "completed", None
        try:
            self._emit_json(
                thread,
                N.TurnStartedNotification,
                {"threadId": thread.id, "turn": {**turn, "items": []}},
            )
            await thread.recorder.append(
                [
                    {
                        "type": "turn_context",
                        "payload": {
                            "turn_id": active.id,
                            "cwd": overrides.get("cwd") or thread.meta.get("cwd"),
                            "approval_policy": overrides.get("approvalPolicy")
                            or thread.config.approval_policy,
                            "model": overrides.get("model") or thread.config.model,
                            "effort": overrides.get("effort"),
                            "summary": overrides.get("summary"),
                        },
                    },
                    {"type": "event_msg", "payload": {"type": "turn_started", "turnId": active.id}},
                ]
            )
            if thread.tokens.last is not None:
                self._token_usage(thread, active.id)
            await self._record_user_message(thread, active.id, turn, inputs)
            await self._sample_loop(thread, active, turn, overrides, originator)
        except asyncio.CancelledError:
            status = "interrupted"
            thread.abort_notice = True
        except mc.ModelError as err:
            status = "failed"
            error = {
                "message": err.message,
                "codexErrorInfo": err.info,
                "additionalDetails": err.additional_details,
            }
        except Exception as err:  # a bug must end the turn, not the core
            log.exception("turn %s failed", active.id)
            status = "failed"
            error = {"message": f"internal error: {err}", "codexErrorInfo": "other",
                     "additionalDetails": None}
        finally:
            await self._finish(thread, active, turn, status, error)

    async def _finish(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        status: str,
        error: dict[str, Any] | None,
    ) -> None:
        turn["status"] = status
        turn["error"] = error
        if error is not None:
            self._emit_json(
                thread,
                N.ErrorNotification,
                {"error": error, "willRetry": False, "threadId": thread.id, "turnId": active.id},
            )
        self._emit_json(
            thread,
            N.TurnCompletedNotification,
            {"threadId": thread.id, "turn": {**turn, "items": []}},
        )
        thread.active = None
        thread.idle_since = time.monotonic()
        thread.meta["updated_at"] = _now_ts()
        active.done.set()
        try:
            await asyncio.shield(self._persist_end(thread, active.id, status, error))
        except Exception:
            log.exception("could not persist the end of turn %s", active.id)

    async def _persist_end(
        self, thread: LoadedThread, turn_id: str, status: str, error: dict[str, Any] | None
    ) -> None:
        await thread.recorder.append(
            [
                {
                    "type": "event_msg",
                    "payload": {
                        "type": "turn_completed",
                        "turnId": turn_id,
                        "status": status,
                        "error": error,
                    },
                }
            ]
        )
        await thread.recorder.flush(fsync=True)

    async def _record_user_message(
        self,
        thread: LoadedThread,
        turn_id: str,
        turn: dict[str, Any],
        inputs: list[dict[str, Any]],
    ) -> None:
        item = {"type": "userMessage", "id": str(uuid.uuid4()), "content": inputs}
        self._item(thread, turn_id, item, done=False)
        self._item(thread, turn_id, item, done=True)
        turn["items"].append(item)
        records: list[dict[str, Any]] = []
        if not thread.history:
            context = [permissions_message(thread.config)]
            if thread.config.developer_instructions:
                context.append({"type": "message", "role": "developer", "content": [
                    {"type": "input_text", "text": thread.config.developer_instructions}]})
            context.append(environment_context(thread.meta.get("cwd", "")))
            for msg in context:
                thread.history.append(msg)
                records.append({"type": "response_item", "payload": msg})
        if thread.abort_notice:
            thread.abort_notice = False
            notice = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": TURN_ABORTED_NOTICE}],
            }
            thread.history.append(notice)
            records.append({"type": "response_item", "payload": notice})
        if any(i.get("type") == "localImage" for i in inputs):
            content = await asyncio.to_thread(user_input_to_model, inputs)  # reads files
        else:
            content = user_input_to_model(inputs)
        msg = {"type": "message", "role": "user", "content": content}
        thread.history.append(msg)
        if not thread.meta.get("preview"):
            thread.meta["preview"] = preview_of(inputs)
        records.append({"type": "response_item", "payload": msg})
        records.append(
            {"type": "event_msg", "payload": {"type": "item_completed", "turnId": turn_id,
                                              "item": item}}
        )
        await thread.recorder.append(records)

    def _request(
        self, thread: LoadedThread, turn_id: str, overrides: dict[str, Any],
        originator: dict[str, Any] | None,
    ) -> mc.ModelRequest:
        cfg = thread.config
        model = overrides.get("model") or cfg.model
        body: dict[str, Any] = {
            "model": model,
            "instructions": cfg.base_instructions or BASE_INSTRUCTIONS,
            "input": list(thread.history),
            "tools": [],
            "tool_choice": "auto",
            "parallel_tool_calls": False,
            "reasoning": None,
            "store": False,
            "stream": True,
            "include": [],
            "prompt_cache_key": thread.id,
        }
        schema = overrides.get("outputSchema")
        if isinstance(schema, dict) and schema:
            body["text"] = {"format": {"type": "json_schema", "name": "codex_output_schema",
                                       "schema": schema, "strict": True}}
        if supports_reasoning(model):
            body["reasoning"] = {
                "effort": overrides.get("effort") or cfg.model_reasoning_effort or "medium",
                "summary": overrides.get("summary") or cfg.model_reasoning_summary or "auto",
            }
            body["include"] = ["reasoning.encrypted_content"]
        name = (originator or {}).get("name") or "codex_app_server"
        version = (originator or {}).get("version")

        sandbox = thread.meta.get("sandbox") or {}
        headers = {
            "originator": name,
            "user-agent": user_agent(name, version),
            "session_id": thread.id,
            "x-codex-turn-metadata": json.dumps(
                {
                    "turn_id": turn_id,
                    "sandbox": "none" if sandbox.get("type") == "dangerFullAccess" else "seccomp",
                },
                separators=(",", ":"),
            ),
        }
        return mc.ModelRequest(
            provider=cfg.provider,
            body=body,
            headers=headers,
            bearer=self.auth.bearer_for(cfg.provider),
            auth_refresher=None,
        )

    async def _sample_loop(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        overrides: dict[str, Any],
        originator: dict[str, Any] | None,
    ) -> None:
        rerouted = False
        while True:
            req = self._request(thread, active.id, overrides, originator)
            follow_up, rerouted = await self._sample(thread, active, turn, req, rerouted)
            if active.steer:
                for inputs in active.steer:
                    await self._record_user_message(thread, active.id, turn, inputs)
                active.steer.clear()
                follow_up = True
            if not follow_up:
                return

    async def _sample(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        req: mc.ModelRequest,
        rerouted: bool,
    ) -> tuple[bool, bool]:
        """One model request; returns (needs a follow-up request, rerouted)."""
        texts: dict[str, list[str]] = {}
        summaries: dict[str, list[list[str]]] = {}
        contents: dict[str, list[list[str]]] = {}
        follow_up = False
        records: list[dict[str, Any]] = []
        async with contextlib.aclosing(self.client.stream(req)) as events:
            async for ev in events:
                follow_up, rerouted, records = await self._on_event(
                    thread, active, turn, ev, texts, summaries, contents, records,
                    follow_up, rerouted)
        return follow_up, rerouted

    async def _on_event(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        ev: Any,
        texts: dict[str, list[str]],
        summaries: dict[str, list[list[str]]],
        contents: dict[str, list[list[str]]],
        records: list[dict[str, Any]],
        follow_up: bool,
        rerouted: bool,
    ) -> tuple[bool, bool, list[dict[str, Any]]]:
        """Handle one model event: emit its notifications, collect its records."""
        tid, turn_id = thread.id, active.id
        if isinstance(ev, mc.TextDelta):
            buf = texts.get(ev.item_id)
            if buf is None:
                buf = texts[ev.item_id] = []
            buf.append(ev.delta)
            self.hub.emit(
                N.AgentMessageDeltaNotification(
                    thread_id=tid, turn_id=turn_id, item_id=ev.item_id, delta=ev.delta
                ),
                thread_id=tid,
                after=active.after,
            )
        elif isinstance(ev, mc.OutputItemAdded):
            item = ev.item
            kind = item.get("type")
            item_id = item.get("id") or ""
            if kind == "message":
                texts[item_id] = []
                self._item(thread, turn_id, {"type": "agentMessage", "id": item_id,
                                             "text": ""}, done=False)
            elif kind == "reasoning":
                summaries[item_id] = []
                contents[item_id] = []
                self._item(thread, turn_id, {"type": "reasoning", "id": item_id,
                                             "summary": [], "content": []}, done=False)
        elif isinstance(ev, mc.ReasoningSummaryPartAdded):
            _part(summaries, ev.item_id, ev.summary_index)
            self.hub.emit(
                N.ReasoningSummaryPartAddedNotification(
                    thread_id=tid, turn_id=turn_id, item_id=ev.item_id,
                    summary_index=ev.summary_index,
                ),
                thread_id=tid,
                after=active.after,
            )
        elif isinstance(ev, mc.ReasoningSummaryDelta):
            _part(summaries, ev.item_id, ev.summary_index).append(ev.delta)
            self.hub.emit(
                N.ReasoningSummaryTextDeltaNotification(
                    thread_id=tid, turn_id=turn_id, item_id=ev.item_id, delta=ev.delta,
                    summary_index=ev.summary_index,
                ),
                thread_id=tid,
                after=active.after,
            )
        elif isinstance(ev, mc.ReasoningTextDelta):
            _part(contents, ev.item_id, ev.content_index).append(ev.delta)
            self.hub.emit(
                N.ReasoningTextDeltaNotification(
                    thread_id=tid, turn_id=turn_id, item_id=ev.item_id, delta=ev.delta,
                    content_index=ev.content_index,
                ),
                thread_id=tid,
                after=active.after,
            )
        elif isinstance(ev, mc.OutputItemDone):
            follow_up |= await self._item_done(thread, active, turn, ev.item, texts,
                                               summaries, contents, records)
        elif isinstance(ev, mc.Completed):
            self._add_usage(thread, ev.usage)
            self._token_usage(thread, turn_id)
            for snap in thread.last_rate_limits or [NULL_RATE_LIMITS]:
                self._rate_limits(thread, snap)
                break
            records.append({"type": "event_msg", "payload": {
                "type": "token_count", "total": thread.tokens.total,
                "last": thread.tokens.last}})
        elif isinstance(ev, mc.RateLimits):
            thread.last_rate_limits = list(ev.snapshots) or [NULL_RATE_LIMITS]
            for snap in thread.last_rate_limits:
                self._rate_limits(thread, snap)
        elif isinstance(ev, mc.ModelRerouted):
            if not rerouted:
                rerouted = True
                self._emit_json(thread, N.ModelReroutedNotification, {
                    "threadId": tid, "turnId": turn_id, "fromModel": ev.from_model,
                    "toModel": ev.to_model, "reason": "highRiskCyberActivity"})
        elif isinstance(ev, mc.StreamRetry):
            self._emit_json(thread, N.ErrorNotification, {
                "error": {
                    "message": f"Reconnecting... {ev.attempt}/{ev.max_attempts}",
                    "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
                    "additionalDetails": ev.reason,
                },
                "willRetry": True, "threadId": tid, "turnId": turn_id})
        if records and isinstance(ev, mc.OutputItemDone | mc.Completed):
            await thread.recorder.append(records)
            records = []
        return follow_up, rerouted, records

    def _add_usage(self, thread: LoadedThread, usage: mc.TokenUsage) -> None:
        last = {
            "totalTokens": usage.total,
            "inputTokens": usage.input,
            "cachedInputTokens": usage.cached_input,
            "outputTokens": usage.output,
            "reasoningOutputTokens": usage.reasoning_output,
        }
        thread.tokens.last = last
        for k, v in last.items():
            thread.tokens.total[k] = thread.tokens.total.get(k, 0) + v

    async def _item_done(
        self,
        thread: LoadedThread,
        active: ActiveTurn,
        turn: dict[str, Any],
        item: dict[str, Any],
        texts: dict[str, list[str]],
        summaries: dict[str, list[list[str]]],
        contents: dict[str, list[list[str]]],
        records: list[dict[str, Any]],
    ) -> bool:
        kind = item.get("type")
        item_id = item.get("id") or ""
        wire: dict[str, Any] | None = None
        follow_up = False
        history_item = {k: v for k, v in item.items() if k != "id"}
        if kind == "message":
            text = "".join(
                c.get("text", "") for c in item.get("content", []) if c.get("type") == "output_text"
            ) or "".join(texts.get(item_id, []))
            wire = {"type": "agentMessage", "id": item_id, "text": text}
        elif kind == "reasoning":
            summary = [s.get("text", "") for s in item.get("summary", []) if isinstance(s, dict)]
            if not summary:
                summary = ["".join(p) for p in summaries.get(item_id, [])]
            content = [c.get("text", "") for c in item.get("content", []) or []
                       if isinstance(c, dict)]
            if not content:
                content = ["".join(p) for p in contents.get(item_id, [])]
            wire = {"type": "reasoning", "id": item_id, "summary": summary, "content": content}
        elif kind in ("function_call", "custom_tool_call", "local_shell_call"):
            name = item.get("name") or kind
            call_id = item.get("call_id") or item_id
            out_type = "custom_tool_call_output" if kind == "custom_tool_call" else (
                "function_call_output")
            output = {"type": out_type, "call_id": call_id, "output": f"unsupported call: {name}"}
            thread.history.append(history_item)
            thread.history.append(output)
            records.append({"type": "response_item", "payload": history_item})
            records.append({"type": "response_item", "payload": output})
            return True
        if wire is None:
            return follow_up
        self._item(thread, active.id, wire, done=True)
        turn["items"].append(wire)
        thread.history.append(history_item)
        records.append({"type": "response_item", "payload": history_item})
        records.append({"type": "event_msg", "payload": {"type": "item_completed",
                                                         "turnId": active.id, "item": wire}})
        return follow_up

    # -- compaction -------------------------------------------------------------
    async def compact(self, thread: LoadedThread, call: CallInfo | None) -> None:
        """thread/compact/start: summarise the history in a turn of its own."""
        if thread.active is not None:
            raise invalid_request(f"a turn is already in progress on thread {thread.id}")
        active = ActiveTurn(id=uuid7(), after=call)
        thread.active = active
        turn: dict[str, Any] = {"id": active.id, "items": [], "status": "inProgress", "error": None}
        if len(thread.history_marks) == len(thread.turns):
            thread.history_marks.append(len(thread.history))
        thread.turns.append(turn)
        active.task = asyncio.get_running_loop().create_task(
            self._run_compact(thread, active, turn)
        )

    async def _run_compact(
        self, thread: LoadedThread, active: ActiveTurn, turn: dict[str, Any]
    ) -> None:
        status, error = "completed", None
        try:
            self._emit_json(thread, N.TurnStartedNotification,
                            {"threadId": thread.id, "turn": {**turn, "items": []}})
            item = {"type": "contextCompaction", "id": str(uuid.uuid4())}
            self._item(thread, active.id, item, done=False)
            req = self._request(thread, active.id, {}, None)
            req.body["input"] = [*thread.history, {
                "type": "message", "role": "user",
                "content": [{"type": "input_text", "text": COMPACT_PROMPT}]}]
            summary: list[str] = []
            async with contextlib.aclosing(self.client.stream(req)) as events:
                async for ev in events:
                    if isinstance(ev, mc.TextDelta):
                        summary.append(ev.delta)
                    elif isinstance(ev, mc.Completed):
                        self._add_usage(thread, ev.usage)
            text = "".join(summary)
            keep = [h for h in thread.history[:2] if h.get("role") in ("developer", "user")]
            compacted = {"type": "message", "role": "user", "content": [
                {"type": "input_text", "text": f"<conversation_summary>\n{text}\n"
                                               "</conversation_summary>"}]}
            thread.history = [*keep, compacted]
            await thread.recorder.append([{"type": "compacted", "payload": {
                "message": text, "replacement_history": thread.history}}])
            self._item(thread, active.id, item, done=True)
            turn["items"].append(item)
            self._emit_json(thread, N.ContextCompactedNotification,
                            {"threadId": thread.id, "turnId": active.id})
        except asyncio.CancelledError:
            status = "interrupted"
        except mc.ModelError as err:
            status = "failed"
            error = {"message": err.message, "codexErrorInfo": err.info,
                     "additionalDetails": err.additional_details}
        finally:
            await self._finish(thread, active, turn, status, error)


COMPACT_PROMPT = (
    "Summarize the conversation so far for a handoff: the user's goals, decisions made, "
    "the current state of the work and any open questions. Be concise and factual."
)
