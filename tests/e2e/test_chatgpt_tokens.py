"""End to end: ChatGPT tokens supplied by the client (`chatgptAuthTokens`).

Login, `account/read`, the headers upstream, the 401 -> client refresh ->
one retry round trip and each way it fails, workspace pinning, exclusivity
with the browser login, and logout; the error texts are the reference's
(BEHAVIOR.md §9 and §14, and runs of the reference binary).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

REFRESH = "account/chatgptAuthTokens/refresh"
UNAUTHORIZED = {"kind": "http_error", "status": 401,
                "body": {"error": {"message": "Your authentication token has expired.",
                                   "code": "token_expired"}}}


def jwt(email: str, plan: str, account: str) -> str:
    """An unsigned JWT with the claims the server reads (the signature is never checked)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"email": email, "https://api.openai.com/auth": {
        "chatgpt_plan_type": plan, "chatgpt_account_id": account}}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


TOKEN_1 = jwt("first@example.com", "pro", "acct_first")
TOKEN_2 = jwt("second@example.com", "team", "acct_second")


async def login(client: ProtocolClient, token: str = TOKEN_1, account: str = "acct_first",
                plan: str | None = None) -> dict[str, Any]:
    """account/login/start with chatgptAuthTokens; the raw response."""
    params: dict[str, Any] = {"type": "chatgptAuthTokens", "accessToken": token,
                              "chatgptAccountId": account}
    if plan is not None:
        params["chatgptPlanType"] = plan
    return await client.request("account/login/start", params)


async def start_turn(client: ProtocolClient, text: str = "needs auth") -> str:
    """A new thread with one turn started on it; the thread id."""
    tid: str = (await client.call("thread/start", {}))["thread"]["id"]
    await client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": text}]})
    return tid


async def refresh_request(client: ProtocolClient, index: int = 0) -> dict[str, Any]:
    """The `index`-th refresh request the client received (bounded wait)."""
    def probe() -> dict[str, Any] | None:
        found = [r for r in client.server_requests if r["method"] == REFRESH]
        return found[index] if len(found) > index else None
    return await client.wait_for(probe, what=f"refresh request #{index}")  # type: ignore[no-any-return]


async def completed_turn(client: ProtocolClient, after: int = 0) -> dict[str, Any]:
    """The `turn` of the first turn/completed at or after notification `after`."""
    done = await client.wait_notification("turn/completed", after=after)
    return done["params"]["turn"]  # type: ignore[no-any-return]


def auth_headers(mock: MockModelServer) -> list[tuple[str | None, str | None]]:
    """(authorization, chatgpt-account-id) of each model request, in order."""
    return [(r.headers.get("authorization"), r.headers.get("chatgpt-account-id"))
            for r in mock.responses_requests]


async def test_login_read_and_refresh_round_trip(
    launch: Launcher, transport: str, mock: MockModelServer, home: Path
) -> None:
    """Tokens are used in memory only; a 401 asks the supplier once and the retry succeeds."""
    client = await launch(transport, requires_openai_auth=True)
    await client.initialize(experimentalApi=True)
    assert (await login(client, plan="plus"))["result"] == {"type": "chatgptAuthTokens"}
    done = await client.wait_notification("account/login/completed")
    assert done["params"] == {"loginId": None, "success": True, "error": None}
    updated = await client.wait_notification("account/updated")
    assert updated["params"] == {"authMode": "chatgptAuthTokens"}
    account = await client.call("account/read", {})
    assert account == {"account": {"type": "chatgpt", "email": "first@example.com",
                                   "planType": "plus"}, "requiresOpenaiAuth": True}
    assert not (home / "auth.json").exists()

    mock.enqueue(UNAUTHORIZED, {"kind": "text", "text": "fresh"})
    await start_turn(client)
    request = await refresh_request(client)
    assert request["params"] == {"reason": "unauthorized", "previousAccountId": "acct_first"}
    await client.send({"id": request["id"], "result": {
        "accessToken": TOKEN_2, "chatgptAccountId": "acct_second", "chatgptPlanType": None}})
    assert (await completed_turn(client))["status"] == "completed"
    assert auth_headers(mock) == [(f"Bearer {TOKEN_1}", "acct_first"),
                                  (f"Bearer {TOKEN_2}", "acct_second")]
    account = await client.call("account/read", {})
    assert account["account"] == {"type": "chatgpt", "email": "second@example.com",
                                  "planType": "team"}
    assert client.methods().count("account/updated") == 1
    assert not (home / "auth.json").exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"error": {"code": -32000, "message": "refresh failed"}},
         "auth refresh request failed: code=-32000 message=refresh failed"),
        ({"result": {"accessToken": TOKEN_2, "chatgptAccountId": "acct_second"}},
         "unexpected status 401 Unauthorized"),
        ({"result": {"chatgptAccountId": "acct_second"}}, "missing field `accessToken`"),
    ],
    ids=["client-error", "second-401", "malformed-result"],
)
async def test_a_failed_refresh_fails_the_turn_and_keeps_the_login(
    launch: Launcher, mock: MockModelServer, answer: dict[str, Any], message: str
) -> None:
    """A client error, a malformed result, or a 401 on the one retry ends the turn failed
    with the reference's text; the login stays (the refreshed one after a second 401)."""
    client = await launch("stdio", requires_openai_auth=True)
    await client.initialize(experimentalApi=True)
    await login(client)
    before = await client.call("account/read", {})
    mock.enqueue(UNAUTHORIZED, UNAUTHORIZED)
    await start_turn(client)
    request = await refresh_request(client)
    await client.send({"id": request["id"], **answer})
    turn = await completed_turn(client)
    assert turn["status"] == "failed"
    if answer.get("result", {}).get("accessToken"):
        assert turn["error"]["message"].startswith(message)
    else:
        assert turn["error"]["message"] == message
    assert turn["error"]["codexErrorInfo"] == "other"
    error = await client.wait_notification("error")
    assert error["params"]["error"] == turn["error"] and error["params"]["willRetry"] is False
    after = (await client.call("account/read", {}))["account"]
    if "accessToken" not in answer.get("result", {}):
        assert after == before["account"] and len(auth_headers(mock)) == 1
    else:
        assert after["email"] == "second@example.com" and len(auth_headers(mock)) == 2


