"""Container health check of the app-server image, one for every role.

The image has one `HEALTHCHECK` but runs three roles, so the check reads the
role from the command line of the container's `app-server` process (the
lowest pid running it: the entrypoint, or the child of an init) instead of
being told:

- `app-server core --listen tcp://HOST:PORT|unix:///PATH`: the core's gRPC
  health (`app-server core-health`, which needs no token); a wildcard host is
  probed on loopback.
- `app-server gateway --listen ws://HOST:PORT` and the single command with a
  websocket: `GET /readyz` on that port (200 while accepting).
- a stdio gateway or single command: healthy while it runs (it has no port).

A core serving TLS is dialled by the name its certificate carries, trusting
its CA: the environment says both (`APP_SERVER_HEALTH_CORE=tcp://NAME:PORT`,
`APP_SERVER_HEALTH_CORE_CA=PEM`; docker/compose.tls.yaml sets them), and a
copy of the container (a replacement) inherits them.

Exit 0 when healthy, 1 otherwise with a one-line reason on stderr. Standard
library only: it runs with the image's interpreter, outside the package.
"""

from __future__ import annotations

import http.client
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT = 4.0
ROLES = ("core", "gateway")
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "[::]": "::1"}


@dataclass(frozen=True)
class Probe:
    """What to ask: `kind` is "grpc" (`target` a core address, `ca` the CA
    file of a TLS core or ""), "http" (`target` a URL's host, `port` and
    `path`) or "alive" (nothing to ask)."""

    kind: str
    target: str = ""
    port: int = 0
    path: str = ""
    ca: str = ""


def app_server_args(argv: Sequence[str]) -> list[str] | None:
    """The arguments after `app-server` (or `python -m app_server`) in `argv`,
    or None when `argv` is not an app-server command line."""
    for i, arg in enumerate(argv):
        if os.path.basename(arg) == "app-server":
            return list(argv[i + 1 :])
        if arg == "-m" and i + 1 < len(argv) and argv[i + 1] == "app_server":
            return list(argv[i + 2 :])
    return None


def find_command(processes: Iterable[tuple[int, Sequence[str]]]) -> list[str] | None:
    """The app-server arguments of the lowest pid among `(pid, argv)` pairs."""
    for _, argv in sorted(processes, key=lambda p: p[0]):
        args = app_server_args(argv)
        if args is not None:
            return args
    return None


def _role_and_listen(args: Sequence[str]) -> tuple[str, str | None]:
    """("core" | "gateway" | "single", the --listen value of that role)."""
    role = "single"
    listen: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--listen" and i + 1 < len(args):
            listen = args[i + 1]
            i += 2
            continue
        if arg.startswith("--listen="):
            listen = arg.partition("=")[2]
        elif arg.startswith("-"):
            # Every option of the command line takes a value but help.
            if "=" not in arg and arg not in ("-h", "--help"):
                i += 1
        elif role == "single" and arg in ROLES:
            role = arg
        i += 1
    return role, listen


def _split_host_port(hostport: str) -> tuple[str, int]:
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]:")
    else:
        host, _, port = hostport.rpartition(":")
    return host, int(port)


def probe_for(args: Sequence[str], env: Mapping[str, str]) -> Probe:
    """The probe of the app-server started with `args` (`env`: the
    environment, for a TLS core's name and CA); ValueError when the command
    line names no address the check understands."""
    role, listen = _role_and_listen(args)
    if role == "core":
        ca = env.get("APP_SERVER_HEALTH_CORE_CA", "")
        if env.get("APP_SERVER_HEALTH_CORE"):
            return Probe("grpc", env["APP_SERVER_HEALTH_CORE"], ca=ca)
        if listen is None:
            raise ValueError("core without --listen")
        if listen.startswith("tcp://"):
            host, port = _split_host_port(listen[len("tcp://") :].rstrip("/"))
            host = _WILDCARDS.get(host, host)
            shown = f"[{host}]" if ":" in host else host
            return Probe("grpc", f"tcp://{shown}:{port}", ca=ca)
        return Probe("grpc", listen)
    if listen is None or listen in ("stdio://", "stdio"):
        return Probe("alive")
    if not listen.startswith("ws://"):
        raise ValueError(f"unexpected --listen {listen!r}")
    host, port = _split_host_port(listen[len("ws://") :].rstrip("/"))
    return Probe("http", _WILDCARDS.get(host, host), port, "/readyz")


def _processes(proc: Path) -> list[tuple[int, list[str]]]:
    found: list[tuple[int, list[str]]] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # it ended while we looked
        found.append((int(entry.name), [a.decode(errors="replace") for a in raw.split(b"\0") if a]))
    return found


def _http_ok(probe: Probe) -> str | None:
    conn = http.client.HTTPConnection(probe.target, probe.port, timeout=PROBE_TIMEOUT)
    try:
        conn.request("GET", probe.path)
        status = conn.getresponse().status
    except OSError as err:
        return f"GET {probe.path}: {err}"
    finally:
        conn.close()
    return None if status == 200 else f"GET {probe.path}: HTTP {status}"


def core_health_argv(probe: Probe) -> list[str]:
    """The `app-server core-health` command line of a gRPC probe."""
    argv = ["app-server", "core-health", "--core", probe.target, "--timeout", str(PROBE_TIMEOUT)]
    return argv + (["--core-ca", probe.ca] if probe.ca else [])


def main(proc: Path = Path("/proc")) -> int:
    """Check the app-server of this container; the process exit code."""
    args = find_command(_processes(proc))
    if args is None:
        print("healthcheck: no app-server process", file=sys.stderr)
        return 1
    try:
        probe = probe_for(args, os.environ)
    except ValueError as err:
        print(f"healthcheck: {err}", file=sys.stderr)
        return 1
    if probe.kind == "grpc":
        # The command's own check (exit status and reason line are its own).
        os.execvp("app-server", core_health_argv(probe))
    if probe.kind == "http":
        reason = _http_ok(probe)
        if reason is not None:
            print(f"healthcheck: {reason}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
