"""The rollout record format: its TypedDicts and the only functions that build records.

A rollout is one JSON object per line,
``{"timestamp": "<RFC3339 ms>Z", "type": <kind>, "payload": {...}}``, with kinds

* ``session_meta``  first line: the thread metadata (:class:`SessionMeta`; a
  fork puts its own first, then a copy of the source's records, including the
  source's ``session_meta``);
* ``turn_context``  per turn: turn id, cwd, approval policy, model, effort,
  summary (snake_case keys);
* ``response_item`` a model-visible history item (Responses API input shape);
* ``event_msg``     our own events, told apart by ``payload.type`` (camelCase
  keys): ``turn_started``, ``item_completed`` (a v2 ``ThreadItem``),
  ``turn_completed``, ``thread_name_updated``, ``token_count``, ``rollback``;
* ``compacted``     ``{message, replacement_history}``: the history is replaced.

Builders return records without a timestamp; the writer stamps each record
as it is queued. The reader (:mod:`core_service.store.reader`) reads exactly
the keys written here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, Required, TypedDict

from app_server_protocol.wire_types import GitInfo, SandboxPolicy

# -- payloads ---------------------------------------------------------------------


class SessionMeta(TypedDict, total=False):
    """Metadata of a thread: the payload of its ``session_meta`` record (snake_case)."""

    id: Required[str]
    created_at: Required[int]
    updated_at: int
    cwd: str
    model_provider: str
    model: str
    cli_version: str
    # A SessionSource value: "vscode", "cli", ..., or {"subagent": ...}.
    source: Any
    preview: str
    git_info: GitInfo | None
    approval_policy: str
    sandbox: SandboxPolicy
    reasoning_effort: str | None
    base_instructions: str | None
    developer_instructions: str | None
    forked_from_id: str


class TurnContext(TypedDict):
    """Payload of a ``turn_context`` record: what a turn ran with."""

    turn_id: str
    cwd: str | None
    approval_policy: str | None
    model: str | None
    effort: str | None
    summary: str | None


class Compacted(TypedDict):
    """Payload of a ``compacted`` record: the summary and the history replacing the old."""

    message: str
    replacement_history: list[dict[str, Any]]


class TurnStarted(TypedDict):
    """``event_msg`` payload: a turn began."""

    type: Literal["turn_started"]
    turnId: str


class ItemCompleted(TypedDict):
    """``event_msg`` payload: a v2 ``ThreadItem`` of a turn completed."""

    type: Literal["item_completed"]
    turnId: str
    item: dict[str, Any]


class TurnCompleted(TypedDict):
    """``event_msg`` payload: a turn ended with a v2 ``TurnStatus`` and ``TurnError``."""

    type: Literal["turn_completed"]
    turnId: str
    status: str
    error: dict[str, Any] | None


class ThreadNameUpdated(TypedDict):
    """``event_msg`` payload: a thread was renamed (forks do not inherit the source's name)."""

    type: Literal["thread_name_updated"]
    threadId: str
    threadName: str


class TokenCount(TypedDict):
    """``event_msg`` payload: a thread's running and last token usage."""

    type: Literal["token_count"]
    total: dict[str, int]
    last: dict[str, int] | None


class Rollback(TypedDict):
    """``event_msg`` payload: drop the last ``numTurns`` turns when loading."""

    type: Literal["rollback"]
    numTurns: int


EventMsg = TurnStarted | ItemCompleted | TurnCompleted | ThreadNameUpdated | TokenCount | Rollback

# -- records ----------------------------------------------------------------------


class SessionMetaRecord(TypedDict):
    """The first record of a rollout."""

    timestamp: NotRequired[str]
    type: Literal["session_meta"]
    payload: SessionMeta


class TurnContextRecord(TypedDict):
    """A ``turn_context`` record."""

    timestamp: NotRequired[str]
    type: Literal["turn_context"]
    payload: TurnContext


class ResponseItemRecord(TypedDict):
    """A ``response_item`` record (one model-visible history item)."""

    timestamp: NotRequired[str]
    type: Literal["response_item"]
    payload: dict[str, Any]


class EventMsgRecord(TypedDict):
    """An ``event_msg`` record."""

    timestamp: NotRequired[str]
    type: Literal["event_msg"]
    payload: EventMsg


class CompactedRecord(TypedDict):
    """A ``compacted`` record."""

    timestamp: NotRequired[str]
    type: Literal["compacted"]
    payload: Compacted


RolloutRecord = (
    SessionMetaRecord | TurnContextRecord | ResponseItemRecord | EventMsgRecord | CompactedRecord
)

# -- timestamps -------------------------------------------------------------------


def format_timestamp(t: float | None = None) -> str:
    """RFC 3339 UTC timestamp with milliseconds (``2025-01-02T03:04:05.678Z``)."""
    t = time.time() if t is None else t
    moment = dt.datetime.fromtimestamp(t, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: object) -> float | None:
    """Unix seconds of an RFC 3339 timestamp, or None when it does not parse."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def stamped(record: RolloutRecord, t: float | None = None) -> RolloutRecord:
    """`record` with a timestamp (now, or `t`) as its first key, unless it has one."""
    if "timestamp" in record:
        return record
    # Built key by key so "timestamp" comes first: the reader's summary scan
    # finds a record's time by that prefix without parsing the line.
    out: dict[str, Any] = {"timestamp": format_timestamp(t)}
    out.update(record)
    return out  # type: ignore[return-value]


# -- builders ---------------------------------------------------------------------


def session_meta(meta: SessionMeta) -> RolloutRecord:
    """The ``session_meta`` record of a thread (a copy of `meta`)."""
    return {"type": "session_meta", "payload": meta.copy()}


def response_item(item: Mapping[str, Any]) -> RolloutRecord:
    """The record of one model history item (Responses API input shape)."""
    return {"type": "response_item", "payload": dict(item)}


def turn_context(
    turn_id: str,
    *,
    cwd: str | None,
    approval_policy: str | None,
    model: str | None,
    effort: str | None,
    summary: str | None,
) -> RolloutRecord:
    """The record of what a turn runs with, written when it starts."""
    return {
        "type": "turn_context",
        "payload": {
            "turn_id": turn_id,
            "cwd": cwd,
            "approval_policy": approval_policy,
            "model": model,
            "effort": effort,
            "summary": summary,
        },
    }


def turn_started(turn_id: str) -> RolloutRecord:
    """The record of a turn's start."""
    return {"type": "event_msg", "payload": {"type": "turn_started", "turnId": turn_id}}


def turn_completed(turn_id: str, status: str, error: Mapping[str, Any] | None) -> RolloutRecord:
    """The record of a turn's end: its v2 status and error (None unless failed)."""
    return {
        "type": "event_msg",
        "payload": {
            "type": "turn_completed",
            "turnId": turn_id,
            "status": status,
            "error": dict(error) if error is not None else None,
        },
    }


def item_completed(turn_id: str, item: Mapping[str, Any]) -> RolloutRecord:
    """The record of a completed v2 ``ThreadItem`` (a ``userMessage`` one materialises
    the rollout file)."""
    return {
        "type": "event_msg",
        "payload": {"type": "item_completed", "turnId": turn_id, "item": dict(item)},
    }


def token_count(total: Mapping[str, int], last: Mapping[str, int] | None) -> RolloutRecord:
    """The record of a thread's token usage (copies: the totals keep changing)."""
    return {
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "total": dict(total),
            "last": dict(last) if last is not None else None,
        },
    }


