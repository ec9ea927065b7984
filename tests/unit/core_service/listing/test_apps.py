"""core_service.listing.apps: install URLs and `[apps.<id>]` enablement."""

from __future__ import annotations

import pytest

from core_service.listing.apps import app_enabled, app_info, install_url


def test_install_url_slugs_the_name() -> None:
    """Lower case, runs of other characters as one dash (observed: App One -> app-one)."""
    assert install_url("App One", "a1") == "https://chatgpt.com/apps/app-one/a1"
    assert install_url("  Git/Hub!! Pro ", "x") == "https://chatgpt.com/apps/git-hub-pro/x"


def test_apps_are_enabled_unless_the_config_says_false() -> None:
    """Only an explicit `enabled = false` disables an app."""
    raw = {"apps": {"off": {"enabled": False}, "on": {"enabled": True}, "odd": "x"}}
    assert [app_enabled(raw, a) for a in ("off", "on", "odd", "none")] == [
        False, True, True, True]
    assert app_enabled({}, "any")


def test_url_members_are_read_in_either_spelling_but_not_both() -> None:
    """`logo_url` or `logoUrl` (both observed accepted); both at once is a parse error."""
    assert app_info({"id": "a", "name": "A", "logo_url": "l"}, {})["logoUrl"] == "l"
    assert app_info({"id": "a", "name": "A", "logoUrl": "L"}, {})["logoUrl"] == "L"
    with pytest.raises(TypeError):
        app_info({"id": "a", "name": "A", "logo_url": "l", "logoUrl": "L"}, {})
