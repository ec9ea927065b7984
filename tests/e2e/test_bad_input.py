"""End to end: a client's malformed input is refused like the reference refuses
it, the connection stays usable, and nothing of it reaches stderr as a traceback
(over stdio and websocket)."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient

BAD_ID = {"id": None, "error": {
    "code": -32600, "message": "Invalid request: `id` must be a string or an integer"}}


async def answer_to_null_id(client: ProtocolClient, raw: bytes) -> dict[str, Any]:
    """Send `raw`; the response it gets, which carries `"id": null`."""
    client.responses.pop(None, None)
    await client.send(raw)
    return await client.wait_response(None)


async def stderr_after_stop(client: ProtocolClient) -> str:
    """Everything the server wrote on stderr, once it has stopped."""
    process = client.process  # type: ignore[attr-defined]
    await client.close()
    await process.stop()
    return "\n".join(process.stderr_lines)


async def test_params_given_as_a_string_is_refused(launch: Launcher, transport: str) -> None:
    """`params` holding JSON text is not parsed: the reference's invalid-type error,
    no thread started; malformed text logs no traceback."""
    client = await launch(transport)
    await client.initialize()
    resp = await client.request("thread/start", json.dumps({"cwd": "/"}))
    assert resp["error"] == {"code": -32600, "message": (
        'Invalid request: invalid type: string "{\\"cwd\\": \\"/\\"}", expected struct '
        "ThreadStartParams")}
    resp = await client.request("thread/start", '{"cwd":')
    assert resp["error"]["code"] == -32600
    assert (await client.call("thread/loaded/list", {}))["data"] == []
    assert not client.notifications, client.notifications
    stderr = await stderr_after_stop(client)
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr


async def test_ids_a_request_id_cannot_hold(launch: Launcher, transport: str) -> None:
    """Integers outside signed 64 bits, floats and -0 are refused like 2^64 (id null);
    the bounds themselves and numeric-looking strings are echoed as sent."""
    client = await launch(transport)
    await client.initialize()
    for rid in (b"9223372036854775808", b"-9223372036854775809", b"18446744073709551616",
                b"1.0", b"1e2", b"-0"):
        raw = b'{"id":' + rid + b',"method":"thread/loaded/list","params":{}}'
        assert await answer_to_null_id(client, raw) == BAD_ID, rid
    for good in (2**63 - 1, -(2**63), "1e2", "-0"):
        resp = await client.request("thread/loaded/list", {}, id=good)
        assert resp["id"] == good and type(resp["id"]) is type(good) and "result" in resp
    stderr = await stderr_after_stop(client)
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr
