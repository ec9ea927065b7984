"""The ChatGPT OAuth issuer: PKCE, the authorize URL, code exchange, refresh grants.

The parameters and wording are the reference's (codex 0.104 `login` crate):
the authorize URL carries the same query parameters in the same order, the
code is exchanged with a form POST, a refresh is a JSON POST with the
`openid profile email` scope, and a failed refresh says what the reference
says. Upstream HTTP goes through the core's one upstream client
(`core_service.upstream.http`: proxies, certificates and timeouts as for the model).

No secret (code, verifier, token) is ever put into a log line or an error
message; an issuer's error body is quoted as the reference quotes it.
"""

from __future__ import annotations

import base64
import hashlib
import http
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from core_service.config.schema import (
    DEFAULT_CHATGPT_LOGIN_CLIENT_ID,
    DEFAULT_CHATGPT_LOGIN_ISSUER,
    Config,
)
from core_service.upstream import http as upstream

# Where refresh grants go instead of `<issuer>/oauth/token` when set.
REFRESH_URL_ENV = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
LOGIN_SCOPE = "openid profile email offline_access"
REFRESH_SCOPE = "openid profile email"

_CONNECT_TIMEOUT = 10.0
_IDLE_TIMEOUT = 30.0

# The reference's texts for the refresh failures that need a new sign-in.
_RELOGIN = "Please log out and sign in again."
_REFRESH_401_MESSAGES = {
    "refresh_token_expired":
        f"Your access token could not be refreshed because your refresh token has expired. "
        f"{_RELOGIN}",
    "refresh_token_reused":
        f"Your access token could not be refreshed because your refresh token was already "
        f"used. {_RELOGIN}",
    "refresh_token_invalidated":
        f"Your access token could not be refreshed because your refresh token was revoked. "
        f"{_RELOGIN}",
}
_REFRESH_401_UNKNOWN = f"Your access token could not be refreshed. {_RELOGIN}"


class OAuthError(Exception):
    """The issuer refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class IssuerConfig:
    """Where and as whom the server signs in: issuer, client id, refresh URL."""

    issuer: str = DEFAULT_CHATGPT_LOGIN_ISSUER
    client_id: str = DEFAULT_CHATGPT_LOGIN_CLIENT_ID
    refresh_url_override: str | None = None

    @classmethod
    def from_config(cls, config: Config, env: Mapping[str, str] | None = None) -> IssuerConfig:
        """The issuer of `config`, with `CODEX_REFRESH_TOKEN_URL_OVERRIDE` taken from `env`."""
        source = os.environ if env is None else env
        return cls(config.chatgpt_login_issuer.rstrip("/"), config.chatgpt_login_client_id,
                   source.get(REFRESH_URL_ENV) or None)

    @property
    def token_url(self) -> str:
        """The issuer's token endpoint (code exchange)."""
        return f"{self.issuer.rstrip('/')}/oauth/token"

    @property
    def refresh_url(self) -> str:
        """Where refresh grants go: the override when set, else the token endpoint."""
        return self.refresh_url_override or self.token_url


@dataclass(frozen=True)
class Pkce:
    """A PKCE pair: the secret verifier (not in the repr) and its S256 challenge."""

    verifier: str = field(repr=False)
    challenge: str

    @classmethod
    def generate(cls) -> Pkce:
        """A fresh pair (64 random bytes, base64url without padding, as the reference)."""
        verifier = _b64(secrets.token_bytes(64))
        return cls(verifier, _b64(hashlib.sha256(verifier.encode("ascii")).digest()))


@dataclass(frozen=True)
class IssuedTokens:
    """What the token endpoint answered; a refresh may leave any of them out (no repr)."""

    id_token: str | None = field(repr=False)
    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)


def new_state() -> str:
    """A fresh `state` value (32 random bytes, base64url)."""
    return _b64(secrets.token_bytes(32))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def authorize_url(
    cfg: IssuerConfig,
    redirect_uri: str,
    pkce: Pkce,
    state: str,
    originator: str,
    workspace_id: str | None = None,
) -> str:
    """The URL the user opens to sign in, with the reference's parameters and order."""
    query: list[tuple[str, str]] = [
        ("response_type", "code"),
        ("client_id", cfg.client_id),
        ("redirect_uri", redirect_uri),
        ("scope", LOGIN_SCOPE),
        ("code_challenge", pkce.challenge),
        ("code_challenge_method", "S256"),
        ("id_token_add_organizations", "true"),
        ("codex_cli_simplified_flow", "true"),
        ("state", state),
        ("originator", originator),
    ]
    if workspace_id:
        query.append(("allowed_workspace_id", workspace_id))
    return f"{cfg.issuer.rstrip('/')}/oauth/authorize?{urlencode(query, quote_via=quote)}"


async def _post(
    url: str, *, form: dict[str, str] | None = None, json_body: Any = None
) -> tuple[int, str]:
    """POST a form or a JSON body to `url` on a client of its own (grants are rare)."""
    client = upstream.UpstreamClient()
    try:
        reply = await client.fetch("POST", url, form=form, json=json_body,
                                   connect_timeout=_CONNECT_TIMEOUT, idle_timeout=_IDLE_TIMEOUT)
    except upstream.TransportError as exc:
        raise OAuthError(f"error sending request for url ({url}): {exc}") from None
    finally:
        await client.aclose()
    return reply.status_code, reply.text()


def _status(code: int) -> str:
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _tokens(text: str) -> IssuedTokens:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise OAuthError("token endpoint returned an invalid response")

    def pick(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    return IssuedTokens(pick("id_token"), pick("access_token"), pick("refresh_token"))


async def exchange_code(
    cfg: IssuerConfig, code: str, redirect_uri: str, pkce: Pkce
) -> IssuedTokens:
    """Trade an authorization code for tokens (all three are required)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": cfg.client_id,
        "code_verifier": pkce.verifier,
    }
    status, text = await _post(cfg.token_url, form=form)
    if not 200 <= status < 300:
        raise OAuthError(f"token endpoint returned status {_status(status)}")
    tokens = _tokens(text)
    if tokens.id_token is None or tokens.access_token is None or tokens.refresh_token is None:
        raise OAuthError("token endpoint returned an incomplete response")
    return tokens


async def refresh(cfg: IssuerConfig, refresh_token: str) -> IssuedTokens:
    """One refresh-token grant; raise OAuthError with the reference's text on failure."""
    body = {
        "client_id": cfg.client_id,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "scope": REFRESH_SCOPE,
    }
    status, text = await _post(cfg.refresh_url, json_body=body)
    if 200 <= status < 300:
        return _tokens(text)
    if status == 401:
        raise OAuthError(_REFRESH_401_MESSAGES.get(_error_code(text) or "", _REFRESH_401_UNKNOWN))
    raise OAuthError(f"Failed to refresh token: {_status(status)}: {text}")


def _error_code(text: str) -> str | None:
    """The `error` code of an issuer's error body (a string, or an object's `code`)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("code")
    if not isinstance(error, str):
        error = data.get("code")
    return error.lower() if isinstance(error, str) else None
