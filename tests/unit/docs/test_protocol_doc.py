"""docs/PROTOCOL.md names every method we bind and every one we do not serve."""

from __future__ import annotations

from pathlib import Path

from app_server_protocol.methods import (
    CLIENT_REQUESTS,
    SERVER_NOTIFICATIONS,
    SERVER_REQUESTS,
    UNSUPPORTED_METHODS,
)
from app_server_protocol.unsupported import (
    UNSUPPORTED_NOTIFICATIONS,
    UNSUPPORTED_SERVER_REQUESTS,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "PROTOCOL.md"


def test_every_method_is_documented() -> None:
    """Each bound or unsupported method appears (in backticks) in PROTOCOL.md."""
    text = DOC.read_text()
    names = [*CLIENT_REQUESTS, *SERVER_NOTIFICATIONS, *SERVER_REQUESTS, *UNSUPPORTED_METHODS,
             *UNSUPPORTED_NOTIFICATIONS, *UNSUPPORTED_SERVER_REQUESTS]
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"not in docs/PROTOCOL.md: {missing}"
