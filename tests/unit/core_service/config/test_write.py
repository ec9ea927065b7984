"""core_service.config.write: the config/read answer; writes and the reference's refusals."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from core_service.config.errors import ConfigError
from core_service.config.load import load_config
from core_service.config.write import read_config_response, write_values
from tests.unit.core_service.config.support import HARNESS_CONFIG, load, write_file


def test_read_config_response_shape(tmp_path: Path) -> None:
    """config/read returns the merged values (known keys null when unset) and user origins."""
    result = load(tmp_path, 'when = 1979-05-27T07:32:00Z\n' + HARNESS_CONFIG)
    response = read_config_response(result)
    config = response["config"]
    assert config["model_provider"] == "mock"
    assert config["review_model"] is None
    assert config["profiles"] == {}
    assert config["check_for_update_on_startup"] is False
    assert config["when"] == "1979-05-27T07:32:00+00:00"
    origin = response["origins"]["model_providers.mock.base_url"]
    assert origin["name"] == {"type": "user", "file": str(tmp_path / "config.toml")}
    assert origin["version"].startswith("sha256:")
    assert response["layers"] is None


def test_write_preserves_comments_and_reports_version(tmp_path: Path) -> None:
    """Writes keep comments/formatting, create tables, and return the new file's version."""
    path = write_file(
        tmp_path, '# my settings\nmodel = "a"  # favourite\n\n[features]\nsteer = true\n'
    )
    before = load_config(tmp_path, env={}).config.user_version
    response = write_values(
        tmp_path,
        [
            ("model", "b", "replace"),
            ("model_providers.mock.base_url", "http://x/v1", "replace"),
            ("features", {"undo": True}, "upsert"),
        ],
        expected_version=before,
    )
    text = path.read_text()
    assert "# my settings" in text and '"b"  # favourite' in text
    assert tomllib.loads(text) == {
        "model": "b",
        "features": {"steer": True, "undo": True},
        "model_providers": {"mock": {"base_url": "http://x/v1"}},
    }
    after = load_config(tmp_path, env={}).config.user_version
    assert response == {
        "status": "ok",
        "version": after,
        "filePath": str(path),
        "overriddenMetadata": None,
    }
    assert after != before

    # replace overwrites a whole table; a null value removes a key
    write_values(tmp_path, [("features", {"x": False}, "replace"), ("model", None, "replace")])
    assert tomllib.loads(path.read_text()) == {
        "features": {"x": False},
        "model_providers": {"mock": {"base_url": "http://x/v1"}},
    }


def test_write_version_conflict(tmp_path: Path) -> None:
    """A stale expected version is refused and the file is left untouched."""
    path = write_file(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError) as err:
        write_values(tmp_path, [("model", "b", "replace")], expected_version="sha256:stale")
    assert err.value.code == "configVersionConflict"
    assert err.value.message == (
        "Configuration was modified since last read. Fetch latest version and retry."
    )
    assert path.read_text() == 'model = "a"\n'


def test_write_rejects_invalid_values(tmp_path: Path) -> None:
    """A write that would make the config invalid is refused before touching the file."""
    path = write_file(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError) as err:
        write_values(tmp_path, [("features.steer", "yes", "replace")])
    assert (err.value.code, err.value.message) == (
        "configValidationError",
        'Invalid configuration: invalid type: string "yes", expected a boolean\nin `features`\n',
    )
    with pytest.raises(ConfigError) as top:
        write_values(tmp_path, [("approval_policy", "bad", "replace")])
    assert top.value.message == (
        "Invalid configuration: unknown variant `bad`, expected one of `untrusted`, "
        "`on-failure`, `on-request`, `never`\nin `approval_policy`\n"
    )
    with pytest.raises(ConfigError) as empty:
        write_values(tmp_path, [("", "b", "replace")])
    assert (empty.value.code, empty.value.message) == (
        "configValidationError", "keyPath must not be empty"
    )
    assert path.read_text() == 'model = "a"\n'


def test_write_to_another_file_is_readonly(tmp_path: Path) -> None:
    """Only the user config.toml may be written, named or not; another file is readonly."""
    path = write_file(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError) as other:
        write_values(tmp_path, [("model", "b", "replace")], file_path=str(tmp_path / "other.toml"))
    assert (other.value.code, other.value.message) == (
        "configLayerReadonly", "Only writes to the user config are allowed"
    )
    assert not (tmp_path / "other.toml").exists()
    write_values(tmp_path, [("model", "b", "replace")], file_path=str(path))
    assert tomllib.loads(path.read_text()) == {"model": "b"}


@pytest.mark.parametrize(
    "value", [["/a", None], {"view_image": None}, {"t": [1, [None]]}]
)
def test_null_inside_a_value_is_a_validation_error(tmp_path: Path, value: Any) -> None:
    """TOML has no null: one inside an array or table is the reference's validation error."""
    path = write_file(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError) as err:
        write_values(tmp_path, [("x", value, "replace")])
    assert (err.value.code, err.value.message) == (
        "configValidationError",
        "invalid value: invalid type: null, expected any valid TOML value",
    )
    assert path.read_text() == 'model = "a"\n'


def test_write_creates_file_and_reports_override(tmp_path: Path) -> None:
    """Writing a key shadowed by a `-c` flag succeeds with status okOverridden."""
    response = write_values(
        tmp_path, [("model", "b", "replace")], overrides=[(["model"], "flag-model")]
    )
    assert tomllib.loads((tmp_path / "config.toml").read_text()) == {"model": "b"}
    assert response["status"] == "okOverridden"
    meta = response["overriddenMetadata"]
    assert meta["effectiveValue"] == "flag-model"
    assert meta["overridingLayer"]["name"] == {"type": "sessionFlags"}
    assert list(tmp_path.iterdir()) == [tmp_path / "config.toml"]  # no temp file left behind
