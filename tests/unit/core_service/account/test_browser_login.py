"""core_service.account.browser_login: callback decisions and the loopback login flow."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from core_service.account import oauth
from core_service.account.browser_login import (
    BrowserLogins,
    Exchange,
    Finish,
    Reply,
    decide,
    render,
    workspace_error,
)
from tests.support.mock_issuer import MockIssuer, id_token, jwt


def test_callback_with_wrong_state_is_400_state_mismatch() -> None:
    """A callback whose state differs is refused with the reference's text."""
    assert decide("/auth/callback?code=c&state=bad", "good", False) == Reply(
        400, "State mismatch")
    assert decide("/auth/callback?code=c", "good", False) == Reply(400, "State mismatch")


def test_callback_without_code_is_400_missing_code() -> None:
    """An OAuth error (no code) with the right state is 400 Missing authorization code."""
    target = "/auth/callback?error=access_denied&state=good"
    assert decide(target, "good", False) == Reply(400, "Missing authorization code")


def test_callback_with_state_and_code_exchanges() -> None:
    """The right state and a code lead to the exchange of that code."""
    assert decide("/auth/callback?code=c1&state=good", "good", False) == Exchange("c1")


def test_success_ends_only_a_signed_in_login_and_cancel_ends_any() -> None:
    """/success ends a login whose tokens are stored; /cancel cancels; others are 404."""
    assert decide("/success", "s", False) == Reply(404, "Not Found")
    finish = decide("/success", "s", True)
    assert isinstance(finish, Finish) and finish.error is None
    assert finish.reply.status == 200
    assert decide("/cancel", "s", False) == Finish(Reply(200, "Login cancelled"),
                                                   "Login cancelled")
    assert decide("/other", "s", False) == Reply(404, "Not Found")


def test_render_closes_the_connection() -> None:
    """A rendered reply has its status line, length, close and location headers."""
    data = render(Reply(302, "", location="http://localhost:1/success"))
    assert data.startswith(b"HTTP/1.1 302 Found\r\n")
    assert b"location: http://localhost:1/success\r\n" in data
    assert b"connection: close\r\n" in data and data.endswith(b"\r\n\r\n")