async def test_workspace_pinning(launch: Launcher, mock: MockModelServer) -> None:
    """With forced_chatgpt_workspace_id a login or a refresh into another workspace fails."""
    client = await launch("stdio", requires_openai_auth=True,
                          extra='forced_chatgpt_workspace_id = "acct_first"')
    await client.initialize(experimentalApi=True)
    refused = await login(client, TOKEN_2, "acct_other")
    assert refused["error"] == {
        "code": -32600,
        "message": 'External auth must use workspace acct_first, but received "acct_other".'}
    assert (await login(client))["result"] == {"type": "chatgptAuthTokens"}
    mock.enqueue(UNAUTHORIZED, UNAUTHORIZED)
    tid = await start_turn(client)
    for attempt in range(2):
        seen = len(client.notifications)
        if attempt:
            await client.call("turn/start", {"threadId": tid,
                                             "input": [{"type": "text", "text": "again"}]})
        request = await refresh_request(client, attempt)
        assert request["params"]["previousAccountId"] == "acct_first"
        await client.send({"id": request["id"], "result": {
            "accessToken": TOKEN_2, "chatgptAccountId": "acct_other"}})
        turn = await completed_turn(client, after=seen)
        assert turn["status"] == "failed"
        assert turn["error"]["message"] == (
            'external auth refresh returned workspace "acct_other", expected "acct_first"')
    assert auth_headers(mock) == [(f"Bearer {TOKEN_1}", "acct_first")] * 2


