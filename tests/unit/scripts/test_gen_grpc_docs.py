"""docs/GRPC.md is exactly what scripts/gen_grpc_docs.py renders, and it is complete:
every service, rpc and JSON-RPC method, the session contract, the error mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app_server_protocol.methods import CLIENT_REQUESTS, SERVER_REQUESTS, SERVICE_FILE

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "docs" / "GRPC.md"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page as the generator renders it now."""
    out = tmp_path_factory.mktemp("docs") / "GRPC.md"
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_grpc_docs.py"), str(out)],
                   check=True, capture_output=True, timeout=120)
    return out.read_text(encoding="utf-8")


def test_committed_page_is_not_stale(rendered: str) -> None:
    """The committed docs/GRPC.md equals a fresh rendering (run scripts/gen_proto.py)."""
    assert COMMITTED.read_text(encoding="utf-8") == rendered, \
        "stale docs/GRPC.md (run scripts/gen_proto.py)"


def test_page_covers_the_whole_api(rendered: str) -> None:
    """Every service and rpc with its types, every JSON-RPC method, the contract's
    metadata keys and statuses, the error details and examples are in the page."""
    for service in SERVICE_FILE.services_by_name.values():
        assert f"### `{service.full_name}`" in rendered
        for rpc in service.methods:
            assert f"| `{rpc.name}` |" in rendered
            assert f"`{rpc.input_type.name}`" in rendered
    for name in [*CLIENT_REQUESTS, *SERVER_REQUESTS, "turn/completed", "item/agentMessage/delta"]:
        assert f"`{name}`" in rendered, name
    for needle in ["THE SESSION CONTRACT", "x-gateway-session", "x-connection-id",
                   "x-request-seq", "`FAILED_PRECONDITION`", "`ALREADY_EXISTS`", "takeover",
                   "grpc-status-details-bin", "| -32600 (invalid request) | `INVALID_ARGUMENT` |",
                   "grpcurl -plaintext", "@grpc/proto-loader"]:
        assert needle in rendered, needle
