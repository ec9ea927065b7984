"""Targeted delivery of the core's frames to connections, with no I/O.

A `CoreFrame` carries events (notifications) and server requests, each
addressed to connection ids of this gateway or to every initialized
connection. `route_frame` encodes each message once, asks each addressed
session whether and when it gets it (opt-outs, ordering barrier) and returns
the bytes to write per connection. `serverRequest/resolved` also drops the
resolved request from every session's pending table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app_server_protocol import codec
from app_server_protocol.methods import NOTIFICATION_METHOD_BY_FIELD, SERVER_REQUEST_FIELD_BY_METHOD
from app_server_protocol.v2 import service_pb2
from gateway import telemetry
from gateway.session import BacklogFull, Session, notification_bytes, server_request_bytes

log = logging.getLogger(__name__)

_METHOD_BY_REQUEST_FIELD: dict[str, str] = {f: m for m, f in SERVER_REQUEST_FIELD_BY_METHOD.items()}
_RESOLVED_FIELD = next(f for f, m in NOTIFICATION_METHOD_BY_FIELD.items()
                       if m == "serverRequest/resolved")


@dataclass
class Routed:
    """The outcome of routing one frame.

    `out` maps connection ids to the messages to write now, in order;
    `overflowed` names connections whose held backlog overflowed (to drop).
    """

    out: dict[str, list[bytes]] = field(default_factory=dict)
    overflowed: set[str] = field(default_factory=set)

    def _add(self, conn_id: str, messages: list[bytes]) -> None:
        if messages:
            self.out.setdefault(conn_id, []).extend(messages)


def _targets(to: service_pb2.Delivery, sessions: Mapping[str, Session]) -> list[Session]:
    seen: set[str] = set()
    found: list[Session] = []
    for cid in to.connection_ids:
        s = sessions.get(cid)
        if s is not None and cid not in seen:
            seen.add(cid)
            found.append(s)
    if to.all_initialized:
        for cid, s in sessions.items():
            if s.initialized and cid not in seen:
                seen.add(cid)
                found.append(s)
    return found


def _deliver(
    routed: Routed, session: Session, message: bytes, after_conn: str, after_seq: int
) -> None:
    cid = session.connection_id
    if cid in routed.overflowed:
        return
    try:
        routed._add(cid, session.deliver(message, after_seq if cid == after_conn else 0))
    except BacklogFull:
        routed.overflowed.add(cid)


def route_frame(frame: service_pb2.CoreFrame, sessions: Mapping[str, Session]) -> Routed:
    """Turn one frame from the core into per-connection output.

    Events are routed before server requests (the frame keeps no order
    between the two lists); resolutions are applied last so that a request
    and its resolution in the same frame leave nothing pending.
    """
    routed = Routed()
    resolved: list[int] = []
    for event in frame.events:
        which = event.notification.WhichOneof("notification")
        if which is None:
            log.warning("event without a notification from the core")
            continue
        method = NOTIFICATION_METHOD_BY_FIELD[which]
        member: Any = getattr(event.notification, which)
        if which == _RESOLVED_FIELD and member.request_id.WhichOneof("value") == "integer":
            resolved.append(member.request_id.integer)
        targets = [s for s in _targets(event.to, sessions) if s.wants(method)]
        if not targets:
            continue
        message = notification_bytes(method, codec.to_json(member))
        telemetry.notifications_sent(method).inc(len(targets))
        for s in targets:
            _deliver(routed, s, message, event.after_connection_id, event.after_request_seq)
    for req in frame.server_requests:
        which = req.params.WhichOneof("params")
        if which is None:
            log.warning("server request %s without params from the core", req.request_id)
            continue
        method = _METHOD_BY_REQUEST_FIELD[which]
        message = server_request_bytes(
            req.request_id, method, codec.to_json(getattr(req.params, which))
        )
        for s in _targets(req.to, sessions):
            s.server_request(req.request_id, method)
            _deliver(routed, s, message, req.after_connection_id, req.after_request_seq)
    for rid in resolved:
        for s in sessions.values():
            s.server_request_resolved(rid)
    return routed
