"""The ChatGPT backend's usage endpoint behind `account/rateLimits/read`.

`GET {chatgpt_base_url}wham/usage` (or `{base}/api/codex/usage` when the
base URL is no `/backend-api` one) with the ChatGPT access token and
account id. The payload is decoded as strictly as the reference decodes it
(with `serde`, the one emulation of its JSON decoder: a missing
`plan_type` or a fractional percentage is an error, quoted in its words)
and shaped into v2 snapshots: the `codex` bucket and one per additional
metered feature. Every failure is a `UsageError` whose text is the
reference's, "failed to fetch codex rate limits: ..." included.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from app_server_protocol.wire_types import (
    CreditsSnapshot,
    PlanType,
    RateLimitSnapshot,
    RateLimitWindow,
)
from core_service import serde
from core_service.account.rate_limits import DEFAULT_LIMIT_ID
from core_service.upstream import http as upstream

# The backend's plan names, in the order the reference's decoder lists them.
_BACKEND_PLANS = ("guest", "free", "go", "plus", "pro", "free_workspace", "team", "business",
                  "education", "quorum", "k12", "enterprise", "edu")
# Backend plans v2 names; any other is "unknown".
_PLAN_NAMES: dict[str, PlanType] = {
    "free": "free", "go": "go", "plus": "plus", "pro": "pro", "team": "team",
    "business": "business", "enterprise": "enterprise", "edu": "edu", "education": "edu"}
# The payload as the reference's decoder types it (members in declaration order):
# what it refuses, and how it words the refusal, follows from this schema.
_I32 = serde.Int("i32", 32)
_WINDOW_FIELDS = ("used_percent", "limit_window_seconds", "reset_after_seconds", "reset_at")
_WINDOW = serde.Struct("RateLimitWindowSnapshot", dict.fromkeys(_WINDOW_FIELDS, _I32),
                           frozenset(_WINDOW_FIELDS))
_DETAILS = serde.Struct("RateLimitStatusDetails", {
    "allowed": serde.Bool(), "limit_reached": serde.Bool(),
    "primary_window": serde.Opt(_WINDOW), "secondary_window": serde.Opt(_WINDOW),
}, frozenset({"allowed", "limit_reached"}))
_CREDITS = serde.Struct("CreditStatusDetails", {
    "has_credits": serde.Bool(), "unlimited": serde.Bool(),
    "balance": serde.Opt(serde.Str()),
}, frozenset({"has_credits", "unlimited"}))
_ADDITIONAL = serde.Struct("AdditionalRateLimitDetails", {
    "limit_name": serde.Str(), "metered_feature": serde.Str(),
    "rate_limit": serde.Opt(_DETAILS),
}, frozenset({"limit_name", "metered_feature"}))
_PAYLOAD = serde.Struct("RateLimitStatusPayload", {
    "plan_type": serde.Enum(_BACKEND_PLANS), "rate_limit": serde.Opt(_DETAILS),
    "credits": serde.Opt(_CREDITS),
    "additional_rate_limits": serde.Opt(serde.Seq(_ADDITIONAL)),
}, frozenset({"plan_type"}))
# The whole call (connect, head, body) ends within this many seconds.
FETCH_DEADLINE_SECONDS = 30.0
_PREFIX = "failed to fetch codex rate limits: "


class UsageError(Exception):
    """The usage endpoint could not be read; `str()` is the message for the client."""


@dataclass(frozen=True)
class UsageSnapshots:
    """The decoded payload: the `codex` bucket and every bucket by limit id.

    `by_limit_id` starts with the `codex` bucket; an additional bucket whose
    metered feature is `codex` replaces it there (as the reference's map
    does), never in `main`.
    """

    main: RateLimitSnapshot
    by_limit_id: dict[str, RateLimitSnapshot]


def usage_url(chatgpt_base_url: str) -> str:
    """The usage endpoint of a ChatGPT base URL, as the reference chooses it."""
    base = chatgpt_base_url.rstrip("/")
    lowered = base.lower()
    if lowered.startswith(("https://chatgpt.com", "https://chat.openai.com")) \
            and "/backend-api" not in lowered:
        base += "/backend-api"
    if "/backend-api" in base:
        return f"{base}/wham/usage"
    return f"{base}/api/codex/usage"


async def fetch_usage(
    client: upstream.UpstreamClient,
    url: str,
    *,
    access_token: str,
    account_id: str | None,
    user_agent: str,
) -> UsageSnapshots:
    """GET the usage endpoint and decode it; `UsageError` on any failure."""
    headers = [("authorization", f"Bearer {access_token}"), ("user-agent", user_agent)]
    if account_id:
        headers.append(("chatgpt-account-id", account_id))
    try:
        async with asyncio.timeout(FETCH_DEADLINE_SECONDS):
            reply = await client.fetch("GET", url, headers=headers)
    except (TimeoutError, upstream.TransportError):
        # The reference names the URL only, not the cause (probed with a closed port).
        raise UsageError(f"{_PREFIX}error sending request for url ({url})") from None
    content_type = reply.headers.get("content-type") or ""
    body = reply.text()
    if not 200 <= reply.status_code < 300:
        raise UsageError(f"{_PREFIX}GET {url} failed: {_status_line(reply.status_code)}; "
                         f"content-type={content_type}; body={body}")
    try:
        return decode_usage(body)
    except serde.ArgumentError as exc:
        raise UsageError(f"{_PREFIX}Decode error for {url}: {exc}; "
                         f"content-type={content_type}; body={body}") from None


def decode_usage(text: str) -> UsageSnapshots:
    """Decode a usage payload into snapshots; `ArgumentError` in the reference's words."""
    payload = serde.decode(text, _PAYLOAD)
    plan = _PLAN_NAMES.get(payload["plan_type"], "unknown")
    main = _snapshot(DEFAULT_LIMIT_ID, None, payload.get("rate_limit"), payload.get("credits"),
                     plan)
    by_limit_id = {DEFAULT_LIMIT_ID: main}
    for extra in payload.get("additional_rate_limits") or []:
        limit_id = extra["metered_feature"]
        by_limit_id[limit_id] = _snapshot(limit_id, extra["limit_name"],
                                          extra.get("rate_limit"), None, plan)
    return UsageSnapshots(main, by_limit_id)


def _window(raw: dict[str, int] | None) -> RateLimitWindow | None:
    if raw is None:
        return None
    seconds = raw["limit_window_seconds"]
    # Whole minutes, rounded up; a window without a length has none.
    minutes = math.ceil(seconds / 60) if seconds > 0 else None
    return {"usedPercent": raw["used_percent"], "windowDurationMins": minutes,
            "resetsAt": raw["reset_at"]}


def _credits(raw: dict[str, Any] | None) -> CreditsSnapshot | None:
    if raw is None:
        return None
    return {"hasCredits": raw["has_credits"], "unlimited": raw["unlimited"],
            "balance": raw.get("balance")}


def _snapshot(limit_id: str, name: str | None, details: dict[str, Any] | None,
              credits: dict[str, Any] | None, plan: PlanType) -> RateLimitSnapshot:
    details = details or {}
    return {"limitId": limit_id, "limitName": name,
            "primary": _window(details.get("primary_window")),
            "secondary": _window(details.get("secondary_window")),
            "credits": _credits(credits), "planType": plan}


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
