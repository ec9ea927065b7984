"""Tests for core_service.ids: minted ids and the reference's thread id errors."""

from __future__ import annotations

import time
import uuid

from core_service.ids import invalid_thread_id_message, is_valid_uuid, uuid7


def test_uuid7_is_a_version_7_uuid_of_now() -> None:
    """Minted ids are RFC 9562 v7 UUIDs whose timestamp is the current millisecond."""
    before = time.time_ns() // 1_000_000
    value = uuid.UUID(uuid7())
    after = time.time_ns() // 1_000_000
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after
    assert len({uuid7() for _ in range(1000)}) == 1000


def test_is_valid_uuid() -> None:
    """Any UUID text parses (urn prefix included); anything else does not."""
    assert is_valid_uuid(uuid7())
    assert is_valid_uuid("urn:uuid:" + str(uuid.uuid4()))
    assert not is_valid_uuid("nope")
    assert not is_valid_uuid("")


def test_invalid_thread_id_messages_match_the_reference() -> None:
    """A bad character is named with its 1-based position; otherwise the length is blamed."""
    assert invalid_thread_id_message("abc-xyz") == (
        "invalid thread id: invalid character: expected an optional prefix of `urn:uuid:` "
        "followed by [0-9a-fA-F-], found `x` at 5")
    assert invalid_thread_id_message("abc") == "invalid thread id: invalid length: abc"
