"""The credentials requests are sent with: stored API key, env keys, external ChatGPT tokens.

`Credentials` holds what `auth.json` says (read once at start, then kept in
step with the logins and logouts made through it) and the environment that
providers' `env_key` variables are read from. It decides which bearer token
a request to a provider carries; the account methods (`api`) change it.
ChatGPT tokens a client supplied (`external.ExternalAuth`, memory only) win
over the stored key for providers that use OpenAI sign-in; `request_auth`
gives a request its headers and the refresher a 401 calls.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core_service.account import auth_file
from core_service.account.external import ExternalAuth
from core_service.account.managed import ManagedChatgpt
from core_service.account.oauth import IssuedTokens, IssuerConfig
from core_service.config.schema import Config, ProviderConfig
from core_service.hub import Hub
from core_service.model.client import AuthRefresher

# The built-in provider whose requests carry the stored API key.
OPENAI_PROVIDER_ID = "openai"


@dataclass(frozen=True)
class RequestAuth:
    """How one model request authenticates.

    `bearer` becomes the authorization header; `account_id` is the
    `chatgpt-account-id` header (and says ChatGPT credentials are used: the
    built-in provider then calls the ChatGPT backend); `refresher` is called
    once on a 401.
    """

    # repr=False: a logged record or a traceback must not show the secret.
    bearer: str | None = field(default=None, repr=False)
    account_id: str | None = None
    refresher: AuthRefresher | None = None


def _uses_openai_auth(provider: ProviderConfig) -> bool:
    return provider.requires_openai_auth or provider.id == OPENAI_PROVIDER_ID


class Credentials:
    """The stored API key, the environment and external tokens, and what they give a request.

    `hub` carries the refresh requests of external tokens to clients.
    """

    def __init__(self, codex_home: Path, hub: Hub,
                 env: Mapping[str, str] | None = None) -> None:
        self.codex_home = codex_home
        self.env: Mapping[str, str] = env if env is not None else dict(os.environ)
        stored = auth_file.load_auth(codex_home)
        self._stored_key = stored.openai_api_key if stored is not None else None
        self.external = ExternalAuth(hub)
        self.managed = ManagedChatgpt(codex_home, stored)

    def request_auth(self, config: Config, thread_id: str | None = None) -> RequestAuth:
        """The credentials of a request of thread `thread_id`, configured by `config`.

        The provider's `env_key` variable wins; then external ChatGPT tokens
        (with a refresher that asks the client, pinned to
        `forced_chatgpt_workspace_id`), then a managed ChatGPT login (refreshed
        at the issuer), then the stored API key, for providers that use
        OpenAI sign-in.
        """
        provider = config.provider
        env_value = self.env.get(provider.env_key) if provider.env_key else None
        external = self.external
        if not env_value and _uses_openai_auth(provider) and external.tokens is not None:
            forced = config.forced_chatgpt_workspace_id

            async def refresher() -> dict[str, str | None] | None:
                return await external.refresh(forced, thread_id)

            tokens = external.tokens
            return RequestAuth(tokens.access_token, tokens.account_id, refresher)
        managed = self.managed
        if not env_value and _uses_openai_auth(provider) and managed.tokens is not None:
            # A managed ChatGPT login refreshes at the issuer itself on a 401.
            return RequestAuth(managed.tokens.access_token, managed.account_id(),
                               managed.refresher(IssuerConfig.from_config(config, self.env)))
        return RequestAuth(self.bearer_for(provider))

    def bearer_for(self, provider: ProviderConfig) -> str | None:
        """The bearer token for requests to `provider`, if any.

        The provider's `env_key` variable wins; the stored API key goes only
        to providers that use OpenAI sign-in.
        """
        if provider.env_key:
            value = self.env.get(provider.env_key)
            if value:
                return value
        if _uses_openai_auth(provider):
            return self._stored_key
        return None

    def has_api_key(self, provider: ProviderConfig) -> bool:
        """Whether an API key account is signed in for `provider` (`account/read`).

        A stored key counts for any provider; an environment key only for
        the built-in OpenAI provider, as the reference counts it.
        """
        env_key = provider.env_key
        from_env = bool(env_key and self.env.get(env_key)) and provider.id == OPENAI_PROVIDER_ID
        return self._stored_key is not None or from_env

    async def save_api_key(self, api_key: str) -> None:
        """Store `api_key` in auth.json (replacing any credentials) and use it from now on."""
        await asyncio.to_thread(auth_file.save_api_key, self.codex_home, api_key)
        self._stored_key = api_key
        self.managed.clear()

    async def save_chatgpt_tokens(self, issued: IssuedTokens) -> None:
        """Store a browser login's tokens in auth.json (replacing any) and use them."""
        await self.managed.store(issued)
        self._stored_key = None

    async def forget(self) -> None:
        """Delete auth.json, drop external tokens and stop sending the stored key."""
        self.external.tokens = None
        await asyncio.to_thread(auth_file.delete_auth, self.codex_home)
        self._stored_key = None
        self.managed.clear()
