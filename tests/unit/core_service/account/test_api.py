"""core_service.account.api: the AccountService handlers and the events they broadcast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError
from core_service.account import auth_file
from core_service.account.api import AccountApi
from core_service.account.credentials import Credentials
from core_service.account.oauth import IssuedTokens
from core_service.account.rate_limit_store import RateLimitStore
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, ConnKey, Hub
from core_service.upstream.http import UpstreamClient
from tests.support.mock_issuer import MockIssuer, id_token
from tests.support.mock_model import MockModelServer

CALL = CallInfo(ConnKey("g1", "c1"), 1)


class RecordingHub(Hub):
    """A hub that keeps what is emitted instead of delivering it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[dict[str, Any], bool, CallInfo | None]] = []

    def emit(self, msg: Message, *, thread_id: str | None = None, to: Any = None,
             broadcast: bool = False, after: CallInfo | None = None) -> None:
        self.sent.append((codec.to_json(msg), broadcast, after))


def _api(home: Path, provider: str = "openai", env: dict[str, str] | None = None
         ) -> tuple[AccountApi, RecordingHub]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model_provider = "{provider}"\n'
        '[model_providers.mock]\nname = "mock"\nbase_url = "http://mock/v1"\n')
    hub = RecordingHub()
    env = env if env is not None else {}
    source = ConfigSource(home, env={"CODEX_HOME": str(home), **env})
    return AccountApi(hub, Credentials(home, hub, env=env), source,
                      http=UpstreamClient(), limits=RateLimitStore()), hub


async def test_api_key_login_read_and_logout(tmp_path: Path) -> None:
    """An API-key login is stored, announced (login completed, then account updated, both
    after the response), read back; logout forgets it and announces a null mode."""
    api, hub = _api(tmp_path)
    assert await api.read({"refreshToken": False}, CALL) == {
        "account": None, "requiresOpenaiAuth": True}
    assert await api.login_start({"type": "apiKey", "apiKey": "sk-1"}, CALL) == {"type": "apiKey"}
    assert hub.sent == [
        ({"loginId": None, "success": True, "error": None}, True, CALL),
        ({"authMode": "apikey"}, True, CALL),
    ]
    assert await api.read({"refreshToken": False}, CALL) == {
        "account": {"type": "apiKey"}, "requiresOpenaiAuth": True}
    hub.sent.clear()
    assert await api.logout({}, CALL) == {}
    assert hub.sent == [({"authMode": None}, True, CALL)]
    assert (await api.read({"refreshToken": False}, CALL))["account"] is None


async def test_custom_provider_needs_no_openai_auth(tmp_path: Path) -> None:
    """With a custom provider account/read reports requiresOpenaiAuth false."""
    api, _ = _api(tmp_path, provider="mock")
    assert await api.read({"refreshToken": False}, None) == {
        "account": None, "requiresOpenaiAuth": False}


async def test_bad_cancel_is_refused(tmp_path: Path) -> None:
    """A cancel needs a UUID, and finds nothing when no browser login is pending."""
    api, hub = _api(tmp_path)
    with pytest.raises(ProtocolError, match="invalid login id: x"):
        await api.login_cancel({"loginId": "x"}, CALL)
    cancel = await api.login_cancel({"loginId": "7a1d6c2e-5a43-4b47-9d33-0b4c3f0a8b11"}, CALL)
    assert cancel == {"status": "notFound"}
    assert hub.sent == []


async def test_rate_limits_read_needs_chatgpt(tmp_path: Path) -> None:
    """account/rateLimits/read is refused: without a key for lack of an account, with an
    API key for lack of ChatGPT sign-in."""
    api, _ = _api(tmp_path)
    with pytest.raises(ProtocolError, match="codex account authentication required"):
        await api.rate_limits_read({}, None)
    await api.login_start({"type": "apiKey", "apiKey": "sk-1"}, None)
    with pytest.raises(ProtocolError, match="chatgpt authentication required"):
        await api.rate_limits_read({}, None)


