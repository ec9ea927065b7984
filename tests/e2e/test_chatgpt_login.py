"""End to end: the ChatGPT browser login against a mock issuer (callback server on port 0)."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.support.client import ProtocolClient
from tests.support.mock_issuer import MockIssuer, browser_get
from tests.support.mock_model import MockModelServer


@pytest.fixture
async def issuer() -> AsyncIterator[MockIssuer]:
    """The mock OAuth issuer (in this test's event loop)."""
    async with MockIssuer() as server:
        yield server


async def _start(launch: Launcher, transport: str, issuer: MockIssuer) -> ProtocolClient:
    # Debug logging, so that the secrets check below covers every log line.
    client = await launch(transport, requires_openai_auth=True, env={"APP_SERVER_LOG": "DEBUG"},
                          extra=(
        f'chatgpt_login_issuer = "{issuer.url}"\nchatgpt_login_callback_port = 0\n'))
    await client.initialize(name="my client")
    return client


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_browser_login_signs_in_and_requests_carry_the_token(
    launch: Launcher, transport: str, issuer: MockIssuer, mock: MockModelServer, home: Path
) -> None:
    """login/start gives the authorize URL; a wrong state and an OAuth error are 400 and keep
    the login; the code is exchanged with the PKCE verifier; tokens land in auth.json (0600);
    /success ends the login (completed + updated chatgpt); account/read and the model request
    show the account."""
    client = await _start(launch, transport, issuer)
    issuer.enqueue(issuer.tokens("me@example.com", "plus", "acct_7"))
    started = await client.call("account/login/start", {"type": "chatgpt"})
    query = _query(started["authUrl"])
    assert started["authUrl"].startswith(f"{issuer.url}/oauth/authorize?response_type=code&")
    assert query["originator"] == "my client" and query["code_challenge_method"] == "S256"
    port = urlsplit(query["redirect_uri"]).port or 0
    assert query["redirect_uri"] == f"http://localhost:{port}/auth/callback"

    state = query["state"]
    wrong = await browser_get(port, "/auth/callback?code=c&state=wrong")
    assert wrong[::2] == (400, "State mismatch")
    denied = await browser_get(port, f"/auth/callback?error=access_denied&state={state}")
    assert denied[::2] == (400, "Missing authorization code")
    status, headers, _ = await browser_get(port, f"/auth/callback?code=the-code&state={state}")
    assert status == 302 and headers["location"] == f"http://localhost:{port}/success"
    [grant] = await issuer.wait_requests(1)
    verifier = grant.body["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == query["code_challenge"]
    assert grant.body["code"] == "the-code" and grant.body["grant_type"] == "authorization_code"
    assert (await browser_get(port, "/success"))[0] == 200

    done = await client.wait_notification("account/login/completed")
    assert done["params"] == {"loginId": started["loginId"], "success": True, "error": None}
    updated = await client.wait_notification("account/updated")
    assert updated["params"] == {"authMode": "chatgpt"}
    auth = home / "auth.json"
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    data = json.loads(auth.read_text())
    assert data["auth_mode"] == "chatgpt" and data["OPENAI_API_KEY"] is None
    assert data["tokens"]["access_token"] == "access-1" and data["tokens"]["account_id"] == "acct_7"
    account = await client.call("account/read", {})
    assert account["account"] == {"type": "chatgpt", "email": "me@example.com",
                                  "planType": "plus"}

    tid = (await client.call("thread/start", {}))["thread"]["id"]
    assert (await run_turn(client, tid, "hi"))["status"] == "completed"
    sent = mock.responses_requests[-1].headers
    assert sent["authorization"] == "Bearer access-1"
    assert sent["chatgpt-account-id"] == "acct_7"
    stderr = "\n".join(client.process.stderr_lines)  # type: ignore[attr-defined]
    for secret in ("the-code", verifier, "access-1", "refresh-1", grant.body["code_verifier"]):
        assert secret not in stderr


async def test_second_start_cancels_the_first_and_cancel_ends_a_login(
    launch: Launcher, transport: str, issuer: MockIssuer
) -> None:
    """A second login/start ends the first ('Login cancelled', after the second answer);
    login/cancel answers canceled then ends it ('Login was not completed'); again: notFound."""
    client = await _start(launch, transport, issuer)
    first = await client.call("account/login/start", {"type": "chatgpt"})
    rid = await client.request_nowait("account/login/start", {"type": "chatgpt"})
    cancelled = await client.wait_notification("account/login/completed")
    second = (await client.wait_response(rid))["result"]
    assert client.received.index(client.responses[rid]) < client.received.index(cancelled)
    assert cancelled["params"] == {"loginId": first["loginId"], "success": False,
                                   "error": "Login server error: Login cancelled"}
    first_port = urlsplit(_query(first["authUrl"])["redirect_uri"]).port or 0
    with pytest.raises(OSError):
        await browser_get(first_port, "/success")

    result = await client.call("account/login/cancel", {"loginId": second["loginId"]})
    assert result == {"status": "canceled"}
    ended = await client.wait_notification(
        "account/login/completed", lambda p: p["loginId"] == second["loginId"])
    assert ended["params"]["error"] == "Login server error: Login was not completed"
    again = await client.call("account/login/cancel", {"loginId": second["loginId"]})
    assert again == {"status": "notFound"}
    assert (await client.call("account/read", {}))["account"] is None


async def test_a_login_into_another_workspace_is_refused(
    launch: Launcher, transport: str, issuer: MockIssuer, home: Path
) -> None:
    """With forced_chatgpt_workspace_id the authorize URL names the workspace; an id token of
    another account is not stored: the browser gets 200 'Login is restricted to workspace id
    <id>.' and the login ends failed with that text (no account/updated), as the reference."""
    client = await launch(transport, requires_openai_auth=True, extra=(
        f'chatgpt_login_issuer = "{issuer.url}"\nchatgpt_login_callback_port = 0\n'
        'forced_chatgpt_workspace_id = "acct_pinned"\n'))
    await client.initialize()
    issuer.enqueue(issuer.tokens("me@example.com", "plus", "acct_other"))
    started = await client.call("account/login/start", {"type": "chatgpt"})
    query = _query(started["authUrl"])
    assert query["allowed_workspace_id"] == "acct_pinned"
    port = urlsplit(query["redirect_uri"]).port or 0
    target = f"/auth/callback?code=the-code&state={query['state']}"
    status, _, body = await browser_get(port, target)
    assert (status, body) == (200, "Login is restricted to workspace id acct_pinned.")
    done = await client.wait_notification("account/login/completed")
    assert done["params"] == {
        "loginId": started["loginId"], "success": False,
        "error": "Login server error: Login is restricted to workspace id acct_pinned."}
    assert not (home / "auth.json").exists()
    assert (await client.call("account/read", {}))["account"] is None
    assert not [n for n in client.notifications if n["method"] == "account/updated"]
