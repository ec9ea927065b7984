"""ListingService: `experimentalFeature/list`, `configRequirements/read`,
`app/list` (with `app/list/updated`) and `feedback/upload`, as the
reference answers them (probed)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from app_server_protocol import codec
from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.v2 import listing_pb2
from app_server_protocol.wire_types import (
    AppInfo,
    AppListUpdatedNotification,
    AppsListParams,
    AppsListResponse,
    ConfigRequirementsReadParams,
    ConfigRequirementsReadResponse,
    ExperimentalFeatureListParams,
    ExperimentalFeatureListResponse,
    FeedbackUploadParams,
    FeedbackUploadResponse,
)
from core_service.account.credentials import Credentials
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, Hub
from core_service.ids import uuid7
from core_service.listing import apps, feedback
from core_service.listing.features import features
from core_service.listing.paging import check_cursor, page
from core_service.listing.requirements import (
    REQUIREMENTS_PATH,
    RequirementsError,
    read_requirements,
)
from core_service.skills.remote import chatgpt_auth
from core_service.store.layout import find_rollout
from core_service.upstream.http import UpstreamClient
from core_service.user_agent import user_agent

log = logging.getLogger(__name__)


class ListingApi:
    """The handlers of ListingService."""

    def __init__(self, hub: Hub, source: ConfigSource, credentials: Credentials,
                 http: UpstreamClient, *, requirements_path: Path = REQUIREMENTS_PATH) -> None:
        self.hub = hub
        self.source = source
        self.credentials = credentials
        self.http = http
        self.requirements_path = requirements_path

    async def experimental_feature_list(
        self, params: ExperimentalFeatureListParams, call: CallInfo | None
    ) -> ExperimentalFeatureListResponse:
        """experimentalFeature/list: the flags with their enabled state, paged by index."""
        data, next_cursor = page(features(self.source.config.features), params.get("cursor"),
                                 params.get("limit"), "feature flags")
        return {"data": data, "nextCursor": next_cursor}

    async def config_requirements_read(
        self, params: ConfigRequirementsReadParams, call: CallInfo | None
    ) -> ConfigRequirementsReadResponse:
        """configRequirements/read: the managed requirements, null without any."""
        try:
            found = await asyncio.to_thread(read_requirements, self.requirements_path)
        except RequirementsError as exc:
            raise internal_error(f"failed to read config requirements: {exc}") from None
        return {"requirements": found}

    async def apps_list(self, params: AppsListParams, call: CallInfo | None) -> AppsListResponse:
        """app/list: none while the `apps` feature is off; with it, the
        directory's apps (each stage also as `app/list/updated` to the caller),
        which needs a ChatGPT login."""
        config = self.source.config
        info = self.hub.client_info(call.key if call is not None else None)
        auth = chatgpt_auth(self.credentials, user_agent(
            info["name"] if info is not None else None,
            info["version"] if info is not None else None))
        if not config.feature_enabled("apps"):
            return {"data": [], "nextCursor": None}
        check_cursor(params.get("cursor"))
        if auth is None:
            raise internal_error("failed to list apps: ChatGPT token not available")
        # No accessible connectors are known (the MCP apps gateway is not asked).
        self._updated([], call)
        try:
            listed = await apps.directory(self.http, config.chatgpt_base_url, auth, config.raw)
        except apps.AppsError as exc:
            raise internal_error(f"failed to list apps: {exc}") from None
        self._updated(listed, call)
        data, next_cursor = page(listed, params.get("cursor"), params.get("limit"), "apps")
        return {"data": data, "nextCursor": next_cursor}

    def _updated(self, data: list[AppInfo], call: CallInfo | None) -> None:
        if call is None:
            return
        updated: AppListUpdatedNotification = {"data": data}
        self.hub.emit(codec.from_json(listing_pb2.AppListUpdatedNotification, updated),
                      to=[call.key])

    async def feedback_upload(self, params: FeedbackUploadParams,
                              call: CallInfo | None) -> FeedbackUploadResponse:
        """feedback/upload: the report sent to the configured endpoint, if any;
        the answer names the thread (`no-active-thread-<id>` without one)."""
        config = self.source.config
        enabled, endpoint = feedback.feedback_settings(config.raw)
        if not enabled:
            raise invalid_request(feedback.DISABLED)
        thread_id = params.get("threadId") or f"no-active-thread-{uuid7()}"
        if endpoint is not None:
            rollout = None
            if params.get("includeLogs") and params.get("threadId"):
                path = await asyncio.to_thread(find_rollout, config.codex_home, thread_id)
                rollout = await asyncio.to_thread(feedback.read_attachment, path)
            report = {"classification": params["classification"],
                      "reason": params.get("reason"), "threadId": thread_id,
                      "attachments": [] if rollout is None else
                      [{"filename": f"rollout-{thread_id}.jsonl", "content": rollout}]}
            try:
                await feedback.post_report(self.http, endpoint, report)
            except feedback.FeedbackError as exc:
                raise internal_error(f"failed to upload feedback: {exc}") from None
        return {"threadId": thread_id}
