"""Fan-out benchmark: many websocket connections running turns on one server.

For each target (this project's single command `app-server`, and the
reference `codex app-server` where it is installed) and each connection
count C (default 10, 100, 500):

* C websocket connections, all at once, each: `initialize`, `thread/start`,
  then K turns one after the other (`turn/start` ... `turn/completed`);
  reported: aggregate turns/s over the turn phase, turn latency p50/p99
  (from sending `turn/start` to receiving its `turn/completed`), and the RSS
  of the gateway and the core (the single command's process and its core
  child; for the reference its whole process tree) after the phase.
* `--idle` N (default 1,000) idle initialized connections on a fresh
  server: memory per connection = RSS growth / N, per process.

The model is the mock Responses API server (`tests/support/mock_model.py`)
in its own process, streaming a short answer in a few deltas. Where the
reference runs too, the ratios are printed next to the goals: at 100
connections at least 5x the reference's turns/s, p99 under 100 ms, and at
most 0.3x its memory per idle connection. The reference binary is taken
from `--reference`, `$CODEX_REFERENCE_BIN`, or the npm package under
/work/ref-codex; without one, only this project is measured (the goals are
then checked against the figures recorded for the reference on this
machine: about 30 turns/s and 147 KiB per idle connection).

Run with `.venv/bin/python bench/fanout_bench.py [--connections 10,100]
[--turns 5] [--idle 1000] [--no-reference]`. Every phase is bounded in time
(`--phase-timeout`); every process started is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import glob
import json
import os
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

REPO = Path(__file__).resolve().parents[1]
# Runnable as a plain script from the repo root or elsewhere.
sys.path.insert(0, str(REPO))

from tests.support.client import server_env, write_config  # noqa: E402

REFERENCE_GLOB = "/work/ref-codex/node_modules/@openai/codex-linux-*/vendor/*/codex/codex"
# Figures of the reference on this machine, used when it is not installed.
REFERENCE_TURNS_PER_S = 30.0
REFERENCE_IDLE_KIB = 147.0
GOAL_SPEEDUP = 5.0
GOAL_P99_MS = 100.0
GOAL_MEMORY_RATIO = 0.3
GOAL_CONNECTIONS = 100
# Connections opened at the same time (a listen backlog is not unbounded).
CONNECT_CONCURRENCY = 50
START_TIMEOUT = 60.0
OVERLOADED = -32001
# Retries of an `initialize` answered -32001 (with backoff up to 1 s each).
RETRIES = 40
ANSWER = {"kind": "text", "text": "Benchmark answer, streamed in a few deltas.", "deltas": 5}


# -- processes --------------------------------------------------------------------


class Process:
    """A child process whose stderr is drained and scanned for `listening on: `."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process) -> None:
        self.name = name
        self.proc = proc
        self.lines: list[str] = []
        self.address: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._drain = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def spawn(cls, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> Process:
        """Start `argv` with stdout discarded and stderr captured."""
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, env=env, cwd=str(cwd))
        return cls(name, proc)

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            if len(self.lines) < 2000:  # keep the start; a flood of logs is not kept
                self.lines.append(text)
            if "listening on: ws://" in text and not self.address.done():
                self.address.set_result(text.split("listening on: ", 1)[1].strip())
        if not self.address.done():
            self.address.set_exception(RuntimeError(
                f"{self.name} exited before listening:\n" + "\n".join(self.lines[-30:])))

    async def url(self, limit: float = START_TIMEOUT) -> str:
        """The websocket address it listens on (waits up to `limit` seconds)."""
        return await asyncio.wait_for(asyncio.shield(self.address), limit)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s; idempotent."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        self._drain.cancel()
        with contextlib.suppress(BaseException):
            await self._drain


