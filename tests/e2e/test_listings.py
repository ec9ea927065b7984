"""End to end: experimentalFeature/list, configRequirements/read, app/list (with
app/list/updated) and feedback/upload through a real gateway, against the mock
ChatGPT backend; every answer is checked against the reference schema."""

from __future__ import annotations

from pathlib import Path

from core_service.account import auth_file
from tests.e2e.conftest import Launcher
from tests.support.mock_issuer import id_token
from tests.support.mock_model import MockModelServer


async def test_feature_flags_paged_with_the_config_state(launch: Launcher, transport: str) -> None:
    """The reference's 33 flags in its order; `[features]` sets `enabled`; index
    cursors, a limit of 0 read as 1, and the reference's cursor errors."""
    client = await launch(transport, extra="[features]\nundo = true\nshell_tool = false\n")
    await client.initialize()
    everything = await client.call("experimentalFeature/list", {})
    assert len(everything["data"]) == 33 and everything["nextCursor"] is None
    by_name = {f["name"]: f for f in everything["data"]}
    assert by_name["undo"] == {"name": "undo", "stage": "stable", "displayName": None,
                               "description": None, "announcement": None, "enabled": True,
                               "defaultEnabled": False}
    assert (by_name["shell_tool"]["enabled"], by_name["shell_tool"]["defaultEnabled"]) == (
        False, True)
    assert by_name["apps"]["stage"] == "beta" and by_name["apps"]["displayName"] == "Apps"
    one = await client.call("experimentalFeature/list", {"limit": 0})
    assert [f["name"] for f in one["data"]] == ["undo"] and one["nextCursor"] == "1"
    page = await client.call("experimentalFeature/list", {"cursor": "3", "limit": 3})
    assert [f["name"] for f in page["data"]] == ["shell_snapshot", "js_repl",
                                                 "js_repl_tools_only"]
    assert page["nextCursor"] == "6"
    assert await client.call("experimentalFeature/list", {"cursor": "33"}) == {
        "data": [], "nextCursor": None}
    past = await client.request("experimentalFeature/list", {"cursor": "34"})
    assert past["error"] == {"code": -32600,
                             "message": "cursor 34 exceeds total feature flags 33"}
    bad = await client.request("experimentalFeature/list", {"cursor": "zz"})
    assert bad["error"] == {"code": -32600, "message": "invalid cursor: zz"}


async def test_requirements_null_without_a_requirements_file(launch: Launcher) -> None:
    """configRequirements/read takes no params and answers null when nothing is managed."""
    client = await launch("stdio")
    await client.initialize()
    assert await client.call("configRequirements/read") == {"requirements": None}


