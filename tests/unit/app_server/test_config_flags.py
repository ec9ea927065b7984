"""The config flags every command accepts: parsed into overrides, and passed
on to a child process unchanged."""

from __future__ import annotations

import argparse

from app_server.config_flags import add_config_flags, config_argv, overrides_of


def test_flags_round_trip_and_become_overrides() -> None:
    """-c, --enable and --disable parse, re-serialize to the same flags, and
    become dotted-key overrides (features.X = true/false)."""
    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    argv = ["-c", "model=o3", "--enable", "a", "--disable", "b"]
    args = parser.parse_args(argv)
    assert config_argv(args) == argv
    assert config_argv(parser.parse_args(config_argv(args))) == argv
    assert [(list(path), value) for path, value in overrides_of(args)] == [
        (["model"], "o3"), (["features", "a"], True), (["features", "b"], False)]
