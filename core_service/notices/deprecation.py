"""`deprecationNotice`: the legacy config keys the reference warns about.

The reference sends one notice per legacy key present in the merged config
(whatever its value) to a thread's subscribers each time a thread is started,
right after `thread/started`: the two `experimental_use_*` toggles that became
`[features]` flags, in name order, then `[tools].web_search`. Other legacy
keys it still reads (`experimental_use_rmcp_client`, `include_apply_patch_tool`,
`[tools].view_image`, ...) get no notice (probed on 0.104).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app_server_protocol.wire_types import DeprecationNoticeNotification

# legacy top-level key -> the [features] flag replacing it
FEATURE_ALIASES = {
    "experimental_use_freeform_apply_patch": "apply_patch_freeform",
    "experimental_use_unified_exec_tool": "unified_exec",
}
WEB_SEARCH_SUMMARY = "`[tools].web_search` is deprecated because web search is enabled by default."
WEB_SEARCH_DETAILS = (
    'Set `web_search` to `"live"`, `"cached"`, or `"disabled"` at the top level (or under '
    "a profile) in config.toml if you want to override it."
)
FEATURE_DOCS = "https://github.com/openai/codex/blob/main/docs/config.md#feature-flags"


def deprecation_notices(raw: Mapping[str, Any]) -> list[DeprecationNoticeNotification]:
    """The notices of the merged config `raw` (its TOML tables as dicts), in order."""
    notices: list[DeprecationNoticeNotification] = []
    for key in sorted(FEATURE_ALIASES):
        if key in raw:
            flag = FEATURE_ALIASES[key]
            notices.append({
                "summary": f"`{key}` is deprecated. Use `[features].{flag}` instead.",
                "details": f"Enable it with `--enable {flag}` or `[features].{flag}` in "
                           f"config.toml. See {FEATURE_DOCS} for details.",
            })
    tools = raw.get("tools")
    if isinstance(tools, Mapping) and "web_search" in tools:
        notices.append({"summary": WEB_SEARCH_SUMMARY, "details": WEB_SEARCH_DETAILS})
    return notices
