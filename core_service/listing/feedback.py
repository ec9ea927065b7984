"""feedback/upload: a report (classification, reason, thread, optionally the
thread's rollout as an attachment) posted as JSON to `[feedback] endpoint`.

The reference posts to OpenAI's own error tracker, which is no place for
another implementation's reports: without an endpoint nothing is sent and
the answer is the same. `[feedback] enabled = false` refuses the call with
the reference's text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core_service.upstream import http as upstream
from core_service.user_agent import CLI_VERSION

DISABLED = "sending feedback is disabled by configuration"
POST_DEADLINE_SECONDS = 30.0
# A rollout larger than this is attached truncated to its last bytes.
MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024


class FeedbackError(Exception):
    """The report could not be sent; `str()` says why."""


def feedback_settings(raw_config: Mapping[str, Any]) -> tuple[bool, str | None]:
    """Whether feedback is enabled, and the endpoint reports go to (if any)."""
    table = raw_config.get("feedback")
    if not isinstance(table, dict):
        return True, None
    endpoint = table.get("endpoint")
    return table.get("enabled") is not False, endpoint if isinstance(endpoint, str) else None


def read_attachment(path: Path | None) -> str | None:
    """The tail of a rollout file as text, None when there is none (blocking)."""
    if path is None:
        return None
    try:
        with path.open("rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - MAX_ATTACHMENT_BYTES))
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return None


async def post_report(client: upstream.UpstreamClient, endpoint: str,
                      report: dict[str, Any]) -> None:
    """POST one report; `FeedbackError` unless the endpoint answers 2xx."""
    payload = {**report, "cliVersion": CLI_VERSION}
    try:
        async with asyncio.timeout(POST_DEADLINE_SECONDS):
            reply = await client.fetch("POST", endpoint, json=payload)
    except (TimeoutError, upstream.TransportError) as exc:
        raise FeedbackError(f"error sending request for url ({endpoint}): {exc}") from None
    if not 200 <= reply.status_code < 300:
        raise FeedbackError(f"feedback endpoint answered {reply.status_code}: {reply.text()}")
