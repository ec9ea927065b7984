"""Per-connection protocol rules of the gateway, without sockets or an event loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app_server_protocol import codec, initialize_pb2
from app_server_protocol.errors import ProtocolError
from app_server_protocol.methods import CLIENT_REQUESTS, SERVER_REQUESTS
from app_server_protocol.v2 import thread_pb2
from gateway.session import (
    PARAMS_OPTIONAL,
    BacklogFull,
    Call,
    ClientReply,
    Ignored,
    Reply,
    Session,
)

INIT = {"clientInfo": {"name": "conformance", "version": "1.0.0"}}


def req(rid: Any, method: str, params: Any = None, *, omit: bool = False) -> bytes:
    msg: dict[str, Any] = {"id": rid, "method": method}
    if not omit:
        msg["params"] = {} if params is None else params
    return json.dumps(msg).encode()


def reply_json(action: object) -> dict[str, Any]:
    assert isinstance(action, Reply), action
    return json.loads(action.message)  # type: ignore[no-any-return]


def initialized(caps: dict[str, Any] | None = None) -> Session:
    s = Session("c1")
    params = dict(INIT, capabilities=caps) if caps is not None else INIT
    call = s.handle_message(req(0, "initialize", params))
    assert isinstance(call, Call)
    s.call_succeeded(call, initialize_pb2.InitializeResponse(user_agent="ua"))
    return s


def test_request_before_initialize_is_rejected() -> None:
    """Any request before initialize gets -32600 "Not initialized", id echoed."""
    out = reply_json(Session("c1").handle_message(req("x-1", "thread/start")))
    assert out == {"id": "x-1", "error": {"code": -32600, "message": "Not initialized"}}


def test_initialize_then_second_initialize() -> None:
    """initialize is forwarded (typed params); a second one gets "Already initialized"."""
    s = Session("c1")
    call = s.handle_message(req("init-1", "initialize", INIT))
    assert isinstance(call, Call) and call.is_initialize
    assert call.params.client_info.name == "conformance"  # type: ignore[attr-defined]
    # Even while the first is in flight, a second one is refused.
    assert reply_json(s.handle_message(req(2, "initialize", INIT)))["error"]["message"] == (
        "Already initialized"
    )
    out = s.call_succeeded(call, initialize_pb2.InitializeResponse(user_agent="ua/1"))
    assert json.loads(out[0]) == {"id": "init-1", "result": {"userAgent": "ua/1"}}
    assert s.initialized and s.init_params is call.params  # kept for a restarted core
    assert reply_json(s.handle_message(req(3, "initialize", INIT)))["error"] == {
        "code": -32600, "message": "Already initialized"
    }


def test_failed_initialize_leaves_connection_uninitialized() -> None:
    """When the core rejects initialize, the client may try again."""
    s = Session("c1")
    call = s.handle_message(req(1, "initialize", INIT))
    assert isinstance(call, Call)
    out = s.call_failed(call, ProtocolError(-32603, "boom"))
    assert json.loads(out[0]) == {"id": 1, "error": {"code": -32603, "message": "boom"}}
    assert not s.initialized
    assert isinstance(s.handle_message(req(2, "initialize", INIT)), Call)


def test_initialized_notification_and_unknown_notifications_are_ignored() -> None:
    """Client notifications (known or not) produce no answer."""
    s = Session("c1")
    assert isinstance(s.handle_message(b'{"method":"initialized"}'), Ignored)
    assert isinstance(s.handle_message(b'{"method":"what/ever","params":{}}'), Ignored)


def test_unknown_method_lists_methods_in_table_order() -> None:
    """Unknown method -> -32600 naming it and every method, table order."""
    out = reply_json(initialized().handle_message(req(7, "foo/bar")))
    msg = out["error"]["message"]
    assert out["id"] == 7 and out["error"]["code"] == -32600
    assert msg.startswith("Invalid request: unknown variant `foo/bar`, expected one of "
                          "`initialize`, `thread/start`, ")
    assert msg.endswith(", ".join(f"`{m}`" for m in list(CLIENT_REQUESTS)[-2:]))


def test_params_decode_errors() -> None:
    """Bad params -> -32600 "Invalid request: <decode error>"."""
    s = initialized()
    out = reply_json(s.handle_message(req(1, "turn/start", {"threadId": 42, "input": []})))
    assert out["error"] == {
        "code": -32600,
        "message": "Invalid request: threadId: invalid type: integer `42`, expected a string",
    }
    out = reply_json(s.handle_message(req(2, "thread/read", {})))
    assert out["error"]["message"] == "Invalid request: missing field `threadId`"


def test_missing_params_member() -> None:
    """No `params`: `{}` for all-optional params types, else "missing field `params`"."""
    s = initialized()
    assert {"thread/start", "account/logout", "account/rateLimits/read"} <= PARAMS_OPTIONAL
    assert "thread/read" not in PARAMS_OPTIONAL
    call = s.handle_message(req(1, "thread/start", omit=True))
    assert isinstance(call, Call) and isinstance(call.params, thread_pb2.ThreadStartParams)
    call = s.handle_message(req(2, "account/logout", None))
    assert isinstance(call, Call)
    out = reply_json(s.handle_message(req(3, "thread/read", omit=True)))
    assert out["error"]["message"] == "Invalid request: missing field `params`"


def test_experimental_method_needs_capability(monkeypatch: pytest.MonkeyPatch) -> None:
    """Experimental method without the capability -> "<m> requires experimentalApi capability"."""
    from dataclasses import replace

    import gateway.session as session_mod

    exp = replace(CLIENT_REQUESTS["thread/loaded/list"], experimental=True)
    monkeypatch.setitem(session_mod.CLIENT_REQUESTS, "thread/loaded/list", exp)
    out = reply_json(initialized().handle_message(req(1, "thread/loaded/list")))
    assert out["error"] == {
        "code": -32600, "message": "thread/loaded/list requires experimentalApi capability"
    }
    ok = initialized({"experimentalApi": True}).handle_message(req(1, "thread/loaded/list"))
    assert isinstance(ok, Call)


def test_experimental_field_needs_capability(monkeypatch: pytest.MonkeyPatch) -> None:
    """ExperimentalFieldError(name) -> "<method>.<name> requires experimentalApi capability"."""
    import gateway.session as session_mod

    seen: list[bool] = []

    def fake_from_json(cls: Any, data: Any, *, path: str = "", allow_experimental: bool = True
                       ) -> Any:
        seen.append(allow_experimental)
        if not allow_experimental:
            raise codec.ExperimentalFieldError("dynamicTools")
        return cls()

    s = initialized()
    monkeypatch.setattr(session_mod.codec, "from_json", fake_from_json)
    out = reply_json(s.handle_message(req(1, "thread/start", {"dynamicTools": []})))
    assert out["error"]["message"] == (
        "thread/start.dynamicTools requires experimentalApi capability"
    )
    s.experimental_api = True
    assert isinstance(s.handle_message(req(2, "thread/start", {})), Call)
    assert seen == [False, True]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{not json", {"id": None, "error": {"code": -32700, "message": "Parse error"}}),
        (b'[{"id":1,"method":"initialize"}]',
         {"id": None, "error": {"code": -32600,
                                "message": "Invalid request: batches are not supported"}}),
        (b"42", {"id": None, "error": {"code": -32600,
                                       "message": "Invalid request: a message must be a JSON "
                                                  "object"}}),
    ],
)
def test_parse_errors_and_non_objects(raw: bytes, expected: dict[str, Any]) -> None:
    """Not JSON -> -32700; a batch or a non-object -> -32600; session stays usable."""
    s = Session("c1")
    assert reply_json(s.handle_message(raw)) == expected
    assert isinstance(s.handle_message(req(1, "initialize", INIT)), Call)


def test_jsonrpc_member_accepted_and_ids_echoed_verbatim() -> None:
    """`"jsonrpc":"2.0"` is ignored; "7" stays a string, 7 an int; outputs lack "jsonrpc"."""
    s = initialized()
    for rid in ("7", 7):
        raw = json.dumps({"jsonrpc": "2.0", "id": rid, "method": "thread/loaded/list",
                          "params": {}})
        call = s.handle_message(raw)
        assert isinstance(call, Call) and call.request_id == rid
        out = json.loads(s.call_succeeded(call, thread_pb2.ThreadLoadedListResponse())[0])
        assert out == {"id": rid, "result": {"data": [], "nextCursor": None}}


def test_opt_outs_and_barrier_hold_events_until_response() -> None:
    """Opt-outs from initialize apply; events behind an unanswered request wait for it."""
    s = Session("c1")
    call = s.handle_message(req(1, "initialize", dict(
        INIT, capabilities={"optOutNotificationMethods": ["item/agentMessage/delta"]})))
    assert isinstance(call, Call)
    assert not s.wants("item/agentMessage/delta") and s.wants("item/started")
    # The core emitted two events while answering initialize (barrier = its seq).
    assert s.deliver(b"e1", call.seq) == []
    assert s.deliver(b"e2") == []  # nothing overtakes a held message
    out = s.call_succeeded(call, initialize_pb2.InitializeResponse(user_agent="ua"))
    assert json.loads(out[0])["id"] == 1 and out[1:] == [b"e1", b"e2"]
    # The barrier of an already answered request holds nothing.
    assert s.deliver(b"e3", call.seq) == [b"e3"]


def test_held_backlog_is_bounded() -> None:
    """Beyond max_held held messages BacklogFull is raised (the client gets dropped)."""
    s = Session("c1", max_held=2)
    call = s.handle_message(req(1, "initialize", INIT))
    assert isinstance(call, Call)
    s.deliver(b"a", call.seq)
    s.deliver(b"b")
    with pytest.raises(BacklogFull):
        s.deliver(b"c")


def test_server_request_answers() -> None:
    """A result decodes to the typed oneof member, an error passes through, a bad result
    reaches the core as malformed, with the decoder's message."""
    s = initialized()
    method = "account/chatgptAuthTokens/refresh"
    s.server_request(5, method)
    act = s.handle_message(b'{"id":5,"result":{"accessToken":"t","chatgptAccountId":"a",'
                           b'"chatgptPlanType":null}}')
    assert isinstance(act, ClientReply)
    assert act.reply.connection_id == "c1" and act.reply.request_id == 5
    assert act.reply.result.chatgpt_auth_tokens_refresh.access_token == "t"
    assert isinstance(act.reply.result.chatgpt_auth_tokens_refresh, SERVER_REQUESTS[method].result)
    # Answered once: a second answer with the same id is unknown.
    assert isinstance(s.handle_message(b'{"id":5,"result":{}}'), Ignored)

    s.server_request(6, method)
    act = s.handle_message(b'{"id":6,"error":{"code":-32000,"message":"refresh failed",'
                           b'"data":{"x":1}}}')
    assert isinstance(act, ClientReply)
    assert (act.reply.error.code, act.reply.error.message) == (-32000, "refresh failed")
    assert codec.value_to_py(act.reply.error.data) == {"x": 1}

    s.server_request(7, method)
    act = s.handle_message(b'{"id":7,"result":{"accessToken":1}}')
    assert isinstance(act, ClientReply)
    assert act.reply.WhichOneof("outcome") == "malformed_result"
    assert "accessToken" in act.reply.malformed_result


