"""ChatGPT tokens supplied by a client (`chatgptAuthTokens`), kept in memory only.

A parent application that owns the user's ChatGPT sign-in hands the server
an access token and the ChatGPT account (workspace) id. They are never
written to disk. When the model answers 401, `ExternalAuth.refresh` asks
every initialized connection for new tokens with the server request
`account/chatgptAuthTokens/refresh` (as the reference does, whoever supplied
them); every way that can fail becomes a `RefreshError` carrying the
reference's text (a malformed answer: the decoder's message, "missing field
`accessToken`"), which ends the turn while the login stays in place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from app_server_protocol.v2 import account_pb2
from core_service.account.claims import ClaimsError, read_claims
from core_service.hub import (
    Hub,
    ServerRequestClosed,
    ServerRequestError,
    ServerRequestMalformed,
    ServerRequestTimeout,
)

REFRESH_METHOD = "account/chatgptAuthTokens/refresh"
# The reference waits this long for the client's answer (a fixed constant there).
REFRESH_TIMEOUT_SECONDS = 10.0


class RefreshError(Exception):
    """Asking the client for new tokens failed; the message is the reference's text."""


class WorkspaceMismatch(ValueError):
    """Tokens of another workspace than `forced_chatgpt_workspace_id` allows."""


@dataclass(frozen=True)
class ExternalTokens:
    """The tokens a client supplied and what their claims say.

    `plan_type` is the client's `chatgptPlanType` when it gave one (it wins
    over the token's claim), else the claim.
    """

    access_token: str
    account_id: str
    email: str | None
    plan_type: str | None

    def __repr__(self) -> str:
        # Never print the token (logs, tracebacks).
        return f"ExternalTokens(account_id={self.account_id!r}, plan_type={self.plan_type!r})"


def make_tokens(
    access_token: str, account_id: str, plan_type: str | None
) -> ExternalTokens:
    """Tokens from a login or a refresh answer; `ClaimsError` when the token is no JWT."""
    claims = read_claims(access_token)
    return ExternalTokens(
        access_token=access_token,
        account_id=account_id,
        email=claims.email,
        plan_type=plan_type or claims.plan_type,
    )


def check_workspace(account_id: str, forced: str | None) -> None:
    """Refuse a login into another workspace than the pinned one (reference wording)."""
    if forced and account_id != forced:
        raise WorkspaceMismatch(
            f'External auth must use workspace {forced}, but received "{account_id}".'
        )


def _failure_text(exc: ServerRequestError) -> str:
    if isinstance(exc, ServerRequestMalformed):
        return exc.message
    return f"auth refresh request failed: code={exc.code} message={exc.message}"


class ExternalAuth:
    """The current external tokens (or none) and the refresh round trip through the hub."""

    def __init__(self, hub: Hub, timeout_seconds: float = REFRESH_TIMEOUT_SECONDS) -> None:
        self.hub = hub
        self.timeout_seconds = timeout_seconds
        self.tokens: ExternalTokens | None = None

    async def refresh(
        self, forced_workspace: str | None, thread_id: str | None = None
    ) -> dict[str, str | None] | None:
        """Ask the client for new tokens after a 401 and use them; the new headers.

        None when no external tokens are active any more (the 401 stands).
        The request goes to every initialized connection. Raises
        `RefreshError` with the reference's text on a client error, a
        timeout, an unusable answer or a workspace other than the pinned one.
        Connections that drop do not end it: the reference keeps the request
        pending, so with all of them gone it still ends at the deadline.
        `thread_id` is the thread whose request got the 401: every connection
        the refresh went to hears `serverRequest/resolved` about it once the
        first answer (or failure) settles it.
        """
        current = self.tokens
        if current is None:
            return None
        params = account_pb2.ChatgptAuthTokensRefreshParams(
            reason=account_pb2.CHATGPT_AUTH_TOKENS_REFRESH_REASON_UNAUTHORIZED,
            previous_account_id=current.account_id,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds
        timed_out = f"auth refresh request timed out after {self.timeout_seconds:g}s"
        try:
            answer = await self.hub.request(REFRESH_METHOD, params, broadcast=True,
                                            wait_seconds=self.timeout_seconds,
                                            about_thread=thread_id)
        except ServerRequestClosed:
            # Nobody is left to answer, yet the reference only gives up at its deadline.
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            raise RefreshError(timed_out) from None
        except ServerRequestTimeout:
            raise RefreshError(timed_out) from None
        except ServerRequestError as exc:
            raise RefreshError(_failure_text(exc)) from None
        assert isinstance(answer, account_pb2.ChatgptAuthTokensRefreshResponse)
        if forced_workspace and answer.chatgpt_account_id != forced_workspace:
            raise RefreshError(
                f'external auth refresh returned workspace "{answer.chatgpt_account_id}", '
                f'expected "{forced_workspace}"'
            )
        plan = answer.chatgpt_plan_type if answer.HasField("chatgpt_plan_type") else None
        try:
            fresh = make_tokens(answer.access_token, answer.chatgpt_account_id, plan)
        except ClaimsError as exc:
            raise RefreshError(str(exc)) from None
        if self.tokens is current:
            # A login or logout that happened meanwhile wins over this answer.
            self.tokens = fresh
        return {"authorization": f"Bearer {fresh.access_token}",
                "chatgpt-account-id": fresh.account_id}
