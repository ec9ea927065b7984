"""The committed generated modules are exactly what scripts/gen_proto.py generates."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
WIRE_TYPES = Path("app_server_protocol") / "wire_types.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder the generator has written into."""
    out = tmp_path_factory.mktemp("gen")
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_proto.py"), str(out)],
        check=True, capture_output=True, timeout=120,
    )
    return out


def _generated_modules(folder: Path, root: Path) -> list[Path]:
    """The *_pb2* sources below `folder`, relative to `root` (bytecode caches aside)."""
    return sorted(
        p.relative_to(root) for p in folder.rglob("*_pb2*.py*")
        if "__pycache__" not in p.parts
    )


def test_generated_modules_are_not_stale(generated: Path) -> None:
    """Regenerating into a temporary folder reproduces every committed *_pb2* file."""
    files = _generated_modules(generated, generated)
    assert files, "the generator produced nothing"
    committed = _generated_modules(REPO / "app_server_protocol", REPO)
    assert files == committed, "generated and committed module sets differ"
    stale = [str(rel) for rel in files
             if not filecmp.cmp(generated / rel, REPO / rel, shallow=False)]
    assert not stale, f"stale generated modules (run scripts/gen_proto.py): {stale}"


def test_wire_types_are_not_stale(generated: Path) -> None:
    """Regenerating reproduces the committed wire TypedDict module byte for byte."""
    fresh = (generated / WIRE_TYPES).read_text(encoding="utf-8")
    committed = (REPO / WIRE_TYPES).read_text(encoding="utf-8")
    assert fresh == committed, "stale wire_types.py (run scripts/gen_proto.py)"
