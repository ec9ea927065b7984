"""The committed protobuf modules are exactly what scripts/gen_proto.py generates."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_generated_modules_are_not_stale(tmp_path: Path) -> None:
    """Regenerating into a temporary folder reproduces every committed *_pb2* file."""
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_proto.py"), str(tmp_path)],
        check=True, capture_output=True,
    )
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*_pb2*.py*"))
    assert generated, "the generator produced nothing"
    committed = sorted(
        p.relative_to(REPO) for p in (REPO / "app_server_protocol").rglob("*_pb2*.py*")
    )
    assert generated == committed, "generated and committed module sets differ"
    stale = [str(rel) for rel in generated
             if not filecmp.cmp(tmp_path / rel, REPO / rel, shallow=False)]
    assert not stale, f"stale generated modules (run scripts/gen_proto.py): {stale}"
