"""The ChatGPT backend's usage endpoint behind `account/rateLimits/read`.

`GET {chatgpt_base_url}wham/usage` (or `{base}/api/codex/usage` when the
base URL is no `/backend-api` one) with the ChatGPT access token and
account id. The payload is decoded as strictly as the reference decodes it
(`strict_json`: a missing `plan_type` or a fractional percentage is an
error, quoted in the reference's words) and shaped into v2 snapshots: the
`codex` bucket and one per additional metered feature. Every failure is a
`UsageError` whose text is the reference's, "failed to fetch codex rate
limits: ..." included.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from app_server_protocol.wire_types import (
    CreditsSnapshot,
    PlanType,
    RateLimitSnapshot,
    RateLimitWindow,
)
from core_service.account.rate_limits import DEFAULT_LIMIT_ID
from core_service.account.strict_json import DecodeError, Decoder, Node, Reader
from core_service.upstream import http as upstream

# The backend's plan names, in the order the reference's decoder lists them.
_BACKEND_PLANS = ("guest", "free", "go", "plus", "pro", "free_workspace", "team", "business",
                  "education", "quorum", "k12", "enterprise", "edu")
# Backend plans v2 names; any other is "unknown".
_PLAN_NAMES: dict[str, PlanType] = {
    "free": "free", "go": "go", "plus": "plus", "pro": "pro", "team": "team",
    "business": "business", "enterprise": "enterprise", "edu": "edu", "education": "edu"}
_WINDOW = ("used_percent", "limit_window_seconds", "reset_after_seconds", "reset_at")
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
    except DecodeError as exc:
        raise UsageError(f"{_PREFIX}Decode error for {url}: {exc}; "
                         f"content-type={content_type}; body={body}") from None


def decode_usage(text: str) -> UsageSnapshots:
    """Decode a usage payload into snapshots; `DecodeError` in the reference's words."""
    reader = Reader(text)
    dec = Decoder(reader)
    details = _details_reader(dec)
    payload = dec.struct(reader.parse(), "RateLimitStatusPayload", {
        "plan_type": lambda n: dec.variant(n, _BACKEND_PLANS),
        "rate_limit": details,
        "credits": lambda n: _credits(dec, n),
        "additional_rate_limits": lambda n: [_additional(dec, details, item)
                                             for item in dec.items(n)],
    }, ("plan_type",))
    plan = _PLAN_NAMES.get(payload["plan_type"], "unknown")
    main = _snapshot(DEFAULT_LIMIT_ID, None, payload.get("rate_limit"), payload.get("credits"),
                     plan)
    by_limit_id = {DEFAULT_LIMIT_ID: main}
    for limit_id, name, windows in payload.get("additional_rate_limits") or []:
        by_limit_id[limit_id] = _snapshot(limit_id, name, windows, None, plan)
    return UsageSnapshots(main, by_limit_id)


_Windows = tuple[RateLimitWindow | None, RateLimitWindow | None]


def _additional(
    dec: Decoder, details: Callable[[Node], _Windows], node: Node
) -> tuple[str, str, _Windows | None]:
    fields = dec.struct(node, "AdditionalRateLimitDetails", {
        "limit_name": dec.string, "metered_feature": dec.string, "rate_limit": details,
    }, ("limit_name", "metered_feature"))
    return fields["metered_feature"], fields["limit_name"], fields.get("rate_limit")


def _details_reader(dec: Decoder) -> Callable[[Node], _Windows]:
    def window(node: Node) -> RateLimitWindow:
        fields = dec.struct(node, "RateLimitWindowSnapshot",
                            dict.fromkeys(_WINDOW, dec.i32), _WINDOW)
        seconds = fields["limit_window_seconds"]
        # Whole minutes, rounded up; a window without a length has none.
        minutes = math.ceil(seconds / 60) if seconds > 0 else None
        return {"usedPercent": fields["used_percent"], "windowDurationMins": minutes,
                "resetsAt": fields["reset_at"]}

    def details(node: Node) -> _Windows:
        fields = dec.struct(node, "RateLimitStatusDetails", {
            "allowed": dec.boolean, "limit_reached": dec.boolean,
            "primary_window": window, "secondary_window": window,
        }, ("allowed", "limit_reached"))
        return fields.get("primary_window"), fields.get("secondary_window")

    return details


def _credits(dec: Decoder, node: Node) -> CreditsSnapshot:
    fields = dec.struct(node, "CreditStatusDetails", {
        "has_credits": dec.boolean, "unlimited": dec.boolean, "balance": dec.string,
        # Decoded by the reference (so counted), never shown.
        "approx_local_messages": lambda n: True, "approx_cloud_messages": lambda n: True,
    }, ("has_credits", "unlimited"))
    return {"hasCredits": fields["has_credits"], "unlimited": fields["unlimited"],
            "balance": fields.get("balance")}


def _snapshot(limit_id: str, name: str | None, windows: _Windows | None,
              credits: CreditsSnapshot | None, plan: PlanType) -> RateLimitSnapshot:
    primary, secondary = windows or (None, None)
    return {"limitId": limit_id, "limitName": name, "primary": primary,
            "secondary": secondary, "credits": credits, "planType": plan}


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