def children(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc/<pid>/task/*/children)."""
    out: list[int] = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(OSError):
            out += [int(p) for p in Path(path).read_text().split()]
    return out


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    out: list[int] = []
    todo = children(pid)
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Memory:
    """RSS of the two halves (KiB): the front process and everything below it."""

    gateway: int
    core: int

    @property
    def total(self) -> int:
        """Both together."""
        return self.gateway + self.core


def memory(pid: int) -> Memory:
    """RSS of the process `pid` and of its descendants (the core of the single command)."""
    return Memory(rss_kib(pid), sum(rss_kib(p) for p in descendants(pid)))


async def settled_memory(pid: int, limit: float = 10.0) -> Memory:
    """`memory(pid)` once it holds still (two readings 0.25 s apart within 64 KiB).

    A server may still be finishing start-up work when it first answers
    (our core imports its HTTP library in a thread after it serves): counted
    in the idle phase, that would be charged to the connections.
    """
    deadline = time.monotonic() + limit
    last = memory(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = memory(pid)
        if abs(now.total - last.total) < 64:  # KiB
            return now
        last = now
    return last


# -- targets ----------------------------------------------------------------------


@dataclass
class Target:
    """A server to measure: how to start it."""

    name: str
    argv: list[str]


def find_reference(explicit: str | None) -> str | None:
    """The reference binary: flag, $CODEX_REFERENCE_BIN, then the npm install."""
    for candidate in (explicit, os.environ.get("CODEX_REFERENCE_BIN"),
                      *sorted(glob.glob(REFERENCE_GLOB))):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


async def start_server(target: Target, mock_url: str, work: Path) -> Process:
    """Start a target on ws://127.0.0.1:0 with a private home pointing at the mock."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    write_config(home, mock_url)
    cwd = home / "work"
    cwd.mkdir()
    proc = await Process.spawn(target.name, [*target.argv, "--listen", "ws://127.0.0.1:0"],
                               server_env(home), cwd)
    try:
        await proc.url()
    except BaseException:
        await proc.stop()
        raise
    return proc


async def start_mock(work: Path, deltas: int, delay_ms: int) -> tuple[asyncio.subprocess.Process,
                                                                      str]:
    """The mock model in its own process; returns it and its base URL."""
    script = work / "mock.json"
    script.write_text(json.dumps({"responses": [],
                                  "default": {**ANSWER, "deltas": deltas, "delay_ms": delay_ms}}))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.mock_model", "--script", str(script),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, cwd=str(REPO),
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)).decode()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError(f"mock model did not start: {line!r}")
    return proc, line.split()[1]


# -- client -----------------------------------------------------------------------


class Overloaded(RuntimeError):
    """The server answered -32001 (overloaded; retry later)."""


class Conn:
    """A lean JSON-RPC client on one websocket (no schema validation: load, not checks)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 1
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.completed: asyncio.Queue[tuple[str, float]] = asyncio.Queue(64)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str) -> Conn:
        """Connect and initialize."""
        ws = await websockets.connect(url, max_size=None, open_timeout=30,
                                      ping_interval=None, compression=None)
        conn = cls(ws)
        params = {"clientInfo": {"name": "fanout_bench", "title": None, "version": "1.0.0"}}
        delay = 0.01
        for attempt in range(RETRIES + 1):
            try:
                await conn.call("initialize", params)
                break
            except Overloaded:
                # "Server overloaded; retry later." (the reference says so to a
                # burst of initializes): back off and retry, as a client would.
                if attempt == RETRIES:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
        await ws.send(json.dumps({"method": "initialized"}))
        return conn

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                msg = json.loads(raw)
                if "method" not in msg:
                    fut = self.waiting.pop(msg.get("id"), None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                elif msg["method"] == "turn/completed":
                    self.completed.put_nowait((msg["params"]["turn"]["id"], time.perf_counter()))
        for fut in self.waiting.values():
            if not fut.done():
                fut.set_exception(ConnectionError("connection closed"))

    async def call(self, method: str, params: dict[str, Any], limit: float = 120.0) -> Any:
        """Send a request and return its result (waits up to `limit` seconds)."""
        rid = self.next_id
        self.next_id += 1
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[rid] = fut
        await self.ws.send(json.dumps({"id": rid, "method": method, "params": params}))
        msg = await asyncio.wait_for(fut, limit)
        if "result" not in msg:
            error = msg.get("error") or {}
            if error.get("code") == OVERLOADED:
                raise Overloaded(f"{method}: {error.get('message')}")
            raise RuntimeError(f"{method} failed: {error}")
        return msg["result"]

    async def turn(self, thread_id: str, text: str, limit: float = 120.0) -> float:
        """Run one turn; its latency in seconds (turn/start sent -> turn/completed)."""
        sent = time.perf_counter()
        result = await self.call("turn/start", {"threadId": thread_id,
                                                "input": [{"type": "text", "text": text}]},
                                 limit)
        turn_id = result["turn"]["id"]
        while True:
            done_id, at = await asyncio.wait_for(self.completed.get(), limit)
            if done_id == turn_id:
                return at - sent

    async def close(self) -> None:
        """Close the websocket."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(BaseException):
            await self.reader


async def open_many(url: str, count: int) -> list[Conn]:
    """`count` initialized connections, opened CONNECT_CONCURRENCY at a time."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one() -> Conn:
        async with gate:
            return await Conn.open(url)

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    conns = [r for r in results if isinstance(r, Conn)]
    failed = [r for r in results if not isinstance(r, Conn)]
    if failed:
        await asyncio.gather(*(c.close() for c in conns))
        raise RuntimeError(f"{len(failed)} of {count} connections failed: {failed[0]!r}")
    return conns


# -- phases -----------------------------------------------------------------------


@dataclass
class TurnResult:
    """One target at one connection count."""

    target: str
    connections: int
    turns: int
    seconds: float
    turns_per_s: float
    p50_ms: float
    p99_ms: float
    gateway_rss_mib: float
    core_rss_mib: float
    # CPU seconds the benchmark client itself used in the phase (is it the bottleneck?).
    client_cpu_s: float


@dataclass
class IdleResult:
    """Memory of one target holding N idle initialized connections."""

    target: str
    connections: int
    gateway_kib_per_conn: float
    core_kib_per_conn: float
    total_kib_per_conn: float
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def turn_phase(target: Target, mock_url: str, work: Path, connections: int,
                     turns: int) -> TurnResult:
    """C connections each running K turns concurrently on a fresh server."""
    server = await start_server(target, mock_url, work)
    conns: list[Conn] = []
    try:
        url = await server.url()
        conns = await open_many(url, connections)
        threads = await asyncio.gather(*(c.call("thread/start", {}) for c in conns))
        ids = [t["thread"]["id"] for t in threads]

        async def run(conn: Conn, tid: str, index: int) -> list[float]:
            return [await conn.turn(tid, f"connection {index} turn {k}") for k in range(turns)]

        start = time.perf_counter()
        cpu = time.process_time()
        latencies = await asyncio.gather(*(run(c, t, i)
                                           for i, (c, t) in enumerate(zip(conns, ids,
                                                                          strict=True))))
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        mem = memory(server.proc.pid)
    finally:
        await asyncio.gather(*(c.close() for c in conns))
        await server.stop()
    flat = [x for per in latencies for x in per]
    return TurnResult(target.name, connections, len(flat), seconds, len(flat) / seconds,
                      statistics.median(flat) * 1000, percentile(flat, 0.99) * 1000,
                      mem.gateway / 1024, mem.core / 1024, cpu)


async def idle_phase(target: Target, mock_url: str, work: Path, connections: int) -> IdleResult:
    """Memory growth for `connections` idle initialized connections on a fresh server."""
    server = await start_server(target, mock_url, work)
    conns: list[Conn] = []
    try:
        url = await server.url()
        # Warm up: the first connection loads code paths that are no per-connection cost.
        warm = await open_many(url, 5)
        await asyncio.gather(*(c.call("thread/loaded/list", {}) for c in warm))
        before = await settled_memory(server.proc.pid)
        # Each is initialized (a round trip through both halves) when opened. No
        # burst of further requests: the reference answers a burst from 1,000
        # connections with -32001.
        conns = await open_many(url, connections)
        after = memory(server.proc.pid)
        conns += warm
    finally:
        await asyncio.gather(*(c.close() for c in conns))
        await server.stop()
    n = float(connections)
    return IdleResult(target.name, connections, (after.gateway - before.gateway) / n,
                      (after.core - before.core) / n, (after.total - before.total) / n)


# -- report -----------------------------------------------------------------------


def verdict(ok: bool) -> str:
    """PASS / FAIL."""
    return "PASS" if ok else "FAIL"


def report(turn_results: list[TurnResult], idle_results: list[IdleResult],
           reference: str | None) -> bool:
    """Print the tables and the goals; True when every checkable goal is met."""
    print("\nTurns (all connections concurrently, K turns each)")
    print("(RSS after the phase; gw = the front process, core = its child processes)")
    print(f"{'target':<12}{'conns':>7}{'turns':>8}{'secs':>8}{'turns/s':>10}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'gw MiB':>9}{'core MiB':>10}{'client cpu':>12}")
    for r in turn_results:
        print(f"{r.target:<12}{r.connections:>7}{r.turns:>8}{r.seconds:>8.2f}"
              f"{r.turns_per_s:>10.1f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}"
              f"{r.gateway_rss_mib:>9.1f}{r.core_rss_mib:>10.1f}{r.client_cpu_s:>11.2f}s")
    if idle_results:
        print("\nIdle initialized connections: memory per connection (RSS growth / N)")
        print(f"{'target':<12}{'conns':>7}{'gw KiB':>10}{'core KiB':>10}{'total KiB':>11}")
        for i in idle_results:
            print(f"{i.target:<12}{i.connections:>7}{i.gateway_kib_per_conn:>10.1f}"
                  f"{i.core_kib_per_conn:>10.1f}{i.total_kib_per_conn:>11.1f}")

    ours = {r.connections: r for r in turn_results if r.target == "app-server"}
    ref = {r.connections: r for r in turn_results if r.target == "reference"}
    ok = True
    print("\nGoals")
    at = ours.get(GOAL_CONNECTIONS)
    if at is None:
        print(f"  (run with {GOAL_CONNECTIONS} connections to check the throughput goals)")
    else:
        base = ref[GOAL_CONNECTIONS].turns_per_s if GOAL_CONNECTIONS in ref else None
        source = "measured" if base is not None else "recorded"
        base = base if base is not None else REFERENCE_TURNS_PER_S
        speedup = at.turns_per_s / base
        good = speedup >= GOAL_SPEEDUP
        ok &= good
        print(f"  turns/s at {GOAL_CONNECTIONS} conns: {at.turns_per_s:.1f} vs reference "
              f"{base:.1f} ({source}) = {speedup:.1f}x (goal >= {GOAL_SPEEDUP:g}x) "
              f"{verdict(good)}")
        good = at.p99_ms < GOAL_P99_MS
        ok &= good
        ref_p99 = f" (reference {ref[GOAL_CONNECTIONS].p99_ms:.0f} ms)" if (
            GOAL_CONNECTIONS in ref) else ""
        print(f"  p99 turn latency at {GOAL_CONNECTIONS} conns: {at.p99_ms:.1f} ms{ref_p99} "
              f"(goal < {GOAL_P99_MS:g} ms) {verdict(good)}")
    for c in sorted(set(ours) & set(ref)):
        print(f"  ratio at {c} conns: turns/s {ours[c].turns_per_s / ref[c].turns_per_s:.2f}x, "
              f"p99 {ours[c].p99_ms / max(ref[c].p99_ms, 1e-9):.2f}x of the reference")
    mine = next((i for i in idle_results if i.target == "app-server"), None)
    theirs = next((i for i in idle_results if i.target == "reference"), None)
    if mine is not None:
        base_kib = theirs.total_kib_per_conn if theirs is not None else REFERENCE_IDLE_KIB
        source = "measured" if theirs is not None else "recorded"
        ratio = mine.total_kib_per_conn / base_kib if base_kib > 0 else float("inf")
        good = ratio <= GOAL_MEMORY_RATIO
        ok &= good
        print(f"  memory per idle connection: {mine.total_kib_per_conn:.1f} KiB "
              f"(gateway {mine.gateway_kib_per_conn:.1f} + core {mine.core_kib_per_conn:.1f}) "
              f"vs reference {base_kib:.1f} KiB ({source}) = {ratio:.2f}x "
              f"(goal <= {GOAL_MEMORY_RATIO:g}x) {verdict(good)}")
    if reference is None:
        print("  (reference not measured: install it or set CODEX_REFERENCE_BIN to compare "
              "in the same run)")
    return ok


# -- main -------------------------------------------------------------------------


def raise_fd_limit(needed: int) -> None:
    """Raise the soft open-files limit (inherited by the servers) to cover `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < needed:
        print(f"warning: open-files limit {soft} < {needed}; large runs may fail",
              file=sys.stderr)


async def bounded(what: str, seconds: float, job: Callable[[], Awaitable[Any]]) -> Any:
    """Run one phase under a deadline; None (and a message) when it fails."""
    print(f"... {what}", file=sys.stderr, flush=True)
    try:
        return await asyncio.wait_for(job(), seconds)
    except Exception as err:  # one failed phase must not lose the others' figures
        print(f"    {what} failed: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        return None


async def main_async(args: argparse.Namespace) -> int:
    """Run every phase; print the report; exit status 0 when the goals are met."""
    counts = [int(c) for c in args.connections.split(",") if c.strip()]
    raise_fd_limit(2 * max([*counts, args.idle]) + 256)
    reference = None if args.no_reference else find_reference(args.reference)
    targets = [Target("app-server", [sys.executable, "-m", "app_server"])]
    if reference is not None:
        targets.append(Target("reference", [reference, "app-server"]))
    work = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    mock, mock_url = await start_mock(work, args.deltas, args.delay_ms)
    turn_results: list[TurnResult] = []
    idle_results: list[IdleResult] = []
    try:
        for c in counts:
            for t in targets:
                r = await bounded(f"{t.name}: {c} connections x {args.turns} turns",
                                  args.phase_timeout,
                                  functools.partial(turn_phase, t, mock_url, work, c,
                                                    args.turns))
                if r is not None:
                    turn_results.append(r)
        if args.idle > 0:
            for t in targets:
                r = await bounded(f"{t.name}: {args.idle} idle connections", args.phase_timeout,
                                  functools.partial(idle_phase, t, mock_url, work, args.idle))
                if r is not None:
                    idle_results.append(r)
    finally:
        if mock.returncode is None:
            mock.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(mock.wait(), 10)
            if mock.returncode is None:
                mock.kill()
                await mock.wait()
        shutil.rmtree(work, ignore_errors=True)
    ok = report(turn_results, idle_results, reference)
    if args.json:
        figures = json.dumps({
            "turns": [asdict(r) for r in turn_results],
            "idle": [asdict(i) for i in idle_results],
            "reference": reference,
        }, indent=2)
        await asyncio.to_thread(Path(args.json).write_text, figures)
    return 0 if ok else 1


def main() -> int:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--connections", default="10,100,500",
                   help="comma-separated connection counts (default 10,100,500; '' for none)")
    p.add_argument("--turns", type=int, default=5, help="turns per connection (default 5)")
    p.add_argument("--idle", type=int, default=1000,
                   help="idle initialized connections for the memory figure (0: skip)")
    p.add_argument("--deltas", type=int, default=5, help="deltas per model answer")
    p.add_argument("--delay-ms", type=int, default=0, help="mock pause before each delta")
    p.add_argument("--reference", default=None, help="path of the reference `codex` binary")
    p.add_argument("--no-reference", action="store_true", help="measure this project only")
    p.add_argument("--phase-timeout", type=float, default=300.0,
                   help="deadline of each phase in seconds (default 300)")
    p.add_argument("--json", default=None, metavar="PATH", help="also write the figures here")
    args = p.parse_args()
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
