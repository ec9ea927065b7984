"""A managed ChatGPT login: tokens kept in `auth.json`, refreshed at the issuer.

A browser login (or an `auth.json` written by codex) leaves the id, access
and refresh tokens on disk. `ManagedChatgpt` holds them, says who is signed
in (the id token's claims, read by `claims`), and renews them: after a 401
from the model it first takes a token another process may have stored
meanwhile, else makes one refresh-token grant and stores the answer. A
failed grant keeps the file as it is and raises `OAuthError` with the
reference's text.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from core_service.account import auth_file, oauth
from core_service.account.claims import ClaimsError, TokenClaims, read_claims
from core_service.model.client import AuthRefresher


class ManagedChatgpt:
    """The managed ChatGPT tokens of `codex_home`, if any, and their refresh."""

    def __init__(self, codex_home: Path, stored: auth_file.AuthData | None) -> None:
        self.codex_home = codex_home
        self.tokens = _chatgpt_tokens(stored)
        # One refresh at a time: concurrent 401s share the grant of the first.
        self._lock = asyncio.Lock()

    @property
    def active(self) -> bool:
        """Whether a managed ChatGPT login is in place."""
        return self.tokens is not None

    def claims(self) -> TokenClaims:
        """Who is signed in, from the id token (all None when it cannot be read)."""
        if self.tokens is None:
            return TokenClaims()
        try:
            return read_claims(self.tokens.id_token)
        except ClaimsError:
            return TokenClaims()

    def account_id(self) -> str | None:
        """The ChatGPT account id: the stored one, else the id token's claim."""
        if self.tokens is None:
            return None
        return self.tokens.account_id or self.claims().account_id

    def headers(self) -> dict[str, str | None]:
        """The credentials headers of an upstream request (empty when signed out)."""
        tokens = self.tokens
        if tokens is None:
            return {}
        return _headers(tokens, self.account_id())

    def refresher(self, issuer: oauth.IssuerConfig) -> AuthRefresher:
        """What a 401 calls: new tokens (see `after_unauthorized`), as request headers."""
        rejected = self.tokens.access_token if self.tokens is not None else None

        async def refresh() -> dict[str, str | None]:
            tokens = await self.after_unauthorized(issuer, rejected)
            return _headers(tokens, self.account_id())

        return refresh

    async def store(self, issued: oauth.IssuedTokens) -> None:
        """Keep the tokens of a completed browser login (written to auth.json first)."""
        if issued.id_token is None or issued.access_token is None or issued.refresh_token is None:
            raise ValueError("incomplete tokens")
        try:
            account = read_claims(issued.id_token).account_id
        except ClaimsError:
            account = None
        tokens = auth_file.TokenData(issued.id_token, issued.access_token,
                                     issued.refresh_token, account)
        await asyncio.to_thread(auth_file.save_chatgpt_tokens, self.codex_home, tokens)
        self.tokens = tokens

    def clear(self) -> None:
        """Forget the tokens (the caller removes or replaces the file)."""
        self.tokens = None

    async def refresh(self, issuer: oauth.IssuerConfig) -> auth_file.TokenData:
        """One refresh-token grant; the new tokens are stored and returned.

        Raises `OAuthError` (file untouched) when the issuer refuses, and
        `LookupError` when there is no managed login.
        """
        async with self._lock:
            return await self._refresh(issuer)

    async def _refresh(self, issuer: oauth.IssuerConfig) -> auth_file.TokenData:
        current = self.tokens
        if current is None:
            raise LookupError("not signed in with ChatGPT")
        issued = await oauth.refresh(issuer, current.refresh_token)
        renewed = dataclasses.replace(
            current,
            id_token=issued.id_token or current.id_token,
            access_token=issued.access_token or current.access_token,
            refresh_token=issued.refresh_token or current.refresh_token,
        )
        await asyncio.to_thread(auth_file.save_chatgpt_tokens, self.codex_home, renewed)
        self.tokens = renewed
        return renewed

    async def after_unauthorized(self, issuer: oauth.IssuerConfig,
                                 rejected: str | None) -> auth_file.TokenData:
        """New tokens after the model refused the access token `rejected`.

        A different token already in auth.json (another process refreshed)
        is taken as is; otherwise one refresh-token grant is made.
        """
        async with self._lock:
            stored = _chatgpt_tokens(
                await asyncio.to_thread(auth_file.load_auth, self.codex_home))
            if stored is not None and stored.access_token != rejected:
                self.tokens = stored
                return stored
            if self.tokens is not None and self.tokens.access_token != rejected:
                return self.tokens  # a concurrent 401 already refreshed
            return await self._refresh(issuer)


def _headers(tokens: auth_file.TokenData, account_id: str | None) -> dict[str, str | None]:
    return {"authorization": f"Bearer {tokens.access_token}", "chatgpt-account-id": account_id}


def _chatgpt_tokens(stored: auth_file.AuthData | None) -> auth_file.TokenData | None:
    if stored is None or stored.auth_mode != auth_file.AUTH_MODE_CHATGPT:
        return None
    return stored.tokens
