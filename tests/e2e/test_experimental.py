"""End to end: experimental params members need the `experimentalApi` capability.

The refusals are the reference's (codex 0.104), including for members our
contract does not model (`dynamicTools`) and the reference's own name for
`persistExtendedHistory` (`persistFullHistory`).
"""

from __future__ import annotations

from tests.e2e.conftest import Launcher

TOOL = {"name": "lookup", "description": "d", "inputSchema": {"type": "object"}}


def refusal(member: str) -> dict[str, object]:
    """The reference's error for an experimental member used without the capability."""
    return {"code": -32600, "message": f"{member} requires experimentalApi capability"}


async def test_experimental_members_refused_without_capability(launch: Launcher) -> None:
    """Used members are refused (decode errors first); null/false/[] pass."""
    client = await launch("stdio")
    await client.initialize()
    resp = await client.request("thread/start", {"dynamicTools": [TOOL]})
    assert resp["error"] == refusal("thread/start.dynamicTools")
    resp = await client.request("thread/start", {"persistExtendedHistory": True})
    assert resp["error"] == refusal("thread/start.persistFullHistory")
    resp = await client.request("turn/start", {"threadId": "x", "input": [],
                                               "collaborationMode": {"mode": "plan"}})
    assert resp["error"] == refusal("turn/start.collaborationMode")
    resp = await client.request("thread/start", {"dynamicTools": [TOOL], "cwd": 5})
    assert resp["error"] == {"code": -32600,
                             "message": "Invalid request: cwd: invalid type: integer `5`, "
                                        "expected a string"}
    resp = await client.request("thread/start", {"dynamicTools": [],
                                                 "experimentalRawEvents": False})
    assert "result" in resp, resp


async def test_experimental_members_accepted_with_capability(launch: Launcher) -> None:
    """With `experimentalApi` the same request starts a thread."""
    client = await launch("stdio")
    await client.initialize(experimentalApi=True)
    resp = await client.request("thread/start", {"dynamicTools": [TOOL],
                                                 "persistExtendedHistory": True})
    assert resp["result"]["thread"]["id"], resp
