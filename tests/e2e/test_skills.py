"""End to end: skills/list, skills/config/write and skills/remote/* through a real
gateway, against SKILL.md folders on disk and the mock ChatGPT backend; every
answer is checked against the reference schema by the client."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from core_service.account import auth_file
from tests.e2e.conftest import Launcher
from tests.support.client import ProtocolClient
from tests.support.mock_issuer import id_token
from tests.support.mock_model import MockModelServer

REMOTE_LIST = {"hazelnutScope": "example", "productSurface": "codex", "enabled": True}


def _skill(folder: Path, name: str, description: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "SKILL.md"
    path.write_text(f"---\nname: {name}\ndescription: {description}\n{extra}---\nBody\n")
    return path


async def _signed_in(launch: Launcher, home: Path) -> ProtocolClient:
    auth_file.save_chatgpt_tokens(home, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-1", "refresh-1", "acct_1"))
    client = await launch("stdio")
    await client.initialize()
    return client


async def test_skills_list_scopes_fields_errors_and_enablement(
    launch: Launcher, transport: str, home: Path, tmp_path: Path
) -> None:
    """Repo skills come first, then user skills (nested folders too); the short
    description, the interface of agents/openai.yaml, and each broken SKILL.md as
    an error in the reference's words; disabling a skill persists it in config.toml
    and shows at once, enabling removes the entry."""
    work = tmp_path / "work"
    repo = _skill(work / ".codex" / "skills" / "beta", "beta", "Beta repo skill")
    (repo.parent / "agents").mkdir()
    (repo.parent / "agents" / "openai.yaml").write_text(
        "interface:\n  display_name: Beta Display\n  icon_small: ./assets/b.svg\n")
    alpha = _skill(home / "skills" / "alpha", "alpha", "Alpha",
                   "metadata:\n  short-description: short alpha\n")
    _skill(home / "skills" / "nested" / "deep" / "inner", "inner", "nested deep")
    (home / "skills" / "broken").mkdir(parents=True)
    (home / "skills" / "broken" / "SKILL.md").write_text("no front matter\n")
    (home / "skills" / "noname").mkdir()
    (home / "skills" / "noname" / "SKILL.md").write_text("---\ndescription: d\n---\n")
    client = await launch(transport)
    await client.initialize()

    [entry] = (await client.call("skills/list", {"cwds": [str(work)]}))["data"]
    assert entry["cwd"] == str(work)
    assert [(s["name"], s["scope"]) for s in entry["skills"]] == [
        ("beta", "repo"), ("alpha", "user"), ("inner", "user")]
    beta, first, inner = entry["skills"]
    assert beta["interface"] == {"displayName": "Beta Display",
                                 "iconSmall": str(repo.parent / "assets" / "b.svg")}
    assert "shortDescription" not in beta
    assert first == {"name": "alpha", "description": "Alpha", "shortDescription": "short alpha",
                     "path": str(alpha), "scope": "user", "enabled": True}
    assert "interface" not in inner
    # Errors come in directory order, as the reference walks; compared as a set.
    assert sorted(entry["errors"], key=lambda e: e["path"]) == [
        {"path": str(home / "skills" / "broken" / "SKILL.md"),
         "message": "missing YAML frontmatter delimited by ---"},
        {"path": str(home / "skills" / "noname" / "SKILL.md"),
         "message": "invalid YAML: missing field `name`"}]

    written = await client.call("skills/config/write", {"path": str(alpha), "enabled": False})
    assert written == {"effectiveEnabled": False}
    assert f'path = "{alpha}"' in (home / "config.toml").read_text()
    [entry] = (await client.call("skills/list", {"cwds": [str(work)]}))["data"]
    assert [s["enabled"] for s in entry["skills"]] == [True, False, True]
    assert await client.call("skills/config/write", {"path": str(alpha), "enabled": True}) == {
        "effectiveEnabled": True}
    assert str(alpha) not in (home / "config.toml").read_text()


async def test_extra_user_roots_must_be_absolute_and_apply_to_their_cwd(
    launch: Launcher, home: Path, tmp_path: Path
) -> None:
    """perCwdExtraUserRoots adds user skills to its cwd's entry only (roots for a cwd
    not listed are ignored); a relative root refuses the call with the reference's text."""
    extra = tmp_path / "extra"
    _skill(extra / "ex", "ex", "from an extra root")
    client = await launch("stdio")
    await client.initialize()
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    result = await client.call("skills/list", {"cwds": [a, b], "perCwdExtraUserRoots": [
        {"cwd": a, "extraUserRoots": [str(extra)]},
        {"cwd": str(tmp_path / "unlisted"), "extraUserRoots": [str(extra)]}]})
    assert [[(s["name"], s["scope"]) for s in e["skills"]] for e in result["data"]] == [
        [("ex", "user")], []]
    refused = await client.request("skills/list", {"perCwdExtraUserRoots": [
        {"cwd": a, "extraUserRoots": ["relative/dir"]}]})
    assert refused["error"] == {"code": -32600, "message": "skills/list perCwdExtraUserRoots "
                                "extraUserRoots paths must be absolute: relative/dir"}