async def _get(port: int, target: str) -> tuple[int, dict[str, str], str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nhost: localhost\r\n\r\n".encode())
    async with asyncio.timeout(5):
        data = await reader.read()
    writer.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, body


class _Recorder:
    def __init__(self) -> None:
        self.finished: list[tuple[str, str | None]] = []
        self.saved: list[oauth.IssuedTokens] = []
        self.done = asyncio.Event()

    async def save(self, tokens: oauth.IssuedTokens) -> None:
        self.saved.append(tokens)

    def finish(self, login_id: str, error: str | None) -> None:
        self.finished.append((login_id, error))
        self.done.set()


def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_full_flow_exchanges_stores_and_finishes_on_success_page() -> None:
    """Callback -> code exchange -> tokens saved -> 302 /success -> login ends successfully."""
    rec = _Recorder()
    logins = BrowserLogins(rec.save, rec.finish)
    async with MockIssuer() as issuer:
        login_id, url = await logins.start(oauth.IssuerConfig(issuer.url, "cid"), 0,
                                           "codex_vscode", None)
        params = _params(url)
        port = int(urlsplit(params["redirect_uri"]).port or 0)
        assert url.startswith(f"{issuer.url}/oauth/authorize?")
        assert params["redirect_uri"] == f"http://localhost:{port}/auth/callback"
        status, _, body = await _get(port, "/auth/callback?code=c&state=wrong")
        assert (status, body) == (400, "State mismatch")
        status, headers, _ = await _get(port, f"/auth/callback?code=c&state={params['state']}")
        assert status == 302 and headers["location"] == f"http://localhost:{port}/success"
        [grant] = await issuer.wait_requests(1)
        assert grant.body["code"] == "c" and grant.body["redirect_uri"] == params["redirect_uri"]
        assert rec.saved and rec.finished == []
        status, _, _ = await _get(port, "/success")
        assert status == 200
    async with asyncio.timeout(5):
        await rec.done.wait()
    assert rec.finished == [(login_id, None)]
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_failed_exchange_is_500_and_keeps_the_login() -> None:
    """A refused code exchange answers 500 'Token exchange failed: ...'; the login stays."""
    rec = _Recorder()
    logins = BrowserLogins(rec.save, rec.finish)
    async with MockIssuer() as issuer:
        issuer.enqueue({"status": 400, "body": {"error": "invalid_grant"}})
        login_id, url = await logins.start(oauth.IssuerConfig(issuer.url, "cid"), 0, "o", None)
        params = _params(url)
        port = int(urlsplit(params["redirect_uri"]).port or 0)
        status, _, body = await _get(port, f"/auth/callback?code=c&state={params['state']}")
    assert (status, body) == (
        500, "Token exchange failed: token endpoint returned status 400 Bad Request")
    assert rec.saved == [] and rec.finished == []
    assert logins.cancel(login_id) == "Login server error: Login was not completed"
    assert rec.finished == []  # the canceller announces it


async def test_second_start_cancels_the_first_and_cancel_needs_the_id() -> None:
    """A new login ends the pending one ('Login cancelled', reported, or returned by
    cancel_pending); cancel of an unknown or ended id is None."""
    rec = _Recorder()
    logins = BrowserLogins(rec.save, rec.finish)
    cfg = oauth.IssuerConfig("http://127.0.0.1:9", "cid")
    first, _ = await logins.start(cfg, 0, "o", None)
    second, _ = await logins.start(cfg, 0, "o", None)
    assert rec.finished == [(first, "Login server error: Login cancelled")]
    assert logins.cancel(first) is None
    assert logins.cancel_pending() == (second, "Login server error: Login cancelled")
    assert logins.cancel_pending() is None
    third, _ = await logins.start(cfg, 0, "o", None)
    assert logins.cancel(third) == "Login server error: Login was not completed"
    assert logins.cancel(third) is None
    assert len(rec.finished) == 1


async def test_close_ends_the_pending_login_and_its_server_quietly() -> None:
    """When the core stops, the pending login's callback server closes and nothing
    is announced (close is idempotent)."""
    rec = _Recorder()
    logins = BrowserLogins(rec.save, rec.finish)
    login_id, url = await logins.start(oauth.IssuerConfig("http://127.0.0.1:9", "cid"), 0,
                                       "o", None)
    port = int(urlsplit(_params(url)["redirect_uri"]).port or 0)
    logins.close()
    logins.close()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    assert rec.finished == [] and logins.cancel(login_id) is None


async def test_tokens_of_another_workspace_end_the_login_unsaved() -> None:
    """With a pinned workspace, an id token naming another account is answered 200 with
    the reference's text; the tokens are not saved and the login ends with that error."""
    rec = _Recorder()
    logins = BrowserLogins(rec.save, rec.finish)
    async with MockIssuer() as issuer:
        issuer.enqueue(issuer.tokens("me@example.com", "plus", "acct_other"))
        login_id, url = await logins.start(oauth.IssuerConfig(issuer.url, "cid"), 0, "o",
                                           "acct_pinned")
        params = _params(url)
        assert params["allowed_workspace_id"] == "acct_pinned"
        port = int(urlsplit(params["redirect_uri"]).port or 0)
        status, _, body = await _get(port, f"/auth/callback?code=c&state={params['state']}")
    assert (status, body) == (200, "Login is restricted to workspace id acct_pinned.")
    async with asyncio.timeout(5):
        await rec.done.wait()
    assert rec.saved == []
    assert rec.finished == [
        (login_id, "Login server error: Login is restricted to workspace id acct_pinned.")]
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


def test_workspace_error_texts() -> None:
    """Nothing pinned or the same account: allowed; another account or no account claim:
    the reference's texts."""
    token = id_token("me@example.com", "plus", "acct_a")
    assert workspace_error(None, token) is None
    assert workspace_error("acct_a", token) is None
    assert workspace_error("acct_b", token) == "Login is restricted to workspace id acct_b."
    missing = ("Login is restricted to a specific workspace, but the token did not include "
               "an chatgpt_account_id claim.")
    assert workspace_error("acct_b", jwt({"email": "me@example.com"})) == missing
    assert workspace_error("acct_b", "not-a-jwt") == missing
    assert workspace_error("acct_b", None) == missing
