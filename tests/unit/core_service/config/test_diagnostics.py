"""core_service.config.diagnostics: why a file was rejected, located, in the reference's words."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from core_service.config.diagnostics import (
    INVALID_CONFIG_SUMMARY,
    in_clause,
    problem_diagnostic,
    syntax_diagnostic,
    unreadable_diagnostic,
)


def test_problem_located_in_text() -> None:
    """A problem at a key path present in the text gets that value's range and a file:line:col."""
    text = 'model = "x"\n[features]\nsteer = "yes"\n'
    d = problem_diagnostic(Path("/h/config.toml"), ("features", "steer"), "boom", text)
    assert d.range == ((3, 9), (3, 13))
    assert d.details == "/h/config.toml:3:9: boom"
    assert d.read_error == "invalid configuration: boom\nin `features`\n"
    assert d.thread_error == "error deriving config: /h/config.toml:3:9: boom"
    assert d.to_notification() == {
        "summary": INVALID_CONFIG_SUMMARY,
        "details": "/h/config.toml:3:9: boom",
        "path": "/h/config.toml",
        "range": {"start": {"line": 3, "column": 9}, "end": {"line": 3, "column": 13}},
    }


def test_problem_without_text_has_no_range() -> None:
    """A problem from an override names the key instead of a position."""
    d = problem_diagnostic(Path("/h/config.toml"), ("sandbox_mode",), "boom", None)
    assert d.range is None
    assert d.details == "boom in `sandbox_mode`"
    assert "range" not in d.to_notification()


def test_in_clause_names_the_holding_table() -> None:
    """The suffix names the table holding the value, or the top-level key itself."""
    assert in_clause(("features", "steer")) == "\nin `features`\n"
    assert in_clause(("model",)) == "\nin `model`\n"
    assert in_clause(()) == "\n"


def test_syntax_diagnostic_uses_toml_rs_wording() -> None:
    """tomllib's message is reworded as toml-rs says it, with a zero-width range."""
    text = "a = 1\nmodel\n"
    with pytest.raises(tomllib.TOMLDecodeError) as err:
        tomllib.loads(text)
    d = syntax_diagnostic(Path("/h/config.toml"), text, err.value)
    assert d.message == "key with no value, expected `=`"
    assert d.range == ((2, 6), (2, 6))
    assert d.read_error.startswith("failed to read configuration layers: /h/config.toml:2:6: ")


def test_unreadable_file() -> None:
    """A file that cannot be read is reported with the OS reason and no range."""
    d = unreadable_diagnostic(Path("/h/config.toml"), "Permission denied")
    assert (d.details, d.range) == ("/h/config.toml: Permission denied", None)