async def test_skills_list_caches_until_force_reload(
    launch: Launcher, home: Path, tmp_path: Path
) -> None:
    """A skill added after a listing shows only once `forceReload` is set; a cwd
    outside any project lists the user skills alone."""
    client = await launch("stdio")
    await client.initialize()
    elsewhere = str(tmp_path / "nowhere")
    assert (await client.call("skills/list", {"cwds": [elsewhere]}))["data"] == [
        {"cwd": elsewhere, "skills": [], "errors": []}]
    _skill(home / "skills" / "late", "late", "added later")
    assert (await client.call("skills/list", {"cwds": [elsewhere]}))["data"][0]["skills"] == []
    [entry] = (await client.call("skills/list", {"cwds": [elsewhere],
                                                 "forceReload": True}))["data"]
    assert [s["name"] for s in entry["skills"]] == ["late"]


async def test_remote_skills_need_a_chatgpt_login(launch: Launcher) -> None:
    """Without ChatGPT credentials both remote methods fail with the reference's text."""
    client = await launch("stdio")
    await client.initialize()
    listed = await client.request("skills/remote/list", REMOTE_LIST)
    assert listed["error"] == {"code": -32603, "message": "failed to list remote skills: "
                               "chatgpt authentication required for hazelnut scopes"}
    exported = await client.request("skills/remote/export", {"hazelnutId": "hz_1"})
    assert exported["error"]["message"] == ("failed to download remote skill: "
                                            "chatgpt authentication required for hazelnut scopes")


async def test_remote_skills_list_and_export(
    launch: Launcher, mock: MockModelServer, home: Path
) -> None:
    """With a ChatGPT login the backend's hazelnuts are listed (bearer and account
    sent, scope and surface in the query); an export's zip lands in
    $CODEX_HOME/skills/<id> and is listed at once; backend failures are quoted."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("my-skill/SKILL.md", "---\nname: remote-one\ndescription: r\n---\n")
    mock.routes["GET /backend-api/hazelnuts"] = {"status": 200, "body": {"hazelnuts": [
        {"id": "hz_1", "name": "n1", "description": "d1"}]}}
    mock.routes["GET /backend-api/hazelnuts/hz_1/export"] = {
        "status": 200, "body_b64": base64.b64encode(buf.getvalue()).decode(),
        "content_type": "application/zip"}
    mock.routes["GET /backend-api/hazelnuts/hz_2/export"] = {"status": 200, "body": {}}
    client = await _signed_in(launch, home)

    assert await client.call("skills/remote/list", REMOTE_LIST) == {
        "data": [{"id": "hz_1", "name": "n1", "description": "d1"}]}
    [request] = [r for r in mock.requests if r.path == "/backend-api/hazelnuts"]
    assert request.query == {"product_surface": "codex", "scope": "example", "enabled": "true"}
    assert request.headers["authorization"] == "Bearer access-1"
    assert request.headers["chatgpt-account-id"] == "acct_1"

    target = home / "skills" / "hz_1"
    assert await client.call("skills/remote/export", {"hazelnutId": "hz_1"}) == {
        "id": "hz_1", "path": str(target)}
    assert (target / "my-skill" / "SKILL.md").is_file()
    [entry] = (await client.call("skills/list", {"cwds": [str(home)]}))["data"]
    assert [s["name"] for s in entry["skills"]] == ["remote-one"]

    bad = await client.request("skills/remote/export", {"hazelnutId": "hz_2"})
    assert bad["error"]["message"] == ("failed to download remote skill: "
                                       "Downloaded remote skill payload is not a zip archive")
    missing = await client.request("skills/remote/export", {"hazelnutId": "hz_3"})
    url = f"{mock.base_url.rsplit('/v1', 1)[0]}/backend-api/hazelnuts/hz_3/export"
    assert missing["error"]["message"].startswith(
        f"failed to download remote skill: Download failed with status 404 Not Found from {url}: ")

