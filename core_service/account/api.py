"""AccountService: logins, account/read, logout, and the backend's rate limits.

The handlers change and read `Credentials`; a provider's `env_key`
environment variable supplies a key too. ChatGPT tokens supplied by a client
(`chatgptAuthTokens`) live in memory only (`external`); a browser login
(`chatgpt`, `browser_login`) stores its tokens in auth.json (`managed`).
"""

from __future__ import annotations

from app_server_protocol import codec
from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import (
    Account,
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
    PlanType,
)
from core_service.account.browser_login import BrowserLogins
from core_service.account.claims import ClaimsError
from core_service.account.credentials import Credentials
from core_service.account.external import WorkspaceMismatch, check_workspace, make_tokens
from core_service.account.oauth import IssuerConfig, OAuthError
from core_service.account.rate_limit_store import RateLimitStore
from core_service.account.usage import UsageError, fetch_usage, usage_url
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.ids import is_valid_uuid
from core_service.turns.request import DEFAULT_ORIGINATOR
from core_service.upstream.http import UpstreamClient
from core_service.user_agent import user_agent

# The plans account/read can name; any other claim or supplied value is "unknown".
_PLAN_TYPES: frozenset[PlanType] = frozenset(
    ("free", "go", "plus", "pro", "team", "business", "enterprise", "edu", "unknown"))
# The reference refuses a browser or API-key login over client-supplied tokens with this text.
EXTERNAL_AUTH_ACTIVE = ("External auth is active. Use account/login/start (chatgptAuthTokens) "
                        "to update it or account/logout to clear it.")


def _plan(value: str | None) -> PlanType:
    for plan in _PLAN_TYPES:
        if plan == value:
            return plan
    return "unknown"


