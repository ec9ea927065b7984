"""Cheap requests and cold start, ours beside the reference `codex app-server`.

The workloads every client meets first (issue 14), each run against this
project's single command `app-server` and, where it is installed, the
reference codex-cli 0.104.0 in the same run, with fresh homes and the mock
model (`tests/support/mock_model.py`) as the provider:

* **cold start, stdio**: spawn -> the `initialize` response read (the
  request is written at once, as a client does); median of `--runs`.
* **cold start, websocket**: spawn with `--listen ws://127.0.0.1:PORT` -> the
  first TCP connection accepted (retried every 0.5 ms), and -> the first
  websocket handshake that succeeds (retried every 2 ms); medians.
* **cheap requests** (`thread/loaded/list`) over stdio: one at a time
  (`--sequential` requests: latency p50/p90) and `--window` in flight
  (`--pipelined` requests: requests/s and server CPU per request, summed
  over the server's process tree from /proc).
* **flood** over websocket: `--flood` requests written without reading, then
  every answer read: how many were refused with -32001.

Run: `.venv/bin/python bench/request_bench.py [--no-reference]`. Every wait
is bounded; every process started is stopped (process groups) on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from turn_bench import (  # noqa: E402
    BenchError,
    Child,
    Mock,
    Peer,
    clean_env,
    cpu_tree,
    find_reference,
    spawn,
)

from tests.support.client import write_config  # noqa: E402

CHEAP = "thread/loaded/list"
OVERLOADED = -32001
CLIENT_INFO = {"name": "bench", "title": None, "version": "1"}
STEP_TIMEOUT = 60.0
# Goals of issue 14 (ours / reference).
GOALS = {"cold_stdio_ms": 1.5, "cold_ws_ms": 1.5, "seq_p50_ms": 1.0, "pipelined_rps": 1.0}


@dataclass
class Figures:
    """What one server measured."""

    cold_stdio_ms: list[float] = field(default_factory=list)
    cold_ws_ms: list[float] = field(default_factory=list)
    cold_tcp_ms: list[float] = field(default_factory=list)
    seq_ms: list[float] = field(default_factory=list)
    pipelined_rps: float = float("nan")
    cpu_us_per_request: float = float("nan")
    flood_refused: int = -1
    flood_answered: int = -1


def _argv(reference: list[str] | None) -> list[str]:
    return [*reference, "app-server"] if reference else [sys.executable, "-m", "app_server"]


async def _start(label: str, argv: list[str], mock: Mock, base: Path, *, stdio: bool,
                 extra: tuple[str, ...] = ()) -> Child:
    home, work = base / "home", base / "work"
    work.mkdir(parents=True, exist_ok=True)
    write_config(home, mock.base_url)
    env = clean_env(CODEX_HOME=str(home), OPENAI_BASE_URL=mock.base_url, PYTHONPATH=str(REPO))
    # An installed server has its bytecode compiled: measure that, not compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return await spawn(label, [*argv, *extra], env, work, base, stdio=stdio)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def cold_stdio(label: str, argv: list[str], mock: Mock, base: Path) -> float:
    """Spawn -> initialize answered, in milliseconds."""
    t0 = time.perf_counter()
    child = await _start(label, argv, mock, base, stdio=True)
    peer = Peer(child)
    try:
        await asyncio.wait_for(peer.request("initialize", {"clientInfo": CLIENT_INFO}),
                               STEP_TIMEOUT)
        return (time.perf_counter() - t0) * 1000
    finally:
        await peer.close()
        await child.stop()


async def cold_ws(label: str, argv: list[str], mock: Mock, base: Path) -> tuple[float, float]:
    """Spawn -> first TCP connection accepted, and -> first successful websocket
    handshake, in milliseconds."""
    port = _free_port()
    url = f"ws://127.0.0.1:{port}"
    t0 = time.perf_counter()
    child = await _start(label, argv, mock, base, stdio=False, extra=("--listen", url))
    try:
        deadline = t0 + STEP_TIMEOUT
        while True:
            if time.perf_counter() > deadline or child.proc.returncode is not None:
                raise BenchError(f"{label}: not accepting: {child.stderr_tail()}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.0005)
                continue
            accepted = (time.perf_counter() - t0) * 1000
            writer.close()
            break
        while time.perf_counter() < deadline:
            if child.proc.returncode is not None:
                raise BenchError(f"{label} exited: {child.stderr_tail()}")
            try:
                async with websockets.connect(url, open_timeout=1, compression=None,
                                              proxy=None):
                    return accepted, (time.perf_counter() - t0) * 1000
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                await asyncio.sleep(0.002)
        raise BenchError(f"{label}: no websocket handshake within {STEP_TIMEOUT:g}s")
    finally:
        await child.stop()


async def cheap_requests(label: str, argv: list[str], mock: Mock, base: Path,
                         args: argparse.Namespace, figures: Figures) -> None:
    """Sequential latency and pipelined throughput of `thread/loaded/list` over stdio."""
    child = await _start(label, argv, mock, base, stdio=True)
    peer = Peer(child)
    try:
        await peer.request("initialize", {"clientInfo": CLIENT_INFO})
        await peer.send({"method": "initialized"})
        for _ in range(50):  # warm-up
            await peer.request(CHEAP, {})
        for _ in range(args.sequential):
            t0 = time.perf_counter()
            await peer.request(CHEAP, {})
            figures.seq_ms.append((time.perf_counter() - t0) * 1000)
        cpu0 = sum(cpu_tree([child.pid]).values())
        t0 = time.perf_counter()
        await asyncio.wait_for(_pipelined(peer, args.pipelined, args.window), STEP_TIMEOUT)
        elapsed = time.perf_counter() - t0
        cpu = sum(cpu_tree([child.pid]).values()) - cpu0
        figures.pipelined_rps = args.pipelined / elapsed
        figures.cpu_us_per_request = cpu / args.pipelined * 1e6
    finally:
        await peer.close()
        await child.stop()


async def _pipelined(peer: Peer, total: int, window: int) -> None:
    """`total` requests with at most `window` unanswered at any time."""
    first = peer._next_id
    peer._next_id += total
    sent = done = 0
    seen = len(peer.lines)

    def count() -> int:
        nonlocal seen, done
        for line in peer.lines[seen:]:
            if line.method is None and isinstance(line.msg.get("id"), int) \
                    and first <= line.msg["id"] < first + total:
                if "error" in line.msg:
                    raise BenchError(f"{CHEAP} failed: {line.msg['error']}")
                done += 1
        seen = len(peer.lines)
        return done

    while count() < total:
        while sent < total and sent - done < window:
            await peer.send({"id": first + sent, "method": CHEAP, "params": {}})
            sent += 1
        peer._activity.clear()
        if count() < total:
            await asyncio.wait_for(peer._activity.wait(), STEP_TIMEOUT)


async def flood(label: str, argv: list[str], mock: Mock, base: Path, n: int,
                figures: Figures) -> None:
    """`n` requests written on a websocket without reading, then every answer read."""
    port = _free_port()
    url = f"ws://127.0.0.1:{port}"
    child = await _start(label, argv, mock, base, stdio=False, extra=("--listen", url))
    try:
        ws = None
        for _ in range(5000):
            try:
                ws = await websockets.connect(url, compression=None, proxy=None,
                                              max_size=None)
                break
            except (OSError, websockets.InvalidHandshake):
                await asyncio.sleep(0.005)
        if ws is None:
            raise BenchError(f"{label}: websocket never accepted")
        async with ws:
            await ws.send(json.dumps({"id": 0, "method": "initialize",
                                      "params": {"clientInfo": CLIENT_INFO}}))
            json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
            await ws.send(json.dumps({"method": "initialized"}))
            for i in range(1, n + 1):
                await ws.send(json.dumps({"id": i, "method": CHEAP, "params": {}}))
            refused = answered = 0
            while answered < n:
                msg = json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
                if "id" not in msg or "method" in msg:
                    continue
                answered += 1
                if msg.get("error", {}).get("code") == OVERLOADED:
                    refused += 1
            figures.flood_refused, figures.flood_answered = refused, answered
    finally:
        await child.stop()


async def measure(label: str, argv: list[str], mock: Mock, base: Path,
                  args: argparse.Namespace) -> Figures:
    """Every workload against one server."""
    figures = Figures()
    for i in range(args.runs):
        figures.cold_stdio_ms.append(await cold_stdio(label, argv, mock, base / f"cs{i}"))
        accepted, handshake = await cold_ws(label, argv, mock, base / f"cw{i}")
        figures.cold_tcp_ms.append(accepted)
        figures.cold_ws_ms.append(handshake)
    await cheap_requests(label, argv, mock, base / "cheap", args, figures)
    await flood(label, argv, mock, base / "flood", args.flood, figures)
    return figures


def _row(name: str, ours: float, ref: float | None, goal: str, fmt: str = "{:.2f}") -> str:
    ratio = f"{ours / ref:.2f}x" if ref else "-"
    ref_text = fmt.format(ref) if ref is not None else "-"
    return f"{name:<44}{fmt.format(ours):>12}{ref_text:>12}{ratio:>10}  {goal}"


def report(ours: Figures, ref: Figures | None, args: argparse.Namespace) -> None:
    """The table: ours, reference, ratio, goal."""
    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]

    def med(values: list[float]) -> float:
        return statistics.median(values)

    r = ref
    print(f"{'':<44}{'ours':>12}{'reference':>12}{'ours/ref':>10}  goal")
    print(_row("cold start stdio, spawn->initialize (ms)", med(ours.cold_stdio_ms),
               med(r.cold_stdio_ms) if r else None, "<= 1.5x"))
    print(_row("cold start ws, spawn->TCP accepted (ms)", med(ours.cold_tcp_ms),
               med(r.cold_tcp_ms) if r else None, ""))
    print(_row("cold start ws, spawn->handshake (ms)", med(ours.cold_ws_ms),
               med(r.cold_ws_ms) if r else None, "<= 1.5x"))
    print(_row("cheap request, one at a time, p50 (ms)", p(ours.seq_ms, 50),
               p(r.seq_ms, 50) if r else None, "<= 1.0x"))
    print(_row("cheap request, one at a time, p90 (ms)", p(ours.seq_ms, 90),
               p(r.seq_ms, 90) if r else None, ""))
    print(_row(f"cheap requests, {args.window} in flight (req/s)", ours.pipelined_rps,
               r.pipelined_rps if r else None, ">= 1.0x", "{:.0f}"))
    print(_row("server CPU per request (us)", ours.cpu_us_per_request,
               r.cpu_us_per_request if r else None, "", "{:.0f}"))
    print(_row(f"flood of {args.flood} unread requests: -32001", ours.flood_refused,
               r.flood_refused if r else None, "<= reference", "{:.0f}"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=5, help="cold starts per transport")
    p.add_argument("--sequential", type=int, default=500)
    p.add_argument("--pipelined", type=int, default=5000)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--flood", type=int, default=1000)
    p.add_argument("--reference-bin", default=None)
    p.add_argument("--no-reference", action="store_true")
    return p.parse_args(argv)


async def amain(args: argparse.Namespace) -> int:
    """Run the workloads on each server; print the table."""
    reference = None if args.no_reference else find_reference(args.reference_bin)
    with tempfile.TemporaryDirectory(prefix="request-bench-") as tmp:
        base = Path(tmp)
        mock = await Mock.start(base, STEP_TIMEOUT)
        try:
            print("running ours ...", file=sys.stderr, flush=True)
            ours = await measure("ours", _argv(None), mock, base / "ours", args)
            ref = None
            if reference is not None:
                print("running reference ...", file=sys.stderr, flush=True)
                ref = await measure("reference", _argv(reference), mock, base / "ref", args)
        finally:
            with contextlib.suppress(Exception):
                await mock.child.stop()
    print(f"reference: {' '.join(reference) if reference else 'not measured'}")
    report(ours, ref, args)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    try:
        return asyncio.run(amain(parse_args(argv)))
    except BenchError as err:
        print(f"bench failed: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
