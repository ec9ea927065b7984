"""The ChatGPT browser login: one pending login and its loopback callback server.

`account/login/start {type: "chatgpt"}` starts a `BrowserLogin`: fresh PKCE
and `state`, an HTTP server on 127.0.0.1 (port from config, 1455 by
default), and the authorize URL naming it as `redirect_uri`. The browser
comes back to `/auth/callback`; the code is exchanged at the issuer, the
tokens are handed to `save` and the browser is redirected to `/success`,
whose page ends the login. A wrong `state` or a callback without a code is
answered with 400 and leaves the login pending, as in the reference. With a
pinned workspace (`forced_chatgpt_workspace_id`), tokens whose id token names
another account are not stored: the browser is told why and the login ends
with that text (`workspace_error`).

What a request gets is decided by `decide` (a pure function of the request
target and the login's state); the server only moves bytes. `BrowserLogins`
keeps at most one login: a second start cancels the first.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from core_service.account import oauth
from core_service.account.claims import ClaimsError, read_claims

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/callback"
# A login nobody finishes is given up after this long (the reference's 10 minutes).
LOGIN_TIMEOUT_SECONDS = 600.0
# Bounds on one callback request: the head's size and the time to send it.
_MAX_HEAD = 16 * 1024
_READ_TIMEOUT = 10.0

CANCELLED = "Login cancelled"
NOT_COMPLETED = "Login was not completed"
TIMED_OUT = "Login timed out"

SUCCESS_PAGE = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signed in to Codex</title>"
    "</head><body><h1>Signed in to Codex</h1><p>You may now close this page.</p></body></html>"
)

# Called with the issued tokens once the code is exchanged (stores them).
SaveTokens = Callable[[oauth.IssuedTokens], Awaitable[None]]
# Called once per login when it ends: its id and the error (None on success).
LoginFinished = Callable[[str, str | None], None]


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type, body, and where to redirect."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"
    location: str | None = None


@dataclass(frozen=True)
class Exchange:
    """The callback carried the right state and a code: exchange it."""

    code: str


@dataclass(frozen=True)
class Finish:
    """Answer with `reply`, then end the login (`error` None: signed in)."""

    reply: Reply
    error: str | None


Decision = Reply | Exchange | Finish


def decide(target: str, state: str, signed_in: bool) -> Decision:
    """What a request for `target` gets from a login expecting `state`.

    `signed_in` says the code was exchanged and the tokens stored, so that
    `/success` ends the login successfully.
    """
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    if parts.path == CALLBACK_PATH:
        if query.get("state", [None])[0] != state:
            return Reply(400, "State mismatch")
        code = query.get("code", [""])[0]
        if not code:
            return Reply(400, "Missing authorization code")
        return Exchange(code)
    if parts.path == "/success" and signed_in:
        return Finish(Reply(200, SUCCESS_PAGE, "text/html; charset=utf-8"), None)
    if parts.path == "/cancel":
        return Finish(Reply(200, CANCELLED), CANCELLED)
    return Reply(404, "Not Found")


def workspace_error(expected: str | None, id_token: str | None) -> str | None:
    """Why tokens with `id_token` may not sign in while workspace `expected` is pinned.

    The reference's texts: the id token must carry a `chatgpt_account_id`
    claim equal to `expected`. None when nothing is pinned or the claim
    matches.
    """
    if not expected:
        return None
    try:
        actual = read_claims(id_token).account_id if id_token else None
    except ClaimsError:
        actual = None
    if actual is None:
        return ("Login is restricted to a specific workspace, but the token did not include "
                "an chatgpt_account_id claim.")
    if actual != expected:
        return f"Login is restricted to workspace id {expected}."
    return None


def render(reply: Reply) -> bytes:
    """The HTTP/1.1 bytes of `reply` (the connection closes after it)."""
    body = reply.body.encode("utf-8")
    lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'OK')}",
             f"content-type: {reply.content_type}", f"content-length: {len(body)}",
             "connection: close"]
    if reply.location is not None:
        lines.append(f"location: {reply.location}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 404: "Not Found",
            500: "Internal Server Error"}


class BrowserLogin:
    """One pending browser login: its id, PKCE pair, state and callback server."""

    def __init__(self, issuer: oauth.IssuerConfig, save: SaveTokens,
                 finished: LoginFinished, workspace_id: str | None = None) -> None:
        self.login_id = str(uuid.uuid4())
        self.issuer = issuer
        self.workspace_id = workspace_id
        self.pkce = oauth.Pkce.generate()
        self.state = oauth.new_state()
        self.port = 0
        self._save = save
        self._finished = finished
        self._signed_in = False
        self._done = False
        self._server: asyncio.Server | None = None
        self._timeout: asyncio.TimerHandle | None = None

    @property
    def redirect_uri(self) -> str:
        """Where the issuer sends the browser back to."""
        return f"http://localhost:{self.port}{CALLBACK_PATH}"

    def auth_url(self, originator: str) -> str:
        """The URL the user opens to sign in (naming the pinned workspace, if any)."""
        return oauth.authorize_url(self.issuer, self.redirect_uri, self.pkce, self.state,
                                   originator, self.workspace_id)

    async def listen(self, port: int) -> None:
        """Start the callback server on 127.0.0.1:`port` (0: any free port)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port, limit=_MAX_HEAD)
        self.port = self._server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        self._timeout = loop.call_later(LOGIN_TIMEOUT_SECONDS, self.end, TIMED_OUT)

    def end(self, error: str | None, *, report: bool = True) -> str | None:
        """End the login (once): close its server and report how it ended.

        Returns the text the login ended with ("Login server error: ...", or
        "" on success), None when it had already ended. With `report` False
        the caller announces the end itself.
        """
        if self._done:
            return None
        self._done = True
        if self._timeout is not None:
            self._timeout.cancel()
        if self._server is not None:
            self._server.close()
        text = None if error is None else f"Login server error: {error}"
        if report:
            self._finished(self.login_id, text)
        return text or ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if len(request_line) != 3 or request_line[0] != "GET":
                reply, error = Reply(404, "Not Found"), None
                finish = False
            else:
                reply, finish, error = await self._answer(request_line[1])
            writer.write(render(reply))
            await writer.drain()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()
        if finish:
            self.end(error)

    async def _answer(self, target: str) -> tuple[Reply, bool, str | None]:
        """The reply to a GET of `target`, and whether (and how) it ends the login."""
        decision = decide(target, self.state, self._signed_in)
        if isinstance(decision, Reply):
            return decision, False, None
        if isinstance(decision, Finish):
            return decision.reply, True, decision.error
        try:
            tokens = await oauth.exchange_code(
                self.issuer, decision.code, self.redirect_uri, self.pkce)
        except oauth.OAuthError as exc:
            log.warning("ChatGPT login %s: token exchange failed: %s", self.login_id, exc)
            return Reply(500, f"Token exchange failed: {exc}"), False, None
        refused = workspace_error(self.workspace_id, tokens.id_token)
        if refused is not None:
            # The reference answers 200 with the reason, then ends the login.
            log.warning("ChatGPT login %s: %s", self.login_id, refused)
            return Reply(200, refused), True, refused
        try:
            await self._save(tokens)
        except (OSError, ValueError) as exc:
            log.warning("ChatGPT login %s: cannot store the tokens: %s", self.login_id,
                        type(exc).__name__)
            return Reply(500, "Unable to persist auth file"), False, None
        self._signed_in = True
        success = f"http://localhost:{self.port}/success"
        return Reply(302, "", location=success), False, None


