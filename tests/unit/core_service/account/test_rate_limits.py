"""Rate-limit snapshots parsed from response headers (BEHAVIOR.md §10)."""

from __future__ import annotations

import httpx
import pytest

from core_service.account.rate_limits import (
    active_limit_snapshot,
    null_snapshot,
    parse_rate_limit_headers,
    round_percent,
)

SIMPLE_TURN_HEADERS = {
    "x-codex-primary-used-percent": "25.5",
    "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-at": "1900000000",
    "x-codex-secondary-used-percent": "60.0",
    "x-codex-secondary-window-minutes": "10080",
    "x-codex-secondary-reset-at": "1900500000",
}
CREDITS = {
    "x-codex-credits-has-credits": "true",
    "x-codex-credits-unlimited": "0",
    "x-codex-credits-balance": "9.99",
}


def test_no_headers_give_the_all_null_codex_snapshot() -> None:
    """A response without rate-limit headers yields exactly the all-null `codex` snapshot."""
    expected = {"limitId": "codex", "limitName": None, "primary": None, "secondary": None,
                "credits": None, "planType": None}
    assert parse_rate_limit_headers({"content-type": "text/event-stream"}) == [expected]
    assert null_snapshot() == expected


def test_default_family_as_in_the_simple_turn_transcript() -> None:
    """The §14 headers give the snapshot of the transcript (25.5 rounded to 26)."""
    assert parse_rate_limit_headers(SIMPLE_TURN_HEADERS) == [{
        "limitId": "codex",
        "limitName": None,
        "primary": {"usedPercent": 26, "windowDurationMins": 300, "resetsAt": 1900000000},
        "secondary": {"usedPercent": 60, "windowDurationMins": 10080, "resetsAt": 1900500000},
        "credits": None,
        "planType": None,
    }]


@pytest.mark.parametrize(
    ("value", "expected"), [(12.5, 13), (25.5, 26), (12.4, 12), (0.5, 1), (99.99, 100), (-2.5, -3)]
)
def test_used_percent_rounds_halves_away_from_zero(value: float, expected: int) -> None:
    """usedPercent is rounded to an integer with halves going up (not banker's rounding)."""
    assert round_percent(value) == expected


def test_header_names_are_case_insensitive_and_httpx_headers_work() -> None:
    """Headers are matched case-insensitively, from a dict or httpx's multi_items()."""
    headers = httpx.Headers({"X-Codex-Primary-Used-Percent": "12.5",
                             "X-Codex-Primary-Window-Minutes": "15"})
    snaps = parse_rate_limit_headers(headers.multi_items())
    assert snaps[0]["primary"] == {"usedPercent": 13, "windowDurationMins": 15, "resetsAt": None}


def test_other_families_follow_the_default_in_name_order_with_their_names() -> None:
    """Extra families get a normalised limitId and their limit name; codex first, then by id.
    Only a primary used-percent header makes a family (a secondary window or a limit name
    alone makes none, as the reference finds them)."""
    headers = {
        "x-zeta-primary-used-percent": "5",
        "x-codex-other-primary-used-percent": "100",
        "x-codex-other-primary-window-minutes": "60",
        "x-codex-other-limit-name": "GPT-5.1-Codex-Mini",
        "x-Alpha-Beta-primary-used-percent": "1",
        "x-Alpha-Beta-secondary-used-percent": "7",
        "x-alpha-beta-secondary-reset-at": "1900000001",
        "x-sec-secondary-used-percent": "5",
        "x-nm-limit-name": "NM",
    }
    snaps = parse_rate_limit_headers(headers)
    assert [s["limitId"] for s in snaps] == ["codex", "alpha_beta", "codex_other", "zeta"]
    assert snaps[0]["primary"] is None  # no x-codex-* header: the default is still first
    other = snaps[2]
    assert other["limitName"] == "GPT-5.1-Codex-Mini"
    assert other["primary"] == {"usedPercent": 100, "windowDurationMins": 60, "resetsAt": None}
    assert snaps[1]["secondary"] == {"usedPercent": 7, "windowDurationMins": None,
                                     "resetsAt": 1900000001}


def test_credits_are_attached_to_every_family_and_need_both_booleans() -> None:
    """Credits from x-codex-credits-* appear on every snapshot; both booleans are required."""
    snaps = parse_rate_limit_headers({**SIMPLE_TURN_HEADERS, **CREDITS,
                                      "x-codex-other-primary-used-percent": "1"})
    credits = {"hasCredits": True, "unlimited": False, "balance": "9.99"}
    assert [s["credits"] for s in snaps] == [credits, credits]
    assert [s["limitId"] for s in snaps] == ["codex", "codex_other"]  # no "codex_credits"

    missing = {k: v for k, v in CREDITS.items() if not k.endswith("unlimited")}
    assert parse_rate_limit_headers(missing)[0]["credits"] is None
    bad = {**CREDITS, "x-codex-credits-has-credits": "maybe"}
    assert parse_rate_limit_headers(bad)[0]["credits"] is None
    no_balance = {k: v for k, v in CREDITS.items() if not k.endswith("balance")}
    assert parse_rate_limit_headers(no_balance)[0]["credits"] == {
        "hasCredits": True, "unlimited": False, "balance": None}


def test_all_zero_family_is_dropped_unless_credits_are_present() -> None:
    """A window of zeros without reset is no window; such a family needs credits to be listed."""
    zeros = {"x-codex-other-primary-used-percent": "0",
             "x-codex-other-primary-window-minutes": "0"}
    assert [s["limitId"] for s in parse_rate_limit_headers(zeros)] == ["codex"]
    with_credits = parse_rate_limit_headers({**zeros, **CREDITS})
    assert [s["limitId"] for s in with_credits] == ["codex", "codex_other"]
    assert with_credits[1]["primary"] is None

    zero_with_reset = {"x-codex-primary-used-percent": "0", "x-codex-primary-reset-at": "5"}
    assert parse_rate_limit_headers(zero_with_reset)[0]["primary"] == {
        "usedPercent": 0, "windowDurationMins": None, "resetsAt": 5}


def test_unparsable_values_are_ignored() -> None:
    """A window needs a parsable used percent; bad minutes/reset values become null."""
    snaps = parse_rate_limit_headers({
        "x-codex-primary-used-percent": "lots",
        "x-codex-secondary-used-percent": "10",
        "x-codex-secondary-window-minutes": "soon",
        "x-codex-secondary-reset-at": "1900000000.0",
    })
    assert snaps[0]["primary"] is None
    assert snaps[0]["secondary"] == {"usedPercent": 10, "windowDurationMins": None,
                                     "resetsAt": 1900000000}


def test_active_limit_selects_the_reported_family() -> None:
    """x-codex-active-limit picks the snapshot a usage-limit error reports (default codex)."""
    headers = {**SIMPLE_TURN_HEADERS, "x-codex-active-limit": "codex_other",
               "x-codex-other-primary-used-percent": "100",
               "x-codex-other-limit-name": "Other"}
    snap = active_limit_snapshot(headers)
    assert snap["limitId"] == "codex_other"
    assert snap["limitName"] == "Other"
    assert snap["primary"] is not None and snap["primary"]["usedPercent"] == 100
    assert active_limit_snapshot(SIMPLE_TURN_HEADERS)["limitId"] == "codex"
    unknown = active_limit_snapshot({"x-codex-active-limit": "nothing-here"})
    assert unknown == null_snapshot("nothing_here")
