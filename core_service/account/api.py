"""Accounts: API-key login, account/read, logout, rate-limit reads.

Credentials live in `$CODEX_HOME/auth.json` (mode 0600) through
`auth_store`; a provider's `env_key` environment variable supplies a key
too. ChatGPT login and external tokens come in a later issue and are refused
with a clear error here.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from app_server_protocol import codec
from app_server_protocol.errors import invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from core_service.account import auth_file as auth_store
from core_service.hub import CallInfo, Hub
from core_service.ids import is_valid_uuid


class AuthManager:
    """Current credentials and the account/* methods."""

    def __init__(self, hub: Hub, codex_home: Path, config: Any,
                 env: dict[str, str] | None = None) -> None:
        self.hub = hub
        self.codex_home = codex_home
        self.config = config
        self.env = env if env is not None else dict(os.environ)
        self._stored_key: str | None = None
        self._mode: str | None = None
        self._reload()

    def _reload(self) -> None:
        data = auth_store.load_auth(self.codex_home)
        self._stored_key = None
        self._mode = None
        if data is not None:
            key = data.openai_api_key
            self._stored_key = key
            self._mode = "apikey" if key is not None else None

    def bearer_for(self, provider: Any) -> str | None:
        """The bearer token for requests to `provider`, if any."""
        env_key = getattr(provider, "env_key", None)
        if env_key:
            value = self.env.get(env_key)
            if value:
                return value
        if getattr(provider, "requires_openai_auth", False) or getattr(provider, "id", "") == (
            "openai"
        ):
            return self._stored_key
        return None

    def _emit_login(self, mode: str | None, call: CallInfo | None) -> None:
        self.hub.emit(
            codec.from_json(
                N.AccountLoginCompletedNotification,
                {"loginId": None, "success": True, "error": None},
            ),
            broadcast=True,
            after=call,
        )
        self._emit_updated(mode, call)

    def _emit_updated(self, mode: str | None, call: CallInfo | None) -> None:
        self.hub.emit(
            codec.from_json(N.AccountUpdatedNotification, {"authMode": mode}),
            broadcast=True,
            after=call,
        )

    async def login_start(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """account/login/start."""
        kind = params.get("type")
        if kind == "apiKey":
            key = params.get("apiKey", "")
            await asyncio.to_thread(auth_store.save_api_key, self.codex_home, key)
            self._stored_key = key
            self._mode = "apikey"
            self._emit_login("apikey", call)
            return {"type": "apiKey"}
        raise invalid_request(f"{kind} login is not supported by this server")

    async def login_cancel(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """account/login/cancel (no browser login can be pending here)."""
        login_id = params.get("loginId", "")
        if not is_valid_uuid(login_id):
            raise invalid_request(f"invalid login id: {login_id}")
        return {"status": "notFound"}

    async def logout(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """account/logout: forget stored credentials."""
        await asyncio.to_thread(auth_store.delete_auth, self.codex_home)
        self._stored_key = None
        self._mode = None
        self._emit_updated(None, call)
        return {}

    def _has_key(self) -> bool:
        provider = self.config.provider
        return self._stored_key is not None or bool(
            provider.env_key and self.env.get(provider.env_key)
            and provider.id == "openai"
        )

    async def read(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """account/read."""
        account = {"type": "apiKey"} if self._has_key() else None
        return {
            "account": account,
            "requiresOpenaiAuth": bool(self.config.provider.requires_openai_auth),
        }

    async def rate_limits_read(
        self, params: dict[str, Any], call: CallInfo | None
    ) -> dict[str, Any]:
        """account/rateLimits/read: needs ChatGPT auth (not available yet)."""
        if not self._has_key():
            raise invalid_request("codex account authentication required to read rate limits")
        raise invalid_request("chatgpt authentication required to read rate limits")
