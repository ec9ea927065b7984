"""Per-connection protocol state of the gateway, with no I/O.

A `Session` takes one incoming JSON message (bytes or str) and says what to
do with it: answer it now (`Reply`), forward it to the core (`Call`), hand a
client's answer to a server request to the core (`ClientReply`) or drop it
(`Ignored`). It also decides which outgoing notifications and server
requests the connection receives (opt-outs, the ordering barrier), so the
whole protocol logic of a connection is testable without a socket or an
event loop. Transports and the event loop live elsewhere.

Rules enforced here (observed on the reference, §1-§2 of BEHAVIOR.md):
any request before `initialize` gets -32600 "Not initialized"; a second
`initialize` gets -32600 "Already initialized"; unknown methods and bad
params get -32600 "Invalid request: ..."; experimental methods and fields
need the `experimentalApi` capability; unknown client notifications and
responses to unknown server-request ids are ignored. Request ids are echoed
verbatim (a string stays a string); an id the reference's `RequestId`
cannot hold (a float, an integer outside signed 64 bits, `-0`) is refused
with `"id": null`. `params` must be a JSON object (absent or null only for
methods whose params all have defaults). A client's bad input is answered
here and never raises: an exception out of `handle_message` is our bug.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, cast

from google.protobuf.message import Message

from app_server_protocol import codec
from app_server_protocol.errors import (
    INTERNAL_ERROR,
    PARSE_ERROR,
    ProtocolError,
    bad_input,
    invalid_request,
)
from app_server_protocol.methods import (
    CLIENT_REQUESTS,
    SERVER_REQUESTS,
    SUBSCRIBING_METHODS,
    UNSUBSCRIBING_METHODS,
    Method,
)
from app_server_protocol.v2 import service_pb2
from app_server_protocol.wire_types import RequestId

log = logging.getLogger(__name__)

INITIALIZE = "initialize"

# The integer ids the reference's `RequestId` (an i64) can hold.
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


def _decodes_empty(method: Method) -> bool:
    try:
        codec.from_json(method.params, {}, allow_experimental=True)
    except (codec.DecodeError, codec.ExperimentalFieldError):
        return False
    return True


# Methods whose params type decodes from `{}`: a request to one of them may
# omit `params` or send null (the reference demands an object even then; a
# listed difference, docs/PROTOCOL.md). Computed once at import.
PARAMS_OPTIONAL: frozenset[str] = frozenset(
    n for n, m in CLIENT_REQUESTS.items() if _decodes_empty(m)
)

_UNKNOWN_METHOD_TAIL = ", ".join(f"`{name}`" for name in CLIENT_REQUESTS)

# ServerRequestResult oneof member by server-request method (matched by the
# response type, so the table and the envelope cannot drift apart silently).
_RESULT_FIELD_BY_METHOD: dict[str, str] = {}
for _f in service_pb2.ServerRequestResult.DESCRIPTOR.oneofs_by_name["result"].fields:
    for _m in SERVER_REQUESTS.values():
        _result: Any = _m.result
        if _result is not None and _result.DESCRIPTOR.full_name == _f.message_type.full_name:  # type: ignore[union-attr]
            _RESULT_FIELD_BY_METHOD[_m.name] = _f.name
if set(_RESULT_FIELD_BY_METHOD) != set(SERVER_REQUESTS):
    raise RuntimeError("ServerRequestResult does not cover every server request")


# ---------------------------------------------------------------------------
# Wire builders


def response_bytes(request_id: RequestId | None, result: Any) -> bytes:
    """A success response: `{"id": ..., "result": ...}` as compact JSON bytes."""
    return codec.dumps({"id": request_id, "result": result})


def error_bytes(request_id: RequestId | None, err: ProtocolError) -> bytes:
    """An error response: `{"id": ..., "error": {code, message[, data]}}`."""
    return codec.dumps({"id": request_id, "error": err.to_json()})


def notification_bytes(method: str, params: Any) -> bytes:
    """A server notification: `{"method": ..., "params": ...}` (no "jsonrpc")."""
    return codec.dumps({"method": method, "params": params})


def server_request_bytes(request_id: int, method: str, params: Any) -> bytes:
    """A server->client request: `{"id": ..., "method": ..., "params": ...}`."""
    return codec.dumps({"id": request_id, "method": method, "params": params})


# ---------------------------------------------------------------------------
# What to do with one incoming message


@dataclass(frozen=True)
class Reply:
    """Answer the client right away with these bytes (an error, usually)."""

    message: bytes


@dataclass(frozen=True)
class Call:
    """Forward a request to the core; `seq` is its per-connection sequence
    number (the `x-request-seq` metadata and the ordering barrier's key)."""

    request_id: RequestId
    method: Method
    params: Message
    seq: int

    @property
    def is_initialize(self) -> bool:
        """True for the `initialize` request (answered before the next is read)."""
        return self.method.name == INITIALIZE


@dataclass(frozen=True)
class ClientReply:
    """The client answered a server request: send this to the core."""

    reply: service_pb2.ServerRequestReply


@dataclass(frozen=True)
class Ignored:
    """Nothing to do (a notification, an answer to an unknown id); `reason` is for logs."""

    reason: str


Action = Reply | Call | ClientReply | Ignored


class BacklogFull(Exception):
    """Too many outgoing messages are held behind an unanswered request."""


@dataclass
class _InitState:
    params: Message
    experimental_api: bool
    opt_outs: frozenset[str]


@dataclass
class Session:
    """Protocol state of one client connection (see the module docstring).

    `max_held` bounds the messages held back by the ordering barrier (events
    the core emitted while the request that caused them is still awaiting
    its response); beyond it `BacklogFull` is raised and the connection
    should be dropped.
    """

    connection_id: str
    max_held: int = 4096
    initialized: bool = False
    experimental_api: bool = False
    opt_outs: frozenset[str] = frozenset()
    # Initialize params as accepted (replayed to a restarted core).
    init_params: Message | None = None
    # Server requests sent to this client and not answered: id -> method.
    pending: dict[int, str] = field(default_factory=dict)
    # Threads this connection subscribed to (restored on a restarted core).
    subscribed_threads: set[str] = field(default_factory=set)
    _initializing: _InitState | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _in_flight: set[int] = field(default_factory=set)
    # Outgoing messages held by the barrier: (seq awaited, message bytes).
    _held: deque[tuple[int, bytes]] = field(default_factory=deque)

    # -- incoming -------------------------------------------------------------
    def handle_message(self, data: bytes | str) -> Action:
        """Classify one incoming message and say what to do with it."""
        try:
            msg = codec.loads(data)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return Reply(error_bytes(None, ProtocolError(PARSE_ERROR, "Parse error")))
        if isinstance(msg, list):
            return Reply(error_bytes(None, invalid_request(
                "Invalid request: batches are not supported")))
        if not isinstance(msg, dict):
            return Reply(error_bytes(None, invalid_request(
                "Invalid request: a message must be a JSON object")))
        if "method" in msg:
            method = msg["method"]
            if not isinstance(method, str):
                return Reply(error_bytes(_echo_id(msg.get("id")), invalid_request(
                    "Invalid request: `method` must be a string")))
            if "id" not in msg:
                return Ignored(f"client notification {method!r}")
            rid = msg["id"]
            if not _valid_id(rid) or (rid == 0 and _is_negative_zero_id(data)):
                return Reply(error_bytes(None, invalid_request(
                    "Invalid request: `id` must be a string or an integer")))
            return self._request(rid, method, msg.get("params"))
        if "id" in msg and ("result" in msg or "error" in msg):
            return self._client_response(msg)
        return Reply(error_bytes(_echo_id(msg.get("id")), invalid_request(
            "Invalid request: not a JSON-RPC request, notification or response")))

    def _request(self, rid: RequestId, name: str, params: Any) -> Action:
        method = CLIENT_REQUESTS.get(name)
        if method is None:
            return Reply(error_bytes(rid, invalid_request(
                f"Invalid request: unknown variant `{name}`, expected one of "
                f"{_UNKNOWN_METHOD_TAIL}")))
        is_init = name == INITIALIZE
        if is_init:
            if self.initialized or self._initializing is not None:
                return Reply(error_bytes(rid, invalid_request("Already initialized")))
        elif not self.initialized:
            return Reply(error_bytes(rid, invalid_request("Not initialized")))
        if method.experimental and not self.experimental_api:
            return Reply(error_bytes(rid, invalid_request(
                f"{name} requires experimentalApi capability")))
        if params is None:
            # Absent and null alike, as on the reference ("missing field").
            if name not in PARAMS_OPTIONAL:
                return Reply(error_bytes(rid, invalid_request(
                    "Invalid request: missing field `params`")))
            params = {}
        elif not isinstance(params, dict):
            return Reply(error_bytes(rid, bad_input(_not_an_object(method.params, params))))
        try:
            decoded = codec.from_json(
                method.params, params, allow_experimental=is_init or self.experimental_api
            )
        except codec.ExperimentalFieldError as err:
            return Reply(error_bytes(rid, invalid_request(
                f"{name}.{err.name} requires experimentalApi capability")))
        except codec.DecodeError as err:
            return Reply(error_bytes(rid, bad_input(err)))
        except RecursionError:
            return Reply(error_bytes(rid, invalid_request("Invalid request: nesting too deep")))
        if is_init:
            self._begin_initialize(decoded)
        seq = next(self._seq)
        self._in_flight.add(seq)
        return Call(rid, method, decoded, seq)

    def _begin_initialize(self, params: Message) -> None:
        p: Any = params
        caps = p.capabilities if p.HasField("capabilities") else None
        state = _InitState(
            params=params,
            experimental_api=bool(caps.experimental_api) if caps is not None else False,
            opt_outs=frozenset(caps.opt_out_notification_methods if caps is not None else ()),
        )
        self._initializing = state
        # Applied now so that events the core emits while answering (held by
        # the barrier until the response is written) already honour them.
        self.experimental_api = state.experimental_api
        self.opt_outs = state.opt_outs

    def _client_response(self, msg: dict[str, Any]) -> Action:
        rid = msg["id"]
        method = self.pending.pop(rid, None) if _is_int(rid) else None
        if method is None:
            return Ignored(f"response to unknown server request id {rid!r}")
        reply = service_pb2.ServerRequestReply(connection_id=self.connection_id, request_id=rid)
        if "error" in msg:
            reply.error.CopyFrom(_client_error(msg["error"]))
            return ClientReply(reply)
        result_cls = SERVER_REQUESTS[method].result
        assert result_cls is not None
        try:
            if not isinstance(msg["result"], dict):
                raise _not_an_object(result_cls, msg["result"])
            result = codec.from_json(result_cls, msg["result"], allow_experimental=True)
        except (codec.DecodeError, codec.ExperimentalFieldError, RecursionError) as err:
            reply.malformed_result = str(err)
            return ClientReply(reply)
        getattr(reply.result, _RESULT_FIELD_BY_METHOD[method]).CopyFrom(result)
        return ClientReply(reply)

    # -- answers from the core -----------------------------------------------
    def call_succeeded(self, call: Call, result: Message) -> list[bytes]:
        """The core answered `call`: the response, then any messages it released."""
        name = call.method.name
        if name in SUBSCRIBING_METHODS:
            self.subscribed_threads.add(cast(Any, result).thread.id)
        elif name in UNSUBSCRIBING_METHODS:
            self.subscribed_threads.discard(cast(Any, call.params).thread_id)
        if call.is_initialize and self._initializing is not None:
            self.initialized = True
            self.init_params = self._initializing.params
            self._initializing = None
        return [response_bytes(call.request_id, codec.to_json(result)), *self._finish(call.seq)]

    def call_failed(self, call: Call, err: ProtocolError) -> list[bytes]:
        """`call` failed (core error, overload, ...): the error, then released messages."""
        if call.is_initialize and self._initializing is not None:
            self._initializing = None
            self.experimental_api = False
            self.opt_outs = frozenset()
        return [error_bytes(call.request_id, err), *self._finish(call.seq)]

    def _finish(self, seq: int) -> list[bytes]:
        self._in_flight.discard(seq)
        released: list[bytes] = []
        while self._held and self._held[0][0] not in self._in_flight:
            released.append(self._held.popleft()[1])
        return released

    # -- outgoing from the core ----------------------------------------------
    def wants(self, method: str) -> bool:
        """False when the client opted out of this notification method."""
        return method not in self.opt_outs

    def deliver(self, message: bytes, after_seq: int = 0) -> list[bytes]:
        """Messages to write now for an outgoing `message`.

        `after_seq` is the ordering barrier: when the request with that
        sequence number is still awaiting its response, the message is held
        and written right after that response. Anything behind a held
        message is held too, so order is kept.
        """
        if self._held or (after_seq and after_seq in self._in_flight):
            if len(self._held) >= self.max_held:
                raise BacklogFull(self.connection_id)
            # FIFO release keeps order: an entry leaves only from the front.
            self._held.append((after_seq if after_seq in self._in_flight else 0, message))
            return []
        return [message]

    def server_request(self, request_id: int, method: str) -> None:
        """Remember a server request sent to this client (answered later)."""
        self.pending[request_id] = method

    def server_request_resolved(self, request_id: int) -> None:
        """The core no longer waits for this request: forget it."""
        self.pending.pop(request_id, None)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _valid_id(v: Any) -> bool:
    return (_is_int(v) and _ID_MIN <= v <= _ID_MAX) or isinstance(v, str)


def _is_negative_zero_id(data: bytes | str) -> bool:
    """True when the message's `id` was sent as `-0` (which JSON parsers read as 0).

    Echoing it as `0` would change its form, and the reference refuses it,
    so the text is read again (rare: only for an id equal to zero).
    """
    negative_zero = object()
    msg = json.loads(data, parse_int=lambda s: negative_zero if s == "-0" else int(s))
    return isinstance(msg, dict) and msg.get("id") is negative_zero


def _not_an_object(cls: type[Message], value: Any) -> codec.DecodeError:
    """The decoder's invalid-type error for params (or a result) that is not a
    JSON object (the codec would read a string as JSON text)."""
    return codec.DecodeError("", f"invalid type: {codec.describe_value(value)}, "
                                 f"expected struct {cls.DESCRIPTOR.name}")


def _echo_id(v: Any) -> RequestId | None:
    return v if _valid_id(v) else None


def _client_error(err: Any) -> service_pb2.ClientError:
    """The client's JSON-RPC error as sent; a malformed one becomes -32603."""
    if not isinstance(err, dict):
        return service_pb2.ClientError(code=INTERNAL_ERROR, message=f"malformed error: {err!r}")
    code = err.get("code")
    message = err.get("message")
    out = service_pb2.ClientError(
        code=code if _is_int(code) else INTERNAL_ERROR,
        message=message if isinstance(message, str) else "",
    )
    if "data" in err and err["data"] is not None:
        try:
            out.data.CopyFrom(codec.py_to_value(err["data"]))
        except (TypeError, ValueError):
            log.warning("dropping unrepresentable error data from client")
    return out
