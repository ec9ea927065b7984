"""End to end: backends in other languages drive a real core with the .proto files alone.

`node/session.mjs` (Node.js, `@grpc/grpc-js` + `@grpc/proto-loader`, pinned in
`node/package.json` and installed with `npm ci` into a cache directory when
absent) and a Python client built from stubs that `grpc_tools.protoc`
generates in the test (no project imports on the client side) each go
through a whole session: attach (Connect, the ack), initialize, start a
thread, run a turn against the mock model, receive its events on Connect,
read the thread back, and get a structured error for an unknown thread.
Skipped, with the reason, only where node is not installed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.multi import Cluster
from tests.support.mock_model import MockModelServer

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
RUN_LIMIT = 60.0
INSTALL_LIMIT = 300.0
UNKNOWN_THREAD = "00000000-0000-7000-8000-000000000000"


def include_dirs() -> list[str]:
    """Where the clients find the .proto files: the project's, protobuf's well-known
    types (grpc_tools), and google/rpc/status.proto (googleapis-common-protos)."""
    from google.rpc import status_pb2
    from grpc_tools import protoc

    google_root = Path(status_pb2.__file__).parents[2]
    return [str(REPO / "proto"), str(Path(protoc.__file__).parent / "_proto"), str(google_root)]


@pytest.fixture(scope="module")
def node_client() -> Path:
    """A directory holding session.mjs beside its pinned node_modules (npm ci on a miss)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the Node.js client cannot run")
    assert npm is not None, "node is installed without npm"
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    cache_root = Path(os.environ.get("APP_SERVER_NODE_CACHE",
                                     Path.home() / ".cache" / "app-server-tests"))
    here = cache_root / f"node-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (here / "node_modules" / "@grpc" / "grpc-js").is_dir():
        here.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(NODE_DIR / name, here / name)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=here,
                       check=True, capture_output=True, timeout=INSTALL_LIMIT)
    shutil.copy(NODE_DIR / "session.mjs", here / "session.mjs")
    return here


async def run_client(argv: list[str], cwd: Path) -> dict[str, Any]:
    """Run a client process to its end (bounded); its one line of JSON output."""
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), RUN_LIMIT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


def check_session(seen: dict[str, Any], session: str) -> None:
    """What a client saw of its session, whatever its language."""
    assert seen["ack"] == {"gateway_session": session, "took_over": False}
    assert seen["user_agent"].startswith("node_backend/") or \
        seen["user_agent"].startswith("py_backend/")
    kinds = set(seen["event_kinds"])
    assert {"turn_started", "item_started", "agent_message_delta", "item_completed",
            "turn_completed"} <= kinds, kinds
    assert seen["event_targets"] == ["conn-1"]
    assert seen["completed"] == {"thread_id": seen["thread_id"], "status": "TURN_STATUS_COMPLETED"}
    assert seen["agent_text"] == "hello back"
    error = seen["error"]
    # The wording is the core's ("thread not found: <id>" or as the reference has it).
    assert error["details"].startswith("thread not ") and UNKNOWN_THREAD in error["details"]
    assert error == {
        "code": "INVALID_ARGUMENT",
        "details": error["details"],
        "trailer_code": "-32600",
        "status_detail_type": "type.googleapis.com/app_server_protocol.JSONRPCErrorError",
        "jsonrpc": {"code": -32600, "message": error["details"]},
    }
    assert seen["anonymous"]["code"] == "INVALID_ARGUMENT"
    assert "`x-gateway-session`" in seen["anonymous"]["details"]


async def test_node_backend_whole_session(node_client: Path, mock: MockModelServer, home: Path,
                                          tmp_path: Path) -> None:
    """A Node.js backend attaches, initializes, runs a turn, gets its events on Connect,
    reads the thread back and gets the unknown thread's error with its JSON-RPC code in
    the standard status details; a thread call without identity is refused."""
    mock.enqueue({"kind": "text", "text": "hello back"})
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        seen = await run_client(
            ["node", "session.mjs", cluster.core_addr, "node-backend-1", *include_dirs()],
            node_client)
    check_session(seen, "node-backend-1")


async def test_python_backend_from_generated_stubs(mock: MockModelServer, home: Path,
                                                   tmp_path: Path) -> None:
    """The same session from a Python client whose only protocol code is what protoc
    generates from the .proto files in this test (it checks it imports nothing else)."""
    stubs = tmp_path / "stubs"
    compile_stubs(stubs)
    (stubs / "session.py").write_text(PY_CLIENT, encoding="utf-8")
    mock.enqueue({"kind": "text", "text": "hello back"})
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        seen = await run_client(
            [sys.executable, "-E", "-s", str(stubs / "session.py"), cluster.core_addr,
             "py-backend-1"], stubs)
    check_session(seen, "py-backend-1")


