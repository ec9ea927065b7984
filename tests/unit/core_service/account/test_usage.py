"""core_service.account.usage: the usage endpoint's URL and payload (texts probed)."""

from __future__ import annotations

import json

import pytest

from core_service.account.usage import UsageError, decode_usage, fetch_usage, usage_url
from core_service.serde import ArgumentError
from core_service.upstream.http import UpstreamClient


def test_usage_url_follows_the_base() -> None:
    """`/backend-api` bases use wham/usage, others /api/codex/usage; chatgpt.com gains it."""
    assert usage_url("http://h/backend-api/") == "http://h/backend-api/wham/usage"
    assert usage_url("http://h:1/") == "http://h:1/api/codex/usage"
    assert usage_url("https://chatgpt.com") == "https://chatgpt.com/backend-api/wham/usage"


def test_plans_map_to_v2_and_buckets_are_keyed_by_feature() -> None:
    """education is edu, unknown backend plans are "unknown"; the last duplicate wins."""
    assert decode_usage('{"plan_type": "education"}').main["planType"] == "edu"
    assert decode_usage('{"plan_type": "k12"}').main["planType"] == "unknown"
    extra = [{"limit_name": n, "metered_feature": "f", "rate_limit": None} for n in "ab"]
    snaps = decode_usage(json.dumps({"plan_type": "plus", "additional_rate_limits": extra}))
    assert snaps.by_limit_id["f"]["limitName"] == "b"


@pytest.mark.parametrize(("text", "error"), [
    ('{"rate_limit": null}', "missing field `plan_type` at line 1 column 20"),
    ("", "EOF while parsing a value at line 1 column 0"),
    ("[]", "invalid length 0, expected struct RateLimitStatusPayload with 4 elements at line 1 "
           "column 2"),
    ('{"plan_type": "weird"}', "unknown variant `weird`, expected one of `guest`, `free`, "
     "`go`, `plus`, `pro`, `free_workspace`, `team`, `business`, `education`, `quorum`, "
     "`k12`, `enterprise`, `edu` at line 1 column 21"),
    ('{"plan_type":"plus",\n  "rate_limit": 5}',
     "invalid type: integer `5`, expected struct RateLimitStatusDetails at line 2 column 17"),
    ('{"plan_type": "plus", "credits": {"has_credits": true}}',
     "missing field `unlimited` at line 1 column 54"),
])
def test_decode_errors_read_like_the_references(text: str, error: str) -> None:
    """Each refusal has the reference's words and position."""
    with pytest.raises(ArgumentError) as info:
        decode_usage(text)
    assert str(info.value) == error


async def test_an_unreachable_backend_is_named_by_its_url() -> None:
    """A connection failure says which URL could not be reached, without the cause (as the
    reference words it)."""
    client = UpstreamClient()
    url = "http://127.0.0.1:9/backend-api/wham/usage"
    try:
        with pytest.raises(UsageError) as info:
            await fetch_usage(client, url, access_token="t", account_id=None, user_agent="ua")
    finally:
        await client.aclose()
    assert str(info.value) == (
        f"failed to fetch codex rate limits: error sending request for url ({url})")
