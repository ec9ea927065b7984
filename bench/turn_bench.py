"""End-to-end turn benchmark of `app-server` over stdio, against the mock model.

Two workloads, each run against our server and, when it is installed, against
the reference `codex app-server` (codex-cli 0.104.0) in the same run:

1. **turn latency** -- after `initialize` + `thread/start`, `--turns` (50)
   sequential turns on one thread, the mock answering each instantly with a
   3-delta text. Latency of a turn = time from writing the `turn/start` line
   to reading its `turn/completed`. Reported: median and p90 (ms), messages
   and bytes the server wrote on stdout per turn (all of them, and v2 only,
   i.e. without the reference's legacy `codex/event/*` notifications), and
   the CPU time per turn of the server's processes (utime+stime from
   `/proc/<pid>/stat`, children included; for ours split into gateway and
   core). One unmeasured warm-up turn precedes them (`--warmup`).
2. **streaming** -- one turn on a fresh thread whose answer has `--deltas`
   (5,000) text deltas: deltas/s = `item/agentMessage/delta` lines received /
   time from the first to the last of them; the whole turn time is printed
   too. The mock's own delivery rate (read directly over HTTP) is printed as
   the ceiling it can feed.

The reference binary is looked up in `--reference-bin`, `$CODEX_REFERENCE_BIN`,
then `node_modules` under the repository and `/work/ref-codex` (the native
binary inside `@openai/codex-<platform>/vendor` is preferred to the Node
launcher). `--no-reference` skips it. Each server gets a fresh CODEX_HOME and
working directory, a config pointing at the mock (`tests.support.client.
write_config`), no OPENAI_API_KEY and no proxy variables: only loopback
traffic. Every workload is bounded by `--timeout` seconds; a server that
fails, exits or times out stops the run with a clear message and exit status
1. All spawned processes (each in its own process group) are stopped on
exit, Ctrl-C included.

`--profile DIR` runs our server as two separate processes (`app-server core`
and `app-server gateway --core ...`) under cProfile, writes `core.prof` and
`gateway.prof` to DIR and prints the top functions of each by own time.

Run from the repository root: `.venv/bin/python bench/turn_bench.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import glob
import json
import math
import os
import platform
import pstats
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Runnable as a plain script from the repo root or elsewhere.
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.client import write_config  # noqa: E402

try:  # The client's own parsing cost is kept low; orjson is a product dependency.
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - orjson is installed with the product
    _loads = json.loads

DELTA_METHOD = "item/agentMessage/delta"
LEGACY_PREFIX = "codex/event/"
W1_SPEC: dict[str, Any] = {"kind": "text", "text": "Default mock answer.", "deltas": 3}
LATENCY_GOAL = 0.2  # our median turn latency <= 0.2x the reference's
DELTAS_GOAL = 5.0  # our deltas/s >= 5x the reference's
QUIET_S = 0.3  # after the last turn: stop counting after this long without output
QUIET_CAP_S = 2.0
STOP_GRACE_S = 3.0
STDOUT_LIMIT = 64 * 1024 * 1024  # a `thread/read` or a big final item fits in one line
CLK_TCK = os.sysconf("SC_CLK_TCK")
TURN_INPUT = [{"type": "text", "text": "Say hello", "text_elements": []}]
# The legacy `codex/event/<type>` notifications the reference sends by default
# (BEHAVIOR.md, "Legacy notifications"); `--opt-out-legacy` opts out of all of them.
LEGACY_TYPES = (
    "task_started task_complete user_message agent_message agent_message_delta "
    "agent_message_content_delta agent_reasoning agent_reasoning_delta "
    "agent_reasoning_raw_content_delta agent_reasoning_section_break reasoning_content_delta "
    "reasoning_raw_content_delta item_started item_completed token_count "
    "exec_approval_request exec_command_begin exec_command_output_delta exec_command_end "
    "apply_patch_approval_request patch_apply_begin patch_apply_end turn_diff plan_update "
    "turn_aborted error warning model_reroute context_compacted thread_name_updated "
    "mcp_startup_complete shutdown_complete"
).split()


class BenchError(Exception):
    """A server failed (exited, answered an error, failed a turn or timed out)."""


class _ServerGone(Exception):
    """The server closed its stdout while a reply was awaited."""


# -- process management ------------------------------------------------------------------------

_LIVE_GROUPS: set[int] = set()


def _kill_groups_at_exit() -> None:
    """Last resort (e.g. an exception escaping asyncio.run): no orphan survives the bench."""
    for pgid in list(_LIVE_GROUPS):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    _LIVE_GROUPS.clear()


atexit.register(_kill_groups_at_exit)


@dataclass
class Child:
    """A process the bench spawned, leading its own process group."""

    name: str
    proc: asyncio.subprocess.Process
    stderr_path: Path
    stdio: bool

    @property
    def pid(self) -> int:
        """The process id (also its process group id)."""
        return self.proc.pid

    def stderr_tail(self, lines: int = 15) -> str:
        """The last lines the process wrote on stderr (for error messages)."""
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return "(no stderr)"
        tail = text.strip().splitlines()[-lines:]
        return "\n".join("    " + line for line in tail) or "    (empty stderr)"

    async def stop(self) -> None:
        """Close stdin (stdio servers exit on EOF), then SIGTERM, then SIGKILL the group."""
        if self.pid not in _LIVE_GROUPS:
            return  # already stopped: never signal a group id that may have been reused
        if self.proc.stdin is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
        stages = (None, signal.SIGTERM, signal.SIGKILL) if self.stdio else (
            signal.SIGTERM, signal.SIGKILL)
        for sig in stages:
            if sig is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, sig)
            try:
                await asyncio.wait_for(self.proc.wait(), STOP_GRACE_S)
                break
            except TimeoutError:
                continue
        # Descendants still in the group (e.g. a core whose gateway died) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        _LIVE_GROUPS.discard(self.pid)


async def spawn(name: str, argv: list[str], env: dict[str, str], cwd: Path, logdir: Path,
                *, stdio: bool) -> Child:
    """Start `argv` in a new session (so Ctrl-C reaches only the bench), stderr to a file."""
    stderr_path = logdir / f"{name}.stderr"
    err = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE if stdio else asyncio.subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=str(cwd),
            start_new_session=True,
            limit=STDOUT_LIMIT,
        )
    finally:
        os.close(err)  # the child holds its own copy
    _LIVE_GROUPS.add(proc.pid)
    return Child(name, proc, stderr_path, stdio)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for every child: no credentials, no proxies (loopback only)."""
    drop = ("OPENAI_", "CODEX_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(drop)}
    env.update({"TZ": "UTC", "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost"})
    env.update(extra)
    return env


# -- CPU accounting -----------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, CPU seconds incl. waited-for children) of `pid` from /proc, None when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    # comm may contain spaces and parentheses: the fields start after the last ')'.
    fields = raw[raw.rindex(b")") + 2 :].split()
    ppid = int(fields[1])
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ppid, ticks / CLK_TCK


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
    except OSError:
        return []


def cpu_tree(roots: list[int]) -> dict[int, float]:
    """CPU seconds of each process in the trees under `roots` (pid -> seconds)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None:
                parents[int(entry)] = st[0]
                cpu[int(entry)] = st[1]
    wanted = set(roots)
    changed = True
    while changed:  # a handful of processes: the fixpoint is reached in 2-3 passes
        changed = False
        for pid, ppid in parents.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    return {pid: cpu[pid] for pid in wanted if pid in cpu}


def role_of(pid: int) -> str:
    """A short label for a server process: gateway / core / codex / other."""
    argv = _cmdline(pid)
    if "core" in argv:
        return "core"
    if any("app_server" in a for a in argv):
        return "gateway"
    if argv and os.path.basename(argv[0]).startswith("codex"):
        return "codex"
    return os.path.basename(argv[0]) if argv else f"pid {pid}"


@dataclass
class CpuSample:
    """CPU seconds per process of a server, taken at one instant."""

    per_pid: dict[int, float]

    @classmethod
    def take(cls, roots: list[int]) -> CpuSample:
        """Sample the process trees under `roots`."""
        return cls(cpu_tree(roots))

    def minus(self, before: CpuSample) -> dict[str, float]:
        """CPU seconds spent since `before`, summed per role."""
        out: dict[str, float] = {}
        for pid, sec in self.per_pid.items():
            role = role_of(pid)
            out[role] = out.get(role, 0.0) + sec - before.per_pid.get(pid, 0.0)
        return out


def own_cpu() -> float:
    """CPU seconds of this bench process (the client side)."""
    t = os.times()
    return t.user + t.system


# -- the JSONL peer -----------------------------------------------------------------------------


@dataclass
class Line:
    """One stdout line of the server, timestamped on arrival."""

    t: float
    size: int
    msg: dict[str, Any]

    @property
    def method(self) -> str | None:
        """The method of a notification / server request, None for a response."""
        method = self.msg.get("method")
        return method if isinstance(method, str) else None


class Peer:
    """A JSON-RPC client on a server's stdin/stdout that records every line received."""

    def __init__(self, child: Child) -> None:
        assert child.proc.stdin is not None and child.proc.stdout is not None
        self.child = child
        self._stdin = child.proc.stdin
        self._stdout = child.proc.stdout
        self.lines: list[Line] = []
        self.eof = False
        self._next_id = 1
        self._waiter: tuple[Callable[[Line], bool], asyncio.Future[Line]] | None = None
        self._activity = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                raw = await self._stdout.readline()
                if not raw:
                    break
                now = time.perf_counter()
                try:
                    msg = _loads(raw)
                except ValueError:
                    msg = {"_unparsed": raw[:200].decode(errors="replace")}
                line = Line(now, len(raw), msg if isinstance(msg, dict) else {"_other": msg})
                self.lines.append(line)
                self._activity.set()
                waiter = self._waiter
                if waiter is not None and not waiter[1].done() and waiter[0](line):
                    waiter[1].set_result(line)
        finally:
            self.eof = True
            self._activity.set()
            waiter = self._waiter
            if waiter is not None and not waiter[1].done():
                waiter[1].set_exception(_ServerGone())

    async def _gone(self, what: str) -> BenchError:
        """The error for a server that went away, with its exit status and stderr."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.child.proc.wait(), 2)
        return BenchError(f"{self.child.name}: server {what} (exit status "
                          f"{self.child.proc.returncode}); stderr tail:\n"
                          f"{self.child.stderr_tail()}")

    async def wait(self, fut: asyncio.Future[Line]) -> Line:
        """Await a future armed by `expect`; a server exit becomes a BenchError."""
        try:
            return await fut
        except _ServerGone:
            raise await self._gone("closed its stdout") from None

    async def close(self) -> None:
        """Stop reading."""
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task

    async def send(self, obj: dict[str, Any]) -> float:
        """Write one message line; returns the time it was handed to the pipe."""
        data = json.dumps(obj, separators=(",", ":")).encode() + b"\n"
        t = time.perf_counter()
        try:
            self._stdin.write(data)
            await self._stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            waiter = self._waiter
            if waiter is not None:
                # Nobody will await the armed future now: consume its outcome.
                if waiter[1].done():
                    waiter[1].exception()
                else:
                    waiter[1].cancel()
            raise await self._gone("closed its stdin") from None
        return t

    def expect(self, predicate: Callable[[Line], bool]) -> asyncio.Future[Line]:
        """Arm a waiter for the next line matching `predicate` (arm before sending)."""
        if self.eof:
            raise BenchError(f"{self.child.name}: server closed its stdout; stderr tail:\n"
                             f"{self.child.stderr_tail()}")
        fut: asyncio.Future[Line] = asyncio.get_running_loop().create_future()
        self._waiter = (predicate, fut)
        return fut

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send a request and return its result; an error response raises BenchError."""
        rid = self._next_id
        self._next_id += 1
        fut = self.expect(lambda ln: ln.msg.get("id") == rid and ln.method is None)
        await self.send({"id": rid, "method": method, "params": params})
        line = await self.wait(fut)
        if "error" in line.msg:
            raise BenchError(f"{self.child.name}: {method} failed: {line.msg['error']}")
        result = line.msg.get("result")
        return result if isinstance(result, dict) else {}

    async def turn(self, thread_id: str) -> tuple[float, Line]:
        """Run one turn; returns (time the turn/start line was written, its turn/completed)."""
        rid = self._next_id
        self._next_id += 1

        def done(ln: Line) -> bool:
            if ln.msg.get("id") == rid and "error" in ln.msg:
                return True  # the turn/start itself failed
            params = ln.msg.get("params")
            return (ln.method == "turn/completed" and isinstance(params, dict)
                    and params.get("threadId") == thread_id)

        fut = self.expect(done)
        t0 = await self.send({"id": rid, "method": "turn/start",
                              "params": {"threadId": thread_id, "input": TURN_INPUT}})
        line = await self.wait(fut)
        if "error" in line.msg:
            raise BenchError(f"{self.child.name}: turn/start failed: {line.msg['error']}")
        turn = line.msg["params"].get("turn") or {}
        if turn.get("status") != "completed":
            raise BenchError(f"{self.child.name}: turn ended {turn.get('status')!r}: "
                             f"{turn.get('error')}")
        return t0, line

    async def wait_quiet(self) -> None:
        """Wait until no line arrived for QUIET_S (at most QUIET_CAP_S): trailing output."""
        deadline = time.perf_counter() + QUIET_CAP_S
        while not self.eof and time.perf_counter() < deadline:
            self._activity.clear()
            try:
                await asyncio.wait_for(self._activity.wait(), QUIET_S)
            except TimeoutError:
                return


# -- the mock model -----------------------------------------------------------------------------

_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Mock:
    """The mock Responses API server, run as a process (`python -m tests.support.mock_model`)."""

    def __init__(self, child: Child, base_url: str) -> None:
        self.child = child
        self.base_url = base_url

    @classmethod
    async def start(cls, workdir: Path, limit_s: float) -> Mock:
        """Spawn the mock and wait for its `LISTENING <url>` line."""
        script = workdir / "mock_script.json"
        script.write_text(json.dumps({"responses": [], "default": W1_SPEC}))
        child = await spawn("mock", [sys.executable, "-m", "tests.support.mock_model",
                                     "--script", str(script)],
                            clean_env(PYTHONPATH=str(REPO)), REPO, workdir, stdio=True)
        assert child.proc.stdout is not None
        try:
            raw = await asyncio.wait_for(child.proc.stdout.readline(), limit_s)
        except TimeoutError:
            raw = b""
        text = raw.decode(errors="replace").strip()
        if not text.startswith("LISTENING "):
            await child.stop()
            raise BenchError(f"mock model did not start: {text!r}\n{child.stderr_tail()}")
        return cls(child, text.split(" ", 1)[1])

    def _post(self, path: str, payload: Any) -> Any:
        root = self.base_url.rsplit("/v1", 1)[0]
        req = urllib.request.Request(root + path, data=json.dumps(payload).encode(),
                                     headers={"content-type": "application/json"})
        with _NO_PROXY_OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    async def set_default(self, spec: dict[str, Any]) -> None:
        """Every following /responses request gets `spec` (the queue is emptied)."""
        await asyncio.to_thread(self._post, "/_script", {"responses": [], "default": spec})

    async def ceiling(self, deltas: int, runs: int = 2) -> float:
        """Deltas/s the mock delivers to a bare HTTP reader (the most a server can relay).

        The best of `runs` reads: the machine is shared, and a ceiling should not
        be lowered by a neighbour's burst.
        """
        import httpx

        await self.set_default(stream_spec(deltas))
        body = {"model": "gpt-5.1-codex", "input": [], "stream": True}
        best = math.nan
        async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
            for _ in range(runs):
                times: list[float] = []
                async with client.stream("POST", self.base_url + "/responses",
                                         json=body) as resp:
                    async for line in resp.aiter_lines():
                        if line == "event: response.output_text.delta":
                            times.append(time.perf_counter())
                if len(times) > 1:
                    rate = (len(times) - 1) / (times[-1] - times[0])
                    best = rate if math.isnan(best) else max(best, rate)
        return best


def stream_spec(deltas: int) -> dict[str, Any]:
    """A text answer of `deltas` deltas of two characters each."""
    text = ("hello world " * (deltas // 6 + 1))[: 2 * deltas]
    return {"kind": "text", "text": text, "deltas": deltas}


# -- servers under test -------------------------------------------------------------------------


@dataclass
class Server:
    """A running app-server (ours or the reference) and the pids its CPU is summed over."""

    label: str
    main: Child
    extra: list[Child] = field(default_factory=list)
    peer: Peer | None = None

    @property
    def roots(self) -> list[int]:
        """Root pids of the server's process trees."""
        return [self.main.pid, *(c.pid for c in self.extra)]

    async def stop(self) -> None:
        """Stop the client and every process of the server (gateway before core)."""
        if self.peer is not None:
            await self.peer.close()
        for child in (self.main, *self.extra):
            await child.stop()


def find_reference(explicit: str | None) -> list[str] | None:
    """The argv prefix running the reference `codex`, or None when it is not installed."""
    def native_near(path: Path) -> Path | None:
        # The npm package ships the real binary in @openai/codex-<platform>/vendor/<triple>/.
        for parent in path.parents:
            if parent.name == "node_modules":
                hits = sorted(glob.glob(str(parent / "@openai" / "codex*" / "vendor" / "*"
                                            / "codex" / "codex")))
                return Path(hits[0]) if hits else None
        return None

    candidates: list[Path] = []
    for given in (explicit, os.environ.get("CODEX_REFERENCE_BIN")):
        if given:
            candidates.append(Path(given))
    for root in (REPO, Path("/work/ref-codex")):
        candidates += [root / "node_modules" / ".bin" / "codex",
                       root / "node_modules" / "@openai" / "codex" / "bin" / "codex.js"]
    for cand in candidates:
        if not cand.exists():
            continue
        real = cand.resolve()
        if real.suffix == ".js":
            native = native_near(cand) or native_near(real)
            if native is not None and os.access(native, os.X_OK):
                return [str(native)]
            node = shutil.which("node")
            return [node, str(real)] if node else None
        if os.access(real, os.X_OK):
            return [str(real)]
    return None


async def start_ours(mock: Mock, base: Path, profile_dir: Path | None) -> Server:
    """Our single command (gateway + private core); split and under cProfile with --profile."""
    home, work = base / "home", base / "work"
    work.mkdir(parents=True)
    write_config(home, mock.base_url)
    env = clean_env(CODEX_HOME=str(home), OPENAI_BASE_URL=mock.base_url,
                    PYTHONPATH=str(REPO))
    py = sys.executable
    if profile_dir is None:
        main = await spawn("ours", [py, "-m", "app_server"], env, work, base, stdio=True)
        return Server("ours", main)
    sock = base / "core.sock"
    core = await spawn("ours-core", [py, "-m", "cProfile", "-o", str(profile_dir / "core.prof"),
                                     "-m", "app_server", "core", "--listen", f"unix://{sock}"],
                       env, work, base, stdio=False)
    for _ in range(300):  # the core prints `listening on:` on stderr once it serves
        if "listening on:" in core.stderr_path.read_text(errors="replace"):
            break
        if core.proc.returncode is not None:
            raise BenchError(f"core exited during start-up:\n{core.stderr_tail()}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(core.proc.wait(), 0.1)
    else:
        await core.stop()
        raise BenchError("core did not print `listening on:` within 30 s")
    main = await spawn("ours-gateway",
                       [py, "-m", "cProfile", "-o", str(profile_dir / "gateway.prof"),
                        "-m", "app_server", "gateway", "--core", f"unix://{sock}"],
                       env, work, base, stdio=True)
    return Server("ours", main, [core])


async def start_reference(argv: list[str], mock: Mock, base: Path) -> Server:
    """`codex app-server` with the configuration of BEHAVIOR.md (custom provider `mock`)."""
    home, work = base / "home", base / "work"
    work.mkdir(parents=True)
    write_config(home, mock.base_url)
    env = clean_env(CODEX_HOME=str(home), OPENAI_BASE_URL=mock.base_url)
    main = await spawn("reference", [*argv, "app-server"], env, work, base, stdio=True)
    return Server("reference", main)


# -- workloads ----------------------------------------------------------------------------------


@dataclass
class Result:
    """The figures of one server."""

    startup_ms: float = math.nan
    latencies_ms: list[float] = field(default_factory=list)
    turns: int = 0
    lines: int = 0
    v2_lines: int = 0
    nbytes: int = 0
    v2_bytes: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    mock_cpu: float = 0.0
    client_cpu: float = 0.0
    methods: Counter[str] = field(default_factory=Counter)
    deltas: int = 0
    legacy_deltas: int = 0
    delta_span_s: float = math.nan
    first_delta_ms: float = math.nan
    stream_turn_ms: float = math.nan
    stream_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def deltas_per_s(self) -> float:
        """Delta lines per second between the first and the last delta."""
        if self.deltas < 2 or not self.delta_span_s > 0:
            return math.nan
        return (self.deltas - 1) / self.delta_span_s


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest-rank on sorted values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def handshake(server: Server, res: Result, t_spawn: float, opt_out: bool) -> str:
    """initialize + initialized + thread/start; returns the thread id."""
    peer = server.peer = Peer(server.main)
    params: dict[str, Any] = {"clientInfo": {"name": "turn_bench", "title": None,
                                             "version": "1.0.0"}}
    if opt_out:
        params["capabilities"] = {
            "optOutNotificationMethods": [LEGACY_PREFIX + t for t in LEGACY_TYPES]}
    await peer.request("initialize", params)
    res.startup_ms = (time.perf_counter() - t_spawn) * 1000
    await peer.send({"method": "initialized"})
    return await new_thread(peer)


async def new_thread(peer: Peer) -> str:
    """thread/start {} -> thread id."""
    result = await peer.request("thread/start", {})
    thread_id = (result.get("thread") or {}).get("id")
    if not isinstance(thread_id, str):
        raise BenchError(f"{peer.child.name}: thread/start returned no thread id: {result}")
    return thread_id


async def workload_turns(server: Server, mock: Mock, thread_id: str, res: Result,
                         turns: int, warmup: int) -> None:
    """Workload 1: `turns` sequential turns on one thread."""
    peer = server.peer
    assert peer is not None
    await mock.set_default(W1_SPEC)
    for _ in range(warmup):
        await peer.turn(thread_id)
    await peer.wait_quiet()
    start = len(peer.lines)
    cpu0, mock0, own0 = CpuSample.take(server.roots), CpuSample.take([mock.child.pid]), own_cpu()
    for _ in range(turns):
        t0, done = await peer.turn(thread_id)
        res.latencies_ms.append((done.t - t0) * 1000)
    await peer.wait_quiet()
    res.client_cpu = own_cpu() - own0
    res.cpu = CpuSample.take(server.roots).minus(cpu0)
    res.mock_cpu = sum(CpuSample.take([mock.child.pid]).minus(mock0).values())
    res.turns = turns
    for line in peer.lines[start:]:
        method = line.method or "(response)"
        res.methods[method] += 1
        res.lines += 1
        res.nbytes += line.size
        if not method.startswith(LEGACY_PREFIX):
            res.v2_lines += 1
            res.v2_bytes += line.size


async def workload_stream(server: Server, mock: Mock, res: Result, deltas: int) -> None:
    """Workload 2: one turn of `deltas` deltas on a fresh thread."""
    peer = server.peer
    assert peer is not None
    thread_id = await new_thread(peer)
    await mock.set_default(stream_spec(deltas))
    await peer.wait_quiet()
    start = len(peer.lines)
    cpu0 = CpuSample.take(server.roots)
    t0, done = await peer.turn(thread_id)
    res.stream_cpu = CpuSample.take(server.roots).minus(cpu0)
    res.stream_turn_ms = (done.t - t0) * 1000
    times = []
    for line in peer.lines[start:]:
        if line.method == DELTA_METHOD:
            times.append(line.t)
        elif line.method in (LEGACY_PREFIX + "agent_message_delta",
                             LEGACY_PREFIX + "agent_message_content_delta"):
            res.legacy_deltas += 1
    res.deltas = len(times)
    if times:
        res.first_delta_ms = (times[0] - t0) * 1000
        res.delta_span_s = times[-1] - times[0]
    await mock.set_default(W1_SPEC)


async def run_server(label: str, starter: Callable[[], Any], mock: Mock, args: argparse.Namespace,
                     on_started: Callable[[Server], None]) -> Result:
    """Start one server, run both workloads under the timeout, stop it."""
    res = Result()
    t_spawn = time.perf_counter()
    server: Server = await starter()
    on_started(server)
    try:
        try:
            async with asyncio.timeout(args.timeout):
                thread_id = await handshake(server, res, t_spawn, args.opt_out_legacy)
                await workload_turns(server, mock, thread_id, res, args.turns, args.warmup)
        except TimeoutError:
            raise BenchError(f"{label}: workload 1 timed out after {args.timeout:g} s; "
                             f"stderr tail:\n{server.main.stderr_tail()}") from None
        try:
            async with asyncio.timeout(args.timeout):
                await workload_stream(server, mock, res, args.deltas)
        except TimeoutError:
            raise BenchError(f"{label}: workload 2 timed out after {args.timeout:g} s; "
                             f"stderr tail:\n{server.main.stderr_tail()}") from None
    finally:
        await server.stop()
    return res


# -- report -------------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 10000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(a: float, b: float) -> float:
    if b is None or a is None or math.isnan(a) or math.isnan(b) or b == 0:
        return math.nan
    return a / b


def report(ours: Result, ref: Result | None, ref_note: str, mock_ceiling: float,
           args: argparse.Namespace) -> None:
    """Print the comparison table."""
    def per_turn(res: Result, value: float) -> float:
        return value / res.turns if res.turns else math.nan

    def cpu_ms(res: Result) -> float:
        return per_turn(res, sum(res.cpu.values()) * 1000)

    def row(label: str, get: Callable[[Result], float], *, ratio: bool = False,
            goal: tuple[str, Callable[[float], bool]] | None = None, digits: int = 1) -> None:
        a = get(ours)
        b = get(ref) if ref is not None else math.nan
        r = _ratio(a, b) if ratio else math.nan
        goal_txt = ""
        if goal is not None:
            verdict = "n/a" if math.isnan(r) else ("MET" if goal[1](r) else "MISSED")
            goal_txt = f"{goal[0]}  {verdict}"
        print(f"{label:<38}{_fmt(a, digits):>12}{_fmt(b, digits):>12}"
              f"{_fmt(r, 2) if ratio else '':>10}  {goal_txt}")

    print()
    print(f"turn_bench: {args.turns} turns (+{args.warmup} warm-up), {args.deltas} deltas; "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"reference: {ref_note}")
    if args.opt_out_legacy:
        print("legacy codex/event/* notifications opted out (initialize capabilities)")
    print()
    print(f"{'':<38}{'ours':>12}{'reference':>12}{'ours/ref':>10}  goal")
    print("-" * 90)
    row("start-up: spawn -> initialize (ms)", lambda r: r.startup_ms, ratio=True)
    print("Workload 1: sequential turns, 3-delta answer")
    row("  turn latency median (ms)", lambda r: statistics.median(r.latencies_ms)
        if r.latencies_ms else math.nan, ratio=True,
        goal=(f"<= {LATENCY_GOAL:g}", lambda x: x <= LATENCY_GOAL), digits=2)
    row("  turn latency p90 (ms)", lambda r: percentile(r.latencies_ms, 0.9), ratio=True,
        digits=2)
    row("  turn latency min (ms)", lambda r: min(r.latencies_ms) if r.latencies_ms
        else math.nan, ratio=True, digits=2)
    row("  messages / turn (all)", lambda r: per_turn(r, r.lines), ratio=True)
    row("  messages / turn (v2 only)", lambda r: per_turn(r, r.v2_lines), ratio=True)
    row("  bytes / turn (all)", lambda r: per_turn(r, r.nbytes), ratio=True, digits=0)
    row("  bytes / turn (v2 only)", lambda r: per_turn(r, r.v2_bytes), ratio=True, digits=0)
    row("  server CPU / turn (ms)", cpu_ms, ratio=True, digits=2)
    roles = sorted(set(ours.cpu) | (set(ref.cpu) if ref is not None else set()))
    if len(roles) > 1 or (ref is not None and set(ours.cpu) != set(ref.cpu)):
        for role in roles:
            row(f"    of which {role}", lambda r, role=role: per_turn(  # type: ignore[misc]
                r, r.cpu.get(role, math.nan) * 1000), digits=2)
    row("  mock model CPU / turn (ms)", lambda r: per_turn(r, r.mock_cpu * 1000), digits=2)
    row("  bench client CPU / turn (ms)", lambda r: per_turn(r, r.client_cpu * 1000), digits=2)
    print(f"Workload 2: one turn of {args.deltas} deltas")
    row("  item/agentMessage/delta received", lambda r: float(r.deltas), digits=0)
    row("  legacy delta notifications", lambda r: float(r.legacy_deltas), digits=0)
    row("  deltas/s (first -> last delta)", lambda r: r.deltas_per_s, ratio=True,
        goal=(f">= {DELTAS_GOAL:g}", lambda x: x >= DELTAS_GOAL), digits=0)
    row("  time to first delta (ms)", lambda r: r.first_delta_ms, ratio=True)
    row("  total turn time (ms)", lambda r: r.stream_turn_ms, ratio=True)
    row("  server CPU for the turn (ms)", lambda r: sum(r.stream_cpu.values()) * 1000,
        ratio=True)
    sroles = sorted(set(ours.stream_cpu) | (set(ref.stream_cpu) if ref is not None else set()))
    if len(sroles) > 1:
        for role in sroles:
            row(f"    of which {role}", lambda r, role=role: r.stream_cpu.get(  # type: ignore[misc]
                role, math.nan) * 1000)
    print("-" * 90)
    print(f"mock alone (bare HTTP reader): {_fmt(mock_ceiling, 0)} deltas/s -- the ceiling "
          "any server can relay")
    print(f"CPU from /proc/<pid>/stat (utime+stime+cutime+cstime, {CLK_TCK} Hz ticks); "
          "the machine's cores are shared with the bench client and the mock.")
    if args.verbose:
        for name, res in (("ours", ours), ("reference", ref)):
            if res is not None:
                common = ", ".join(f"{m} {c / res.turns:.1f}" for m, c in
                                   res.methods.most_common())
                print(f"\n{name}: messages per turn by method: {common}")


def print_profiles(profile_dir: Path, top: int) -> None:
    """Top functions by own time of each profiled process."""
    for name in ("gateway", "core"):
        path = profile_dir / f"{name}.prof"
        if not path.exists():
            print(f"\n(no profile written for {name})")
            continue
        print(f"\n=== cProfile: {name} (top {top} by own time; whole process lifetime) ===")
        stats = pstats.Stats(str(path), stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line of the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--turns", type=int, default=50, help="measured turns of workload 1")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured turns before them")
    p.add_argument("--deltas", type=int, default=5000, help="deltas of workload 2's answer")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per workload")
    p.add_argument("--reference-bin", default=None, help="path of the reference codex")
    p.add_argument("--no-reference", action="store_true", help="skip the reference")
    p.add_argument("--profile", metavar="DIR", default=None,
                   help="run ours split (core + gateway) under cProfile, profiles to DIR")
    p.add_argument("--top", type=int, default=25, help="functions shown per profile")
    p.add_argument("--opt-out-legacy", action="store_true",
                   help="opt out of the legacy codex/event/* notifications in initialize")
    p.add_argument("-v", "--verbose", action="store_true", help="messages per turn by method")
    args = p.parse_args(argv)
    if args.turns < 1 or args.deltas < 2 or args.warmup < 0 or args.timeout <= 0:
        p.error("--turns >= 1, --deltas >= 2, --warmup >= 0 and --timeout > 0 are required")
    return args


async def amain(args: argparse.Namespace) -> int:
    """Run everything; returns the exit status."""
    servers: list[Server] = []
    base = Path(tempfile.mkdtemp(prefix="turn-bench-"))
    profile_dir: Path | None = args.profile
    mock: Mock | None = None
    # SIGTERM cancels the run like Ctrl-C does, so the `finally` below stops every child.
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    try:
        mock = await Mock.start(base, args.timeout)
        mock_ceiling = await asyncio.wait_for(mock.ceiling(args.deltas), args.timeout)
        await mock.set_default(W1_SPEC)
        ours_base = base / "ours"
        ours_base.mkdir()
        m = mock
        print("running ours ...", file=sys.stderr, flush=True)
        ours = await run_server("ours", lambda: start_ours(m, ours_base, profile_dir), mock,
                                args, servers.append)
        ref: Result | None = None
        ref_argv = None if args.no_reference else find_reference(args.reference_bin)
        if args.no_reference:
            note = "skipped (--no-reference)"
        elif ref_argv is None:
            note = ("not installed (set CODEX_REFERENCE_BIN or `npm install --prefix "
                    "/work/ref-codex @openai/codex@0.104.0`): comparison skipped")
        else:
            note = " ".join(ref_argv) + " app-server"
            ref_base = base / "reference"
            ref_base.mkdir()
            print("running reference ...", file=sys.stderr, flush=True)
            argv = ref_argv
            ref = await run_server("reference", lambda: start_reference(argv, m, ref_base),
                                   mock, args, servers.append)
        report(ours, ref, note, mock_ceiling, args)
        if profile_dir is not None:
            print_profiles(profile_dir, args.top)
        return 0
    except BenchError as err:
        print(f"turn_bench: FAILED: {err}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            await server.stop()
        if mock is not None:
            await mock.child.stop()
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.profile:
        args.profile = Path(args.profile).resolve()
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        return asyncio.run(amain(args))
    except KeyboardInterrupt:
        print("turn_bench: interrupted; all spawned processes stopped", file=sys.stderr)
        return 130
    except asyncio.CancelledError:
        print("turn_bench: terminated; all spawned processes stopped", file=sys.stderr)
        return 143
    finally:
        _kill_groups_at_exit()


if __name__ == "__main__":
    sys.exit(main())