async def test_apps_need_the_feature_then_a_login(
    launch: Launcher, mock: MockModelServer, home: Path
) -> None:
    """With the `apps` feature off app/list is empty even when signed in; with it on
    and no ChatGPT login it fails with the reference's text; nobody is asked."""
    auth_file.save_chatgpt_tokens(home, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-1", "refresh-1", "acct_1"))
    client = await launch("stdio")
    await client.initialize()
    assert await client.call("app/list", {}) == {"data": [], "nextCursor": None}
    (home / "auth.json").unlink()
    other = await launch("stdio", extra="[features]\napps = true\n")
    await other.initialize()
    refused = await other.request("app/list", {})
    assert refused["error"] == {"code": -32603,
                                "message": "failed to list apps: ChatGPT token not available"}
    assert not [r for r in mock.requests if "connectors" in r.path]


async def test_apps_from_the_directory_with_updates(
    launch: Launcher, mock: MockModelServer, home: Path
) -> None:
    """With `apps` on and a ChatGPT login the directory is read (the base URL joined
    with a slash, as the reference joins it): app/list/updated with no accessible
    apps, then with the directory's apps, and the page; `[apps.<id>] enabled`."""
    auth_file.save_chatgpt_tokens(home, auth_file.TokenData(
        id_token("me@example.com", "plus", "acct_1"), "access-1", "refresh-1", "acct_1"))
    mock.routes["GET /backend-api//connectors/directory/list"] = {"status": 200, "body": {
        "apps": [{"id": "a1", "name": "App One"}, {"id": "a2", "name": "Second App",
                                                   "description": "two"}]}}
    client = await launch("stdio", extra="[features]\napps = true\n[apps.a2]\nenabled = false\n")
    await client.initialize()
    result = await client.call("app/list", {"limit": 1})
    first = {"id": "a1", "name": "App One", "description": None, "logoUrl": None,
             "logoUrlDark": None, "distributionChannel": None, "branding": None,
             "appMetadata": None, "labels": None,
             "installUrl": "https://chatgpt.com/apps/app-one/a1", "isAccessible": False,
             "isEnabled": True}
    assert result == {"data": [first], "nextCursor": "1"}
    full = await client.wait_notification("app/list/updated", lambda p: bool(p["data"]))
    assert [(a["id"], a["isEnabled"]) for a in full["params"]["data"]] == [
        ("a1", True), ("a2", False)]
    assert client.notifications[0] == {"method": "app/list/updated", "params": {"data": []}}
    [request] = [r for r in mock.requests if r.path.endswith("/connectors/directory/list")]
    assert request.query == {"tier": "categorized"}
    assert request.headers["authorization"] == "Bearer access-1"

    second = await client.call("app/list", {"limit": 1, "cursor": "1"})
    assert [(a["id"], a["description"], a["isEnabled"]) for a in second["data"]] == [
        ("a2", "two", False)] and second["nextCursor"] is None
    past = await client.request("app/list", {"cursor": "5"})
    assert past["error"] == {"code": -32600, "message": "cursor 5 exceeds total apps 2"}
    # Each listing that reaches the directory sends two updates (3 calls so far).
    await client.wait_for(lambda: client.methods().count("app/list/updated") >= 6)
    seen = len(client.notifications)
    bad = await client.request("app/list", {"cursor": "zz"})
    assert bad["error"] == {"code": -32600, "message": "invalid cursor: zz"}
    await client.call("app/list", {"limit": 1})
    # Events keep their emission order: only the last listing's two updates follow.
    await client.wait_for(lambda: len(client.methods(seen)) >= 2)
    assert client.methods(seen) == ["app/list/updated", "app/list/updated"]

    mock.routes.pop("GET /backend-api//connectors/directory/list")
    failed = await client.request("app/list", {})
    assert failed["error"]["message"].startswith(
        "failed to list apps: Request failed with status 404 Not Found: ")


async def test_feedback_upload_answers_the_thread(
    launch: Launcher, mock: MockModelServer
) -> None:
    """The answer names the given thread, or `no-active-thread-<uuid>` without one;
    with `[feedback] endpoint` the report is posted there; `enabled = false` refuses."""
    endpoint = f"{mock.base_url.rsplit('/v1', 1)[0]}/feedback"
    mock.routes["POST /feedback"] = {"status": 200, "body": {}}
    client = await launch("stdio", extra=f'[feedback]\nendpoint = "{endpoint}"\n')
    await client.initialize()
    anonymous = await client.call("feedback/upload", {"classification": "bug",
                                                      "includeLogs": False})
    assert anonymous["threadId"].startswith("no-active-thread-")
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    named = await client.call("feedback/upload", {"classification": "good", "reason": "nice",
                                                  "threadId": tid, "includeLogs": True})
    assert named == {"threadId": tid}
    reports = [r.body for r in mock.requests if r.path == "/feedback"]
    assert [(b["classification"], b["threadId"]) for b in reports] == [
        ("bug", anonymous["threadId"]), ("good", tid)]
    assert reports[1]["reason"] == "nice"


async def test_feedback_disabled_by_configuration(launch: Launcher) -> None:
    """`[feedback] enabled = false` refuses with the reference's text."""
    client = await launch("stdio", extra="[feedback]\nenabled = false\n")
    await client.initialize()
    refused = await client.request("feedback/upload", {"classification": "bug",
                                                       "includeLogs": False})
    assert refused["error"]["message"] == "sending feedback is disabled by configuration"