class AccountApi:
    """The handlers of AccountService; sign-in changes are broadcast to every client.

    `http` reaches the ChatGPT backend; `limits` is the core's rate-limit
    store, which a successful `account/rateLimits/read` updates.
    """

    def __init__(self, hub: Hub, credentials: Credentials, source: ConfigSource, *,
                 http: UpstreamClient, limits: RateLimitStore) -> None:
        self.hub = hub
        self.credentials = credentials
        self.source = source
        self.http = http
        self.limits = limits
        self.browser = BrowserLogins(credentials.save_chatgpt_tokens, self._browser_finished)

    async def login_start(
        self, params: LoginAccountParams, call: CallInfo | None
    ) -> LoginAccountResponse:
        """account/login/start: `apiKey` (stored) or `chatgptAuthTokens` (memory only)."""
        if params["type"] == "chatgptAuthTokens":
            self._set_external(params["accessToken"], params["chatgptAccountId"],
                               params.get("chatgptPlanType"))
            self._emit_login_completed("chatgptAuthTokens", call)
            return {"type": "chatgptAuthTokens"}
        if self.credentials.external.tokens is not None:
            # The reference refuses both other logins until the tokens are logged out.
            raise invalid_request(EXTERNAL_AUTH_ACTIVE)
        if params["type"] == "chatgpt":
            return await self._start_browser_login(call)
        if params["type"] != "apiKey":
            raise invalid_request(f"{params['type']} login is not supported by this server")
        await self.credentials.save_api_key(params["apiKey"])
        self._emit_login_completed("apikey", call)
        return {"type": "apiKey"}

    def _set_external(self, access_token: str, account_id: str,
                      plan_type: str | None) -> None:
        """Use client-supplied tokens from now on (pinned workspace checked first)."""
        try:
            check_workspace(account_id, self.source.config.forced_chatgpt_workspace_id)
        except WorkspaceMismatch as exc:
            raise invalid_request(str(exc)) from None
        try:
            tokens = make_tokens(access_token, account_id, plan_type)
        except ClaimsError as exc:
            raise internal_error(f"failed to set external auth: {exc}") from None
        self.credentials.external.tokens = tokens

    async def _start_browser_login(self, call: CallInfo | None) -> LoginAccountResponse:
        """Start a browser login (cancelling a pending one) on the configured port."""
        config = self.source.config
        info = self.hub.client_info(call.key if call is not None else None)
        originator = info["name"] if info is not None else DEFAULT_ORIGINATOR
        cancelled = self.browser.cancel_pending()
        if cancelled is not None:
            self._browser_finished(*cancelled, after=call)
        try:
            login_id, url = await self.browser.start(
                IssuerConfig.from_config(config, self.credentials.env),
                config.chatgpt_login_callback_port, originator,
                config.forced_chatgpt_workspace_id)
        except OSError as exc:
            raise internal_error(f"failed to start login server: {exc}") from None
        return {"type": "chatgpt", "loginId": login_id, "authUrl": url}

    def _browser_finished(self, login_id: str, error: str | None,
                          after: CallInfo | None = None) -> None:
        """A browser login ended: tell every client, and its new auth mode on success."""
        completed: AccountLoginCompletedNotification = {
            "loginId": login_id, "success": error is None, "error": error,
        }
        self.hub.emit(codec.from_json(N.AccountLoginCompletedNotification, completed),
                      broadcast=True, after=after)
        if error is None:
            self._emit_updated("chatgpt", after)

    def _emit_login_completed(self, mode: AuthMode, call: CallInfo | None) -> None:
        completed: AccountLoginCompletedNotification = {
            "loginId": None, "success": True, "error": None,
        }
        self.hub.emit(codec.from_json(N.AccountLoginCompletedNotification, completed),
                      broadcast=True, after=call)
        self._emit_updated(mode, call)

    async def login_cancel(
        self, params: CancelLoginAccountParams, call: CallInfo | None
    ) -> CancelLoginAccountResponse:
        """account/login/cancel: end the pending browser login `loginId`."""
        login_id = params["loginId"]
        if not is_valid_uuid(login_id):
            raise invalid_request(f"invalid login id: {login_id}")
        error = self.browser.cancel(login_id)
        if error is None:
            return {"status": "notFound"}
        self._browser_finished(login_id, error, after=call)
        return {"status": "canceled"}

    async def logout(
        self, params: LogoutAccountParams, call: CallInfo | None
    ) -> LogoutAccountResponse:
        """account/logout: forget stored credentials and external tokens (twice is harmless)."""
        await self.credentials.forget()
        self._emit_updated(None, call)
        return {}

    async def read(self, params: GetAccountParams, call: CallInfo | None) -> GetAccountResponse:
        """account/read."""
        provider = self.source.config.provider
        tokens = self.credentials.external.tokens
        account: Account | None = None
        if tokens is not None:
            account = {"type": "chatgpt", "email": tokens.email or "",
                       "planType": _plan(tokens.plan_type)}
        elif self.credentials.managed.active:
            account = await self._managed_account(params.get("refreshToken") is True)
        elif self.credentials.has_api_key(provider):
            account = {"type": "apiKey"}
        return {"account": account, "requiresOpenaiAuth": provider.requires_openai_auth}

    async def _managed_account(self, refresh: bool) -> Account:
        """The managed ChatGPT login's account, its tokens refreshed first when asked."""
        managed = self.credentials.managed
        if refresh:
            issuer = IssuerConfig.from_config(self.source.config, self.credentials.env)
            try:
                await managed.refresh(issuer)
            except OAuthError as exc:
                raise internal_error(
                    f"failed to refresh token while getting account: {exc}") from None
        claims = managed.claims()
        return {"type": "chatgpt", "email": claims.email or "",
                "planType": _plan(claims.plan_type)}

    async def rate_limits_read(
        self, params: GetAccountRateLimitsParams, call: CallInfo | None
    ) -> GetAccountRateLimitsResponse:
        """account/rateLimits/read: the ChatGPT backend's usage, every bucket.

        Asked on every call (the snapshots of model responses do not answer
        it, as in the reference); the answer updates the rate-limit store.
        """
        bearer, account_id = self._chatgpt_credentials()
        info = self.hub.client_info(call.key if call is not None else None)
        agent = user_agent(info["name"] if info is not None else None,
                           info["version"] if info is not None else None)
        try:
            usage = await fetch_usage(self.http, usage_url(self.source.config.chatgpt_base_url),
                                      access_token=bearer, account_id=account_id,
                                      user_agent=agent)
        except UsageError as exc:
            raise internal_error(str(exc)) from None
        for snapshot in usage.by_limit_id.values():
            self.limits.update(snapshot)
        return {"rateLimits": usage.main, "rateLimitsByLimitId": usage.by_limit_id}

    def _chatgpt_credentials(self) -> tuple[str, str | None]:
        """The access token and account id of the ChatGPT login, or the reference's refusal."""
        tokens = self.credentials.external.tokens
        if tokens is not None:
            return tokens.access_token, tokens.account_id
        managed = self.credentials.managed
        if managed.tokens is not None:
            return managed.tokens.access_token, managed.account_id()
        if self.credentials.has_api_key(self.source.config.provider):
            raise invalid_request("chatgpt authentication required to read rate limits")
        raise invalid_request("codex account authentication required to read rate limits")

    def _emit_updated(self, mode: AuthMode | None, call: CallInfo | None) -> None:
        updated: AccountUpdatedNotification = {"authMode": mode}
        self.hub.emit(codec.from_json(N.AccountUpdatedNotification, updated),
                      broadcast=True, after=call)
