"""Which legacy config keys get a deprecationNotice, with the reference's texts."""

from __future__ import annotations

from core_service.notices.deprecation import deprecation_notices


def test_legacy_keys_get_notices_in_the_reference_order() -> None:
    """The two experimental_use_* toggles (whatever their value, by name) and then
    [tools].web_search get a notice each; other legacy keys get none."""
    raw = {"experimental_use_unified_exec_tool": False,
           "experimental_use_freeform_apply_patch": True,
           "experimental_use_rmcp_client": True, "include_apply_patch_tool": True,
           "tools": {"web_search": False, "view_image": True}}
    notices = deprecation_notices(raw)
    assert [n["summary"] for n in notices] == [
        "`experimental_use_freeform_apply_patch` is deprecated. Use "
        "`[features].apply_patch_freeform` instead.",
        "`experimental_use_unified_exec_tool` is deprecated. Use `[features].unified_exec` "
        "instead.",
        "`[tools].web_search` is deprecated because web search is enabled by default.",
    ]
    assert notices[1]["details"] == (
        "Enable it with `--enable unified_exec` or `[features].unified_exec` in config.toml. "
        "See https://github.com/openai/codex/blob/main/docs/config.md#feature-flags for "
        "details.")
    assert notices[2]["details"] == (
        'Set `web_search` to `"live"`, `"cached"`, or `"disabled"` at the top level (or '
        "under a profile) in config.toml if you want to override it.")


def test_a_current_config_gets_none() -> None:
    """No legacy key, no notice."""
    assert deprecation_notices({"model": "m", "features": {"unified_exec": True},
                                "tools": {"view_image": True}}) == []
