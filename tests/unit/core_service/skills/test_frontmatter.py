"""core_service.skills.frontmatter: the YAML subset of skill files."""

from __future__ import annotations

import pytest

from core_service.skills.frontmatter import YamlError, parse, split_front_matter


def test_front_matter_is_split_from_the_body() -> None:
    """The text between the first two `---` lines; None without an opening one."""
    assert split_front_matter("---\nname: a\n---\nbody\n") == ("name: a", "body")
    assert split_front_matter("name: a\n---\n") is None
    assert split_front_matter("---\nname: a\n") is None


def test_mappings_lists_and_scalars() -> None:
    """Nested mappings, block lists of mappings, flow lists, quoting, booleans,
    folded and literal blocks, comments."""
    text = (
        "name: alpha  # trailing comment\n"
        'description: "quoted: \\"x\\""\n'
        "single: 'it''s'\n"
        "metadata:\n  short-description: short\n"
        "tools:\n  - type: env_var\n    value: FOO\n  - type: mcp\n    value: x\n"
        "flow: [a, 'b']\n"
        "flag: true\n"
        "empty:\n"
        "folded: >\n  one\n  two\n"
        "literal: |\n  one\n  two\n"
    )
    assert parse(text) == {
        "name": "alpha", "description": 'quoted: "x"', "single": "it's",
        "metadata": {"short-description": "short"},
        "tools": [{"type": "env_var", "value": "FOO"}, {"type": "mcp", "value": "x"}],
        "flow": ["a", "b"], "flag": True, "empty": None,
        "folded": "one two", "literal": "one\ntwo"}


def test_a_list_may_sit_at_its_key_indentation() -> None:
    """`key:` followed by `- item` lines at the same indentation is a list."""
    assert parse("items:\n- a\n- b\n") == {"items": ["a", "b"]}


@pytest.mark.parametrize("text", ["just a line\n", "a: 1\n  b: 2\n", "x: {a: 1}\n"])
def test_what_is_not_read_is_an_error_naming_the_line(text: str) -> None:
    """Text outside the subset raises YamlError with its line number."""
    with pytest.raises(YamlError, match="line"):
        parse(text)


def test_an_empty_document_is_none() -> None:
    """Only comments and blank lines: None."""
    assert parse("# nothing\n\n") is None
