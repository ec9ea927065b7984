"""core_service.session.api: initialize answers the user agent and tells a config problem."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_server_protocol.v2 import notification_pb2, service_pb2
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, ConnKey, Hub
from core_service.session.api import SessionApi

A = ConnKey("g1", "a")
B = ConnKey("g1", "b")


def _events(frame: service_pb2.CoreFrame) -> list[tuple[list[str], str]]:
    return [
        (list(e.to.connection_ids), e.notification.WhichOneof("notification"))
        for e in frame.events
    ]


async def test_config_warning_follows_the_current_configuration(tmp_path: Path) -> None:
    """A broken config.toml earns the initializing connection a configWarning; once a
    reload finds the file fixed, the next connection to initialize gets none."""
    (tmp_path / "config.toml").write_text("[features]\nsteer = 1\n")
    source = ConfigSource(tmp_path, env={})
    hub = Hub()
    link = hub.attach("g1")
    api = SessionApi(hub, source)
    params = {"clientInfo": {"name": "cli", "version": "1"}}
    answer = await api.initialize(params, CallInfo(A, 1))
    assert answer["userAgent"].startswith("cli/")
    frame = await asyncio.wait_for(link.next_frame(), 2)
    assert frame is not None and _events(frame) == [(["a"], "config_warning")]

    (tmp_path / "config.toml").write_text("[features]\nsteer = true\n")
    await source.reload()
    await api.initialize(params, CallInfo(B, 1))
    # A marker sent afterwards is the next event: no warning went out before it.
    hub.emit(notification_pb2.ThreadClosedNotification(thread_id="t"), to=[B])
    frame = await asyncio.wait_for(link.next_frame(), 2)
    assert frame is not None and _events(frame) == [(["b"], "thread_closed")]
