"""End to end: errors cross the core/gateway boundary through the one table,
structured `data` included (over stdio and websocket)."""

from __future__ import annotations

from tests.e2e.conftest import Launcher


async def test_config_version_conflict_carries_its_data(launch: Launcher, transport: str) -> None:
    """config/value/write with a stale expectedVersion gets the reference's error:
    -32600, its message and `data.config_write_error_code` "configVersionConflict"."""
    client = await launch(transport)
    await client.initialize()
    resp = await client.request("config/value/write", {
        "keyPath": "model", "value": "gpt-5", "mergeStrategy": "replace",
        "expectedVersion": "sha256:0000", "filePath": None})
    assert resp["error"] == {
        "code": -32600,
        "message": "Configuration was modified since last read. Fetch latest version and retry.",
        "data": {"config_write_error_code": "configVersionConflict"},
    }
