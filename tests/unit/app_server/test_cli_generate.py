"""`generate-json-schema` and `generate-ts` (`cli_generate`) write the exports to `--out`.

Each writes exactly what its exporter builds under `--out` (created when
missing), says how many files it wrote on stderr, never on stdout (reserved
for protocol traffic), and exits 0; `--out` is required.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app_server.cli_generate import add_generate_commands
from app_server_protocol.schema_export import BUNDLE_FILE, build_schemas
from app_server_protocol.ts_export import build_typescript

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI_TIMEOUT = 120


def _parser() -> argparse.ArgumentParser:
    """An `app-server` parser carrying only the generate commands."""
    parser = argparse.ArgumentParser(prog="app-server")
    add_generate_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(argv: list[str]) -> int:
    """Parse `argv` and run the chosen command's handler; its exit code."""
    args = _parser().parse_args(argv)
    code: int = args.func(args)
    return code


def _tree(root: Path) -> set[str]:
    """Relative paths of every file under `root`."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_generate_json_schema_writes_the_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every schema `build_schemas` describes is written as that JSON, into a nested
    `--out` folder that did not exist; the count goes to stderr, stdout stays empty."""
    out = tmp_path / "a" / "schema"
    assert _run(["generate-json-schema", "--out", str(out)]) == 0
    expected = build_schemas()
    assert _tree(out) == set(expected)
    for rel in (BUNDLE_FILE, "ClientRequest.json", "v2/ThreadStartParams.json"):
        assert json.loads((out / rel).read_text(encoding="utf-8")) == expected[rel], rel
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == f"wrote {len(expected)} JSON Schema files to {out}\n"


def test_generate_ts_writes_the_typescript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every file `build_typescript` describes is written with its text under `--out`;
    the count goes to stderr, stdout stays empty."""
    out = tmp_path / "ts"
    assert _run(["generate-ts", "--out", str(out)]) == 0
    expected = build_typescript()
    assert _tree(out) == set(expected)
    for rel, text in expected.items():
        assert (out / rel).read_text(encoding="utf-8") == text, rel
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == f"wrote {len(expected)} TypeScript files to {out}\n"


def test_regenerating_overwrites_in_place(tmp_path: Path) -> None:
    """Writing twice into the same folder replaces the files (a stale file is rewritten)."""
    out = tmp_path / "schema"
    assert _run(["generate-json-schema", "--out", str(out)]) == 0
    thread = out / "v2" / "Thread.json"
    thread.write_text("stale", encoding="utf-8")
    assert _run(["generate-json-schema", "--out", str(out)]) == 0
    assert json.loads(thread.read_text(encoding="utf-8"))["title"] == "Thread"


@pytest.mark.parametrize("command", ["generate-json-schema", "generate-ts"])
def test_out_is_required(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Without `--out` the command is refused with a usage error (exit 2) naming it."""
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args([command])
    assert exited.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_the_app_server_command_keeps_stdout_empty(tmp_path: Path) -> None:
    """`python -m app_server generate-ts --out DIR` writes the files, exits 0 and
    prints nothing on stdout."""
    out = tmp_path / "ts"
    proc = subprocess.run(
        [sys.executable, "-m", "app_server", "generate-ts", "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "TypeScript files to" in proc.stderr
    assert (out / "v2" / "ThreadStartParams.ts").is_file()
