"""mcp_front/server.py: the SDK glue (raw channel peer, client info, the SDK server)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

from mcp.shared.exceptions import MCPError

from mcp_front import server
from mcp_front.session import McpSession


class FakeChannel:
    """The request-scoped SDK channel: records notifications and requests."""

    def __init__(self, answer: dict[str, Any] | None) -> None:
        self.sent: list[tuple[str, Any, Any]] = []
        self._answer = answer

    async def notify(self, method: str, params: Any) -> None:
        self.sent.append((method, params, None))

    async def send_raw_request(self, method: str, params: Any, opts: Any) -> dict[str, Any]:
        self.sent.append((method, params, opts))
        if self._answer is None:
            raise MCPError(code=-32000, message="no")
        return self._answer


class FakeBackend:
    """A core that is never called."""

    async def call(self, method: str, params: dict[str, Any], *, connection_id: str,
                   replay: bool = False) -> Any:
        raise AssertionError(method)

    def answer(self, connection_id: str, request_id: int, method: str, decision: str) -> None:
        raise AssertionError(method)

    async def ready(self) -> None:
        return None


def _ctx(channel: FakeChannel) -> Any:
    connection = SimpleNamespace(outbound=channel)
    return SimpleNamespace(session=SimpleNamespace(_request_outbound=channel,
                                                   _connection=connection))


async def test_peer_sends_raw_and_numbers_elicitations_from_zero() -> None:
    """Notifications and elicitations go out as given (extra members kept); elicitation
    ids come from the front end's counter (0, 1, ...), bounded by the limit; an error
    answer is None."""
    ids = itertools.count(0)
    ok = FakeChannel({"decision": "approved"})
    peer = server.SdkPeer(_ctx(ok), ids)
    await peer.notify("codex/event", {"msg": {"type": "x"}})
    assert await peer.elicit({"message": "m", "codex_call_id": "c"}, 9.0) == {
        "decision": "approved"}
    assert ok.sent == [("codex/event", {"msg": {"type": "x"}}, None),
                       ("elicitation/create", {"message": "m", "codex_call_id": "c"},
                        {"timeout": 9.0, "request_id": 0})]
    failing = FakeChannel(None)
    assert await server.SdkPeer(_ctx(failing), ids).elicit({}, 1.0) is None
    assert failing.sent[0][2]["request_id"] == 1


def test_client_info() -> None:
    """The MCP client's clientInfo becomes the core's initialize clientInfo."""
    info = SimpleNamespace(name="host", title="Host", version="2")
    session = SimpleNamespace(client_params=SimpleNamespace(client_info=info))
    assert server._client_info(session) == {"name": "host", "title": "Host", "version": "2"}
    assert server._client_info(SimpleNamespace(client_params=None))["name"] == "mcp-client"


def test_server_identity() -> None:
    """The SDK server is named as the reference names itself and lists tools."""
    built = server.build_server(McpSession(FakeBackend()), itertools.count(0))
    options = built.create_initialization_options()
    assert (options.server_name, options.title, options.server_version) == (
        "codex-mcp-server", "Codex", "0.104.0")
    assert options.capabilities.tools is not None
