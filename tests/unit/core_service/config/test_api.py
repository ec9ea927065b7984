"""core_service.config.api: ConfigService handlers on the one ConfigSource."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.config.api import ConfigApi
from core_service.config.source import ConfigSource
from tests.unit.core_service.config.support import HARNESS_CONFIG, write_file


def _api(home: Path, text: str = HARNESS_CONFIG) -> tuple[ConfigApi, ConfigSource]:
    write_file(home, text)
    source = ConfigSource(home, [(["sandbox_mode"], "workspace-write")], env={})
    return ConfigApi(source), source


async def test_write_is_read_back_at_once(tmp_path: Path) -> None:
    """config/value/write and config/batchWrite reload the source before answering, so
    config/read and the current Config show the new values; -c flags still win."""
    api, source = _api(tmp_path)
    written = await api.config_value_write(
        {"keyPath": "model", "value": "x", "mergeStrategy": "replace"}, None
    )
    assert written["status"] == "ok"
    assert (await api.config_read({}, None))["config"]["model"] == "x"
    assert source.config.model == "x"
    batch = await api.config_batch_write({"edits": [
        {"keyPath": "model", "value": "y", "mergeStrategy": "replace"},
        {"keyPath": "sandbox_mode", "value": "read-only", "mergeStrategy": "replace"},
    ], "expectedVersion": written["version"]}, None)
    assert batch["status"] == "okOverridden"
    assert batch["overriddenMetadata"]["effectiveValue"] == "workspace-write"
    assert (source.config.model, source.config.sandbox_mode) == ("y", "workspace-write")


async def test_refused_writes_carry_the_reference_error_data(tmp_path: Path) -> None:
    """A refused write is -32600 with its message and `data.config_write_error_code`,
    and leaves the file and the current configuration unchanged."""
    api, source = _api(tmp_path)
    before = source.load
    cases = [
        ({"keyPath": "model", "value": "x", "filePath": str(tmp_path / "other.toml")},
         "Only writes to the user config are allowed", "configLayerReadonly"),
        ({"keyPath": "model", "value": "x", "expectedVersion": "sha256:0"},
         "Configuration was modified since last read. Fetch latest version and retry.",
         "configVersionConflict"),
        ({"keyPath": "tools", "value": {"view_image": None}},
         "invalid value: invalid type: null, expected any valid TOML value",
         "configValidationError"),
    ]
    for params, message, code in cases:
        with pytest.raises(ProtocolError) as err:
            await api.config_value_write(params, None)
        assert (err.value.code, err.value.message) == (-32600, message)
        assert err.value.data == {"config_write_error_code": code}
    with pytest.raises(ProtocolError) as batch:
        await api.config_batch_write({"edits": [
            {"keyPath": "sandbox_workspace_write.writable_roots", "value": ["/a", None],
             "mergeStrategy": "replace"}]}, None)
    assert batch.value.data == {"config_write_error_code": "configValidationError"}
    assert (tmp_path / "config.toml").read_text() == HARNESS_CONFIG
    assert source.load is before


async def test_read_of_a_broken_file_is_an_internal_error(tmp_path: Path) -> None:
    """config/read fails with -32603 and the reference's message while the file is broken."""
    api, _ = _api(tmp_path, "[features]\nsteer = 1\n")
    with pytest.raises(ProtocolError) as err:
        await api.config_read({}, None)
    assert err.value.code == -32603
    assert err.value.message == (
        "invalid configuration: invalid type: integer `1`, expected a boolean\nin `features`\n"
    )
