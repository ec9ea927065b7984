"""core_service.account.auth_file: the auth.json format, its permissions, robustness."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from core_service.account.auth_file import (
    AuthData,
    TokenData,
    auth_path,
    delete_auth,
    load_auth,
    save_api_key,
    save_chatgpt_tokens,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_api_key_round_trip_with_private_mode(tmp_path: Path) -> None:
    """An API key is stored in the reference format, readable only by its owner."""
    home = tmp_path / "home"  # created on demand
    save_api_key(home, "sk-test")
    path = auth_path(home)
    assert json.loads(path.read_text()) == {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test"}
    assert _mode(path) == 0o600
    auth = load_auth(home)
    assert auth == AuthData(auth_mode="apikey", openai_api_key="sk-test")
    assert sorted(p.name for p in home.iterdir()) == ["auth.json"]  # no temp file left


def test_empty_api_key_is_kept(tmp_path: Path) -> None:
    """An empty key is a valid login (the reference accepts it)."""
    save_api_key(tmp_path, "")
    auth = load_auth(tmp_path)
    assert auth is not None and auth.openai_api_key == ""


def test_reads_reference_written_file(tmp_path: Path) -> None:
    """A file as the reference writes it (nanosecond timestamp, no account id) loads."""
    auth_path(tmp_path).write_text(json.dumps({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": {"id_token": "i", "access_token": "a", "refresh_token": "r"},
        "last_refresh": "2025-06-01T10:00:00.123456789Z",
    }))
    auth = load_auth(tmp_path)
    assert auth is not None
    assert auth.auth_mode == "chatgpt" and auth.openai_api_key is None
    assert auth.tokens == TokenData("i", "a", "r", None)
    assert auth.last_refresh == dt.datetime(2025, 6, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)


def test_legacy_file_without_mode(tmp_path: Path) -> None:
    """A file without auth_mode is understood from its content."""
    auth_path(tmp_path).write_text(json.dumps({"OPENAI_API_KEY": "sk-old"}))
    auth = load_auth(tmp_path)
    assert auth is not None and auth.auth_mode == "apikey" and auth.openai_api_key == "sk-old"


def test_existing_file_mode_is_fixed(tmp_path: Path) -> None:
    """Loading or overwriting a world-readable auth.json makes it 0600."""
    path = auth_path(tmp_path)
    path.write_text(json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": "k"}))
    os.chmod(path, 0o644)
    assert load_auth(tmp_path) is not None
    assert _mode(path) == 0o600
    os.chmod(path, 0o666)
    save_api_key(tmp_path, "k2")
    assert _mode(path) == 0o600


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"auth_mode": "chatgpt", "OPENAI_API_KEY": None}),
        json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": 5}),
    ],
)
def test_corrupt_file_is_ignored(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A corrupt or unusable auth.json means "not logged in", with a warning, never a crash."""
    auth_path(tmp_path).write_text(content)
    with caplog.at_level(logging.WARNING, logger="core_service.account.auth_file"):
        assert load_auth(tmp_path) is None
    assert "auth.json" in caplog.text


def test_unreadable_file_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An auth.json that cannot be read (here: a directory) gives None and a warning."""
    auth_path(tmp_path).mkdir()
    with caplog.at_level(logging.WARNING, logger="core_service.account.auth_file"):
        assert load_auth(tmp_path) is None
    assert "cannot read" in caplog.text


def test_delete(tmp_path: Path) -> None:
    """Deleting removes the file and reports whether there was one."""
    assert load_auth(tmp_path) is None
    assert delete_auth(tmp_path) is False
    save_api_key(tmp_path, "k")
    assert delete_auth(tmp_path) is True
    assert not auth_path(tmp_path).exists()
    assert load_auth(tmp_path) is None


def test_chatgpt_tokens_round_trip_in_the_reference_layout(tmp_path: Path) -> None:
    """ChatGPT tokens are written as the reference writes them (0600) and read back."""
    tokens = TokenData("id.t.x", "access", "refresh", "acct_1")
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    save_chatgpt_tokens(tmp_path, tokens, when)
    path = auth_path(tmp_path)
    assert json.loads(path.read_text()) == {
        "auth_mode": "chatgpt", "OPENAI_API_KEY": None,
        "tokens": {"id_token": "id.t.x", "access_token": "access", "refresh_token": "refresh",
                   "account_id": "acct_1"},
        "last_refresh": "2026-01-02T03:04:05Z"}
    assert _mode(path) == 0o600
    assert load_auth(tmp_path) == AuthData("chatgpt", None, tokens, when)


def test_reprs_hold_no_secret() -> None:
    """A logged or traceback-printed AuthData or TokenData shows no key and no token."""
    tokens = TokenData("id-secret", "access-secret", "refresh-secret", "acct_1")
    text = repr(AuthData("chatgpt", "sk-secret", tokens))
    assert "secret" not in text and "acct_1" in text
