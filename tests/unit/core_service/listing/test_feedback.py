"""core_service.listing.feedback: settings and the rollout attachment."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_service.listing import feedback


def test_settings_default_to_enabled_without_an_endpoint() -> None:
    """`[feedback] enabled` and `endpoint`; a missing table enables and sends nowhere."""
    assert feedback.feedback_settings({}) == (True, None)
    assert feedback.feedback_settings({"feedback": {"enabled": False}}) == (False, None)
    assert feedback.feedback_settings({"feedback": {"endpoint": "http://x/f"}}) == (
        True, "http://x/f")


def test_the_attachment_is_the_rollout_tail(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole file when small, its last bytes past the bound; None without one."""
    path = tmp_path / "rollout.jsonl"
    path.write_text("0123456789")
    assert feedback.read_attachment(path) == "0123456789"
    monkeypatch.setattr(feedback, "MAX_ATTACHMENT_BYTES", 4)
    assert feedback.read_attachment(path) == "6789"
    assert feedback.read_attachment(None) is None
    assert feedback.read_attachment(tmp_path / "missing") is None
