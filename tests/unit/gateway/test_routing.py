"""Targeted delivery of core frames to sessions (pure, no sockets)."""

from __future__ import annotations

import json
from typing import Any

from app_server_protocol import initialize_pb2, jsonrpc_pb2
from app_server_protocol.v2 import account_pb2, notification_pb2, service_pb2
from gateway.routing import route_frame
from gateway.session import Call, Session


def make_session(cid: str, *, init: bool = True, opt_outs: tuple[str, ...] = ()) -> Session:
    s = Session(cid)
    if init:
        params = {"clientInfo": {"name": "t", "version": "1"},
                  "capabilities": {"optOutNotificationMethods": list(opt_outs)}}
        call = s.handle_message(json.dumps({"id": 0, "method": "initialize", "params": params}))
        assert isinstance(call, Call)
        s.call_succeeded(call, initialize_pb2.InitializeResponse())
    return s


def name_event(to: service_pb2.Delivery, name: str) -> service_pb2.Event:
    return service_pb2.Event(to=to, notification=service_pb2.ServerNotification(
        thread_name_updated=notification_pb2.ThreadNameUpdatedNotification(
            thread_id="t1", thread_name=name)))


def decoded(out: dict[str, list[bytes]]) -> dict[str, list[Any]]:
    return {cid: [json.loads(m) for m in msgs] for cid, msgs in out.items()}


def test_events_go_only_to_addressed_connections() -> None:
    """connection_ids addresses exactly those; all_initialized reaches every initialized one."""
    sessions = {c: make_session(c) for c in ("c1", "c2")}
    sessions["c3"] = make_session("c3", init=False)
    frame = service_pb2.CoreFrame(events=[
        name_event(service_pb2.Delivery(connection_ids=["c2", "gone"]), "one"),
        name_event(service_pb2.Delivery(all_initialized=True), "two"),
    ])
    out = decoded(route_frame(frame, sessions).out)
    note = {"method": "thread/name/updated", "params": {"threadId": "t1", "threadName": "one"}}
    assert out["c2"] == [note, {**note, "params": {"threadId": "t1", "threadName": "two"}}]
    assert out["c1"] == [{**note, "params": {"threadId": "t1", "threadName": "two"}}]
    assert "c3" not in out


def test_opt_out_is_per_connection() -> None:
    """A connection that opted out of a method does not get it; others do."""
    sessions = {"c1": make_session("c1", opt_outs=("thread/name/updated",)),
                "c2": make_session("c2")}
    frame = service_pb2.CoreFrame(events=[
        name_event(service_pb2.Delivery(all_initialized=True), "x")])
    assert set(route_frame(frame, sessions).out) == {"c2"}


def test_server_request_sent_and_resolved() -> None:
    """A server request reaches each target with the core's id; serverRequest/resolved
    forgets it on every connection."""
    sessions = {c: make_session(c) for c in ("c1", "c2")}
    params = account_pb2.ChatgptAuthTokensRefreshParams(
        reason=account_pb2.CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNAUTHORIZED,
        previous_account_id="acct")
    frame = service_pb2.CoreFrame(server_requests=[service_pb2.ServerRequestOut(
        to=service_pb2.Delivery(connection_ids=["c1", "c2"]), request_id=4,
        params=service_pb2.ServerRequestParams(chatgpt_auth_tokens_refresh=params))])
    out = decoded(route_frame(frame, sessions).out)
    expected = {"id": 4, "method": "account/chatgptAuthTokens/refresh",
                "params": {"reason": "unauthorized", "previousAccountId": "acct"}}
    assert out == {"c1": [expected], "c2": [expected]}
    assert sessions["c2"].pending == {4: "account/chatgptAuthTokens/refresh"}
    resolved = service_pb2.CoreFrame(events=[service_pb2.Event(
        to=service_pb2.Delivery(connection_ids=["c1"]),
        notification=service_pb2.ServerNotification(
            server_request_resolved=notification_pb2.ServerRequestResolvedNotification(
                thread_id="t", request_id=jsonrpc_pb2.RequestId(integer=4))))])
    route_frame(resolved, sessions)
    assert sessions["c1"].pending == {} and sessions["c2"].pending == {}


def test_barrier_applies_only_to_the_calling_connection() -> None:
    """An event caused by c1's unanswered request waits on c1, not on c2."""
    c1 = Session("c1")
    call = c1.handle_message(b'{"id":1,"method":"initialize","params":{"clientInfo":'
                             b'{"name":"t","version":"1"}}}')
    assert isinstance(call, Call)
    sessions = {"c1": c1, "c2": Session("c2")}
    event = name_event(service_pb2.Delivery(connection_ids=["c1", "c2"]), "x")
    event.after_connection_id = "c1"
    event.after_request_seq = call.seq
    routed = route_frame(service_pb2.CoreFrame(events=[event]), sessions)
    assert set(routed.out) == {"c2"}
    released = c1.call_succeeded(call, initialize_pb2.InitializeResponse())
    assert json.loads(released[1])["method"] == "thread/name/updated"


def test_overflowing_backlog_is_reported() -> None:
    """A connection whose held backlog overflows is named in `overflowed`."""
    c1 = Session("c1", max_held=1)
    call = c1.handle_message(b'{"id":1,"method":"initialize","params":{"clientInfo":'
                             b'{"name":"t","version":"1"}}}')
    assert isinstance(call, Call)
    events = []
    for n in range(3):
        e = name_event(service_pb2.Delivery(connection_ids=["c1"]), str(n))
        e.after_connection_id, e.after_request_seq = "c1", call.seq
        events.append(e)
    routed = route_frame(service_pb2.CoreFrame(events=events), {"c1": c1})
    assert routed.overflowed == {"c1"}