async def test_rate_limits_read_asks_the_backend_and_updates_the_store(tmp_path: Path) -> None:
    """With a managed ChatGPT login the usage endpoint is asked with its access token and
    account id; every bucket lands in the rate-limit store and no notification is sent."""
    auth_file.save_chatgpt_tokens(tmp_path, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-1", "refresh-1", "acct_1"))
    async with MockModelServer() as mock:
        (tmp_path / "config.toml").write_text(
            f'chatgpt_base_url = "http://127.0.0.1:{mock.port}/backend-api/"\n')
        hub, limits = RecordingHub(), RateLimitStore()
        source = ConfigSource(tmp_path, env={"CODEX_HOME": str(tmp_path)})
        api = AccountApi(hub, Credentials(tmp_path, hub, env={}), source,
                         http=UpstreamClient(), limits=limits)
        mock.usage = {"status": 200, "body": {"plan_type": "plus", "additional_rate_limits": [
            {"limit_name": "Mini", "metered_feature": "mini", "rate_limit": None}]}}
        try:
            result = await api.rate_limits_read({}, CALL)
        finally:
            await api.http.aclose()
        sent = mock.requests[-1]
    assert (sent.path, sent.headers["authorization"], sent.headers["chatgpt-account-id"]) == (
        "/backend-api/wham/usage", "Bearer access-1", "acct_1")
    assert result["rateLimits"]["planType"] == "plus"
    assert limits.snapshots() == list((result["rateLimitsByLimitId"] or {}).values())
    assert [s["limitId"] for s in limits.snapshots()] == ["codex", "mini"]
    assert hub.sent == []


def _browser_api(home: Path, issuer: str = "http://127.0.0.1:9"
                 ) -> tuple[AccountApi, RecordingHub]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'chatgpt_login_callback_port = 0\nchatgpt_login_issuer = "{issuer}"\n')
    hub = RecordingHub()
    source = ConfigSource(home, env={"CODEX_HOME": str(home)})
    return AccountApi(hub, Credentials(home, hub, env={}), source,
                      http=UpstreamClient(), limits=RateLimitStore()), hub


async def test_chatgpt_login_start_and_cancel(tmp_path: Path) -> None:
    """A browser login answers its id and authorize URL; a second start cancels the first
    ('Login cancelled') and cancel ends a login ('Login was not completed'), each announced
    after the call's answer."""
    api, hub = _browser_api(tmp_path)
    started = await api.login_start({"type": "chatgpt"}, None)
    assert started["type"] == "chatgpt"
    assert started["authUrl"].startswith("http://127.0.0.1:9/oauth/authorize?response_type=code")
    assert "&originator=codex_app_server" in started["authUrl"]
    again = await api.login_start({"type": "chatgpt"}, CALL)
    assert again["type"] == "chatgpt"
    assert hub.sent == [({"loginId": started["loginId"], "success": False,
                          "error": "Login server error: Login cancelled"}, True, CALL)]
    assert await api.login_cancel({"loginId": again["loginId"]}, CALL) == {"status": "canceled"}
    assert hub.sent[-1] == ({"loginId": again["loginId"], "success": False,
                             "error": "Login server error: Login was not completed"}, True, CALL)
    assert await api.login_cancel({"loginId": again["loginId"]}, CALL) == {"status": "notFound"}


async def test_read_managed_account_and_failed_refresh(tmp_path: Path) -> None:
    """account/read shows a managed login's email and plan from its id token; a refresh the
    issuer refuses is an error naming the reference's text, and auth.json is kept."""
    async with MockIssuer() as issuer:
        api, _ = _browser_api(tmp_path, issuer.url)
        await api.credentials.save_chatgpt_tokens(IssuedTokens(
            id_token("me@example.com", "team"), "access-0", "refresh-0"))
        read = await api.read({"refreshToken": False}, None)
        assert read["account"] == {"type": "chatgpt", "email": "me@example.com",
                                   "planType": "team"}
        issuer.enqueue(issuer.tokens("new@example.com", "plus"))
        read = await api.read({"refreshToken": True}, None)
        assert read["account"] == {"type": "chatgpt", "email": "new@example.com",
                                   "planType": "plus"}
        assert (await issuer.wait_requests(1))[0].body["refresh_token"] == "refresh-0"
        before = (tmp_path / "auth.json").read_text()
        issuer.enqueue({"status": 400, "body": {"error": "invalid_grant"}})
        with pytest.raises(ProtocolError) as err:
            await api.read({"refreshToken": True}, None)
    assert err.value.message == ("failed to refresh token while getting account: Failed to "
                                 'refresh token: 400 Bad Request: {"error": "invalid_grant"}')
    assert (tmp_path / "auth.json").read_text() == before


