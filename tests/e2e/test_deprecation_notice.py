"""End to end: thread/start sends deprecationNotice for legacy config keys."""

from __future__ import annotations

from tests.e2e.conftest import Launcher

LEGACY = "experimental_use_unified_exec_tool = true\n[tools]\nweb_search = true\n"


async def test_thread_start_announces_legacy_keys(launch: Launcher, transport: str) -> None:
    """Each thread/start is followed by thread/started and then one notice per legacy
    key, in the reference's order; a config without them gets none."""
    client = await launch(transport, extra=LEGACY)
    await client.initialize()
    for _ in range(2):
        start = len(client.notifications)
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        await client.wait_notification(
            "deprecationNotice", lambda p: p["summary"].startswith("`[tools].web_search`"),
            after=start)
        notes = [n for n in client.notifications[start:]
                 if n["method"] in ("thread/started", "deprecationNotice")]
        assert [n["method"] for n in notes] == ["thread/started", "deprecationNotice",
                                                "deprecationNotice"]
        assert notes[0]["params"]["thread"]["id"] == tid
        assert notes[1]["params"]["summary"] == (
            "`experimental_use_unified_exec_tool` is deprecated. Use `[features].unified_exec` "
            "instead.")


async def test_no_notice_without_legacy_keys(launch: Launcher) -> None:
    """A config without legacy keys starts threads without any deprecationNotice."""
    client = await launch("stdio")
    await client.initialize()
    await client.call("thread/start", {})
    await client.wait_notification("thread/started")
    await client.call("thread/start", {})
    await client.wait_notification("thread/started", after=1)
    assert "deprecationNotice" not in client.methods()
