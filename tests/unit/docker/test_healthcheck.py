"""docker/healthcheck.py: the image's one health check finds the role and the
address of the container's app-server from its command line."""

from __future__ import annotations

import http.server
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "docker" / "healthcheck.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docker_healthcheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


hc = _load()


def probe(args: list[str], env: dict[str, str] | None = None) -> Any:
    """The probe of a command line, in an environment without overrides."""
    return hc.probe_for(args, env or {})


def test_core_on_a_wildcard_address_is_probed_on_loopback() -> None:
    """A core listening on 0.0.0.0 (or ::) is asked over gRPC health on loopback."""
    assert probe(["core", "--listen", "tcp://0.0.0.0:50051", "--token-file", "/t"]) == \
        hc.Probe("grpc", "tcp://127.0.0.1:50051")
    assert probe(["core", "--listen=tcp://[::]:7"]) == hc.Probe("grpc", "tcp://[::1]:7")
    assert probe(["core", "--listen", "tcp://10.0.0.5:9"]) == \
        hc.Probe("grpc", "tcp://10.0.0.5:9")


def test_core_on_a_unix_socket_is_probed_there() -> None:
    """A unix-socket core is asked at its socket."""
    assert probe(["core", "--listen", "unix:///run/core.sock"]) == \
        hc.Probe("grpc", "unix:///run/core.sock")


def test_a_tls_core_is_dialled_by_its_certificate_name_with_its_ca() -> None:
    """The environment names the address to dial and the CA to trust."""
    env = {"APP_SERVER_HEALTH_CORE": "tcp://core:50051",
           "APP_SERVER_HEALTH_CORE_CA": "/run/secrets/core_ca"}
    found = probe(["core", "--listen", "tcp://0.0.0.0:50051", "--tls-cert", "c"], env)
    assert found == hc.Probe("grpc", "tcp://core:50051", ca="/run/secrets/core_ca")
    assert hc.core_health_argv(found) == [
        "app-server", "core-health", "--core", "tcp://core:50051", "--timeout", "4.0",
        "--core-ca", "/run/secrets/core_ca"]
    plain = probe(["core", "--listen", "tcp://0.0.0.0:1"])
    assert hc.core_health_argv(plain) == [
        "app-server", "core-health", "--core", "tcp://127.0.0.1:1", "--timeout", "4.0"]


def test_gateway_and_single_command_are_probed_at_readyz() -> None:
    """A websocket gateway (or single command) is asked GET /readyz on its port."""
    gateway = ["gateway", "--listen", "ws://0.0.0.0:4500", "--core", "tcp://core:50051"]
    assert probe(gateway) == hc.Probe("http", "127.0.0.1", 4500, "/readyz")
    single = ["--log-level", "INFO", "--listen", "ws://[::]:4500"]
    assert probe(single) == hc.Probe("http", "::1", 4500, "/readyz")


def test_option_values_are_not_taken_for_the_role() -> None:
    """An option's value that reads like a role name does not make it that role."""
    args = ["-c", "core", "--listen", "ws://127.0.0.1:1", "gateway", "--core", "unix:///s"]
    assert probe(args) == hc.Probe("http", "127.0.0.1", 1, "/readyz")


def test_stdio_has_nothing_to_ask() -> None:
    """A stdio gateway or single command is healthy while it runs."""
    assert probe([]) == hc.Probe("alive")
    assert probe(["gateway", "--core", "tcp://c:1"]) == hc.Probe("alive")


def test_unknown_addresses_are_errors() -> None:
    """A core without --listen or a listen scheme the check does not know is an error."""
    with pytest.raises(ValueError):
        probe(["core"])
    with pytest.raises(ValueError):
        probe(["--listen", "http://x:1"])


def test_the_lowest_app_server_process_is_the_one_checked() -> None:
    """The entrypoint (lowest pid) wins over children and over other commands."""
    processes = [
        (40, ["/opt/app-server/bin/python", "-m", "app_server", "core", "--listen", "unix:///x"]),
        (7, ["/opt/app-server/bin/python", "/opt/app-server/bin/app-server", "--listen",
             "ws://0.0.0.0:4500"]),
        (1, ["/run/podman-init", "--", "sleep", "1"]),
    ]
    assert hc.find_command(processes) == ["--listen", "ws://0.0.0.0:4500"]
    assert hc.find_command([(1, ["bash"])]) is None


def test_a_container_without_app_server_is_unhealthy(tmp_path: Path) -> None:
    """With no app-server process in the process table the check exits 1."""
    (tmp_path / "12").mkdir()
    (tmp_path / "12" / "cmdline").write_bytes(b"sleep\x00100\x00")
    assert hc.main(tmp_path) == 1


class _Readyz(http.server.BaseHTTPRequestHandler):
    """200 at /readyz, 503 anywhere else."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/readyz" else 503)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_the_check_probes_a_real_readyz(tmp_path: Path) -> None:
    """Against a live HTTP server: 200 at /readyz is healthy, a 503 is not."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Readyz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        (tmp_path / "5").mkdir()
        (tmp_path / "5" / "cmdline").write_bytes(
            f"app-server\0--listen\0ws://127.0.0.1:{port}\0".encode())
        assert hc.main(tmp_path) == 0
        reason = hc._http_ok(hc.Probe("http", "127.0.0.1", port, "/elsewhere"))
        assert reason == "GET /elsewhere: HTTP 503"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
