"""The composition root of the core: domain objects wired together, and the
one table from JSON-RPC method name to handler.

Every client request of the method table has exactly one handler here; a
method without one stops the process at start (`Core.__init__`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app_server_protocol.methods import CLIENT_REQUESTS
from core_service.account.api import AccountApi
from core_service.account.credentials import Credentials
from core_service.account.rate_limit_store import RateLimitStore
from core_service.command.api import CommandApi
from core_service.config.api import ConfigApi
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.listing.api import ListingApi
from core_service.mcp.api import McpApi
from core_service.mcp.manager import McpManager
from core_service.model.api import ModelApi
from core_service.model.client import ModelClient
from core_service.review.api import ReviewApi
from core_service.search.api import SearchApi
from core_service.session.api import SessionApi
from core_service.skills.api import SkillsApi
from core_service.store.store import Store
from core_service.threads.api import ThreadApi
from core_service.threads.manager import DEFAULT_IDLE_UNLOAD_SECONDS, ThreadManager
from core_service.turns.api import TurnApi
from core_service.turns.runner import TurnRunner
from core_service.upstream.http import UpstreamClient

# Each handler takes and returns its method's wire TypedDicts; the table holds
# them all, so their types meet here (the codec checks both at the boundary).
Handler = Callable[[Any, CallInfo | None], Awaitable[Any]]


class Core:
    """The core's domain objects wired together, and its handler table."""

    def __init__(
        self,
        source: ConfigSource,
        *,
        idle_unload_seconds: float = DEFAULT_IDLE_UNLOAD_SECONDS,
        server_request_timeout: float | None = None,
    ) -> None:
        config = source.config
        self.hub = Hub(server_request_timeout)
        self.store = Store(config.codex_home)
        # One upstream connection pool for the model and the ChatGPT backend.
        self.http = UpstreamClient()
        self.client = ModelClient(http=self.http)
        self.auth = Credentials(config.codex_home, self.hub)
        self.limits = RateLimitStore()
        self.threads = ThreadManager(self.hub, self.store, source, idle_unload_seconds)
        # MCP servers start with the core (in the background) and live as long.
        self.mcp = McpManager(lambda: source.config)
        self.runner = TurnRunner(self.hub, self.client, self.auth, self.limits, self.mcp)
        self.threads.on_unload(self.runner.tools.forget_thread)
        self.turns = TurnApi(self.threads, self.runner, self.hub)
        self.search = SearchApi(self.hub)
        session, models = SessionApi(self.hub, source), ModelApi()
        configs, command = ConfigApi(source), CommandApi(source)
        t = ThreadApi(self.threads, self.store, self.hub, self.runner)
        mcp = McpApi(self.mcp, source)
        a = self.account = AccountApi(self.hub, self.auth, source, http=self.http,
                                      limits=self.limits)
        skills = SkillsApi(self.hub, source, self.auth, self.http)
        listing = ListingApi(self.hub, source, self.auth, self.http)
        self.handlers: dict[str, Handler] = {
            "initialize": session.initialize,
            "thread/start": t.start,
            "thread/resume": t.resume,
            "thread/fork": t.fork,
            "thread/list": t.list_threads,
            "thread/read": t.read,
            "thread/archive": t.archive,
            "thread/unarchive": t.unarchive,
            "thread/name/set": t.set_name,
            "thread/loaded/list": t.loaded_list,
            "thread/rollback": t.rollback,
            "thread/compact/start": t.compact_start,
            "thread/unsubscribe": t.unsubscribe,
            "turn/start": self.turns.start,
            "turn/steer": self.turns.steer,
            "turn/interrupt": self.turns.interrupt,
            "model/list": models.model_list,
            "account/login/start": a.login_start,
            "account/login/cancel": a.login_cancel,
            "account/logout": a.logout,
            "account/read": a.read,
            "account/rateLimits/read": a.rate_limits_read,
            "config/read": configs.config_read,
            "config/value/write": configs.config_value_write,
            "config/batchWrite": configs.config_batch_write,
            "command/exec": command.command_exec,
            "fuzzyFileSearch": self.search.fuzzy_file_search,
            "fuzzyFileSearch/sessionStart": self.search.session_start,
            "fuzzyFileSearch/sessionUpdate": self.search.session_update,
            "fuzzyFileSearch/sessionStop": self.search.session_stop,
            "review/start": ReviewApi(self.threads, self.runner, self.hub).start,
            "mcpServerStatus/list": mcp.status_list,
            "config/mcpServer/reload": mcp.reload,
            "skills/list": skills.skills_list,
            "skills/config/write": skills.skills_config_write,
            "skills/remote/list": skills.skills_remote_list,
            "skills/remote/export": skills.skills_remote_export,
            "experimentalFeature/list": listing.experimental_feature_list,
            "configRequirements/read": listing.config_requirements_read,
            "app/list": listing.apps_list,
            "feedback/upload": listing.feedback_upload,
        }
        missing = set(CLIENT_REQUESTS) - set(self.handlers)
        if missing:
            raise RuntimeError(f"methods without a core handler: {sorted(missing)}")

    async def start(self) -> None:
        """Open the store and start background tasks."""
        await self.store.open()
        self.threads.start_reaper()
        self.mcp.start()

    async def close(self) -> None:
        """Stop turns and logins, flush threads, close clients (idempotent)."""
        self.account.browser.close()
        await self.threads.close()
        await self.runner.tools.close()
        await self.search.sessions.close()
        await self.mcp.close()
        await self.client.aclose()
        await self.http.aclose()
        await self.store.close()
