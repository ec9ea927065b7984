"""core_service.model.errors: the reference's texts for each way a model request fails."""

from __future__ import annotations

import datetime as dt

import pytest

from core_service.model.errors import (
    connection_failed,
    error_object,
    failed_error,
    format_reset_time,
    incomplete_error,
    status_error,
    stream_disconnected,
    usage_limit_error,
)
from core_service.upstream import http as upstream

URL = "http://mock/v1/responses"


def test_reset_time_format_ordinals_and_twelve_hour_clock() -> None:
    """Reset times read like "Mar 17th, 2030 6:46 PM", with English ordinals and AM/PM."""
    utc = dt.UTC
    cases = {(2030, 3, 17, 18, 46): "Mar 17th, 2030 6:46 PM",
             (2030, 1, 1, 0, 5): "Jan 1st, 2030 12:05 AM",
             (2030, 2, 2, 12, 0): "Feb 2nd, 2030 12:00 PM",
             (2030, 5, 3, 9, 9): "May 3rd, 2030 9:09 AM",
             (2030, 6, 11, 1, 0): "Jun 11th, 2030 1:00 AM",
             (2030, 7, 13, 1, 0): "Jul 13th, 2030 1:00 AM",
             (2030, 8, 22, 1, 0): "Aug 22nd, 2030 1:00 AM",
             (2030, 12, 31, 23, 59): "Dec 31st, 2030 11:59 PM"}
    for (y, mo, d, h, mi), text in cases.items():
        stamp = dt.datetime(y, mo, d, h, mi, tzinfo=utc).timestamp()
        assert format_reset_time(stamp, utc) == text


def test_final_status_errors() -> None:
    """500 is the high-demand text; 429 is the retry limit (with the request id); 400 is the
    raw body; anything else names status, upstream message, URL and request id (probed)."""
    high = status_error(500, "", URL, request_id=None)
    assert (high.message, high.info) == (
        "We're currently experiencing high demand, which may cause temporary errors.",
        "internalServerError")
    limit = status_error(429, "", URL, request_id="req-1")
    assert limit.message == "exceeded retry limit, last status: 429 Too Many Requests, " \
        "request id: req-1"
    assert limit.info == {"responseTooManyFailedAttempts": {"httpStatusCode": 429}}
    assert status_error(400, "raw body", URL, request_id=None).message == \
        "raw body"
    denied = status_error(401, '{"error": {"message": "bad key"}}', URL,
                          request_id="req-2")
    assert (denied.message, denied.info) == (
        f"unexpected status 401 Unauthorized: bad key, url: {URL}, request id: req-2", "other")
    odd = status_error(499, "plain", URL, request_id=None)
    assert odd.message == f"unexpected status 499: plain, url: {URL}"


def test_failed_and_incomplete_events() -> None:
    """response.failed codes map to the reference's texts; invalid_prompt shows the upstream
    message; any other failure reads as a broken stream with the upstream message (probed);
    incomplete names its reason."""
    assert failed_error({"code": "usage_not_included"}).info == "usageLimitExceeded"
    assert failed_error({"code": "slow_down"}).info == "serverOverloaded"
    assert failed_error({"code": "invalid_prompt", "message": "bad"}).message == "bad"
    rate = failed_error({"code": "rate_limit_exceeded", "message": "Rate limit reached"})
    assert (rate.message, rate.info) == (
        "stream disconnected before completion: Rate limit reached", "other")
    assert failed_error({"message": "no code"}).message == \
        "stream disconnected before completion: no code"
    assert failed_error({}).message == "stream disconnected before completion: "
    assert failed_error({}).retryable
    known = ("context_length_exceeded", "insufficient_quota", "usage_not_included",
             "server_is_overloaded", "slow_down", "invalid_prompt")
    assert not any(failed_error({"code": code}).retryable for code in known)
    assert incomplete_error(None).message == "Incomplete response returned, reason: unknown"


