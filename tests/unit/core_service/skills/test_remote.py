"""core_service.skills.remote: the backend's hazelnuts listed and exported."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app_server_protocol.wire_types import SkillsRemoteReadParams
from core_service.skills import remote
from core_service.upstream.http import UpstreamClient
from tests.support.mock_model import MockModelServer

AUTH = remote.BackendAuth("tok", "acct", "ua/1")
PARAMS: SkillsRemoteReadParams = {"hazelnutScope": "all-shared", "productSurface": "api",
                                  "enabled": False}


@pytest.fixture
async def backend() -> AsyncIterator[tuple[MockModelServer, UpstreamClient, str]]:
    """The mock backend, a client, and its `/backend-api/` base URL."""
    async with MockModelServer() as mock:
        client = UpstreamClient(env={})
        try:
            yield mock, client, mock.base_url.rsplit("/v1", 1)[0] + "/backend-api/"
        finally:
            await client.aclose()


def _zip(members: dict[str, str]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return base64.b64encode(buf.getvalue()).decode()


async def test_list_sends_scope_surface_and_credentials(
    backend: tuple[MockModelServer, UpstreamClient, str]
) -> None:
    """The query carries the params; the answer's hazelnuts become summaries."""
    mock, client, base = backend
    mock.routes["GET /backend-api/hazelnuts"] = {"body": {"hazelnuts": [
        {"id": "h", "name": "n", "description": "d", "extra": 1}]}}
    listed = await remote.list_remote(client, base, AUTH, PARAMS)
    assert listed == [{"id": "h", "name": "n", "description": "d"}]
    [req] = mock.requests
    assert req.query == {"product_surface": "api", "scope": "all-shared", "enabled": "false"}
    assert (req.headers["authorization"], req.headers["chatgpt-account-id"],
            req.headers["user-agent"]) == ("Bearer tok", "acct", "ua/1")


async def test_list_failures_in_the_references_words(
    backend: tuple[MockModelServer, UpstreamClient, str]
) -> None:
    """A bad status names the URL (without query) and body; a bad body is a parse error."""
    mock, client, base = backend
    with pytest.raises(remote.RemoteSkillError) as caught:
        await remote.list_remote(client, base, AUTH, PARAMS)
    assert str(caught.value).startswith(
        f"Request failed with status 404 Not Found from {base}hazelnuts: {{")
    mock.routes["GET /backend-api/hazelnuts"] = {"body": {"items": []}}
    with pytest.raises(remote.RemoteSkillError, match="^Failed to parse skills response$"):
        await remote.list_remote(client, base, AUTH, PARAMS)


async def test_export_extracts_into_the_skill_folder_and_refuses_escapes(
    backend: tuple[MockModelServer, UpstreamClient, str], tmp_path: Path
) -> None:
    """Members land under skills/<id>; a member leaving it, a non-zip or a broken
    zip is refused with the reference's texts."""
    mock, client, base = backend
    mock.routes["GET /backend-api/hazelnuts/ok/export"] = {
        "body_b64": _zip({"s/SKILL.md": "x", "s/d/f.txt": "y"})}
    mock.routes["GET /backend-api/hazelnuts/evil/export"] = {"body_b64": _zip({"../x": "y"})}
    mock.routes["GET /backend-api/hazelnuts/json/export"] = {"body": {}}
    mock.routes["GET /backend-api/hazelnuts/broken/export"] = {
        "body_b64": base64.b64encode(b"PK\x03\x04junk").decode()}
    target = await remote.export_remote(client, base, AUTH, "ok", tmp_path)
    assert target == tmp_path / "skills" / "ok"
    assert (target / "s" / "d" / "f.txt").read_text() == "y"
    with pytest.raises(remote.RemoteSkillError, match="Invalid path in zip archive"):
        await remote.export_remote(client, base, AUTH, "evil", tmp_path)
    assert not (tmp_path / "skills" / "x").exists()
    with pytest.raises(remote.RemoteSkillError, match="^Downloaded remote skill payload is not"):
        await remote.export_remote(client, base, AUTH, "json", tmp_path)
    with pytest.raises(remote.RemoteSkillError, match="^Failed to open zip archive$"):
        await remote.export_remote(client, base, AUTH, "broken", tmp_path)
    with pytest.raises(remote.RemoteSkillError, match="^invalid hazelnut id: ../up$"):
        await remote.export_remote(client, base, AUTH, "../up", tmp_path)
    assert [r.path for r in mock.requests if "up" in r.path] == []
