"""core_service.model.api: model/list pages the catalog as the reference pages it."""

from __future__ import annotations

from typing import Any

import pytest

from app_server_protocol.errors import ProtocolError
from core_service.model.api import ModelApi


async def _list(params: dict[str, Any]) -> tuple[list[str], str | None]:
    result = await ModelApi().model_list(params, None)
    return [m["id"] for m in result["data"]], result["nextCursor"]


# The reference's answers (codex app-server 0.104.0), recorded with these params.
VISIBLE = ["gpt-5.2-codex", "gpt-5.1-codex-max", "gpt-5.2", "gpt-5.1-codex-mini"]
PAGES: list[tuple[dict[str, Any], list[str], str | None]] = [
    ({}, VISIBLE, None),
    ({"cursor": None, "limit": None, "includeHidden": None}, VISIBLE, None),
    ({"limit": 2}, VISIBLE[:2], "2"),
    ({"limit": 2, "cursor": "2"}, VISIBLE[2:], None),
    ({"limit": 0}, VISIBLE[:1], "1"),
    ({"limit": 100, "cursor": "0"}, VISIBLE, None),
    ({"limit": 4294967295}, VISIBLE, None),
    ({"cursor": "4"}, [], None),
    ({"cursor": "+1"}, VISIBLE[1:], None),
    ({"cursor": "01", "limit": 1}, VISIBLE[1:2], "2"),
    ({"includeHidden": True, "limit": 3, "cursor": "3"},
     ["gpt-5.1-codex", "gpt-5.2", "gpt-5.1"], "6"),
]


@pytest.mark.parametrize(("params", "ids", "next_cursor"), PAGES)
async def test_pages_are_the_reference_pages(
    params: dict[str, Any], ids: list[str], next_cursor: str | None
) -> None:
    """Index cursors, a limit of 0 read as 1, no limit meaning the rest, as the reference."""
    assert await _list(params) == (ids, next_cursor)


@pytest.mark.parametrize(("cursor", "message"), [
    ("abc", "invalid cursor: abc"),
    ("-1", "invalid cursor: -1"),
    (" 1", "invalid cursor:  1"),
    ("1_0", "invalid cursor: 1_0"),
    ("", "invalid cursor: "),
    ("18446744073709551616", "invalid cursor: 18446744073709551616"),
    ("99", "cursor 99 exceeds total models 4"),
    ("5", "cursor 5 exceeds total models 4"),
])
async def test_bad_cursors_get_the_reference_errors(cursor: str, message: str) -> None:
    """A cursor that is no unsigned integer, or past the end, is refused with -32600."""
    with pytest.raises(ProtocolError) as info:
        await _list({"cursor": cursor})
    assert (info.value.code, info.value.message) == (-32600, message)
