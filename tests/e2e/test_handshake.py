"""End to end: initialize rules and request errors, over stdio and websocket."""

from __future__ import annotations

import re

from tests.e2e.conftest import Launcher


async def test_requests_before_initialize_are_refused(launch: Launcher, transport: str) -> None:
    """Any request before initialize gets -32600 "Not initialized"; the connection stays usable."""
    client = await launch(transport)
    resp = await client.request("thread/loaded/list", {})
    assert resp["error"] == {"code": -32600, "message": "Not initialized"}
    result = await client.initialize()
    assert re.fullmatch(r"conformance/0\.104\.0 \(.+; .+\) \S+ \(conformance; 1\.0\.0\)",
                        result["userAgent"]), result
    assert "result" in await client.request("thread/loaded/list", {})


async def test_second_initialize_is_refused(launch: Launcher, transport: str) -> None:
    """A second initialize gets -32600 "Already initialized"."""
    client = await launch(transport)
    await client.initialize()
    resp = await client.request("initialize", {"clientInfo": {"name": "x", "version": "1"}})
    assert resp["error"] == {"code": -32600, "message": "Already initialized"}


async def test_ids_are_echoed_verbatim(launch: Launcher, transport: str) -> None:
    """String ids stay strings and integer ids stay integers."""
    client = await launch(transport)
    resp = await client.request("initialize", {"clientInfo": {"name": "c", "version": "1"}},
                                id="init-1")
    assert resp["id"] == "init-1" and "result" in resp
    resp = await client.request("thread/loaded/list", {}, id="7")
    assert resp["id"] == "7"
    resp = await client.request("thread/loaded/list", {}, id=7)
    assert resp["id"] == 7 and isinstance(resp["id"], int)


async def test_unknown_method_and_bad_params(launch: Launcher, transport: str) -> None:
    """Unknown methods and invalid params get -32600 with a message naming the problem."""
    client = await launch(transport)
    await client.initialize()
    resp = await client.request("foo/bar", {})
    assert resp["error"]["code"] == -32600
    assert resp["error"]["message"].startswith(
        "Invalid request: unknown variant `foo/bar`, expected one of `initialize`, `thread/start`"
    )
    resp = await client.request("thread/read", {"threadId": 42})
    assert resp["error"]["code"] == -32600
    assert "threadId" in resp["error"]["message"] and "expected a string" in (
        resp["error"]["message"])
    resp = await client.request("turn/start", {"threadId": "x", "input": [{"type": "text",
                                                                          "text": 5}]})
    assert resp["error"]["code"] == -32600
    assert "input[0].text" in resp["error"]["message"], resp
    resp = await client.request("thread/read", {})
    assert resp["error"] == {"code": -32600,
                             "message": "Invalid request: missing field `threadId`"}
    resp = await client.request("thread/read", {"threadId": "nope"})
    assert resp["error"]["message"].startswith("invalid thread id: invalid character")
    # still usable
    assert "result" in await client.request("thread/loaded/list", {})


async def test_malformed_input_gets_parse_error(launch: Launcher, transport: str) -> None:
    """Input that is not JSON gets -32700 with id null; a batch gets a clear error."""
    client = await launch(transport)
    await client.send(b"{not json")
    err = await client.wait_for(lambda: client.responses.get(None), what="parse error")
    assert err["error"]["code"] == -32700
    client.responses.pop(None)
    await client.send(b"[1, 2]")
    err = await client.wait_for(lambda: client.responses.get(None), what="batch error")
    assert err["error"]["code"] == -32600
    await client.initialize()


async def test_config_warning_after_initialize(launch: Launcher, transport: str) -> None:
    """A broken config.toml is reported with configWarning right after initialize."""
    extra = "[features]\ncollaboration_modes = \"true\"\n"
    client = await launch(transport, extra=extra)
    await client.initialize()
    note = await client.wait_notification("configWarning")
    params = note["params"]
    assert params["summary"] == "Invalid configuration; using defaults."
    assert 'invalid type: string "true", expected a boolean' in params["details"]
    resp = await client.request("thread/start", {})
    assert resp["error"]["code"] == -32600
    assert resp["error"]["message"].startswith("error deriving config:")
