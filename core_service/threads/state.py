"""In-memory state of a loaded thread and of its running turn.

Threads, turns and items are kept as JSON-able dicts in their v2 wire shape
(the same dicts are persisted in the rollout and converted to protobuf at
the gRPC boundary), plus the model-visible history sent to the Responses
API on every request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

from core_service.config.load import Config
from core_service.hub import CallInfo


class Recorder(Protocol):
    """Where a thread's records go (the rollout writer, or nothing if ephemeral)."""

    async def append(self, records: list[dict[str, Any]]) -> None:
        """Append rollout records (kind + payload dicts) in order."""

    async def flush(self, fsync: bool = True) -> None:
        """Make appended records durable (called at turn boundaries)."""


class NullRecorder:
    """Recorder of ephemeral threads: writes nothing."""

    async def append(self, records: list[dict[str, Any]]) -> None:
        """Discard records."""

    async def flush(self, fsync: bool = True) -> None:
        """Nothing to flush."""


@dataclass
class ActiveTurn:
    """The turn currently running on a thread."""

    id: str
    task: asyncio.Task[None] | None = None
    steer: list[list[dict[str, Any]]] = field(default_factory=list)
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
    meta: dict[str, Any]
    config: Config
    recorder: Recorder
    ephemeral: bool = False
    path: str | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    # Per turn started in this process: len(history) before the turn's input
    # (lets rollback cut the model history without re-reading the rollout).
    history_marks: list[int] = field(default_factory=list)
    tokens: TokenTotals = field(default_factory=TokenTotals)
    active: ActiveTurn | None = None
    abort_notice: bool = False
    materialized: bool = False
    name: str | None = None
    last_rate_limits: list[dict[str, Any]] | None = None
    idle_since: float | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def thread_json(self, include_turns: bool) -> dict[str, Any]:
        """The v2 `Thread` object of this thread."""
        m = self.meta
        return {
            "id": self.id,
            "preview": m.get("preview", ""),
            "modelProvider": m.get("model_provider", ""),
            "createdAt": m.get("created_at", 0),
            "updatedAt": m.get("updated_at", m.get("created_at", 0)),
            "path": self.path,
            "cwd": m.get("cwd", ""),
            "cliVersion": m.get("cli_version", ""),
            "source": m.get("source", "vscode"),
            "gitInfo": m.get("git_info"),
            "turns": renumber_items(self.turns) if include_turns else [],
        }


def renumber_items(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of `turns` whose items carry synthetic ids `item-1`, `item-2`, ...

    Read-back (thread/read, resume, fork) shows synthetic item ids, as the
    reference does; live notifications carry the real ones.
    """
    n = 0
    out = []
    for turn in turns:
        items = []
        for item in turn.get("items", []):
            n += 1
            items.append({**item, "id": f"item-{n}"})
        out.append({**turn, "items": items})
    return out
