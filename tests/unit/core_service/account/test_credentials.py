"""core_service.account.credentials: which bearer token a provider's requests carry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core_service.account.credentials import Credentials, RequestAuth
from core_service.account.external import make_tokens
from core_service.config.load import load_config
from core_service.config.schema import Config, ProviderConfig
from core_service.hub import Hub
from tests.support.mock_issuer import id_token

OPENAI = ProviderConfig(id="openai", name="OpenAI", base_url="https://api",
                        env_key="OPENAI_API_KEY", requires_openai_auth=True)
CUSTOM = ProviderConfig(id="mock", name="mock", base_url="http://mock", env_key="MOCK_KEY")
SIGN_IN = ProviderConfig(id="proxy", name="proxy", base_url="http://proxy",
                         requires_openai_auth=True)


def test_no_credentials_no_bearer(tmp_path: Path) -> None:
    """Without auth.json or env keys no provider gets a bearer, no account is signed in."""
    creds = Credentials(tmp_path, Hub(), env={})
    assert [creds.bearer_for(p) for p in (OPENAI, CUSTOM, SIGN_IN)] == [None, None, None]
    assert not creds.has_api_key(OPENAI)


def test_stored_key_goes_to_openai_sign_in_providers_only(tmp_path: Path) -> None:
    """The key of auth.json is sent to providers using OpenAI sign-in, not to others."""
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-stored"}))
    creds = Credentials(tmp_path, Hub(), env={})
    assert creds.bearer_for(OPENAI) == "sk-stored"
    assert creds.bearer_for(SIGN_IN) == "sk-stored"
    assert creds.bearer_for(CUSTOM) is None
    assert creds.has_api_key(CUSTOM)


def test_env_key_wins_and_counts_as_account_for_openai_only(tmp_path: Path) -> None:
    """A provider's env_key variable is its bearer, before the stored key; as an account it
    counts only for the built-in OpenAI provider."""
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-stored"}))
    env = {"OPENAI_API_KEY": "sk-env", "MOCK_KEY": "mock-env"}
    creds = Credentials(tmp_path, Hub(), env=env)
    assert creds.bearer_for(OPENAI) == "sk-env"
    assert creds.bearer_for(CUSTOM) == "mock-env"
    only_env = Credentials(tmp_path / "empty", Hub(), env=env)
    assert only_env.has_api_key(OPENAI)
    assert not only_env.has_api_key(CUSTOM)


async def test_save_and_forget(tmp_path: Path) -> None:
    """A saved key is written to auth.json and used at once; forgetting deletes both."""
    creds = Credentials(tmp_path, Hub(), env={})
    await creds.save_api_key("sk-new")
    assert json.loads((tmp_path / "auth.json").read_text())["OPENAI_API_KEY"] == "sk-new"
    assert creds.bearer_for(OPENAI) == "sk-new"
    assert Credentials(tmp_path, Hub(), env={}).bearer_for(OPENAI) == "sk-new"
    await creds.forget()
    assert not (tmp_path / "auth.json").exists()
    assert creds.bearer_for(OPENAI) is None
    await creds.forget()  # nothing to delete is fine


def _config(home: Path, provider: str = "openai", forced: str | None = None) -> Config:
    home.mkdir(parents=True, exist_ok=True)
    pin = f'forced_chatgpt_workspace_id = "{forced}"\n' if forced else ""
    (home / "config.toml").write_text(
        f'model_provider = "{provider}"\n{pin}'
        '[model_providers.mock]\nname = "mock"\nbase_url = "http://mock/v1"\n')
    return load_config(home, env={}).config


def test_request_auth_prefers_external_tokens_for_openai_sign_in(tmp_path: Path) -> None:
    """External tokens beat a stored key for OpenAI sign-in, with a refresher; an env key
    beats both; a provider without OpenAI sign-in gets neither."""
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-stored"}))
    creds = Credentials(tmp_path, Hub(), env={})
    cfg = _config(tmp_path)
    assert creds.request_auth(cfg) == RequestAuth("sk-stored")
    creds.external.tokens = make_tokens(id_token("a@example.com"), "acct_1", None)
    auth = creds.request_auth(cfg)
    assert (auth.bearer, auth.account_id) == (creds.external.tokens.access_token, "acct_1")
    assert auth.refresher is not None
    assert creds.request_auth(_config(tmp_path, "mock")) == RequestAuth(None)
    with_env = Credentials(tmp_path, Hub(), env={"OPENAI_API_KEY": "sk-env"})
    with_env.external.tokens = creds.external.tokens
    assert with_env.request_auth(cfg) == RequestAuth("sk-env")


async def test_the_refresher_applies_the_pinned_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresher of external tokens refreshes pinned to forced_chatgpt_workspace_id,
    about the thread whose request it serves."""
    creds = Credentials(tmp_path, Hub(), env={})
    creds.external.tokens = make_tokens(id_token("a@example.com"), "acct_1", None)
    seen: list[tuple[str | None, str | None]] = []

    async def refresh(forced: str | None, thread_id: str | None) -> dict[str, str | None]:
        seen.append((forced, thread_id))
        return {}

    monkeypatch.setattr(creds.external, "refresh", refresh)
    refresher = creds.request_auth(_config(tmp_path, forced="acct_1"), "t1").refresher
    assert refresher is not None
    await refresher()
    assert seen == [("acct_1", "t1")]


async def test_forget_drops_external_tokens(tmp_path: Path) -> None:
    """Logout's forget clears client-supplied tokens too."""
    creds = Credentials(tmp_path, Hub(), env={})
    creds.external.tokens = make_tokens(id_token("a@example.com"), "acct_1", None)
    await creds.forget()
    assert creds.external.tokens is None


def test_request_auth_repr_hides_the_bearer() -> None:
    """A logged RequestAuth shows the account, never the token."""
    assert "tok-secret" not in repr(RequestAuth("tok-secret", "acct_1"))
