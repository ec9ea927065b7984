"""core_service.config.errors: ConfigError carries a message and, for writes, a code."""

from __future__ import annotations

from core_service.config.errors import ConfigError


def test_config_error_message_and_code() -> None:
    """The message is the exception text; the code is None unless a write was refused."""
    plain = ConfigError("bad")
    assert (str(plain), plain.message, plain.code) == ("bad", "bad", None)
    refused = ConfigError("stale", code="configVersionConflict")
    assert refused.code == "configVersionConflict"