def test_transport_failures() -> None:
    """A refused connection and a broken stream carry their codexErrorInfo."""
    refused = connection_failed(upstream.ConnectError(""), URL)
    assert refused.message == ("Connection failed: error connecting to the model provider: "
                               f"connection refused ({URL})")
    assert refused.info == {"httpConnectionFailed": {"httpStatusCode": None}}
    assert stream_disconnected("why").info == {
        "responseStreamDisconnected": {"httpStatusCode": None}}


def test_error_object_of_odd_bodies() -> None:
    """Only a JSON object with an `error` object yields one."""
    assert error_object('{"error": {"code": "c"}}') == {"code": "c"}
    assert error_object("not json") == {}
    assert error_object('["error"]') == {}
    assert error_object('{"error": "text"}') == {}


def test_usage_limit_of_another_family_names_it() -> None:
    """A usage limit of a named family says "for <name>" and suggests another model; a
    plain 429 is no usage-limit error, nor is a usage-limit `code` without the `type`
    (probed); without rate-limit headers no snapshot is reported."""
    headers = [("x-codex-active-limit", "gpt-x"), ("x-gpt-x-limit-name", "GPT X"),
               ("x-gpt-x-primary-used-percent", "100")]
    assert usage_limit_error({"code": "usage_limit_reached"}, headers) is None
    bare = usage_limit_error({"type": "usage_limit_reached"}, [("x-request-id", "r")])
    assert bare is not None and bare.rate_limits is None
    assert bare.message == "You've hit your usage limit. Try again later."
    err = usage_limit_error({"type": "usage_limit_reached"}, headers)
    assert err is not None
    assert err.message == ("You've hit your usage limit for GPT X. Switch to another model "
                           "now, or try again later.")
    assert err.rate_limits is not None and err.rate_limits["limitId"] == "gpt_x"
    assert usage_limit_error({"type": "rate_limit_exceeded"}, headers) is None


PLAN_TEXTS = {
    "plus": "Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
            "https://chatgpt.com/codex/settings/usage to purchase more credits or try again",
    "pro": "Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try "
           "again",
    "free": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or "
            "try again",
    "go": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or "
          "try again",
    "team": "To get more access now, send a request to your admin or try again",
    "business": "To get more access now, send a request to your admin or try again",
    "enterprise": "Try again",
    "edu": "Try again",
    "k12": "Try again",
    None: "Try again",
}


@pytest.mark.parametrize(("plan", "text"), PLAN_TEXTS.items())
def test_usage_limit_of_the_default_bucket_offers_the_plans_way_out(
    plan: str | None, text: str
) -> None:
    """The default bucket's usage limit says how the plan gets more usage (texts of the
    reference, probed per plan); resets_in_seconds is ignored (no reset time: "later")."""
    error: dict[str, object] = {"type": "usage_limit_reached", "resets_in_seconds": 60}
    if plan is not None:
        error["plan_type"] = plan
    err = usage_limit_error(error, [("x-codex-primary-used-percent", "100")])
    assert err is not None
    assert err.message == f"You've hit your usage limit. {text} later."
    assert err.rate_limits is not None and err.rate_limits["limitId"] == "codex"


def test_a_promotion_replaces_the_plan_text_and_an_unnamed_bucket_reads_as_the_default() -> None:
    """x-codex-promo-message replaces the plan's text; an active bucket without a limit name
    is worded like the default one (its own snapshot is still the one reported)."""
    error = {"type": "usage_limit_reached", "plan_type": "plus", "resets_at": 1900000000}
    promo = usage_limit_error(error, [("X-Codex-Promo-Message", "Promo!")])
    assert promo is not None
    assert promo.message.startswith("You've hit your usage limit. Promo!, or try again at ")
    unnamed = usage_limit_error(error, [("x-codex-active-limit", "nosuch")])
    assert unnamed is not None and unnamed.rate_limits is not None
    assert unnamed.message.startswith("You've hit your usage limit. Upgrade to Pro ")
    assert unnamed.rate_limits["limitId"] == "nosuch"
