"""Managed requirements: what an administrator allows, read from
`/etc/codex/requirements.toml` as the reference reads it (`null` without the
file, or when it sets nothing). `allowed_web_search_modes` always allows `disabled` too, as the
reference reports it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, cast

from app_server_protocol.wire_types import (
    AskForApproval,
    ConfigRequirements,
    ResidencyRequirement,
    SandboxMode,
    WebSearchMode,
)

REQUIREMENTS_PATH = Path("/etc/codex/requirements.toml")
_APPROVALS = ("untrusted", "on-failure", "on-request", "never")
_SANDBOXES = ("read-only", "workspace-write", "danger-full-access")
_SEARCH = ("disabled", "cached", "live")
_RESIDENCY = ("us",)


class RequirementsError(Exception):
    """The requirements file exists but is not valid; `str()` says why."""


def read_requirements(path: Path = REQUIREMENTS_PATH) -> ConfigRequirements | None:
    """The requirements of `path`, None when the file does not exist (blocking)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RequirementsError(f"failed to read {path}: {exc}") from None
    search = _strings(data, "allowed_web_search_modes", _SEARCH)
    if search is not None and "disabled" not in search:
        search.append("disabled")
    residency = data.get("enforce_residency")
    if residency is not None and residency not in _RESIDENCY:
        raise RequirementsError(f"{path}: unknown variant `{residency}` for enforce_residency")
    found: ConfigRequirements = {
        "allowedApprovalPolicies": cast("list[AskForApproval] | None",
                                        _strings(data, "allowed_approval_policies", _APPROVALS)),
        "allowedSandboxModes": cast("list[SandboxMode] | None",
                                    _strings(data, "allowed_sandbox_modes", _SANDBOXES)),
        "allowedWebSearchModes": cast("list[WebSearchMode] | None", search),
        "enforceResidency": cast("ResidencyRequirement | None", residency),
    }
    # A file that sets nothing is no requirement at all (probed: an empty file is null).
    return found if any(v is not None for v in found.values()) else None


def _strings(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise RequirementsError(f"invalid value for `{key}`: expected one of {', '.join(allowed)}")
    return [str(v) for v in value]
