"""AccountService: API-key login, account/read, logout, rate-limit reads.

The handlers change and read `Credentials`; a provider's `env_key`
environment variable supplies a key too. ChatGPT login and external tokens
come in a later issue and are refused with a clear error here.
"""

from __future__ import annotations

from app_server_protocol import codec
from app_server_protocol.errors import invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import (
    AccountLoginCompletedNotification,
    AccountUpdatedNotification,
    AuthMode,
    CancelLoginAccountParams,
    CancelLoginAccountResponse,
    GetAccountParams,
    GetAccountRateLimitsParams,
    GetAccountRateLimitsResponse,
    GetAccountResponse,
    LoginAccountParams,
    LoginAccountResponse,
    LogoutAccountParams,
    LogoutAccountResponse,
)
from core_service.account.credentials import Credentials
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.ids import is_valid_uuid


class AccountApi:
    """The handlers of AccountService; sign-in changes are broadcast to every client."""

    def __init__(self, hub: Hub, credentials: Credentials, source: ConfigSource) -> None:
        self.hub = hub
        self.credentials = credentials
        self.source = source

    async def login_start(
        self, params: LoginAccountParams, call: CallInfo | None
    ) -> LoginAccountResponse:
        """account/login/start: only `apiKey` logins are supported."""
        if params["type"] != "apiKey":
            raise invalid_request(f"{params['type']} login is not supported by this server")
        await self.credentials.save_api_key(params["apiKey"])
        completed: AccountLoginCompletedNotification = {
            "loginId": None, "success": True, "error": None,
        }
        self.hub.emit(codec.from_json(N.AccountLoginCompletedNotification, completed),
                      broadcast=True, after=call)
        self._emit_updated("apikey", call)
        return {"type": "apiKey"}

    async def login_cancel(
        self, params: CancelLoginAccountParams, call: CallInfo | None
    ) -> CancelLoginAccountResponse:
        """account/login/cancel (no browser login can be pending here)."""
        login_id = params["loginId"]
        if not is_valid_uuid(login_id):
            raise invalid_request(f"invalid login id: {login_id}")
        return {"status": "notFound"}

    async def logout(
        self, params: LogoutAccountParams, call: CallInfo | None
    ) -> LogoutAccountResponse:
        """account/logout: forget stored credentials."""
        await self.credentials.forget()
        self._emit_updated(None, call)
        return {}

    async def read(self, params: GetAccountParams, call: CallInfo | None) -> GetAccountResponse:
        """account/read."""
        provider = self.source.config.provider
        return {
            "account": {"type": "apiKey"} if self.credentials.has_api_key(provider) else None,
            "requiresOpenaiAuth": provider.requires_openai_auth,
        }

    async def rate_limits_read(
        self, params: GetAccountRateLimitsParams, call: CallInfo | None
    ) -> GetAccountRateLimitsResponse:
        """account/rateLimits/read: needs ChatGPT auth (not available yet)."""
        if not self.credentials.has_api_key(self.source.config.provider):
            raise invalid_request("codex account authentication required to read rate limits")
        raise invalid_request("chatgpt authentication required to read rate limits")

    def _emit_updated(self, mode: AuthMode | None, call: CallInfo | None) -> None:
        updated: AccountUpdatedNotification = {"authMode": mode}
        self.hub.emit(codec.from_json(N.AccountUpdatedNotification, updated),
                      broadcast=True, after=call)
