"""SkillsService: `skills/list`, `skills/config/write`, `skills/remote/list`,
`skills/remote/export`, as the reference answers them (probed).

Discovery results are cached per working directory and extra roots until a
`forceReload` (or an export) drops them; enablement is applied at each call
from the current config's `[[skills.config]]` entries (`{path, enabled}`),
which `skills/config/write` edits: disabling adds an entry, enabling removes
it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app_server_protocol.errors import internal_error, invalid_request
from app_server_protocol.wire_types import (
    JsonValue,
    SkillsConfigWriteParams,
    SkillsConfigWriteResponse,
    SkillsListEntry,
    SkillsListParams,
    SkillsListResponse,
    SkillsRemoteReadParams,
    SkillsRemoteReadResponse,
    SkillsRemoteWriteParams,
    SkillsRemoteWriteResponse,
)
from core_service.account.credentials import Credentials
from core_service.config.errors import ConfigError
from core_service.config.source import ConfigSource
from core_service.config.write import write_values
from core_service.hub import CallInfo, Hub
from core_service.skills import remote
from core_service.skills.discovery import ADMIN_ROOT, Discovered, discover, roots_for
from core_service.upstream.http import UpstreamClient
from core_service.user_agent import user_agent

_CacheKey = tuple[str, tuple[str, ...]]
# Cached discoveries kept at most; the oldest is dropped past it.
MAX_CACHED_CWDS = 64


class SkillsApi:
    """The handlers of SkillsService."""

    def __init__(self, hub: Hub, source: ConfigSource, credentials: Credentials,
                 http: UpstreamClient, *, admin_root: Path = ADMIN_ROOT) -> None:
        self.hub = hub
        self.source = source
        self.credentials = credentials
        self.http = http
        self.admin_root = admin_root
        self._cache: dict[_CacheKey, Discovered] = {}

    async def skills_list(self, params: SkillsListParams,
                          call: CallInfo | None) -> SkillsListResponse:
        """skills/list: one entry per working directory (the config's cwd by default)."""
        config = self.source.config
        cwds = params.get("cwds") or [str(config.cwd or Path.cwd())]
        extra: dict[str, list[str]] = {}
        for item in params.get("perCwdExtraUserRoots") or []:
            for root in item["extraUserRoots"]:
                if not Path(root).is_absolute():
                    raise invalid_request("skills/list perCwdExtraUserRoots extraUserRoots "
                                          f"paths must be absolute: {root}")
            # Roots for a cwd that is not listed are ignored, as the reference does.
            extra.setdefault(item["cwd"], []).extend(item["extraUserRoots"])
        if params.get("forceReload"):
            self._cache.clear()
        disabled = disabled_paths(config.raw)
        data: list[SkillsListEntry] = []
        for cwd in cwds:
            found = await self._discover(cwd, tuple(extra.get(cwd, ())))
            skills = [s.copy() for s in found.skills]
            for skill in skills:
                skill["enabled"] = skill["path"] not in disabled
            data.append({"cwd": cwd, "skills": skills, "errors": list(found.errors)})
        return {"data": data}

    async def _discover(self, cwd: str, extra: tuple[str, ...]) -> Discovered:
        key = (cwd, extra)
        found = self._cache.get(key)
        if found is None:
            roots = roots_for(Path(cwd), self.source.config.codex_home,
                              [Path(p) for p in extra], self.admin_root)
            found = await asyncio.to_thread(discover, roots)
            if len(self._cache) >= MAX_CACHED_CWDS:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = found
        return found

    async def skills_config_write(self, params: SkillsConfigWriteParams,
                                  call: CallInfo | None) -> SkillsConfigWriteResponse:
        """skills/config/write: disable (an entry) or enable (no entry) one skill file."""
        config = self.source.config
        path, enabled = params["path"], params["enabled"]
        entries = [e for e in skill_entries(config.raw) if e.get("path") != path]
        if not enabled:
            entries.append({"path": path, "enabled": False})
        value: JsonValue = entries or None  # type: ignore[assignment]
        try:
            await asyncio.to_thread(write_values, config.codex_home,
                                    [("skills.config", value, "replace")])
        except ConfigError as exc:
            raise internal_error(f"failed to update skill settings: {exc}") from None
        await self.source.reload()
        return {"effectiveEnabled": enabled}

    async def skills_remote_list(self, params: SkillsRemoteReadParams,
                                 call: CallInfo | None) -> SkillsRemoteReadResponse:
        """skills/remote/list: the ChatGPT backend's shared skills."""
        prefix = "failed to list remote skills: "
        auth = self._auth(call, prefix)
        try:
            data = await remote.list_remote(self.http, self.source.config.chatgpt_base_url,
                                            auth, params)
        except remote.RemoteSkillError as exc:
            raise internal_error(prefix + str(exc)) from None
        return {"data": data}

    async def skills_remote_export(self, params: SkillsRemoteWriteParams,
                                   call: CallInfo | None) -> SkillsRemoteWriteResponse:
        """skills/remote/export: a shared skill extracted into `$CODEX_HOME/skills/<id>`."""
        prefix = "failed to download remote skill: "
        auth = self._auth(call, prefix)
        config = self.source.config
        try:
            target = await remote.export_remote(self.http, config.chatgpt_base_url, auth,
                                                params["hazelnutId"], config.codex_home)
        except remote.RemoteSkillError as exc:
            raise internal_error(prefix + str(exc)) from None
        self._cache.clear()
        return {"id": params["hazelnutId"], "path": str(target)}

    def _auth(self, call: CallInfo | None, prefix: str) -> remote.BackendAuth:
        info = self.hub.client_info(call.key if call is not None else None)
        agent = user_agent(info["name"] if info is not None else None,
                           info["version"] if info is not None else None)
        auth = remote.chatgpt_auth(self.credentials, agent)
        if auth is None:
            raise internal_error(prefix + remote.AUTH_REQUIRED)
        return auth


def skill_entries(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The config's `[[skills.config]]` entries that are tables."""
    skills = raw.get("skills")
    entries = skills.get("config") if isinstance(skills, dict) else None
    return [dict(e) for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def disabled_paths(raw: Mapping[str, Any]) -> set[str]:
    """Paths of the skill files the config disables."""
    return {str(e["path"]) for e in skill_entries(raw)
            if isinstance(e.get("path"), str) and e.get("enabled") is False}
