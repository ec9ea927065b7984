"""Stored credentials: `$CODEX_HOME/auth.json`.

The file holds either an API key (`{"auth_mode": "apikey", "OPENAI_API_KEY":
"sk-…"}`) or ChatGPT tokens (`{"auth_mode": "chatgpt", "OPENAI_API_KEY": null,
"tokens": {...}, "last_refresh": "<rfc3339>"}`), the same format the reference
uses, so an existing codex login keeps working. It is only ever readable by its
owner (mode 0600) and replaced atomically. A file that cannot be read or parsed
counts as "not logged in" rather than an error.

All functions block on file I/O; async callers use ``asyncio.to_thread``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

AUTH_FILE = "auth.json"
AUTH_MODE_API_KEY = "apikey"
AUTH_MODE_CHATGPT = "chatgpt"
_FILE_MODE = 0o600


@dataclass(frozen=True)
class TokenData:
    """The ChatGPT tokens of a managed login (left out of its repr: they are secrets)."""

    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    account_id: str | None = None


@dataclass(frozen=True)
class AuthData:
    """The content of `auth.json` (an API key, or ChatGPT tokens, or both); no secret in repr."""

    auth_mode: str
    openai_api_key: str | None = field(default=None, repr=False)
    tokens: TokenData | None = None
    last_refresh: dt.datetime | None = None


def auth_path(codex_home: Path) -> Path:
    """Where the credentials of `codex_home` live."""
    return codex_home / AUTH_FILE


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        # fromisoformat of 3.11 accepts "Z" and fractional seconds of any length.
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _parse(data: Any) -> AuthData | None:
    if not isinstance(data, dict):
        return None
    key = data.get("OPENAI_API_KEY")
    key = key if isinstance(key, str) else None
    tokens = None
    raw_tokens = data.get("tokens")
    if isinstance(raw_tokens, dict):
        id_token, access, refresh, account = (
            raw_tokens.get(k) for k in ("id_token", "access_token", "refresh_token", "account_id")
        )
        if isinstance(id_token, str) and isinstance(access, str) and isinstance(refresh, str):
            tokens = TokenData(
                id_token=id_token,
                access_token=access,
                refresh_token=refresh,
                account_id=account if isinstance(account, str) else None,
            )
    mode = data.get("auth_mode")
    if mode not in (AUTH_MODE_API_KEY, AUTH_MODE_CHATGPT):
        # Files written by older versions carry no mode: infer it from the content.
        mode = AUTH_MODE_CHATGPT if tokens is not None else AUTH_MODE_API_KEY
    if mode == AUTH_MODE_API_KEY and key is None:
        return None
    if mode == AUTH_MODE_CHATGPT and tokens is None:
        return None
    return AuthData(
        auth_mode=mode,
        openai_api_key=key,
        tokens=tokens,
        last_refresh=_parse_time(data.get("last_refresh")),
    )


def load_auth(codex_home: Path) -> AuthData | None:
    """The stored credentials, or None when there are none or they are unusable.

    A missing file is silent; an unreadable or corrupt one is logged as a
    warning. An existing file with looser permissions is tightened to 0600.
    """
    path = auth_path(codex_home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    _tighten_mode(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        log.warning("ignoring corrupt %s: %s", path, exc)
        return None
    auth = _parse(data)
    if auth is None:
        log.warning("ignoring %s: no usable credentials in it", path)
    return auth


def _tighten_mode(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o777 != _FILE_MODE:
            os.chmod(path, _FILE_MODE)
    except OSError as exc:
        log.warning("cannot restrict permissions of %s: %s", path, exc)


def _write(codex_home: Path, data: dict[str, Any]) -> None:
    """Write `data` as auth.json: private from the first byte, then renamed into place."""
    codex_home.mkdir(parents=True, exist_ok=True)
    path = auth_path(codex_home)
    tmp = codex_home / f".{AUTH_FILE}.{secrets.token_hex(6)}.tmp"
    # O_EXCL + 0600 so the secret is never visible to others, even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _FILE_MODE)  # in case a umask or ACL interfered
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_api_key(codex_home: Path, api_key: str) -> None:
    """Store an API key login (replacing any previous credentials)."""
    _write(codex_home, {"auth_mode": AUTH_MODE_API_KEY, "OPENAI_API_KEY": api_key})


def save_chatgpt_tokens(
    codex_home: Path, tokens: TokenData, last_refresh: dt.datetime | None = None
) -> None:
    """Store a managed ChatGPT login (replacing any previous credentials).

    The layout is the reference's: `auth_mode` "chatgpt", a null
    `OPENAI_API_KEY`, the four tokens, and `last_refresh` in RFC 3339 UTC.
    """
    when = (last_refresh or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    _write(codex_home, {
        "auth_mode": AUTH_MODE_CHATGPT,
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": tokens.id_token,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "account_id": tokens.account_id,
        },
        "last_refresh": when.isoformat().replace("+00:00", "Z"),
    })


def delete_auth(codex_home: Path) -> bool:
    """Remove the stored credentials; True when a file was there."""
    try:
        auth_path(codex_home).unlink()
    except FileNotFoundError:
        return False
    return True