def compacted(message: str, replacement_history: Sequence[Mapping[str, Any]]) -> RolloutRecord:
    """The record of a compaction: the summary and the history that replaces the old one."""
    return {
        "type": "compacted",
        "payload": {
            "message": message,
            "replacement_history": [dict(h) for h in replacement_history],
        },
    }


def thread_name(thread_id: str, name: str) -> RolloutRecord:
    """The record of a rename (it names its thread, so a fork's copy does not apply)."""
    return {
        "type": "event_msg",
        "payload": {"type": "thread_name_updated", "threadId": thread_id, "threadName": name},
    }


def rollback(num_turns: int) -> RolloutRecord:
    """The record that drops the last `num_turns` turns when the rollout is loaded."""
    return {"type": "event_msg", "payload": {"type": "rollback", "numTurns": int(num_turns)}}


# -- reading helpers shared by the reader and the writer ----------------------------


def is_user_message(record: Mapping[str, Any]) -> bool:
    """Whether `record` completes a ``userMessage`` item (the first one creates the file)."""
    if record.get("type") != "event_msg":
        return False
    payload = record.get("payload")
    if not isinstance(payload, Mapping) or payload.get("type") != "item_completed":
        return False
    item = payload.get("item")
    return isinstance(item, Mapping) and item.get("type") == "userMessage"


def user_message_text(item: Mapping[str, Any]) -> str:
    """The text parts of a ``userMessage`` item, joined (a thread's preview)."""
    content = item.get("content") or []
    return "".join(
        str(c.get("text", "")) for c in content
        if isinstance(c, Mapping) and c.get("type") == "text"
    )
