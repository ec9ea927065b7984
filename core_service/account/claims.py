"""The claims of a ChatGPT JWT, read WITHOUT verifying its signature.

The server never trusts a token's claims for access control (the backend
checks the token); it reads them only to show who is signed in, as the
reference does: the email, the ChatGPT plan and the ChatGPT account
(workspace) id. Both an access token supplied by a client and a managed
login's id token carry them, under the same claim names.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

# The namespaced claims OpenAI puts in its tokens.
_AUTH_CLAIM = "https://api.openai.com/auth"
_PROFILE_CLAIM = "https://api.openai.com/profile"


class ClaimsError(ValueError):
    """The text is not a JWT whose payload is a JSON object.

    Its message never contains the token (it is a secret).
    """


@dataclass(frozen=True)
class TokenClaims:
    """What a ChatGPT token says about its user; each field None when absent."""

    email: str | None = None
    plan_type: str | None = None
    account_id: str | None = None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _payload(jwt: str) -> dict[str, Any]:
    parts = jwt.split(".")
    if len(parts) != 3 or not all(parts):
        raise ClaimsError("invalid ID token format")
    segment = parts[1]
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError):
        raise ClaimsError("invalid ID token payload") from None
    if not isinstance(data, dict):
        raise ClaimsError("invalid ID token payload")
    return data


def read_claims(jwt: str) -> TokenClaims:
    """The email, plan and account id of `jwt` (header.payload.signature, base64url).

    The signature is not checked. Raises `ClaimsError` when `jwt` has not
    three non-empty parts ("invalid ID token format", the reference's text)
    or its payload is not a base64url JSON object.
    """
    data = _payload(jwt)
    auth = data.get(_AUTH_CLAIM)
    auth = auth if isinstance(auth, dict) else {}
    profile = data.get(_PROFILE_CLAIM)
    profile = profile if isinstance(profile, dict) else {}
    return TokenClaims(
        email=_str(data.get("email")) or _str(profile.get("email")),
        plan_type=_str(auth.get("chatgpt_plan_type")),
        account_id=_str(auth.get("chatgpt_account_id")),
    )
