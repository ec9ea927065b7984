"""Apps (ChatGPT connectors) for `app/list`: the backend's directory.

`GET {chatgpt_base_url}/connectors/directory/list?tier=categorized` (the
base joined with a slash, as the reference joins it) answers
`{"apps": [{id, name, description?, logo_url?, ...}], "nextToken"?}` (the
URL members in snake or camel case, as the reference accepts them; `logo_url`
and `logoUrl` observed). Each app gets the
reference's install URL and its `[apps.<id>] enabled` from the config.
Failures are `AppsError`s in the reference's words (probed).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any

from app_server_protocol.wire_types import AppInfo
from core_service.skills.remote import BackendAuth, status_line
from core_service.upstream import http as upstream

FETCH_DEADLINE_SECONDS = 30.0
INSTALL_BASE = "https://chatgpt.com/apps"
_SLUG_GAPS = re.compile(r"[^a-z0-9]+")


class AppsError(Exception):
    """The directory could not be read; `str()` is the reason."""


def install_url(name: str, app_id: str) -> str:
    """Where ChatGPT installs an app: its name as a slug, then its id."""
    slug = _SLUG_GAPS.sub("-", name.lower()).strip("-")
    return f"{INSTALL_BASE}/{slug}/{app_id}"


def app_enabled(raw_config: Mapping[str, Any], app_id: str) -> bool:
    """`[apps.<id>] enabled` (default true)."""
    apps = raw_config.get("apps")
    entry = apps.get(app_id) if isinstance(apps, dict) else None
    return not (isinstance(entry, dict) and entry.get("enabled") is False)


async def directory(client: upstream.UpstreamClient, chatgpt_base_url: str,
                    auth: BackendAuth, raw_config: Mapping[str, Any]) -> list[AppInfo]:
    """Every app of the directory, as `AppInfo`s not yet accessible."""
    url = f"{chatgpt_base_url}/connectors/directory/list?tier=categorized"
    try:
        async with asyncio.timeout(FETCH_DEADLINE_SECONDS):
            reply = await client.fetch("GET", url, headers=auth.headers())
    except (TimeoutError, upstream.TransportError):
        raise AppsError(f"error sending request for url ({url})") from None
    if not 200 <= reply.status_code < 300:
        raise AppsError(f"Request failed with status {status_line(reply.status_code)}: "
                        f"{reply.text()}")
    try:
        apps = json.loads(reply.body)["apps"]
        return [app_info(a, raw_config) for a in apps]
    except (ValueError, KeyError, TypeError):
        raise AppsError("Failed to parse JSON response") from None


def app_info(raw: dict[str, Any], raw_config: Mapping[str, Any]) -> AppInfo:
    """One directory entry as an `AppInfo` (not accessible); `TypeError` when malformed."""
    app_id, name = raw["id"], raw["name"]
    if not isinstance(app_id, str) or not isinstance(name, str):
        raise TypeError("app id and name must be strings")
    return {"id": app_id, "name": name, "description": _text(raw, "description"),
            "logoUrl": _text(raw, "logo_url", "logoUrl"),
            "logoUrlDark": _text(raw, "logo_url_dark", "logoUrlDark"),
            "distributionChannel": _text(raw, "distribution_channel", "distributionChannel"),
            "branding": None, "appMetadata": None, "labels": None,
            "installUrl": install_url(name, app_id), "isAccessible": False,
            "isEnabled": app_enabled(raw_config, app_id)}


def _text(raw: dict[str, Any], *names: str) -> str | None:
    """A string member under any of its spellings (both present is a duplicate,
    refused as the reference's decoder refuses it)."""
    present = [n for n in names if n in raw]
    if len(present) > 1:
        raise TypeError(f"duplicate field {present[0]}")
    value = raw.get(present[0]) if present else None
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{present[0]} must be a string")
    return value
