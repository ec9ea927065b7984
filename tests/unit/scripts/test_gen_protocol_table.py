"""docs/PROTOCOL.md's surface table: complete, current, one row per reference method."""

from __future__ import annotations

import pytest

from scripts import gen_protocol_table as gen

needs_reference = pytest.mark.skipif(
    not (gen.REFERENCE_DIR / "ClientRequest.json").is_file(),
    reason=f"reference schema not available at {gen.REFERENCE_DIR}")


@needs_reference
def test_committed_table_is_current() -> None:
    """The committed table is what the method tables and the unsupported lists say
    now (regenerate with scripts/gen_protocol_table.py)."""
    text = gen.DOC.read_text(encoding="utf-8")
    assert gen.render(text) == text, "run scripts/gen_protocol_table.py"


@needs_reference
def test_every_reference_method_has_one_row_with_a_status() -> None:
    """Each method of the three unions has exactly one row, and every row says what we
    do: served / sent, or not with a reason (never the placeholder)."""
    rows = gen.table().splitlines()[3:-1]
    names = [r.split("`")[1] for r in rows]
    for union in gen.UNIONS:
        for name in gen.reference_methods(union):
            assert names.count(name) == 1, name
    assert not [r for r in rows if r.endswith(": ? |")]


@needs_reference
def test_render_replaces_only_the_marked_table() -> None:
    """Text around the markers is kept as it is."""
    page = f"before\n{gen.BEGIN}\nold\n{gen.END}\nafter\n"
    out = gen.render(page)
    assert out.startswith("before\n" + gen.BEGIN) and out.endswith(gen.END + "\nafter\n")
    assert "old" not in out
