"""Shared skills of the ChatGPT backend ("hazelnuts"): the list, and one
exported into `$CODEX_HOME/skills/<id>`.

`GET {chatgpt_base_url}/hazelnuts?product_surface=&scope=&enabled=` answers
`{"hazelnuts": [{id, name, description}]}`; `GET .../hazelnuts/<id>/export`
answers a zip archive, extracted as it is into the skill's folder. Every
failure is a `RemoteSkillError` whose text is the reference's (probed).
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

from app_server_protocol.wire_types import RemoteSkillSummary, SkillsRemoteReadParams
from core_service.account.credentials import Credentials
from core_service.upstream import http as upstream

# The whole call (connect, head, body) ends within this many seconds.
FETCH_DEADLINE_SECONDS = 30.0
# An export larger than this (compressed or extracted) is refused.
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")
AUTH_REQUIRED = "chatgpt authentication required for hazelnut scopes"


class RemoteSkillError(Exception):
    """The backend could not answer; `str()` is the reason in the reference's words."""


@dataclass(frozen=True)
class BackendAuth:
    """What a ChatGPT backend request is sent with."""

    access_token: str
    account_id: str | None
    user_agent: str

    def headers(self) -> list[tuple[str, str]]:
        """The request headers: bearer, account, user agent."""
        out = [("authorization", f"Bearer {self.access_token}"), ("user-agent", self.user_agent)]
        if self.account_id:
            out.append(("chatgpt-account-id", self.account_id))
        return out


def chatgpt_auth(credentials: Credentials, user_agent: str) -> BackendAuth | None:
    """The ChatGPT login's token and account (external tokens first); None without one."""
    tokens = credentials.external.tokens
    if tokens is not None:
        return BackendAuth(tokens.access_token, tokens.account_id, user_agent)
    managed = credentials.managed
    if managed.tokens is not None:
        return BackendAuth(managed.tokens.access_token, managed.account_id(), user_agent)
    return None


def _base(chatgpt_base_url: str) -> str:
    return chatgpt_base_url.rstrip("/")


async def _get(client: upstream.UpstreamClient, url: str, auth: BackendAuth) -> upstream.Reply:
    try:
        async with asyncio.timeout(FETCH_DEADLINE_SECONDS):
            return await client.fetch("GET", url, headers=auth.headers())
    except (TimeoutError, upstream.TransportError):
        raise RemoteSkillError(f"error sending request for url ({url})") from None


def status_line(code: int) -> str:
    """`404 Not Found`, as the reference prints a status."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


async def list_remote(
    client: upstream.UpstreamClient, chatgpt_base_url: str, auth: BackendAuth,
    params: SkillsRemoteReadParams,
) -> list[RemoteSkillSummary]:
    """The backend's skills for a scope and product surface."""
    url = f"{_base(chatgpt_base_url)}/hazelnuts"
    query = urlencode({"product_surface": params.get("productSurface", "codex"),
                       "scope": params.get("hazelnutScope", "example"),
                       "enabled": "true" if params.get("enabled") else "false"})
    reply = await _get(client, f"{url}?{query}", auth)
    if not 200 <= reply.status_code < 300:
        raise RemoteSkillError(f"Request failed with status {status_line(reply.status_code)} "
                               f"from {url}: {reply.text()}")
    try:
        payload = json.loads(reply.body)
        return [{"id": str(h["id"]), "name": str(h["name"]),
                 "description": str(h["description"])} for h in payload["hazelnuts"]]
    except (ValueError, KeyError, TypeError):
        raise RemoteSkillError("Failed to parse skills response") from None


async def export_remote(client: upstream.UpstreamClient, chatgpt_base_url: str,
                        auth: BackendAuth, hazelnut_id: str, codex_home: Path) -> Path:
    """Download a skill's archive and extract it into `$CODEX_HOME/skills/<id>`.

    An id that is no single path segment is refused before anything is asked
    (it names a folder under the skills root).
    """
    if not _SAFE_ID.fullmatch(hazelnut_id) or hazelnut_id in (".", ".."):
        raise RemoteSkillError(f"invalid hazelnut id: {hazelnut_id}")
    url = f"{_base(chatgpt_base_url)}/hazelnuts/{hazelnut_id}/export"
    reply = await _get(client, url, auth)
    if not 200 <= reply.status_code < 300:
        raise RemoteSkillError(f"Download failed with status {status_line(reply.status_code)} "
                               f"from {url}: {reply.text()}")
    if not reply.body.startswith(b"PK"):
        raise RemoteSkillError("Downloaded remote skill payload is not a zip archive")
    target = codex_home / "skills" / hazelnut_id
    await asyncio.to_thread(_extract, reply.body, target)
    return target


def _extract(archive: bytes, target: Path) -> None:
    """Extract an archive below `target`; members escaping it are refused."""
    if len(archive) > MAX_ARCHIVE_BYTES:
        raise RemoteSkillError("Failed to open zip archive")
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
                raise RemoteSkillError("Failed to open zip archive")
            for member in members:
                rel = PurePosixPath(member.filename)
                if rel.is_absolute() or ".." in rel.parts:
                    raise RemoteSkillError(f"Invalid path in zip archive: {member.filename}")
                dest = target.joinpath(*rel.parts)
                if member.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(member))
    except (zipfile.BadZipFile, OSError, EOFError):
        raise RemoteSkillError("Failed to open zip archive") from None