def _jwt(email: str, plan: str) -> str:
    return id_token(email=email, plan=plan, account_id="acct_claim")


async def test_external_tokens_login_read_and_logout(tmp_path: Path) -> None:
    """chatgptAuthTokens: kept in memory (no auth.json), announced, read with the given plan;
    a browser login is then refused; logout drops them and can be repeated."""
    api, hub = _api(tmp_path)
    params: Any = {"type": "chatgptAuthTokens", "accessToken": _jwt("me@example.com", "pro"),
                   "chatgptAccountId": "acct_1", "chatgptPlanType": "plus"}
    assert await api.login_start(params, CALL) == {"type": "chatgptAuthTokens"}
    assert hub.sent == [({"loginId": None, "success": True, "error": None}, True, CALL),
                        ({"authMode": "chatgptAuthTokens"}, True, CALL)]
    assert not (tmp_path / "auth.json").exists()
    read = await api.read({"refreshToken": False}, CALL)
    assert read["account"] == {"type": "chatgpt", "email": "me@example.com", "planType": "plus"}
    with pytest.raises(ProtocolError, match="^External auth is active"):
        await api.login_start({"type": "chatgpt"}, CALL)
    for _ in range(2):
        hub.sent.clear()
        assert await api.logout({}, CALL) == {}
        assert hub.sent == [({"authMode": None}, True, CALL)]
    assert (await api.read({"refreshToken": False}, CALL))["account"] is None


async def test_external_tokens_errors(tmp_path: Path) -> None:
    """A token that is no JWT is -32603 without the token; a pinned workspace refuses others."""
    api, _ = _api(tmp_path)
    secret = "opaque-secret-token"
    with pytest.raises(ProtocolError) as err:
        await api.login_start({"type": "chatgptAuthTokens", "accessToken": secret,
                               "chatgptAccountId": "acct_1", "chatgptPlanType": None}, CALL)
    assert (err.value.code, err.value.message) == (
        -32603, "failed to set external auth: invalid ID token format")
    (tmp_path / "config.toml").write_text('forced_chatgpt_workspace_id = "acct_1"\n')
    api.source = ConfigSource(tmp_path, env={"CODEX_HOME": str(tmp_path)})
    with pytest.raises(ProtocolError) as err:
        await api.login_start({"type": "chatgptAuthTokens", "accessToken": _jwt("a@b", "pro"),
                                  "chatgptAccountId": "acct_2", "chatgptPlanType": None}, CALL)
    assert (err.value.code, err.value.message) == (
        -32600, 'External auth must use workspace acct_1, but received "acct_2".')


async def test_api_key_login_refused_over_external_tokens(tmp_path: Path) -> None:
    """While client-supplied tokens are active an apiKey login is refused with the
    reference's -32600 text (as a browser login is); nothing is stored or announced."""
    api, hub = _api(tmp_path)
    await api.login_start({"type": "chatgptAuthTokens", "accessToken": _jwt("a@b", "pro"),
                           "chatgptAccountId": "acct_1", "chatgptPlanType": None}, CALL)
    hub.sent.clear()
    with pytest.raises(ProtocolError) as err:
        await api.login_start({"type": "apiKey", "apiKey": "sk-1"}, CALL)
    assert (err.value.code, err.value.message) == (
        -32600, "External auth is active. Use account/login/start (chatgptAuthTokens) "
                "to update it or account/logout to clear it.")
    assert hub.sent == [] and not (tmp_path / "auth.json").exists()
    read = await api.read({"refreshToken": False}, CALL)
    assert read["account"] == {"type": "chatgpt", "email": "a@b", "planType": "pro"}
