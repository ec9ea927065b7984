"""End to end: model/list presents the reference's catalog; every model has a context window."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn

# What the reference (codex app-server 0.104.0) answers to model/list {"includeHidden": true}.
REFERENCE_FILE = (Path(__file__).resolve().parents[1] / "unit" / "core_service" / "model"
                  / "reference_model_list.json")
REFERENCE: list[dict[str, Any]] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["data"]


async def test_model_list_is_the_reference_catalog(launch: Launcher, transport: str) -> None:
    """With and without hidden models, whole and in pages, model/list answers what the
    reference answers: its models, order, default, upgrades, descriptions and efforts,
    whatever model the configuration names."""
    client = await launch(transport, args=["-c", 'model="my-custom-model"'])
    await client.initialize()
    everything = await client.call("model/list", {"includeHidden": True})
    assert everything == {"data": REFERENCE, "nextCursor": None}
    visible = [m for m in REFERENCE if not m["hidden"]]
    assert await client.call("model/list", {}) == {"data": visible, "nextCursor": None}
    first = await client.call("model/list", {"limit": 3})
    assert first == {"data": visible[:3], "nextCursor": "3"}
    rest = await client.call("model/list", {"limit": 3, "cursor": "3"})
    assert rest == {"data": visible[3:], "nextCursor": None}
    past = await client.request("model/list", {"cursor": "5"})
    assert past["error"] == {"code": -32600, "message": "cursor 5 exceeds total models 4"}


async def test_unknown_model_reports_the_default_context_window(
    launch: Launcher, transport: str
) -> None:
    """A model outside the catalog gets the reference's default window (258400) in
    thread/tokenUsage/updated, not null."""
    client = await launch(transport, args=["-c", 'model="my-custom-model"'])
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "hi")
    usage = await client.wait_notification("thread/tokenUsage/updated")
    assert usage["params"]["tokenUsage"]["modelContextWindow"] == 258_400
