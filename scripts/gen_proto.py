"""Regenerate the committed generated modules from proto/ (the one generator).

Usage: python scripts/gen_proto.py [OUT_DIR]

Runs protoc (the `*_pb2*` modules), then writes the wire `TypedDict`s
(`app_server_protocol/wire_types.py`) from the descriptors of the protocol
modules, and the gRPC API reference (`docs/GRPC.md`, gen_grpc_docs.py).
Without OUT_DIR everything is written into the repository root, next to the
hand-written code of `app_server_protocol/`. A test runs this into a
temporary directory and fails when a committed module differs.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
WIRE_TYPES = Path("app_server_protocol") / "wire_types.py"


def proto_files() -> list[str]:
    """All .proto files under proto/, relative to it, sorted."""
    return sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Run protoc (python, pyi and grpc plugins) over every proto file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    include = str(resources.files("grpc_tools") / "_proto")
    args = [
        "protoc",
        f"-I{PROTO_DIR}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *proto_files(),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def generate_wire_types(out_dir: Path) -> None:
    """Write the wire `TypedDict` module under `out_dir`."""
    # Imported only now: the protocol package must be read after protoc has
    # (re)written its modules, and from the repository this script belongs to.
    sys.path.insert(0, str(ROOT))
    from app_server_protocol.typed_export import render_wire_types

    path = out_dir / WIRE_TYPES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_wire_types(), encoding="utf-8")


def generate_grpc_docs(out_dir: Path) -> None:
    """Write the gRPC API reference (`docs/GRPC.md`, by gen_grpc_docs.py) under `out_dir`."""
    path = out_dir / "docs" / "GRPC.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    script = ROOT / "scripts" / "gen_grpc_docs.py"
    subprocess.run([sys.executable, str(script), str(path)], check=True, timeout=120)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    generate(out)
    generate_wire_types(out)
    generate_grpc_docs(out)
