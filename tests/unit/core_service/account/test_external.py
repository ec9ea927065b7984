"""External ChatGPT tokens: making them, pinning, and the refresh round trip via the hub."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from app_server_protocol.v2 import account_pb2, service_pb2
from core_service.account.claims import ClaimsError
from core_service.account.external import (
    ExternalAuth,
    RefreshError,
    WorkspaceMismatch,
    check_workspace,
    make_tokens,
)
from core_service.hub import ConnKey, Hub

SUPPLIER = ConnKey("gw", "c1")
OTHER = ConnKey("gw", "c2")


def _jwt(email: str, plan: str) -> str:
    claims = {"email": email, "https://api.openai.com/auth": {"chatgpt_plan_type": plan}}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"h.{body}.s"


def _hub(*keys: ConnKey) -> Hub:
    hub = Hub()
    hub.attach("gw")
    for key in keys:
        hub.connection_initialized(key, {"name": "t", "title": None, "version": "1"})
    return hub


async def _sent_request(hub: Hub) -> service_pb2.ServerRequestOut:
    link = hub.gateways["gw"]
    while True:
        frame = await asyncio.wait_for(link.next_frame(), 5)
        assert frame is not None
        if frame.server_requests:
            return frame.server_requests[0]


def _answer(hub: Hub, out: service_pb2.ServerRequestOut, conn: str, **fields: object) -> None:
    reply = service_pb2.ServerRequestReply(connection_id=conn, request_id=out.request_id)
    reply.result.chatgpt_auth_tokens_refresh.CopyFrom(
        account_pb2.ChatgptAuthTokensRefreshResponse(**fields))  # type: ignore[arg-type]
    hub.reply("gw", reply)


def test_an_explicit_plan_wins_and_the_token_is_never_printed() -> None:
    """make_tokens reads the email and plan claims; a given plan wins; repr hides the token."""
    token = _jwt("a@example.com", "pro")
    tokens = make_tokens(token, "acct", "plus")
    assert (tokens.email, tokens.plan_type, tokens.account_id) == ("a@example.com", "plus", "acct")
    assert make_tokens(token, "acct", None).plan_type == "pro"
    assert token not in repr(tokens)
    with pytest.raises(ClaimsError):
        make_tokens("opaque", "acct", None)


def test_workspace_pinning_words_the_refusal_as_the_reference() -> None:
    """Another account id than the pinned one is refused; no pin allows any."""
    check_workspace("acct_x", None)
    check_workspace("acct_1", "acct_1")
    with pytest.raises(WorkspaceMismatch, match='^External auth must use workspace acct_1, '
                                                'but received "acct_x".$'):
        check_workspace("acct_x", "acct_1")


async def test_refresh_asks_every_initialized_connection_and_applies_the_answer() -> None:
    """The request names the previous account and goes to every initialized connection
    (the reference asks them all, the supplier among them); the first answer is used."""
    hub = _hub(SUPPLIER, OTHER)
    auth = ExternalAuth(hub)
    auth.tokens = make_tokens(_jwt("a@example.com", "pro"), "acct_1", None)
    task = asyncio.ensure_future(auth.refresh(None))
    out = await _sent_request(hub)
    assert out.to.all_initialized and not out.to.connection_ids
    params = out.params.chatgpt_auth_tokens_refresh
    assert params.previous_account_id == "acct_1"
    new = _jwt("b@example.com", "team")
    _answer(hub, out, "c2", access_token=new, chatgpt_account_id="acct_2")
    assert await task == {"authorization": f"Bearer {new}", "chatgpt-account-id": "acct_2"}
    assert auth.tokens is not None and auth.tokens.email == "b@example.com"


async def test_connections_gone_leave_the_refresh_to_its_timeout() -> None:
    """When every asked connection is gone the refresh is not cancelled: as in the reference
    it ends at its deadline with the timeout text, and the tokens stay."""
    hub = _hub(SUPPLIER)
    auth = ExternalAuth(hub, timeout_seconds=1.0)
    auth.tokens = make_tokens(_jwt("a@example.com", "pro"), "acct_1", None)
    task = asyncio.ensure_future(auth.refresh(None))
    await _sent_request(hub)
    hub.connection_closed(SUPPLIER)
    await asyncio.sleep(0)
    assert not task.done()
    with pytest.raises(RefreshError, match="^auth refresh request timed out after 1s$"):
        await asyncio.wait_for(task, 5)
    assert auth.tokens is not None and auth.tokens.account_id == "acct_1"


async def test_failures_carry_the_reference_texts() -> None:
    """A client error and another workspace end the refresh; the tokens stay."""
    hub = _hub(SUPPLIER)
    auth = ExternalAuth(hub)
    first = make_tokens(_jwt("a@example.com", "pro"), "acct_1", None)
    auth.tokens = first
    task = asyncio.ensure_future(auth.refresh(None))
    out = await _sent_request(hub)
    reply = service_pb2.ServerRequestReply(connection_id="c1", request_id=out.request_id)
    reply.error.code, reply.error.message = -32000, "refresh failed"
    hub.reply("gw", reply)
    with pytest.raises(RefreshError) as err:
        await task
    assert str(err.value) == "auth refresh request failed: code=-32000 message=refresh failed"

    task = asyncio.ensure_future(auth.refresh("acct_1"))
    out = await _sent_request(hub)
    _answer(hub, out, "c1", access_token=_jwt("b@example.com", "team"),
            chatgpt_account_id="acct_2")
    with pytest.raises(RefreshError) as err:
        await task
    assert str(err.value) == 'external auth refresh returned workspace "acct_2", expected "acct_1"'
    assert auth.tokens is first


async def test_no_tokens_means_no_refresh() -> None:
    """After a logout the 401 stands: refresh returns None without asking anyone."""
    hub = _hub(SUPPLIER)
    assert await ExternalAuth(hub).refresh(None) is None
    assert hub.gateways["gw"].queue.empty()
