"""Rate-limit snapshots parsed from the Responses API's response headers.

The upstream reports its rate-limit windows in header *families*
`x-<limit>-primary-*` / `x-<limit>-secondary-*` (the default family is
`x-codex`, limit id `codex`), plus credit headers of the default family that
belong to every snapshot. The output is the v2 `RateLimitSnapshot` JSON shape
(`wire_types.RateLimitSnapshot`), ready to be sent as `account/rateLimits/updated`.

Pure functions only: the model client calls them with the headers of each
response; the unit tests call them with plain dicts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from app_server_protocol.wire_types import CreditsSnapshot, RateLimitSnapshot, RateLimitWindow

# The family every response is reported for, even when it has no headers.
DEFAULT_LIMIT_ID = "codex"
_DEFAULT_PREFIX = "x-codex"

# Header selecting the family whose snapshot a 429 usage-limit error reports.
ACTIVE_LIMIT_HEADER = "x-codex-active-limit"

# A family exists when its primary used-percent header does (as the reference
# finds families: a secondary window or a limit name alone makes none).
_FAMILY_RE = re.compile(r"^x-(?P<name>[a-z0-9][a-z0-9_-]*?)-primary-used-percent$")


def null_snapshot(limit_id: str = DEFAULT_LIMIT_ID) -> RateLimitSnapshot:
    """The all-null snapshot reported for a response without rate-limit headers."""
    return {
        "limitId": limit_id,
        "limitName": None,
        "primary": None,
        "secondary": None,
        "credits": None,
        "planType": None,
    }


def normalize_limit_id(name: str) -> str:
    """The limit id of a header family name: lower-cased, `-` replaced by `_`."""
    return name.strip().lower().replace("-", "_")


def parse_rate_limit_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> list[RateLimitSnapshot]:
    """Parse every rate-limit family of a response's headers into snapshots.

    The default `codex` family always comes first (all-null when the response
    carried no header for it); the other families follow in limit-id order and
    are included only when they carry data (a window or credits). Credits
    parsed from `x-codex-credits-*` are attached to every snapshot.
    """
    lowered = _lower(headers)
    credits = _parse_credits(lowered)
    families: dict[str, str] = {}
    for key in lowered:
        match = _FAMILY_RE.match(key)
        if match is None:
            continue
        prefix = f"x-{match.group('name')}"
        if prefix == _DEFAULT_PREFIX:
            continue
        families.setdefault(normalize_limit_id(match.group("name")), prefix)

    snapshots = [_snapshot(lowered, _DEFAULT_PREFIX, DEFAULT_LIMIT_ID, credits)]
    for limit_id in sorted(families):
        snap = _snapshot(lowered, families[limit_id], limit_id, credits)
        if snap["primary"] is not None or snap["secondary"] is not None or credits is not None:
            snapshots.append(snap)
    return snapshots


def has_rate_limit_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
    """Whether a response says anything about rate limits (any `x-codex-*` header or a
    family's): a 429 without any reports no snapshot, as the reference's does not."""
    return any(key.startswith(_DEFAULT_PREFIX + "-") or _FAMILY_RE.match(key)
               for key in _lower(headers))


def active_limit_snapshot(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> RateLimitSnapshot:
    """The snapshot of the family named by `x-codex-active-limit` (default `codex`).

    Used for 429 usage-limit errors, where the reference reports only the
    limit that was hit. A named family without headers yields its all-null
    snapshot (with credits, when present) rather than another family's data.
    """
    lowered = _lower(headers)
    raw = lowered.get(ACTIVE_LIMIT_HEADER, "").strip()
    limit_id = normalize_limit_id(raw) if raw else DEFAULT_LIMIT_ID
    for snap in parse_rate_limit_headers(lowered):
        if snap["limitId"] == limit_id:
            return snap
    prefix = "x-" + limit_id.replace("_", "-")
    return _snapshot(lowered, prefix, limit_id, _parse_credits(lowered))


def round_percent(value: float) -> int:
    """Round a used percentage to an integer, halves away from zero (12.5 -> 13)."""
    # Python's round() is banker's rounding (12.5 -> 12); the reference rounds up.
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _lower(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k).lower(): str(v) for k, v in items}


def _snapshot(
    headers: Mapping[str, str], prefix: str, limit_id: str, credits: CreditsSnapshot | None
) -> RateLimitSnapshot:
    name = headers.get(f"{prefix}-limit-name", "").strip()
    return {
        "limitId": limit_id,
        "limitName": name or None,
        "primary": _window(headers, f"{prefix}-primary"),
        "secondary": _window(headers, f"{prefix}-secondary"),
        "credits": CreditsSnapshot(**credits) if credits is not None else None,
        "planType": None,
    }


def _window(headers: Mapping[str, str], prefix: str) -> RateLimitWindow | None:
    used = _parse_float(headers.get(f"{prefix}-used-percent"))
    if used is None:
        return None
    minutes = _parse_int(headers.get(f"{prefix}-window-minutes"))
    resets_at = _parse_int(headers.get(f"{prefix}-reset-at"))
    # An all-zero window without a reset time is how the upstream says "no window".
    if used == 0 and not minutes and resets_at is None:
        return None
    return {"usedPercent": round_percent(used), "windowDurationMins": minutes,
            "resetsAt": resets_at}


def _parse_credits(headers: Mapping[str, str]) -> CreditsSnapshot | None:
    has = _parse_bool(headers.get(f"{_DEFAULT_PREFIX}-credits-has-credits"))
    unlimited = _parse_bool(headers.get(f"{_DEFAULT_PREFIX}-credits-unlimited"))
    if has is None or unlimited is None:
        return None
    balance = headers.get(f"{_DEFAULT_PREFIX}-credits-balance")
    balance = balance.strip() if balance is not None else None
    return {"hasCredits": has, "unlimited": unlimited, "balance": balance or None}


def _parse_float(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip()
    try:
        return int(text)
    except ValueError:
        pass
    # Some proxies render integers as floats ("300.0"); accept whole values only.
    value = _parse_float(text)
    if value is None or value != int(value):
        return None
    return int(value)


def _parse_bool(raw: str | None) -> bool | None:
    if raw is None:
        return None
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None
