"""core_service.account.managed: stored ChatGPT tokens, their claims and their refresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core_service.account import auth_file, oauth
from core_service.account.managed import ManagedChatgpt
from tests.support.mock_issuer import MockIssuer, id_token


def _stored(home: Path, access: str = "access-0", refresh: str = "refresh-0") -> ManagedChatgpt:
    tokens = auth_file.TokenData(id_token("me@example.com", "plus", "acct_9"), access, refresh)
    auth_file.save_chatgpt_tokens(home, tokens)
    return ManagedChatgpt(home, auth_file.load_auth(home))


def test_claims_and_headers_from_the_id_token(tmp_path: Path) -> None:
    """Email, plan and account id are the id token's; requests carry bearer + account id."""
    managed = _stored(tmp_path)
    claims = managed.claims()
    assert (claims.email, claims.plan_type, claims.account_id) == (
        "me@example.com", "plus", "acct_9")
    assert managed.headers() == {"authorization": "Bearer access-0",
                                 "chatgpt-account-id": "acct_9"}


def test_api_key_file_is_no_managed_login(tmp_path: Path) -> None:
    """An API-key auth.json gives no managed login and no headers."""
    auth_file.save_api_key(tmp_path, "sk-x")
    managed = ManagedChatgpt(tmp_path, auth_file.load_auth(tmp_path))
    assert not managed.active and managed.headers() == {}


async def test_store_writes_the_reference_layout(tmp_path: Path) -> None:
    """Tokens of a browser login are stored with the account id of their id token."""
    managed = ManagedChatgpt(tmp_path, None)
    await managed.store(oauth.IssuedTokens(id_token("a@b.c", account_id="acct_2"), "at", "rt"))
    data = json.loads((tmp_path / "auth.json").read_text())
    assert data["auth_mode"] == "chatgpt" and data["OPENAI_API_KEY"] is None
    assert data["tokens"]["account_id"] == "acct_2" and data["tokens"]["refresh_token"] == "rt"
    assert managed.active


async def test_unauthorized_refreshes_once_and_saves(tmp_path: Path) -> None:
    """After a 401 one refresh grant is made; new tokens are saved and sent."""
    managed = _stored(tmp_path)
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": 200, "body": {"access_token": "access-new",
                                                 "refresh_token": "refresh-new"}})
        headers = await managed.refresher(oauth.IssuerConfig(issuer.url, "cid"))()
        [grant] = await issuer.wait_requests(1)
    assert grant.body["refresh_token"] == "refresh-0"
    assert headers == {"authorization": "Bearer access-new", "chatgpt-account-id": "acct_9"}
    stored = json.loads((tmp_path / "auth.json").read_text())["tokens"]
    assert (stored["access_token"], stored["refresh_token"]) == ("access-new", "refresh-new")


async def test_token_refreshed_elsewhere_is_taken_without_a_grant(tmp_path: Path) -> None:
    """When auth.json already holds another access token, it is used as is."""
    managed = _stored(tmp_path)
    refresher = managed.refresher(oauth.IssuerConfig("http://127.0.0.1:9", "cid"))
    _stored(tmp_path, access="access-other")
    headers = await refresher()
    assert headers == {"authorization": "Bearer access-other", "chatgpt-account-id": "acct_9"}


async def test_failed_refresh_keeps_the_file(tmp_path: Path) -> None:
    """A refused grant raises the reference's text and leaves auth.json untouched."""
    managed = _stored(tmp_path)
    before = (tmp_path / "auth.json").read_text()
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": 400, "body": {"error": "invalid_grant"}})
        with pytest.raises(oauth.OAuthError, match="^Failed to refresh token: 400 Bad Request"):
            await managed.refresh(oauth.IssuerConfig(issuer.url, "cid"))
    assert (tmp_path / "auth.json").read_text() == before
    assert managed.headers()["authorization"] == "Bearer access-0"
