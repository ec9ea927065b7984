"""commandActions as codex 0.104 derives them from a command.

`reference_command_actions.json` holds every commandExecution item observed
from the reference for a plain exec_command script or shell argv (409
commands: reads, listings, searches, pipelines, `&&` chains, `cd`
prefixes, quoting); the explicit tests below name the rules they follow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core_service.tools.command_parse import command_actions

OBSERVED: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "reference_command_actions.json").read_text())["observed"]


def bash(script: str) -> list[str]:
    return ["/bin/bash", "-lc", script]


@pytest.mark.parametrize("row", OBSERVED, ids=lambda r: repr(r.get("script", r.get("argv"))))
def test_observed_commands(row: dict[str, Any]) -> None:
    """Every command the reference was seen to summarise gets its actions exactly."""
    argv = bash(row["script"]) if "script" in row else row["argv"]
    assert command_actions(argv) == row["actions"]


def test_reads_lists_and_searches() -> None:
    """cat/sed -n/head/tail/nl read a file; ls/rg --files list; rg/grep/find -name search."""
    assert command_actions(bash("sed -n '1,20p' src/main.rs")) == [
        {"type": "read", "command": "sed -n '1,20p' src/main.rs", "name": "main.rs",
         "path": "src/main.rs"}]
    assert command_actions(bash("rg --files src")) == [
        {"type": "listFiles", "command": "rg --files src", "path": "src"}]
    assert command_actions(bash("rg -n 'fn main' src")) == [
        {"type": "search", "command": "rg -n 'fn main' src", "query": "fn main", "path": "src"}]
    assert command_actions(bash("find . -name '*.py'")) == [
        {"type": "search", "command": "find . -name '*.py'", "query": "*.py", "path": "."}]


def test_chains_and_pipelines() -> None:
    """Each command of a chain is an action; formatting helpers in a pipe are dropped."""
    assert command_actions(bash("ls && cat a.txt")) == [
        {"type": "listFiles", "command": "ls", "path": None},
        {"type": "read", "command": "cat a.txt", "name": "a.txt", "path": "a.txt"}]
    assert command_actions(bash("rg -i foo | head -n 5")) == [
        {"type": "search", "command": "rg -i foo", "query": "foo", "path": None}]


def test_nothing_left_is_the_script_as_written() -> None:
    """When only helpers remain, the one unknown action is the script verbatim."""
    assert command_actions(bash("yes | head -n 2")) == [
        {"type": "unknown", "command": "yes | head -n 2"}]
    assert command_actions(bash("printf '%s\\n' x")) == [
        {"type": "unknown", "command": "printf '%s\\n' x"}]


def test_cd_prefix_applies_to_reads_only() -> None:
    """`cd src && cat main.rs` reads src/main.rs; `cd` alone gives no action."""
    assert command_actions(bash("cd src && cat main.rs")) == [
        {"type": "read", "command": "cat main.rs", "name": "main.rs", "path": "src/main.rs"}]
    assert command_actions(bash("cd sub && rg foo")) == [
        {"type": "search", "command": "rg foo", "query": "foo", "path": None}]
    assert command_actions(bash("cd /tmp")) == []


def test_echo_and_true_dropped_beside_other_commands() -> None:
    """A leading echo and any true go when other commands remain."""
    assert command_actions(bash("echo hi; ls")) == [
        {"type": "listFiles", "command": "ls", "path": None}]
    assert command_actions(bash("true && false")) == [{"type": "unknown", "command": "false"}]
    assert command_actions(bash("cat a.txt; echo done"))[1] == {
        "type": "unknown", "command": "echo done"}


def test_shell_constructs_are_one_unknown_action() -> None:
    """Redirections, expansions and heredocs leave the script whole."""
    for script in ("ls > out.txt", "echo $(ls)", "cat <<EOF\nx\nEOF", "echo \"$HOME\""):
        assert command_actions(bash(script)) == [{"type": "unknown", "command": script}]


def test_words_are_requoted() -> None:
    """The action's command joins the parsed words again (`'it'\"'\"'s'` is `\"it's\"`)."""
    assert command_actions(bash("echo 'it'\"'\"'s'")) == [
        {"type": "unknown", "command": "echo \"it's\""}]


def test_listing_and_search_paths_are_shortened() -> None:
    """The path shown is the last telling component of the one given."""
    def path(script: str) -> object:
        return dict(command_actions(bash(script))[0]).get("path")

    assert path("rg foo src/sub/") == "sub"
    assert path("rg foo ./src") == "."
    assert path("ls src") == "src"
    assert path("grep foo src/main.rs") == "main.rs"


def test_sed_pipeline_is_one_read() -> None:
    """A pipeline through `sed -n` that reads one file shows the whole pipeline."""
    assert command_actions(bash("nl -ba a.txt | sed -n '1,10p'")) == [
        {"type": "read", "command": "nl -ba a.txt | sed -n '1,10p'", "name": "a.txt",
         "path": "a.txt"}]
    assert command_actions(bash("cat a.txt && cat a.txt | sed -n 1p")) == [
        {"type": "read", "command": "cat a.txt", "name": "a.txt", "path": "a.txt"}]


def test_argv_without_shell_and_empty_argv() -> None:
    """A shell argv is summarised as is; an empty one is an empty unknown."""
    assert command_actions(["cat", "a.txt"]) == [
        {"type": "read", "command": "cat a.txt", "name": "a.txt", "path": "a.txt"}]
    assert command_actions([]) == [{"type": "unknown", "command": ""}]
