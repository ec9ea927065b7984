"""core_service.account.oauth: PKCE, the authorize URL, code exchange and refresh grants."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from core_service.account import oauth
from core_service.config.schema import Config
from tests.support.mock_issuer import MockIssuer


def test_pkce_challenge_is_s256_of_the_verifier() -> None:
    """The challenge is base64url(SHA-256(verifier)) without padding; pairs are fresh."""
    pkce = oauth.Pkce.generate()
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert len(pkce.verifier) == 86 and "=" not in pkce.verifier
    assert oauth.Pkce.generate() != pkce
    assert oauth.new_state() != oauth.new_state()


def test_authorize_url_has_the_reference_parameters_in_order() -> None:
    """The URL is the reference's: same parameters, same order, spaces as %20."""
    pkce = oauth.Pkce("v", "chal")
    url = oauth.authorize_url(oauth.IssuerConfig(), "http://localhost:1455/auth/callback",
                              pkce, "st", "codex_vscode")
    assert url == (
        "https://auth.openai.com/oauth/authorize?response_type=code"
        "&client_id=app_EMoamEEZ73f0CkXaXp7hrann"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback"
        "&scope=openid%20profile%20email%20offline_access&code_challenge=chal"
        "&code_challenge_method=S256&id_token_add_organizations=true"
        "&codex_cli_simplified_flow=true&state=st&originator=codex_vscode")
    pinned = oauth.authorize_url(oauth.IssuerConfig(), "r", pkce, "st", "o", "ws_1")
    assert pinned.endswith("&allowed_workspace_id=ws_1")


def test_issuer_config_from_config_and_env(tmp_path: Path) -> None:
    """Issuer and client id come from config; the refresh URL override from the env."""
    config = Config(codex_home=tmp_path, config_path=tmp_path / "config.toml",
                    chatgpt_login_issuer="http://issuer/", chatgpt_login_client_id="cid")
    plain = oauth.IssuerConfig.from_config(config, env={})
    assert (plain.token_url, plain.refresh_url, plain.client_id) == (
        "http://issuer/oauth/token", "http://issuer/oauth/token", "cid")
    over = oauth.IssuerConfig.from_config(
        config, env={"CODEX_REFRESH_TOKEN_URL_OVERRIDE": "http://other/token"})
    assert (over.token_url, over.refresh_url) == ("http://issuer/oauth/token",
                                                  "http://other/token")


async def test_code_exchange_posts_the_form() -> None:
    """The code is exchanged with a form POST carrying the verifier and redirect URI."""
    async with MockIssuer() as issuer:
        cfg = oauth.IssuerConfig(issuer.url, "cid")
        tokens = await oauth.exchange_code(cfg, "the-code", "http://localhost:1/cb",
                                           oauth.Pkce("ver", "chal"))
        [req] = await issuer.wait_requests(1)
    assert req.path == "/oauth/token"
    assert req.content_type == "application/x-www-form-urlencoded"
    assert req.body == {"grant_type": "authorization_code", "code": "the-code",
                        "redirect_uri": "http://localhost:1/cb", "client_id": "cid",
                        "code_verifier": "ver"}
    assert tokens.access_token == "access-1" and tokens.refresh_token == "refresh-1"


async def test_code_exchange_failure_names_the_status_only() -> None:
    """A refused exchange says the status, never the code or the body."""
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": 400, "body": {"error": "invalid_grant"}})
        with pytest.raises(oauth.OAuthError) as err:
            await oauth.exchange_code(oauth.IssuerConfig(issuer.url, "cid"), "secret-code",
                                      "r", oauth.Pkce("ver", "chal"))
    assert str(err.value) == "token endpoint returned status 400 Bad Request"


async def test_refresh_grant_is_json_to_the_refresh_url() -> None:
    """A refresh posts the reference's JSON grant to the refresh URL; absent tokens stay None."""
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": 200, "body": {"access_token": "new-access"}})
        cfg = oauth.IssuerConfig("http://unused", "cid", f"{issuer.url}/custom")
        tokens = await oauth.refresh(cfg, "rt-1")
        [req] = await issuer.wait_requests(1)
    assert (req.path, req.content_type) == ("/custom", "application/json")
    assert req.body == {"client_id": "cid", "grant_type": "refresh_token",
                        "refresh_token": "rt-1", "scope": "openid profile email"}
    assert tokens == oauth.IssuedTokens(None, "new-access", None)


@pytest.mark.parametrize(("status", "body", "message"), [
    (400, {"error": "invalid_grant"},
     'Failed to refresh token: 400 Bad Request: {"error": "invalid_grant"}'),
    (401, {"error": {"code": "refresh_token_expired"}},
     "Your access token could not be refreshed because your refresh token has expired. "
     "Please log out and sign in again."),
    (401, {"error": "refresh_token_reused"},
     "Your access token could not be refreshed because your refresh token was already used. "
     "Please log out and sign in again."),
    (401, {"error": "other"},
     "Your access token could not be refreshed. Please log out and sign in again."),
])
async def test_refresh_failures_have_the_reference_text(
    status: int, body: dict[str, object], message: str
) -> None:
    """Each refused refresh raises OAuthError with the reference's wording."""
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": status, "body": body})
        with pytest.raises(oauth.OAuthError) as err:
            await oauth.refresh(oauth.IssuerConfig(issuer.url, "cid"), "rt-secret")
    assert str(err.value) == message


async def test_unreachable_issuer_is_an_oauth_error() -> None:
    """A connection failure is an OAuthError naming the URL."""
    async with MockIssuer() as issuer:
        url = issuer.url
    with pytest.raises(oauth.OAuthError) as err:
        await oauth.refresh(oauth.IssuerConfig(url, "cid"), "rt")
    assert str(err.value).startswith(f"error sending request for url ({url}/oauth/token)")


def test_reprs_hold_no_secret() -> None:
    """The verifier and issued tokens never show in a repr (logs, tracebacks)."""
    text = repr(oauth.Pkce("verifier-secret", "chal")) + repr(
        oauth.IssuedTokens("id-secret", "access-secret", "refresh-secret"))
    assert "secret" not in text and "chal" in text