class BrowserLogins:
    """The one pending browser login, if any; a new start cancels the previous one."""

    def __init__(self, save: SaveTokens, finished: LoginFinished) -> None:
        self._save = save
        self._finished = finished
        self._current: BrowserLogin | None = None

    async def start(self, issuer: oauth.IssuerConfig, port: int, originator: str,
                    workspace_id: str | None) -> tuple[str, str]:
        """Start a new login, ending (and reporting) any still pending; its (id, URL)."""
        self.cancel_current(CANCELLED)
        login = BrowserLogin(issuer, self._save, self._on_finished, workspace_id)
        await login.listen(port)
        self._current = login
        return login.login_id, login.auth_url(originator)

    def cancel(self, login_id: str) -> str | None:
        """`account/login/cancel`: end the pending login `login_id` without reporting it.

        Returns its error text for the caller to announce after its answer,
        None when no such login is pending.
        """
        current = self._current
        if current is None or current.login_id != login_id:
            return None
        self._current = None
        return current.end(NOT_COMPLETED, report=False)

    def cancel_pending(self) -> tuple[str, str] | None:
        """End the pending login before a new one starts, without reporting it.

        Returns its id and error text ("Login cancelled") for the caller to
        announce, None when no login is pending.
        """
        current, self._current = self._current, None
        if current is None:
            return None
        text = current.end(CANCELLED, report=False)
        return None if text is None else (current.login_id, text)

    def close(self) -> None:
        """The core is stopping: end the pending login (its callback server
        closes) without announcing it; there is nobody left to tell."""
        current, self._current = self._current, None
        if current is not None:
            current.end(CANCELLED, report=False)

    def cancel_current(self, reason: str) -> None:
        """End the pending login (if any) with `reason`."""
        if self._current is not None:
            self._current.end(reason)

    def _on_finished(self, login_id: str, error: str | None) -> None:
        if self._current is not None and self._current.login_id == login_id:
            self._current = None
        self._finished(login_id, error)
