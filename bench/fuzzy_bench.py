"""fuzzyFileSearch on a large tree: our search against the reference's.

Generates a tree of 100,000 files (`--files`) in a temporary folder: nested
folders named like a source tree, a `.gitignore` excluding one folder of
every ten (its files are still written, so the walk must skip them). Then,
for each query, prints the median over `--runs` runs of:

* `in-process`: `core_service.search.fuzzy.search` called directly (walk,
  prefilter, scoring, ranking; what the core runs in its worker thread);
* `ours` and `reference`: one `fuzzyFileSearch` request answered by
  `app-server` over stdio (the single command: gateway, gRPC, core), and
  the same request to the reference's `codex app-server` when it is installed
  (`--reference`, `$CODEX_REFERENCE_BIN`, or the npm package), with the ratio.

Both servers are started once and asked each query `--runs` times; the first
answer of each is also checked to name the same files. Run with
`.venv/bin/python bench/fuzzy_bench.py`; it needs no network.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core_service.search.fuzzy import search  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE_GLOB = "/work/ref-codex/node_modules/@openai/codex-linux-*/vendor/*/codex/codex"
QUERIES = ("main", "srcutilpy", "hndlr_test", "zqx")
WORDS = ("src", "lib", "core", "util", "handler", "model", "view", "test", "api", "main",
         "config", "server", "client", "parser", "store", "index", "router", "widget")
EXTS = (".py", ".rs", ".ts", ".md", ".json", ".txt")
DEADLINE_S = 120.0


def make_tree(root: Path, files: int) -> int:
    """Write `files` files under `root` (10 per folder, 3 levels); returns how many
    of them the `.gitignore` excludes."""
    (root / ".gitignore").write_text("generated/\n*.log\n")
    ignored = 0
    for i in range(files):
        c = i // 10
        top = "generated" if (c // 100) % 10 == 9 else WORDS[c % 18]
        folder = root / top / f"{WORDS[(c // 18) % 18]}_{c % 97}" / f"mod{c}"
        if i % 10 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        name = f"{WORDS[(i * 7) % 18]}_{WORDS[(i * 11) % 18]}{i}{EXTS[i % 6]}"
        (folder / name).write_bytes(b"")
        ignored += top == "generated"
    return ignored


class StdioServer:
    """An app-server over stdio, asked fuzzyFileSearch requests one at a time."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 1

    @classmethod
    async def start(cls, argv: list[str], home: Path, cwd: Path) -> StdioServer:
        """Spawn the server and initialize it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_"))}
        env.update(CODEX_HOME=str(home), PYTHONPATH=str(REPO), OPENAI_API_KEY="sk-bench")
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, limit=2**24)
        server = cls(proc)
        await server.call("initialize", {"clientInfo": {"name": "bench", "version": "1"}})
        return server

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Send one request and wait (bounded) for its answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        rid, self.next_id = self.next_id, self.next_id + 1
        line = json.dumps({"id": rid, "method": method, "params": params}) + "\n"
        self.proc.stdin.write(line.encode())
        async with asyncio.timeout(DEADLINE_S):
            while True:
                msg = json.loads(await self.proc.stdout.readline())
                if msg.get("id") == rid and "method" not in msg:
                    return msg.get("result", msg.get("error"))

    async def close(self) -> None:
        """End the server (stdin closed, then killed if it lingers)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def time_server(server: StdioServer, root: Path, query: str,
                      runs: int) -> tuple[float, list[tuple[str, int]]]:
    """Median seconds per request, and the (path, score) pairs of the first answer."""
    times: list[float] = []
    first: list[tuple[str, int]] = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await server.call("fuzzyFileSearch", {"query": query, "roots": [str(root)]})
        times.append(time.perf_counter() - started)
        first = first or [(f["path"], f["score"]) for f in result["files"]]
    return statistics.median(times), first


def agreement(ours: list[tuple[str, int]], theirs: list[tuple[str, int]]) -> str:
    """How the two answers compare: the same files, or the same scores with other files
    among those tied at the lowest score kept (the reference keeps the ties its
    parallel walk met first), or different."""
    if sorted(ours) == sorted(theirs):
        return "same files"
    if sorted(s for _, s in ours) != sorted(s for _, s in theirs):
        return "different scores"
    cut = min(s for _, s in ours)
    above = sorted(p for p, s in ours if s > cut) == sorted(p for p, s in theirs if s > cut)
    return "same scores, other ties at the cut" if above else "differ"


def reference_binary(explicit: str | None) -> str | None:
    """The reference binary: flag, $CODEX_REFERENCE_BIN, then the npm install."""
    for candidate in (explicit, os.environ.get("CODEX_REFERENCE_BIN"),
                      *sorted(glob.glob(REFERENCE_GLOB))):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


async def main() -> None:
    """Generate the tree, time each query in-process and on both servers, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fuzzy-bench-") as tmp:
        base = Path(tmp)
        root, home = base / "tree", base / "home"
        root.mkdir()
        home.mkdir()
        ignored = await asyncio.to_thread(make_tree, root, args.files)
        print(f"tree: {args.files} files ({ignored} of them .gitignore'd), runs: {args.runs}")
        ours = await StdioServer.start([sys.executable, "-m", "app_server"], home, base)
        binary = None if args.no_reference else reference_binary(args.reference)
        theirs = await StdioServer.start([binary, "app-server"], home, base) if binary else None
        print(f"{'query':<12} {'in-process':>11} {'ours':>9} {'reference':>10} {'ratio':>6}"
              f"  matches")
        for query in QUERIES:
            local = []
            for _ in range(args.runs):
                started = time.perf_counter()
                await asyncio.to_thread(search, query, [str(root)], str(base))
                local.append(time.perf_counter() - started)
            mine, mine_paths = await time_server(ours, root, query, args.runs)
            row = f"{query:<12} {statistics.median(local) * 1000:>9.0f}ms {mine * 1000:>7.0f}ms"
            if theirs is not None:
                ref, ref_paths = await time_server(theirs, root, query, args.runs)
                same = agreement(mine_paths, ref_paths)
                row += f" {ref * 1000:>8.0f}ms {mine / ref:>6.2f}  {len(mine_paths)}, {same}"
            else:
                row += f" {'-':>10} {'-':>6}  {len(mine_paths)}"
            print(row)
        await ours.close()
        if theirs is not None:
            await theirs.close()
        else:
            print("(reference not measured: install it or set CODEX_REFERENCE_BIN)")


if __name__ == "__main__":
    asyncio.run(main())
