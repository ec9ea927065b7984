"""core_service.listing.features: the reference's flag table and the config's state."""

from __future__ import annotations

from core_service.listing.features import feature_table, features


def test_the_table_is_the_references() -> None:
    """33 flags, unique, in the reference's order; beta ones carry their texts."""
    table = feature_table()
    names = [f["name"] for f in table]
    assert len(names) == 33 == len(set(names))
    assert names[:3] == ["undo", "shell_tool", "unified_exec"]
    for f in table:
        assert (f["stage"] == "beta") == (f["displayName"] is not None)


def test_enabled_is_the_config_value_else_the_default() -> None:
    """`[features]` overrides the default either way; unknown names change nothing."""
    listed = {f["name"]: f for f in features({"undo": True, "shell_tool": False, "bogus": True})}
    assert (listed["undo"]["enabled"], listed["undo"]["defaultEnabled"]) == (True, False)
    assert (listed["shell_tool"]["enabled"], listed["shell_tool"]["defaultEnabled"]) == (
        False, True)
    assert listed["steer"]["enabled"] is True and "bogus" not in listed
