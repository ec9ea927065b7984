"""core_service.listing.requirements: requirements.toml read as the reference reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_service.listing.requirements import RequirementsError, read_requirements


def test_no_file_or_an_empty_one_is_none(tmp_path: Path) -> None:
    """Nothing managed: None (the wire's null), for a missing or an empty file alike."""
    path = tmp_path / "requirements.toml"
    assert read_requirements(path) is None
    path.write_text("# nothing\nunrelated = 1\n")
    assert read_requirements(path) is None


def test_the_file_is_read_and_web_search_always_allows_disabled(tmp_path: Path) -> None:
    """Each list as written, `disabled` added to the web search modes (as the
    reference reports them), absent keys null."""
    path = tmp_path / "requirements.toml"
    path.write_text('allowed_approval_policies = ["never", "on-request"]\n'
                    'allowed_web_search_modes = ["cached"]\nenforce_residency = "us"\n')
    assert read_requirements(path) == {
        "allowedApprovalPolicies": ["never", "on-request"], "allowedSandboxModes": None,
        "allowedWebSearchModes": ["cached", "disabled"], "enforceResidency": "us"}


@pytest.mark.parametrize("text", ['allowed_sandbox_modes = ["nope"]\n', "x = [\n",
                                  'enforce_residency = "eu"\n'])
def test_an_invalid_file_is_an_error(tmp_path: Path, text: str) -> None:
    """Unknown values and broken TOML raise RequirementsError."""
    path = tmp_path / "requirements.toml"
    path.write_text(text)
    with pytest.raises(RequirementsError):
        read_requirements(path)
