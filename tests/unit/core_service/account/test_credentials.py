"""core_service.account.credentials: which bearer token a provider's requests carry."""

from __future__ import annotations

import json
from pathlib import Path

from core_service.account.credentials import Credentials
from core_service.config.schema import ProviderConfig

OPENAI = ProviderConfig(id="openai", name="OpenAI", base_url="https://api",
                        env_key="OPENAI_API_KEY", requires_openai_auth=True)
CUSTOM = ProviderConfig(id="mock", name="mock", base_url="http://mock", env_key="MOCK_KEY")
SIGN_IN = ProviderConfig(id="proxy", name="proxy", base_url="http://proxy",
                         requires_openai_auth=True)


def test_no_credentials_no_bearer(tmp_path: Path) -> None:
    """Without auth.json or env keys no provider gets a bearer, no account is signed in."""
    creds = Credentials(tmp_path, env={})
    assert [creds.bearer_for(p) for p in (OPENAI, CUSTOM, SIGN_IN)] == [None, None, None]
    assert not creds.has_api_key(OPENAI)


def test_stored_key_goes_to_openai_sign_in_providers_only(tmp_path: Path) -> None:
    """The key of auth.json is sent to providers using OpenAI sign-in, not to others."""
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-stored"}))
    creds = Credentials(tmp_path, env={})
    assert creds.bearer_for(OPENAI) == "sk-stored"
    assert creds.bearer_for(SIGN_IN) == "sk-stored"
    assert creds.bearer_for(CUSTOM) is None
    assert creds.has_api_key(CUSTOM)


def test_env_key_wins_and_counts_as_account_for_openai_only(tmp_path: Path) -> None:
    """A provider's env_key variable is its bearer, before the stored key; as an account it
    counts only for the built-in OpenAI provider."""
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-stored"}))
    env = {"OPENAI_API_KEY": "sk-env", "MOCK_KEY": "mock-env"}
    creds = Credentials(tmp_path, env=env)
    assert creds.bearer_for(OPENAI) == "sk-env"
    assert creds.bearer_for(CUSTOM) == "mock-env"
    only_env = Credentials(tmp_path / "empty", env=env)
    assert only_env.has_api_key(OPENAI)
    assert not only_env.has_api_key(CUSTOM)


async def test_save_and_forget(tmp_path: Path) -> None:
    """A saved key is written to auth.json and used at once; forgetting deletes both."""
    creds = Credentials(tmp_path, env={})
    await creds.save_api_key("sk-new")
    assert json.loads((tmp_path / "auth.json").read_text())["OPENAI_API_KEY"] == "sk-new"
    assert creds.bearer_for(OPENAI) == "sk-new"
    assert Credentials(tmp_path, env={}).bearer_for(OPENAI) == "sk-new"
    await creds.forget()
    assert not (tmp_path / "auth.json").exists()
    assert creds.bearer_for(OPENAI) is None
    await creds.forget()  # nothing to delete is fine
