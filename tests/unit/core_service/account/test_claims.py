"""Reading a ChatGPT JWT's claims without verifying it."""

from __future__ import annotations

import base64
import json

import pytest

from core_service.account.claims import ClaimsError, TokenClaims, read_claims


def _jwt(payload: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


def test_email_plan_and_account_come_from_the_openai_claims() -> None:
    """The email is top-level, plan and account id are under the auth claim."""
    token = _jwt({"email": "a@example.com", "https://api.openai.com/auth": {
        "chatgpt_plan_type": "pro", "chatgpt_account_id": "acct_1"}})
    assert read_claims(token) == TokenClaims("a@example.com", "pro", "acct_1")


def test_the_profile_email_and_missing_claims() -> None:
    """The profile claim's email serves when there is no top-level one; absent claims are None."""
    token = _jwt({"https://api.openai.com/profile": {"email": "p@example.com"}})
    assert read_claims(token) == TokenClaims(email="p@example.com")


@pytest.mark.parametrize("text", ["not-a-jwt", "a.b", "a..c", ""])
def test_a_text_without_three_parts_is_invalid_format(text: str) -> None:
    """The reference's wording, and never the token itself, in the error."""
    with pytest.raises(ClaimsError, match="^invalid ID token format$"):
        read_claims(text)


@pytest.mark.parametrize("payload", ["!!!", _jwt([1, 2]).split(".")[1]])
def test_a_payload_that_is_no_json_object_is_invalid(payload: str) -> None:
    """A payload that is not base64url JSON of an object is refused without echoing it."""
    with pytest.raises(ClaimsError) as err:
        read_claims(f"h.{payload}.s")
    assert payload not in str(err.value)
