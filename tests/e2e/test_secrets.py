"""End to end: no token or key appears in the logs or in any error message.

The server runs with debug logging (`APP_SERVER_LOG=DEBUG`, read by the core
child too) through an API-key login, a client-token login, a 401 answered by
a refresh, a refused refresh and a refused login; neither stderr nor anything
sent to the client contains a secret.
"""

from __future__ import annotations

import json

from tests.e2e.conftest import Launcher
from tests.e2e.test_chatgpt_tokens import (
    UNAUTHORIZED,
    completed_turn,
    jwt,
    login,
    refresh_request,
    start_turn,
)
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

    stderr = "\n".join(process.stderr_lines)
    assert "DEBUG" in stderr, "debug logging was not on"
    wire = json.dumps(client.received)
    for secret in SECRETS:
        assert secret not in stderr
        assert secret not in wire
