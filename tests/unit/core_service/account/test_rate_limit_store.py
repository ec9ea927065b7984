"""core_service.account.rate_limit_store: latest snapshot per bucket, coalescing watchers."""

from __future__ import annotations

import asyncio

from app_server_protocol.wire_types import CreditsSnapshot, RateLimitSnapshot
from core_service.account.rate_limit_store import RateLimitStore
from core_service.account.rate_limits import null_snapshot


def used(limit_id: str, percent: int) -> RateLimitSnapshot:
    """A snapshot of `limit_id` with a primary window at `percent`."""
    return {**null_snapshot(limit_id),
            "primary": {"usedPercent": percent, "windowDurationMins": 60, "resetsAt": None}}


def test_update_says_whether_the_bucket_changed_and_lists_codex_first() -> None:
    """An equal snapshot is no change; snapshots() lists codex first, then by limit id."""
    store = RateLimitStore()
    assert store.update(used("zeta", 1))
    assert store.update(used("codex", 2))
    assert not store.update(used("codex", 2))
    assert [s["limitId"] for s in store.snapshots()] == ["codex", "zeta"]


def test_missing_credits_are_the_last_known_ones() -> None:
    """A snapshot without credits takes the last credits any snapshot carried, in a bucket
    never seen before too (as the reference carries them)."""
    store = RateLimitStore()
    assert store.with_credits(null_snapshot())["credits"] is None
    credits: CreditsSnapshot = {"hasCredits": True, "unlimited": False, "balance": "1"}
    store.update({**null_snapshot(), "credits": credits})
    store.update(null_snapshot("other"))
    assert store.with_credits(null_snapshot())["credits"] == credits
    assert store.with_credits(null_snapshot("new"))["credits"] == credits


async def test_a_slow_watcher_gets_the_latest_of_each_bucket_only() -> None:
    """Changes not yet taken coalesce per bucket; a watcher leaving stops being offered."""
    store = RateLimitStore()
    with store.watch() as watcher:
        for percent in range(100):
            store.update(used("codex", percent))
        store.update(used("zeta", 5))
        changed = await asyncio.wait_for(watcher.next(), 1)
        assert changed == [used("codex", 99), used("zeta", 5)]
    store.update(used("codex", 1))
    assert watcher._pending == {}