async def test_exclusivity_and_logout(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A browser or API-key login is refused over external tokens (the reference's text);
    logout clears them, twice is fine."""
    client = await launch(transport, requires_openai_auth=True)
    await client.initialize(experimentalApi=True)
    await login(client)
    for other in ({"type": "chatgpt"}, {"type": "apiKey", "apiKey": "sk-other"}):
        refused = await client.request("account/login/start", other)
        assert refused["error"] == {
            "code": -32600,
            "message": "External auth is active. Use account/login/start (chatgptAuthTokens) "
                       "to update it or account/logout to clear it."}
    assert (await client.call("account/read", {}))["account"]["email"] == "first@example.com"
    for _ in range(2):
        seen = len(client.notifications)
        assert await client.call("account/logout", {}) == {}
        updated = await client.wait_notification("account/updated", after=seen)
        assert updated["params"] == {"authMode": None}
    assert (await client.call("account/read", {}))["account"] is None
    await start_turn(client, "after logout")
    assert (await completed_turn(client))["status"] == "completed"
    assert auth_headers(mock) == [(None, None)]


async def test_login_errors(launch: Launcher) -> None:
    """Without experimentalApi the login is refused; a token that is no JWT is an error."""
    plain = await launch("ws", requires_openai_auth=True)
    await plain.initialize()
    refused = await login(plain)
    assert refused["error"]["code"] == -32600
    assert refused["error"]["message"] == (
        "account/login/start.chatgptAuthTokens requires experimentalApi capability")
    other = await ProtocolClient.over_websocket(plain.url)  # type: ignore[attr-defined]
    try:
        await other.initialize(experimentalApi=True)
        bad = await login(other, "not-a-jwt")
        assert bad["error"]["code"] == -32603
        assert bad["error"]["message"] == "failed to set external auth: invalid ID token format"
    finally:
        await other.close()


async def test_the_refresh_goes_to_every_connection_and_outlives_the_supplier(
    launch: Launcher, mock: MockModelServer
) -> None:
    """As in the reference (run with two websocket clients) the refresh goes to every
    initialized connection, the supplier among them; the supplier dropping does not end
    it, and another connection's answer is used for the retry."""
    supplier = await launch("ws", requires_openai_auth=True)
    await supplier.initialize(experimentalApi=True)
    await login(supplier)
    user = await ProtocolClient.over_websocket(supplier.url)  # type: ignore[attr-defined]
    try:
        await user.initialize(experimentalApi=True)
        mock.enqueue(UNAUTHORIZED, {"kind": "text", "text": "ok"})
        await start_turn(user)
        request = await refresh_request(supplier)
        assert (await refresh_request(user))["id"] == request["id"]
        await supplier.close()
        await user.send({"id": request["id"], "result": {
            "accessToken": TOKEN_2, "chatgptAccountId": "acct_second"}})
        assert (await completed_turn(user))["status"] == "completed"
        assert auth_headers(mock)[-1] == (f"Bearer {TOKEN_2}", "acct_second")
    finally:
        await user.close()


async def test_a_refresh_nobody_is_left_to_answer_times_out(
    launch: Launcher, mock: MockModelServer
) -> None:
    """With every connection it went to gone the refresh stays pending, as in the reference
    (observed with a websocket client that drops): the turn fails after 10 s with the
    timeout text, which a connection that resumed the thread later hears."""
    supplier = await launch("ws", requires_openai_auth=True)
    await supplier.initialize(experimentalApi=True)
    await login(supplier)
    mock.enqueue(UNAUTHORIZED)
    tid = await start_turn(supplier)
    await refresh_request(supplier)
    late = await ProtocolClient.over_websocket(supplier.url)  # type: ignore[attr-defined]
    try:
        await late.initialize(experimentalApi=True)
        await supplier.close()
        await late.call("thread/resume", {"threadId": tid})
        done = await late.wait_notification("turn/completed", timeout=25)
        assert done["params"]["turn"]["error"]["message"] == (
            "auth refresh request timed out after 10s")
        assert not [r for r in late.server_requests if r["method"] == REFRESH]
    finally:
        await late.close()


async def test_a_broadcast_refresh_is_resolved_for_every_connection_it_reached(
    launch: Launcher, mock: MockModelServer
) -> None:
    """With the supplier gone the refresh goes to every initialized connection; the first
    answer wins (a later one is dropped) and each of them hears serverRequest/resolved
    naming the turn's thread."""
    supplier = await launch("ws", requires_openai_auth=True)
    await supplier.initialize(experimentalApi=True)
    await login(supplier)
    user = await ProtocolClient.over_websocket(supplier.url)  # type: ignore[attr-defined]
    other = await ProtocolClient.over_websocket(supplier.url)  # type: ignore[attr-defined]
    try:
        await user.initialize(experimentalApi=True)
        await other.initialize(experimentalApi=True)
        await supplier.close()
        mock.enqueue(UNAUTHORIZED, {"kind": "text", "text": "ok"})
        tid = await start_turn(user)
        request = await refresh_request(user)
        assert (await refresh_request(other))["id"] == request["id"]
        await user.send({"id": request["id"], "result": {
            "accessToken": TOKEN_2, "chatgptAccountId": "acct_second"}})
        assert (await completed_turn(user))["status"] == "completed"
        for client in (user, other):
            resolved = await client.wait_notification("serverRequest/resolved")
            assert resolved["params"] == {"threadId": tid, "requestId": request["id"]}
        await other.send({"id": request["id"], "result": {
            "accessToken": TOKEN_1, "chatgptAccountId": "acct_first"}})
        account = (await other.call("account/read", {}))["account"]
        assert account["email"] == "second@example.com"
    finally:
        await user.close()
        await other.close()


async def test_an_unanswered_refresh_times_out_after_10s(
    launch: Launcher, mock: MockModelServer
) -> None:
    """No answer within 10 s ends the turn with the reference's timeout text."""
    client = await launch("stdio", requires_openai_auth=True)
    await client.initialize(experimentalApi=True)
    await login(client)
    mock.enqueue(UNAUTHORIZED)
    await start_turn(client)
    await refresh_request(client)
    done = await client.wait_notification("turn/completed", timeout=25)
    assert done["params"]["turn"]["error"]["message"] == (
        "auth refresh request timed out after 10s")
