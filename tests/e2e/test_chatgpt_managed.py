"""End to end: managed ChatGPT credentials (auth.json with a refresh token) refreshed at a
mock issuer after a model 401, on `account/read {refreshToken: true}`, and when it fails."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core_service.account import auth_file
from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.client import ProtocolClient
from tests.support.mock_issuer import MockIssuer, id_token
from tests.support.mock_model import MockModelServer


@pytest.fixture
async def issuer() -> AsyncIterator[MockIssuer]:
    """The mock OAuth issuer (in this test's event loop)."""
    async with MockIssuer() as server:
        yield server


async def _signed_in(launch: Launcher, transport: str, issuer: MockIssuer, home: Path,
                     env: dict[str, str] | None = None) -> ProtocolClient:
    """A server whose auth.json holds a managed login of me@example.com (plan plus)."""
    auth_file.save_chatgpt_tokens(home, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-old", "refresh-old", "acct_1"))
    # Debug logging, so that the secrets checks cover every log line.
    client = await launch(transport, requires_openai_auth=True,
                          env={"APP_SERVER_LOG": "DEBUG", **(env or {})},
                          extra=f'chatgpt_login_issuer = "{issuer.url}"\n')
    await client.initialize()
    return client


def _secrets_absent(client: ProtocolClient, *secrets: str) -> None:
    stderr = "\n".join(client.process.stderr_lines)  # type: ignore[attr-defined]
    for secret in secrets:
        assert secret not in stderr


async def test_model_401_refreshes_once_saves_and_retries(
    launch: Launcher, transport: str, issuer: MockIssuer, mock: MockModelServer, home: Path
) -> None:
    """A 401 makes one refresh-token grant (the reference's JSON body); the new tokens are
    written to auth.json and the request is retried with them; the turn completes."""
    client = await _signed_in(launch, transport, issuer, home)
    assert (await client.call("account/read", {}))["account"] == {
        "type": "chatgpt", "email": "me@example.com", "planType": "plus"}
    issuer.enqueue({"status": 200, "body": {"access_token": "access-new",
                                             "refresh_token": "refresh-new"}})
    mock.enqueue({"kind": "http_error", "status": 401}, {"kind": "text", "text": "ok"})
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    assert (await run_turn(client, tid, "hi"))["status"] == "completed"
    [grant] = await issuer.wait_requests(1)
    assert (grant.path, grant.content_type) == ("/oauth/token", "application/json")
    assert grant.body == {"client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
                          "grant_type": "refresh_token", "refresh_token": "refresh-old",
                          "scope": "openid profile email"}
    first, retry = mock.responses_requests
    assert first.headers["authorization"] == "Bearer access-old"
    assert retry.headers["authorization"] == "Bearer access-new"
    assert retry.headers["chatgpt-account-id"] == "acct_1"
    tokens = json.loads((home / "auth.json").read_text())["tokens"]
    assert (tokens["access_token"], tokens["refresh_token"]) == ("access-new", "refresh-new")
    _secrets_absent(client, "access-old", "access-new", "refresh-old", "refresh-new")


async def test_failed_refresh_fails_the_turn_and_keeps_the_file(
    launch: Launcher, transport: str, issuer: MockIssuer, mock: MockModelServer, home: Path
) -> None:
    """A refused grant ends the turn failed with 'Failed to refresh token: 400 Bad Request:
    <body>'; auth.json is unchanged and the account still signed in."""
    client = await _signed_in(launch, transport, issuer, home)
    before = (home / "auth.json").read_text()
    issuer.enqueue({"status": 400, "body": {"error": "invalid_grant"}})
    mock.enqueue({"kind": "http_error", "status": 401})
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    turn = await run_turn(client, tid, "hi")
    assert turn["status"] == "failed"
    assert turn["error"]["message"] == (
        'Failed to refresh token: 400 Bad Request: {"error": "invalid_grant"}')
    assert (home / "auth.json").read_text() == before
    assert (await client.call("account/read", {}))["account"] is not None
    _secrets_absent(client, "access-old", "refresh-old")


async def test_account_read_refreshes_at_the_override_url(
    launch: Launcher, transport: str, issuer: MockIssuer, home: Path
) -> None:
    """account/read {refreshToken: true} refreshes before answering, at
    CODEX_REFRESH_TOKEN_URL_OVERRIDE; the answer shows the new id token's claims."""
    client = await _signed_in(launch, transport, issuer, home, env={
        "CODEX_REFRESH_TOKEN_URL_OVERRIDE": f"{issuer.url}/override/token"})
    issuer.enqueue(issuer.tokens("new@example.com", "team", "acct_1"))
    read = await client.call("account/read", {"refreshToken": True})
    assert read["account"] == {"type": "chatgpt", "email": "new@example.com", "planType": "team"}
    [grant] = await issuer.wait_requests(1)
    assert grant.path == "/override/token" and grant.body["refresh_token"] == "refresh-old"
    assert json.loads((home / "auth.json").read_text())["tokens"]["refresh_token"] != (
        "refresh-old")
    logout = await client.call("account/logout", {})
    assert logout == {} and not (home / "auth.json").exists()
    assert (await client.call("account/read", {}))["account"] is None


async def test_logout_removes_auth_json_and_twice_is_harmless(
    launch: Launcher, transport: str, issuer: MockIssuer, mock: MockModelServer, home: Path
) -> None:
    """account/logout of a stored login answers {} then account/updated {authMode: null},
    deletes auth.json and leaves requests without a bearer; a second logout does the same."""
    client = await _signed_in(launch, transport, issuer, home)
    for _ in range(2):
        seen = len(client.notifications)
        assert await client.call("account/logout", {}) == {}
        updated = await client.wait_notification("account/updated", after=seen)
        assert updated["params"] == {"authMode": None}
        assert not (home / "auth.json").exists()
    assert (await client.call("account/read", {}))["account"] is None
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    assert (await run_turn(client, tid, "after logout"))["status"] == "completed"
    assert "authorization" not in mock.responses_requests[-1].headers


async def test_a_stored_login_of_another_workspace_is_kept(
    launch: Launcher, issuer: MockIssuer, mock: MockModelServer, home: Path
) -> None:
    """forced_chatgpt_workspace_id does not touch an auth.json of another account: as in
    the reference (run against such a file) it is read, used and kept."""
    auth_file.save_chatgpt_tokens(home, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-old", "refresh-old", "acct_1"))
    client = await launch("stdio", requires_openai_auth=True, extra=(
        f'chatgpt_login_issuer = "{issuer.url}"\nforced_chatgpt_workspace_id = "acct_pinned"\n'))
    await client.initialize()
    assert (await client.call("account/read", {}))["account"] == {
        "type": "chatgpt", "email": "me@example.com", "planType": "plus"}
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    assert (await run_turn(client, tid, "hi"))["status"] == "completed"
    assert mock.responses_requests[-1].headers["chatgpt-account-id"] == "acct_1"
    assert (home / "auth.json").exists()
