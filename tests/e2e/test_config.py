"""End to end: config writes take effect at once, and refused writes answer like the reference."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Launcher


async def test_written_config_is_seen_at_once(launch: Launcher, transport: str) -> None:
    """After config/value/write and config/batchWrite, config/read and thread/start use
    the new values without a restart; -c overrides still win."""
    client = await launch(transport, args=["-c", "approval_policy=on-request"])
    await client.initialize()
    await client.call("config/value/write",
                      {"keyPath": "model", "value": "x", "mergeStrategy": "replace"})
    read = await client.call("config/read", {})
    assert read["config"]["model"] == "x"
    assert read["config"]["approval_policy"] == "on-request"
    started = await client.call("thread/start", {})
    assert started["model"] == "x"
    assert started["approvalPolicy"] == "on-request"

    await client.call("config/batchWrite", {"edits": [
        {"keyPath": "model", "value": "y", "mergeStrategy": "replace"},
        {"keyPath": "approval_policy", "value": "never", "mergeStrategy": "replace"},
    ]})
    read = await client.call("config/read", {})
    assert read["config"]["model"] == "y"
    started = await client.call("thread/start", {})
    assert started["model"] == "y"
    assert started["approvalPolicy"] == "on-request"


async def test_write_to_another_file_is_refused(
    launch: Launcher, transport: str, home: Path, tmp_path: Path
) -> None:
    """A write naming a file other than the user config.toml is refused with
    configLayerReadonly and writes nothing; naming config.toml itself works."""
    client = await launch(transport)
    await client.initialize()
    before = (home / "config.toml").read_bytes()
    other = tmp_path / "other.toml"
    readonly = {"code": -32600, "message": "Only writes to the user config are allowed",
                "data": {"config_write_error_code": "configLayerReadonly"}}
    single = await client.request("config/value/write", {
        "keyPath": "model", "value": "x", "mergeStrategy": "replace", "filePath": str(other)})
    assert single["error"] == readonly
    batch = await client.request("config/batchWrite", {
        "edits": [{"keyPath": "model", "value": "x", "mergeStrategy": "replace"}],
        "filePath": str(other)})
    assert batch["error"] == readonly
    assert not other.exists()
    assert (home / "config.toml").read_bytes() == before
    own = await client.call("config/value/write", {
        "keyPath": "model", "value": "x", "mergeStrategy": "replace",
        "filePath": str(home / "config.toml")})
    assert own["status"] == "ok"


async def test_null_inside_a_value_is_a_validation_error(
    launch: Launcher, transport: str, home: Path
) -> None:
    """A null inside an array or table value answers the reference's validation error."""
    client = await launch(transport)
    await client.initialize()
    before = (home / "config.toml").read_bytes()
    invalid = {"code": -32600,
               "message": "invalid value: invalid type: null, expected any valid TOML value",
               "data": {"config_write_error_code": "configValidationError"}}
    in_array = await client.request("config/batchWrite", {"edits": [{
        "keyPath": "sandbox_workspace_write.writable_roots", "value": ["/a", None],
        "mergeStrategy": "replace"}]})
    assert in_array["error"] == invalid
    in_table = await client.request("config/value/write", {
        "keyPath": "tools", "value": {"view_image": None}, "mergeStrategy": "replace"})
    assert in_table["error"] == invalid
    assert (home / "config.toml").read_bytes() == before
