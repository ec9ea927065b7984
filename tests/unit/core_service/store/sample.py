"""Sample threads for the store tests, recorded with the record builders."""

from __future__ import annotations

from typing import Any

from core_service.ids import uuid7
from core_service.store import records
from core_service.store.records import RolloutRecord, SessionMeta
from core_service.store.writer import RolloutWriter

CREATED = 1_735_787_045  # 2025-01-02T03:04:05Z


def meta(thread_id: str | None = None, created_at: int = CREATED, **extra: Any) -> SessionMeta:
    """Session metadata of a new thread."""
    out: dict[str, Any] = {
        "id": thread_id or uuid7(),
        "created_at": created_at,
        "updated_at": created_at,
        "cwd": "/work",
        "model_provider": "mock",
        "model": "gpt-5.1-codex",
        "cli_version": "0.104.0",
        "source": "vscode",
        "preview": "",
        "git_info": None,
        **extra,
    }
    return out  # type: ignore[return-value]


def user_text(text: str) -> dict[str, Any]:
    """A user message of the model history."""
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def start(turn_id: str) -> list[RolloutRecord]:
    """The records that open a turn."""
    return [
        records.turn_context(turn_id, cwd="/work", approval_policy="never", model="m",
                             effort="high", summary="auto"),
        records.turn_started(turn_id),
    ]


def user(turn_id: str, text: str, item_id: str = "u") -> list[RolloutRecord]:
    """A user message: its history item and its completed userMessage item."""
    item = {"type": "userMessage", "id": item_id,
            "content": [{"type": "text", "text": text, "text_elements": []}]}
    return [records.response_item(user_text(text)), records.item_completed(turn_id, item)]


def answer(turn_id: str, text: str, item_id: str = "msg_1") -> list[RolloutRecord]:
    """An assistant answer: its history item and its completed agentMessage item."""
    return [
        records.response_item({"type": "message", "role": "assistant",
                               "content": [{"type": "output_text", "text": text}]}),
        records.item_completed(turn_id, {"type": "agentMessage", "id": item_id, "text": text}),
    ]


def end(turn_id: str, status: str = "completed",
        error: dict[str, Any] | None = None) -> list[RolloutRecord]:
    """The record that closes a turn."""
    return [records.turn_completed(turn_id, status, error)]


async def simple_turn(w: RolloutWriter, turn_id: str, text: str, reply: str) -> None:
    """Record one whole turn: question, answer, completion."""
    await w.append(start(turn_id))
    await w.append(user(turn_id, text, f"u-{turn_id}"))
    await w.append(answer(turn_id, reply, f"msg-{turn_id}"))
    await w.append(end(turn_id))
