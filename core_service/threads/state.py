"""In-memory state of a loaded thread and of its running turn, and the v2 `Thread` builder.

Turns and items are kept in their v2 wire shape (the same dicts are recorded
in the rollout and converted to protobuf at the gRPC boundary), next to the
session metadata and the model-visible history sent to the Responses API on
every request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app_server_protocol.wire_types import Thread, ThreadItem, Turn, UserInput
from core_service.config.schema import Config
from core_service.hub import CallInfo
from core_service.store.records import SessionMeta
from core_service.store.store import Recorder


@dataclass
class ActiveTurn:
    """The turn currently running on a thread."""

    id: str
    task: asyncio.Task[None] | None = None
    steer: list[list[UserInput]] = field(default_factory=list)
    # The call whose response this turn's events follow: turn/start (or
    # thread/compact/start), then turn/interrupt once that interrupts it.
    after: CallInfo | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class TokenTotals:
    """Running token usage of a thread (v2 TokenUsageBreakdown shape)."""

    total: dict[str, int] = field(
        default_factory=lambda: {
            "totalTokens": 0,
            "inputTokens": 0,
            "cachedInputTokens": 0,
            "outputTokens": 0,
            "reasoningOutputTokens": 0,
        }
    )
    last: dict[str, int] | None = None


@dataclass
class LoadedThread:
    """A thread loaded in the core."""

    id: str
    meta: SessionMeta
    config: Config
    recorder: Recorder
    ephemeral: bool = False
    # Where the rollout is (or will be once materialised); None if ephemeral.
    path: str | None = None
    turns: list[Turn] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    # The client's tools (thread/start.dynamicTools), offered after the thread's own.
    dynamic_tools: list[dict[str, Any]] = field(default_factory=list)
    # thread/start.experimentalRawEvents: rawResponseItem/completed for each history item.
    raw_events: bool = False
    # Per turn started in this process: len(history) before the turn's input
    # (lets rollback cut the model history without re-reading the rollout).
    history_marks: list[int] = field(default_factory=list)
    tokens: TokenTotals = field(default_factory=TokenTotals)
    active: ActiveTurn | None = None
    abort_notice: bool = False
    # The side copy a review's reviewer samples on: of its stream, clients see
    # what the reference shows (reasoning, agent messages started; no
    # message deltas or completions, no token usage or rate limits).
    reviewer: bool = False
    materialized: bool = False
    name: str | None = None
    # The bucket this thread's last model response reported last (its
    # snapshot lives in the core's RateLimitStore).
    last_limit_id: str | None = None
    idle_since: float | None = None

    def thread_json(self, include_turns: bool) -> Thread:
        """The v2 `Thread` object of this thread (see :func:`thread_object`)."""
        return thread_object(self.meta, self.path, self.turns if include_turns else [])


def thread_object(meta: SessionMeta, path: str | None, turns: Sequence[Turn]) -> Thread:
    """The v2 `Thread` object of a thread's metadata and (read-back) turns.

    The one place a `Thread` is built: loaded threads, threads read from
    disk and thread/list rows all come through here. Items carry synthetic
    ids (:func:`renumber_items`).
    """
    created = meta["created_at"]
    return {
        "id": meta["id"],
        "preview": meta.get("preview") or "",
        "modelProvider": meta.get("model_provider") or "",
        "createdAt": created,
        "updatedAt": meta.get("updated_at", created),
        "path": path,
        "cwd": meta.get("cwd") or "",
        "cliVersion": meta.get("cli_version") or "",
        "source": meta.get("source", "vscode"),
        "gitInfo": meta.get("git_info"),
        "turns": renumber_items(turns),
    }


def renumber_items(turns: Sequence[Turn]) -> list[Turn]:
    """Copies of `turns` whose items carry synthetic ids `item-1`, `item-2`, ...

    Read-back (thread/read, resume, fork, rollback) shows synthetic item ids
    numbered across the thread, as the reference does; live notifications
    carry the real ones.
    """
    n = 0
    out: list[Turn] = []
    for turn in turns:
        items: list[ThreadItem] = []
        for item in turn["items"]:
            n += 1
            renamed = item.copy()
            renamed["id"] = f"item-{n}"
            items.append(renamed)
        out.append({**turn, "items": items})
    return out