def test_unknown_and_resolved_server_request_ids_are_ignored() -> None:
    """Answers to unknown or resolved ids are ignored; a string id never matches an int."""
    s = initialized()
    assert isinstance(s.handle_message(b'{"id":999,"result":{}}'), Ignored)
    s.server_request(3, "item/commandExecution/requestApproval")
    assert isinstance(s.handle_message(b'{"id":"3","result":{}}'), Ignored)
    s.server_request_resolved(3)
    assert isinstance(s.handle_message(b'{"id":3,"result":{"decision":"accept"}}'), Ignored)


@pytest.mark.parametrize(
    ("params", "described"),
    [
        ('{"cwd":"/"}', 'string "{\\"cwd\\":\\"/\\"}"'),
        ('x"y', 'string "x\\"y"'),
        ("", 'string ""'),
        (5, "integer `5`"),
        (True, "boolean `true`"),
        ([], "sequence"),
    ],
)
def test_params_must_be_an_object(params: Any, described: str) -> None:
    """params that is not an object (a string holding JSON text included) gets the
    reference's -32600 invalid-type error; a string is never parsed as JSON."""
    out = reply_json(initialized().handle_message(req(1, "thread/start", params)))
    assert out == {"id": 1, "error": {
        "code": -32600,
        "message": f"Invalid request: invalid type: {described}, expected struct "
                   "ThreadStartParams"}}


