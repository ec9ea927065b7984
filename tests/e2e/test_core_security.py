"""End to end: a core that is safe on a network.

`app-server core --listen tcp://...` with `--token-file` refuses every call
without the token (UNAUTHENTICATED), the Connect stream included, while its
gRPC health stays reachable without it; a gateway given the token
(`--core-token-file`) serves clients, one with another token cannot; a
non-loopback address without a token is refused at start (exit 2); with
`--tls-cert/--tls-key` the link speaks TLS, which a gateway and
`core-health` trust through `--core-ca` (and distrust with another CA);
`core-health` exits 0 only while the core serves.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from app_server_protocol.methods import CLIENT_REQUESTS
from app_server_protocol.v2 import service_pb2
from tests.e2e.multi import ClientPool, deltas, prepare_home, start_turn, wait_turn_completed
from tests.support.client import REPO, ServerProcess
from tests.support.mock_model import MockModelServer

TOKEN = "core-token-8f1c2e"
WAIT = 15.0
MODEL_LIST = CLIENT_REQUESTS["model/list"]
CONNECT = "/app_server_protocol.v2.SessionService/Connect"


class Pki:
    """A test CA and a server certificate it signed for 127.0.0.1 and localhost."""

    def __init__(self, folder: Path, name: str = "test-ca") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "core")]))
                .issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        self.ca = folder / "ca.pem"
        self.ca.write_bytes(ca.public_bytes(pem))
        self.cert = folder / "core.pem"
        self.cert.write_bytes(cert.public_bytes(pem))
        self.key = folder / "core.key"
        self.key.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))


class TcpCore:
    """`app-server core --listen tcp://127.0.0.1:0 ARGS` and gateways in front of it."""

    def __init__(self, env: dict[str, str], work: Path) -> None:
        self.env = env
        self.work = work
        self.procs: list[ServerProcess] = []
        self.addr = ""

    async def start(self, *args: str) -> ServerProcess:
        """Start the core; `addr` is then its `tcp://127.0.0.1:PORT`."""
        proc = await self.spawn("core", "--listen", "tcp://127.0.0.1:0", *args)
        # The core prints a gRPC target (`127.0.0.1:PORT`); a gateway's --core takes tcp://.
        self.addr = "tcp://" + await proc.listening(scheme="127.0.0.1:")
        return proc

    async def spawn(self, *args: str) -> ServerProcess:
        """Any app-server subcommand, stopped at the end of the test."""
        proc = await ServerProcess.spawn(list(args), self.env, cwd=self.work)
        self.procs.append(proc)
        return proc

    async def gateway(self, *args: str) -> tuple[ServerProcess, str]:
        """A websocket gateway in front of the core; (process, its URL)."""
        proc = await self.spawn("gateway", "--listen", "ws://127.0.0.1:0",
                                "--core", self.addr, *args)
        return proc, await proc.listening()

    @property
    def target(self) -> str:
        """The gRPC target of the core."""
        return self.addr.removeprefix("tcp://")

    async def close(self) -> None:
        """Stop every process (gateways first)."""
        for proc in reversed(self.procs):
            await proc.stop()


@pytest.fixture
async def tcp(mock: MockModelServer, home: Path, tmp_path: Path) -> AsyncIterator[TcpCore]:
    """Processes of one test on a TCP core; all stopped at the end."""
    work = tmp_path / "work"
    work.mkdir()
    core = TcpCore(prepare_home(home, mock), work)
    try:
        yield core
    finally:
        await core.close()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    """The shared token, with the trailing newline an editor leaves."""
    path = tmp_path / "core.token"
    path.write_text(TOKEN + "\n")
    return path


async def core_health(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `app-server core-health ARGS`; (exit status, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app_server", "core-health", *args, cwd=REPO, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_token_guards_every_call_but_health(tcp: TcpCore, token_file: Path) -> None:
    """Without the token a unary call and the Connect stream end UNAUTHENTICATED
    with a clear message (another token too); with it they pass; gRPC health
    and `core-health` need no token."""
    await tcp.start("--token-file", str(token_file))
    async with grpc.aio.insecure_channel(tcp.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        reply = await health.Check(health_pb2.HealthCheckRequest(), timeout=WAIT)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        model_list = channel.unary_unary(
            MODEL_LIST.grpc_path, request_serializer=MODEL_LIST.params.SerializeToString,
            response_deserializer=MODEL_LIST.result.FromString)
        for md, said in (((), "missing core token"),
                         ((("authorization", "Bearer guess"),), "invalid core token")):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await model_list(MODEL_LIST.params(), metadata=md, timeout=WAIT)
            assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert said in (err.value.details() or "")
        connect = channel.stream_stream(
            CONNECT, request_serializer=service_pb2.GatewayFrame.SerializeToString,
            response_deserializer=service_pb2.CoreFrame.FromString)
        hello = service_pb2.GatewayFrame(hello=service_pb2.GatewayHello(gateway_session="x"))
        with pytest.raises(grpc.aio.AioRpcError) as err:
            async for _ in connect(iter([hello]), timeout=WAIT):
                pass
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        good = (("authorization", f"Bearer {TOKEN}"),)
        listed = await model_list(MODEL_LIST.params(), metadata=good, timeout=WAIT)
        assert len(listed.data) > 0
    assert await core_health(tcp.env, "--core", tcp.addr) == (0, "")


async def test_gateway_with_the_token_serves_and_with_another_cannot(
    tcp: TcpCore, token_file: Path, tmp_path: Path
) -> None:
    """A gateway given the core's token runs a turn; one given another token
    answers its clients an error naming the token, logs the refusal loudly
    and never shows either token."""
    await tcp.start("--token-file", str(token_file))
    _, good_url = await tcp.gateway("--core-token-file", str(token_file))
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-the-token")
    bad, bad_url = await tcp.gateway("--core-token-file", str(wrong))
    async with ClientPool() as pool:
        client = await pool.connect(good_url, "good")
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        turn = await start_turn(client, tid, "hello over a guarded link")
        assert (await wait_turn_completed(client, turn))["status"] == "completed"
        assert "".join(deltas(client, turn)) == "Default mock answer."
        refused = await pool.connect(bad_url, None)
        answer = await refused.request("initialize", {"clientInfo": {
            "name": "bad", "title": None, "version": "1"}}, timeout=30)
        assert answer["error"]["message"] == "invalid core token", answer
    await bad.stop()
    logged = "\n".join(bad.stderr_lines)
    assert "UNAUTHENTICATED" in logged
    assert TOKEN not in logged and "not-the-token" not in logged


async def test_non_loopback_address_without_a_token_is_refused(tcp: TcpCore) -> None:
    """`core --listen tcp://0.0.0.0:0` without --token-file exits 2 before
    listening, saying why."""
    proc = await tcp.spawn("core", "--listen", "tcp://0.0.0.0:0")
    assert await asyncio.wait_for(proc.proc.wait(), 30) == 2
    await proc.stop()
    text = "\n".join(proc.stderr_lines)
    assert "refusing to listen on non-loopback address 0.0.0.0 without --token-file" in text
    assert not proc.addresses


async def test_tls_link_with_a_test_ca(tcp: TcpCore, token_file: Path, tmp_path: Path) -> None:
    """With --tls-cert/--tls-key the core speaks TLS: a gateway trusting its CA
    (--core-ca) runs a turn and `core-health --core-ca` says healthy; another
    CA, or no TLS at all, cannot reach it."""
    pki, other = Pki(tmp_path / "pki"), Pki(tmp_path / "other", "another-ca")
    await tcp.start("--token-file", str(token_file),
                    "--tls-cert", str(pki.cert), "--tls-key", str(pki.key))
    assert await core_health(tcp.env, "--core", tcp.addr, "--core-ca", str(pki.ca)) == (0, "")
    status, said = await core_health(tcp.env, "--core", tcp.addr, "--core-ca", str(other.ca),
                                     "--timeout", "2")
    assert status == 1 and said.startswith("app-server core-health: ") and said.count("\n") == 1
    status, _ = await core_health(tcp.env, "--core", tcp.addr, "--timeout", "2")
    assert status == 1
    _, url = await tcp.gateway("--core-token-file", str(token_file), "--core-ca", str(pki.ca))
    async with ClientPool() as pool:
        client = await pool.connect(url, "tls")
        tid = (await client.call("thread/start", {}))["thread"]["id"]
        turn = await start_turn(client, tid, "hello over TLS")
        assert (await wait_turn_completed(client, turn))["status"] == "completed"


async def test_core_health_exit_codes(tcp: TcpCore) -> None:
    """`core-health` exits 0 while the core serves and 1 with a one-line
    reason once it is gone (bounded by --timeout)."""
    core = await tcp.start()
    assert await core_health(tcp.env, "--core", tcp.addr) == (0, "")
    assert await core.stop() == 0
    status, said = await core_health(tcp.env, "--core", tcp.addr, "--timeout", "1")
    assert status == 1
    assert said.startswith(f"app-server core-health: {tcp.addr}: ") and said.count("\n") == 1
