"""core_service.listing.paging: index cursors as the reference pages lists."""

from __future__ import annotations

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.listing.paging import check_cursor, page

ITEMS = ["a", "b", "c", "d"]


@pytest.mark.parametrize(("cursor", "limit", "expected"), [
    (None, None, (ITEMS, None)),
    (None, 2, (["a", "b"], "2")),
    ("2", 2, (["c", "d"], None)),
    (None, 0, (["a"], "1")),
    ("+1", 1, (["b"], "2")),
    ("4", None, ([], None)),
])
def test_pages(cursor: str | None, limit: int | None,
               expected: tuple[list[str], str | None]) -> None:
    """No limit is the rest; 0 is read as 1; a cursor at the end is an empty page."""
    assert page(ITEMS, cursor, limit, "things") == expected


@pytest.mark.parametrize(("cursor", "message"), [
    ("zz", "invalid cursor: zz"),
    ("-1", "invalid cursor: -1"),
    ("18446744073709551616", "invalid cursor: 18446744073709551616"),
    ("5", "cursor 5 exceeds total things 4"),
])
def test_bad_cursors_are_refused_as_the_reference_words_them(cursor: str, message: str) -> None:
    """Not an unsigned 64-bit integer, or past the end: -32600 with its text."""
    with pytest.raises(ProtocolError) as caught:
        page(ITEMS, cursor, None, "things")
    assert (caught.value.code, caught.value.message) == (-32600, message)


def test_a_cursor_can_be_checked_before_the_list_exists() -> None:
    """check_cursor refuses what no list accepts and lets any integer through."""
    check_cursor(None)
    check_cursor("99")
    with pytest.raises(ProtocolError, match="invalid cursor: x"):
        check_cursor("x")