def test_null_params_is_like_absent_params() -> None:
    """`"params": null` is read as absent: "missing field `params`" where the
    params are required, `{}` where they all have defaults."""
    s = initialized()
    raw = json.dumps({"id": 1, "method": "thread/read", "params": None})
    out = reply_json(s.handle_message(raw))
    assert out["error"]["message"] == "Invalid request: missing field `params`"
    raw = json.dumps({"id": 2, "method": "thread/start", "params": None})
    assert isinstance(s.handle_message(raw), Call)


@pytest.mark.parametrize(
    "rid", ["9223372036854775808", "-9223372036854775809", "18446744073709551615",
            "18446744073709551616", "100000000000000000000000000", "1.0", "1e2", "-0",
            "-0.0", "1.5", "true", "null", "{}", "[]"])
def test_ids_a_request_id_cannot_hold_are_refused(rid: str) -> None:
    """An id that is not a string nor a signed 64-bit integer literal is refused
    like 2^64, with `"id": null` (never echoed in another form than sent)."""
    raw = f'{{"id":{rid},"method":"thread/loaded/list","params":{{}}}}'
    assert reply_json(initialized().handle_message(raw)) == {"id": None, "error": {
        "code": -32600, "message": "Invalid request: `id` must be a string or an integer"}}


@pytest.mark.parametrize(
    ("raw_id", "rid"),
    [("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -(2**63)), ("0", 0),
     ('"007"', "007"), ('"1e2"', "1e2"), ('"-0"', "-0"), ('"9223372036854775808"',
                                                       "9223372036854775808")])
def test_ids_within_request_id_are_echoed_as_sent(raw_id: str, rid: Any) -> None:
    """Signed 64-bit integers (bounds included) and any string are accepted and
    echoed verbatim; strings that look like numbers stay strings."""
    s = initialized()
    call = s.handle_message(f'{{ "id" : {raw_id},"method":"thread/loaded/list","params":{{}}}}')
    assert isinstance(call, Call) and call.request_id == rid
    assert type(call.request_id) is type(rid)
    out = s.call_succeeded(call, thread_pb2.ThreadLoadedListResponse())[0]
    assert out.startswith(b'{"id":' + raw_id.replace(" ", "").encode() + b",")


@pytest.mark.parametrize(
    "raw",
    [b'{"id":1,"method":"thread/start","params":"{"}',
     b'{"id":1,"method":"thread/start","params":""}',
     b'{"id":1,"method":"turn/start","params":"\\u0000"}',
     b'{"id":1,"method":"config/value/write","params":"[1,"}'],
)
def test_malformed_input_never_raises(raw: bytes) -> None:
    """A client's malformed input is answered, never raised out of the session
    (an exception there is logged as our bug, with a traceback)."""
    out = reply_json(initialized().handle_message(raw))
    assert out["error"]["code"] == -32600


def test_server_request_result_must_be_an_object() -> None:
    """A client's answer whose `result` is a string is not parsed as JSON text: it
    reaches the core as a malformed result."""
    s = initialized()
    s.server_request(5, "account/chatgptAuthTokens/refresh")
    act = s.handle_message(b'{"id":5,"result":"{\\"accessToken\\":\\"t\\"}"}')
    assert isinstance(act, ClientReply)
    assert act.reply.malformed_result.startswith("invalid type: string")
