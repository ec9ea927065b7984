"""Identifiers minted by the core: UUIDv7 thread and turn ids (time-ordered)."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> str:
    """A UUIDv7 string (48-bit unix ms timestamp, random rest), like the reference."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def is_valid_uuid(text: str) -> bool:
    """True when `text` parses as a UUID (with or without a `urn:uuid:` prefix)."""
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def invalid_thread_id_message(text: str) -> str:
    """The reference's error text for a malformed thread id."""
    body = text[len("urn:uuid:") :] if text.startswith("urn:uuid:") else text
    for i, ch in enumerate(body):
        if ch not in "0123456789abcdefABCDEF-":
            return (
                "invalid thread id: invalid character: expected an optional prefix of "
                f"`urn:uuid:` followed by [0-9a-fA-F-], found `{ch}` at {i + 1}"
            )
    return f"invalid thread id: invalid length: {text}"
