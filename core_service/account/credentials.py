"""The credentials requests are sent with: the stored API key and providers' env keys.

`Credentials` holds what `auth.json` says (read once at start, then kept in
step with the logins and logouts made through it) and the environment that
providers' `env_key` variables are read from. It decides which bearer token
a request to a provider carries; the account methods (`api`) change it.
ChatGPT sign-in comes with a later issue: a ChatGPT `auth.json` is read as
"not signed in with an API key" here.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

from core_service.account import auth_file
from core_service.config.schema import ProviderConfig

# The built-in provider whose requests carry the stored API key.
OPENAI_PROVIDER_ID = "openai"


class Credentials:
    """The stored API key and the environment, and the bearer token they give a provider."""

    def __init__(self, codex_home: Path, env: Mapping[str, str] | None = None) -> None:
        self.codex_home = codex_home
        self.env: Mapping[str, str] = env if env is not None else dict(os.environ)
        stored = auth_file.load_auth(codex_home)
        self._stored_key = stored.openai_api_key if stored is not None else None

    def bearer_for(self, provider: ProviderConfig) -> str | None:
        """The bearer token for requests to `provider`, if any.

        The provider's `env_key` variable wins; the stored API key goes only
        to providers that use OpenAI sign-in.
        """
        if provider.env_key:
            value = self.env.get(provider.env_key)
            if value:
                return value
        if provider.requires_openai_auth or provider.id == OPENAI_PROVIDER_ID:
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

    async def forget(self) -> None:
        """Delete auth.json and stop sending the stored key."""
        await asyncio.to_thread(auth_file.delete_auth, self.codex_home)
        self._stored_key = None
