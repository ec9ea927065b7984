"""A scriptable mock of the ChatGPT OAuth issuer's token endpoint (`POST /oauth/token`).

In-process, on asyncio streams, for pytest::

    async with MockIssuer() as issuer:
        issuer.enqueue(issuer.tokens(email="a@b.c"))  # the next answer
        ...  # point the server at issuer.url
        grant = await issuer.wait_requests(1)

Each POST takes the next answer of the queue (`{"status": int, "body":
JSON}`); with an empty queue it answers fresh tokens. Every request is
recorded with its parsed body (form or JSON) so tests can check the grant.
`jwt` builds the unsigned id/access tokens the server reads claims from;
`browser_get` plays the browser coming back to the server's callback server.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

_MAX_HEAD = 64 * 1024
_READ_TIMEOUT = 10.0


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT carrying `claims` (the server reads, never verifies, them)."""
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def id_token(email: str, plan: str = "pro", account_id: str = "acct_1") -> str:
    """An id token with the claims the reference reads (email, plan, account id)."""
    return jwt({"email": email, "https://api.openai.com/auth": {
        "chatgpt_plan_type": plan, "chatgpt_account_id": account_id}})


async def browser_get(port: int, target: str) -> tuple[int, dict[str, str], str]:
    """GET `target` from a login's callback server on `port`, as a browser would.

    Returns the status, the headers (names lower-cased) and the body; the
    whole exchange is bounded by `_READ_TIMEOUT`.
    """
    async with asyncio.timeout(_READ_TIMEOUT):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {target} HTTP/1.1\r\nhost: localhost:{port}\r\n\r\n".encode())
        data = await reader.read()
    writer.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, body


@dataclass(frozen=True)
class IssuerRequest:
    """One request the mock received: path, content type and parsed body."""

    path: str
    content_type: str
    body: dict[str, Any]


class MockIssuer:
    """The token endpoint of a fake issuer on 127.0.0.1 (port 0), recording requests."""

    def __init__(self) -> None:
        self.requests: list[IssuerRequest] = []
        self._answers: deque[dict[str, Any]] = deque()
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Condition()
        self._serial = itertools.count(1)

    async def __aenter__(self) -> MockIssuer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_MAX_HEAD)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def url(self) -> str:
        """The issuer's base URL (`http://127.0.0.1:PORT`)."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def tokens(self, email: str = "user@example.com", plan: str = "pro",
               account_id: str = "acct_1") -> dict[str, Any]:
        """A success answer with fresh, numbered tokens for `email`."""
        n = next(self._serial)
        return {"status": 200, "body": {
            "id_token": id_token(email, plan, account_id),
            "access_token": f"access-{n}", "refresh_token": f"refresh-{n}"}}

    def enqueue(self, *answers: dict[str, Any]) -> None:
        """Queue answers (`{"status", "body"}`) for the next requests."""
        self._answers.extend(answers)

    async def wait_requests(self, count: int, timeout: float = 5.0) -> list[IssuerRequest]:  # noqa: ASYNC109
        """The recorded requests once there are at least `count` (bounded wait)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.requests) >= count)
        return list(self.requests)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_READ_TIMEOUT):
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in head[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = head[0].split(" ")[1]
            ctype = headers.get("content-type", "")
            text = body.decode("utf-8")
            parsed = dict(parse_qsl(text)) if "form" in ctype else json.loads(text or "{}")
            async with self._changed:
                self.requests.append(IssuerRequest(path, ctype, parsed))
                self._changed.notify_all()
            answer = self._answers.popleft() if self._answers else self.tokens()
            payload = json.dumps(answer["body"]).encode()
            status = int(answer["status"])
            writer.write(
                f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json"
                f"\r\ncontent-length: {len(payload)}\r\nconnection: close\r\n\r\n".encode()
                + payload)
            await writer.drain()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()
