"""SessionService.Initialize: record the caller's clientInfo, answer its user agent."""

from __future__ import annotations

from app_server_protocol import codec
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import InitializeParams, InitializeResponse
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.user_agent import user_agent


class SessionApi:
    """initialize: the connection's clientInfo, and the current config's problem if any."""

    def __init__(self, hub: Hub, configs: ConfigSource) -> None:
        self.hub = hub
        self.configs = configs

    async def initialize(
        self, params: InitializeParams, call: CallInfo | None
    ) -> InitializeResponse:
        """Record the connection's clientInfo; a config problem is told to it at once."""
        info = params["clientInfo"]
        if call is not None:
            self.hub.connection_initialized(call.key, info)
        diag = self.configs.load.diagnostic
        if diag is not None and call is not None and not call.replay:
            self.hub.emit(
                codec.from_json(N.ConfigWarningNotification, diag.to_notification()),
                to=[call.key],
                after=call,
            )
        return {"userAgent": user_agent(info["name"], info["version"])}
