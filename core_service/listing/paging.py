"""Index cursors as the reference pages its in-memory lists: the cursor is the
index of the first entry, no limit means the rest, a limit of 0 is read as 1,
and a cursor past the end is refused naming what is listed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from app_server_protocol.errors import invalid_request

T = TypeVar("T")
# What the reference's cursor parser (a 64-bit unsigned integer) accepts.
_CURSOR = re.compile(r"\+?[0-9]+")
_CURSOR_LIMIT = 1 << 64


def check_cursor(cursor: str | None) -> None:
    """Refuse a cursor that is no unsigned 64-bit integer (the reference does so
    before it fetches anything)."""
    if cursor is not None and (not _CURSOR.fullmatch(cursor) or int(cursor) >= _CURSOR_LIMIT):
        raise invalid_request(f"invalid cursor: {cursor}")


def page(entries: Sequence[T], cursor: str | None, limit: int | None,
         what: str) -> tuple[list[T], str | None]:
    """One page of `entries` and the next cursor (None at the end)."""
    start = 0
    if cursor is not None:
        start = int(cursor) if _CURSOR.fullmatch(cursor) else _CURSOR_LIMIT
        if start >= _CURSOR_LIMIT:
            raise invalid_request(f"invalid cursor: {cursor}")
        if start > len(entries):
            raise invalid_request(f"cursor {start} exceeds total {what} {len(entries)}")
    end = len(entries) if limit is None else min(len(entries), start + max(1, limit))
    return list(entries[start:end]), (str(end) if end < len(entries) else None)
