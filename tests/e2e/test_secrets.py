"""End to end: no token or key appears in the logs or in any error message.

The server runs with debug logging (`APP_SERVER_LOG=DEBUG`, read by the core
child too) through an API-key login, a client-token login, a 401 answered by
a refresh, a refused refresh and a refused login; then through a browser
login (its code and PKCE verifier) against a mock issuer and the managed
tokens it stores (id, access and refresh tokens) refreshed after a 401, a
refused refresh grant and a proactive refresh. Neither stderr nor anything
sent to the client contains a secret.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import Launcher
from tests.e2e.test_chatgpt_tokens import (
    UNAUTHORIZED,
    completed_turn,
    jwt,
    login,
    refresh_request,
    start_turn,
)
from tests.e2e.test_threads import run_turn
from tests.support.client import ProtocolClient
from tests.support.mock_issuer import MockIssuer, browser_get
from tests.support.mock_model import MockModelServer

API_KEY = "sk-secret-api-key-0123456789"
TOKEN_1 = jwt("first@example.com", "pro", "acct_first")
TOKEN_2 = jwt("second@example.com", "plus", "acct_second")
SECRETS = [API_KEY, TOKEN_1, TOKEN_2, TOKEN_1.split(".")[1], TOKEN_2.split(".")[1]]


async def test_debug_logs_and_errors_carry_no_secret(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """Every account flow at debug level leaves no secret in stderr or on the wire."""
    client = await launch(transport, requires_openai_auth=True,
                          env={"APP_SERVER_LOG": "DEBUG"})
    await client.initialize(experimentalApi=True)
    await client.call("account/login/start", {"type": "apiKey", "apiKey": API_KEY})
    await login(client)
    await login(client, "not-a-jwt-" + API_KEY)
    mock.enqueue(UNAUTHORIZED, {"kind": "text", "text": "ok"}, UNAUTHORIZED)
    tid = await start_turn(client)
    request = await refresh_request(client)
    await client.send({"id": request["id"], "result": {
        "accessToken": TOKEN_2, "chatgptAccountId": "acct_second"}})
    assert (await completed_turn(client))["status"] == "completed"
    seen = len(client.notifications)
    await client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "2"}]})
    request = await refresh_request(client, 1)
    await client.send({"id": request["id"], "error": {"code": -32000, "message": "no"}})
    assert (await completed_turn(client, after=seen))["status"] == "failed"
    await client.call("account/logout", {})
    await client.close()
    process = client.process  # type: ignore[attr-defined]
    await process.stop()

    _assert_no_secret(client, SECRETS)


def _assert_no_secret(client: ProtocolClient, secrets: list[str]) -> None:
    """Neither the (debug) stderr of the stopped server nor the wire shows a secret."""
    stderr = "\n".join(client.process.stderr_lines)  # type: ignore[attr-defined]
    assert "DEBUG" in stderr, "debug logging was not on"
    wire = json.dumps(client.received)
    for secret in secrets:
        assert secret not in stderr
        assert secret not in wire


async def test_browser_login_and_managed_refresh_carry_no_secret(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """A browser login and the managed tokens' refreshes at debug level leave no
    authorization code, verifier, id, access or refresh token in stderr or on the wire."""
    async with MockIssuer() as issuer:
        client = await launch(transport, requires_openai_auth=True, env={
            "APP_SERVER_LOG": "DEBUG",
            "CODEX_REFRESH_TOKEN_URL_OVERRIDE": f"{issuer.url}/oauth/token"}, extra=(
            f'chatgpt_login_issuer = "{issuer.url}"\nchatgpt_login_callback_port = 0\n'))
        await client.initialize()
        answers = [issuer.tokens("me@example.com", "plus", "acct_7") for _ in range(3)]
        issuer.enqueue(answers[0], answers[1],
                       {"status": 400, "body": {"error": "invalid_grant"}}, answers[2])
        started = await client.call("account/login/start", {"type": "chatgpt"})
        query = {k: v[0] for k, v in parse_qs(urlsplit(started["authUrl"]).query).items()}
        port = urlsplit(query["redirect_uri"]).port or 0
        code = "secret-authorization-code-42"
        await browser_get(port, f"/auth/callback?code={code}&state={query['state']}")
        assert (await browser_get(port, "/success"))[0] == 200
        await client.wait_notification("account/updated")
        mock.enqueue({"kind": "http_error", "status": 401}, {"kind": "text", "text": "ok"},
                     {"kind": "http_error", "status": 401})
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        assert (await run_turn(client, tid, "refreshed"))["status"] == "completed"
        assert (await run_turn(client, tid, "refused"))["status"] == "failed"
        await client.call("account/read", {"refreshToken": True})
        grants = await issuer.wait_requests(4)
        await client.call("account/logout", {})
        await client.close()
        await client.process.stop()  # type: ignore[attr-defined]
    secrets = [code, grants[0].body["code_verifier"]]
    for answer in answers:
        body = answer["body"]
        secrets += [body["id_token"], body["id_token"].split(".")[1],
                    body["access_token"], body["refresh_token"]]
    _assert_no_secret(client, secrets)
