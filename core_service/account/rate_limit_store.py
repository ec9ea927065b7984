"""The latest rate-limit snapshot of every bucket: one per core, the one source of truth.

Written by the turn loop (the snapshots of every model response's headers,
the exhausted bucket of a 429 usage-limit error) and by a successful
`account/rateLimits/read`; read by the turn events (whether a snapshot is a
change worth broadcasting) and by watchers (`WatchRateLimits`, the gRPC
stream for backends that do not speak JSON-RPC).

A watcher never makes the store wait and never grows without bound: its
pending changes are coalesced per limit id (a newer snapshot of a bucket
replaces the older one not yet taken), so a slow watcher gets the latest
snapshot of each changed bucket, and the number of buckets is itself
bounded (`MAX_LIMIT_IDS`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from app_server_protocol.wire_types import CreditsSnapshot, RateLimitSnapshot
from core_service.account.rate_limits import DEFAULT_LIMIT_ID

# Buckets are named by the upstream; beyond this many a new name is not kept.
MAX_LIMIT_IDS = 256


class RateLimitWatcher:
    """One watcher's pending changes, coalesced per limit id (see the module docstring)."""

    def __init__(self) -> None:
        self._pending: dict[str, RateLimitSnapshot] = {}
        self._ready = asyncio.Event()
        self._closed = False

    def offer(self, snapshot: RateLimitSnapshot) -> None:
        """Queue `snapshot`, replacing a pending one of the same bucket."""
        key = snapshot["limitId"] or DEFAULT_LIMIT_ID
        self._pending.pop(key, None)
        self._pending[key] = snapshot
        self._ready.set()

    def close(self) -> None:
        """End the watch: `next` returns None from now on."""
        self._closed = True
        self._ready.set()

    async def next(self) -> list[RateLimitSnapshot] | None:
        """Wait for changes; the latest snapshot of each bucket that changed, in order,
        or None once the watch is closed (the core is stopping)."""
        await self._ready.wait()
        if self._closed:
            return None
        self._ready.clear()
        changed, self._pending = list(self._pending.values()), {}
        return changed


class RateLimitStore:
    """The latest snapshot per limit id, and the watchers told of every change."""

    def __init__(self) -> None:
        self._latest: dict[str, RateLimitSnapshot] = {}
        self._watchers: set[RateLimitWatcher] = set()
        self._closed = False
        # The last credits any snapshot carried: credits are the account's, not a bucket's.
        self._credits: CreditsSnapshot | None = None

    def latest(self, limit_id: str) -> RateLimitSnapshot | None:
        """The latest snapshot of bucket `limit_id`, if any was seen."""
        return self._latest.get(limit_id)

    def snapshots(self) -> list[RateLimitSnapshot]:
        """The latest snapshot of every bucket: `codex` first, then by limit id."""
        return sorted(self._latest.values(),
                      key=lambda s: (s["limitId"] != DEFAULT_LIMIT_ID, s["limitId"] or ""))

    def with_credits(self, snapshot: RateLimitSnapshot) -> RateLimitSnapshot:
        """`snapshot`, its missing credits the last ones any snapshot carried.

        A response that says nothing about credits leaves the last known
        credits in place, on every bucket (a new one included), as the
        reference reports them.
        """
        if snapshot["credits"] is not None or self._credits is None:
            return snapshot
        return {**snapshot, "credits": self._credits}

    def update(self, snapshot: RateLimitSnapshot) -> bool:
        """Record `snapshot` as its bucket's latest; True when that changed the bucket.

        A change is offered to every watcher; an unchanged snapshot is not.
        """
        key = snapshot["limitId"] or DEFAULT_LIMIT_ID
        if self._latest.get(key) == snapshot:
            return False
        if key not in self._latest and len(self._latest) >= MAX_LIMIT_IDS:
            return False
        self._latest[key] = snapshot
        if snapshot["credits"] is not None:
            self._credits = snapshot["credits"]
        for watcher in self._watchers:
            watcher.offer(snapshot)
        return True

    def close(self) -> None:
        """End every watch, now and later (the core is stopping). Idempotent."""
        self._closed = True
        for watcher in self._watchers:
            watcher.close()

    @contextlib.contextmanager
    def watch(self) -> Iterator[RateLimitWatcher]:
        """A watcher of every change from now on, removed when the block ends
        (closed at once when the store is)."""
        watcher = RateLimitWatcher()
        if self._closed:
            watcher.close()
        self._watchers.add(watcher)
        try:
            yield watcher
        finally:
            self._watchers.discard(watcher)