def compile_stubs(out: Path) -> None:
    """The .proto files compiled with grpc_tools.protoc, packages made regular so that
    they, not the project's modules, are what the client imports."""
    from grpc_tools import protoc

    proto_dir, well_known = include_dirs()[:2]
    protos = [str(p.relative_to(proto_dir)) for p in Path(proto_dir).rglob("*.proto")]
    out.mkdir()
    code = protoc.main(["protoc", f"-I{proto_dir}", f"-I{well_known}",
                        f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert code == 0
    for package in {p.parent for p in out.rglob("*_pb2.py")} | {out / "app_server_protocol"}:
        (package / "__init__.py").touch()


PY_CLIENT = '''
import asyncio, json, sys
from pathlib import Path

import grpc
from google.protobuf.json_format import MessageToDict
from google.rpc import status_pb2

from app_server_protocol import initialize_pb2, jsonrpc_pb2
from app_server_protocol.v2 import service_pb2, service_pb2_grpc, thread_pb2, turn_pb2

HERE = Path(__file__).resolve().parent
assert Path(service_pb2.__file__).resolve().is_relative_to(HERE), service_pb2.__file__
UNKNOWN = "00000000-0000-7000-8000-000000000000"


async def main(target, session):
    async with grpc.aio.insecure_channel(target) as channel:
        sessions = service_pb2_grpc.SessionServiceStub(channel)
        threads = service_pb2_grpc.ThreadServiceStub(channel)
        turns = service_pb2_grpc.TurnServiceStub(channel)
        finished = asyncio.Event()

        async def frames():
            yield service_pb2.GatewayFrame(
                hello=service_pb2.GatewayHello(gateway_session=session))
            # Half-closing the stream would detach the session: keep it open.
            await finished.wait()

        stream = sessions.Connect(frames())
        first = await asyncio.wait_for(stream.read(), 15)
        ack = MessageToDict(first.attached, preserving_proto_field_name=True,
                            always_print_fields_with_no_presence=True)

        def md(seq):
            return (("x-gateway-session", session), ("x-connection-id", "conn-1"),
                    ("x-request-seq", str(seq)))

        info = initialize_pb2.ClientInfo(name="py_backend", version="1.0.0")
        init = await sessions.Initialize(initialize_pb2.InitializeParams(client_info=info),
                                         metadata=md(1), timeout=15)
        started = await threads.ThreadStart(thread_pb2.ThreadStartParams(), metadata=md(2),
                                            timeout=15)
        thread_id = started.thread.id
        turn = turn_pb2.TurnStartParams(thread_id=thread_id)
        turn.input.add().text.text = "hello from python"
        await turns.TurnStart(turn, metadata=md(3), timeout=15)
        events, done = [], None
        while done is None:
            frame = await asyncio.wait_for(stream.read(), 15)
            for event in frame.events:
                events.append(event)
                if event.notification.WhichOneof("notification") == "turn_completed":
                    done = event.notification.turn_completed
        read = await threads.ThreadRead(
            thread_pb2.ThreadReadParams(thread_id=thread_id, include_turns=True), timeout=15)
        agent = [i.agent_message.text for t in read.thread.turns for i in t.items
                 if i.WhichOneof("value") == "agent_message"]
        try:
            await threads.ThreadRead(thread_pb2.ThreadReadParams(thread_id=UNKNOWN), timeout=15)
            error = None
        except grpc.aio.AioRpcError as err:
            trailing = dict(err.trailing_metadata())
            status = status_pb2.Status.FromString(trailing["grpc-status-details-bin"])
            detail = jsonrpc_pb2.JSONRPCErrorError()
            assert status.details[0].Unpack(detail)
            error = {"code": err.code().name, "details": err.details(),
                     "trailer_code": trailing.get("x-jsonrpc-code"),
                     "status_detail_type": status.details[0].type_url,
                     "jsonrpc": {"code": detail.code, "message": detail.message}}
        try:
            await threads.ThreadStart(thread_pb2.ThreadStartParams(), timeout=15)
            anonymous = None
        except grpc.aio.AioRpcError as err:
            anonymous = {"code": err.code().name, "details": err.details()}
        finished.set()
        stream.cancel()
        kinds = list(dict.fromkeys(e.notification.WhichOneof("notification") for e in events))
        print(json.dumps({
            "ack": ack, "user_agent": init.user_agent, "thread_id": thread_id,
            "event_kinds": kinds,
            "event_targets": sorted({c for e in events for c in e.to.connection_ids}),
            "completed": {"thread_id": done.thread_id,
                          "status": thread_pb2.TurnStatus.Name(done.turn.status)},
            "agent_text": agent[0] if agent else None,
            "error": error, "anonymous": anonymous}))


asyncio.run(main(*sys.argv[1:3]))
'''
