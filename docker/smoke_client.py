"""The client half of docker/smoke.sh: four turns of one thread through two
gateways of a running compose project, across a restart and a replacement of
its core.

1. gateway A refuses a handshake without its token (401);
2. through gateway A: initialize, `thread/start`, a turn;
3. through gateway B: initialize, `thread/resume` of that thread, a turn
   (gateway A's client, still subscribed, sees it complete too);
4. `--restart-cmd` restarts the core container; once gateway A is back (its
   metrics count the reconnect, then a request waits for its connection's
   restore), a third turn on gateway B's same connection, seen by A too;
5. `--replace-cmd` replaces the core by a new container on the same volume
   (what an upgrade does); a fourth turn on gateway A, seen by B too;
6. the model got the whole history in the last request.

Requests answered -32603 "core unavailable" while a gateway reconnects are
retried. Each step prints one line; the first failure prints
`FAILED: reason` and exits 1. Every wait is bounded. Needs the `websockets`
library (a dependency of the project, so its virtual environment has it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

STEP_TIMEOUT = 60.0
CORE_UNAVAILABLE = -32603
QUESTIONS = tuple(f"Smoke question {n}?" for n in ("one", "two", "three", "four"))
ANSWERS = tuple(f"Smoke answer {n}." for n in ("one", "two", "three", "four"))
# Stamps count from smoke.sh's start when it says when that was.
_START = float(os.environ.get("SMOKE_STARTED") or time.time())


class SmokeFailure(Exception):
    """A check of the smoke run failed; the message says which."""


class RpcError(Exception):
    """A JSON-RPC error answer: `code` and `message` as received."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def say(text: str) -> None:
    """One progress line, stamped with the seconds since the smoke started."""
    print(f"smoke: [{time.time() - _START:5.1f}s] {text}", flush=True)


class Client:
    """One websocket connection: requests by id, notifications kept in order."""

    def __init__(self, name: str, ws: ClientConnection) -> None:
        self.name = name
        self.ws = ws
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.notifications: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            msg = json.loads(frame)
            if "id" in msg and "method" not in msg:
                future = self._waiting.pop(msg["id"], None)
                if future is not None and not future.done():
                    future.set_result(msg)
            elif "method" in msg and "id" not in msg:
                self.notifications.append(msg)
                self._arrived.set()

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send a request and return its result; RpcError on an error answer."""
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[self._next_id] = future
        await self.ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        answer = await asyncio.wait_for(future, STEP_TIMEOUT)
        if "error" in answer:
            raise RpcError(answer["error"]["code"], answer["error"]["message"])
        result: dict[str, Any] = answer["result"]
        return result

    async def wait_for(self, match: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The first notification (already received or to come) that `match`es."""
        deadline = time.monotonic() + STEP_TIMEOUT
        seen = 0
        while True:
            for msg in self.notifications[seen:]:
                if match(msg):
                    return msg
            seen = len(self.notifications)
            self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SmokeFailure(f"{self.name}: no {what} within {STEP_TIMEOUT:g}s")
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue

    async def close(self) -> None:
        """Close the connection and stop reading."""
        await self.ws.close()
        self._reader.cancel()


async def open_client(name: str, url: str, token: str) -> Client:
    """Connect with the bearer token and initialize."""
    ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"},
                       open_timeout=STEP_TIMEOUT, max_size=64 * 1024 * 1024)
    client = Client(name, ws)
    await client.request("initialize", {"clientInfo": {"name": "smoke", "version": "1.0.0"}})
    await ws.send(json.dumps({"method": "initialized"}))
    return client


def completed(thread_id: str, turn_id: str) -> Callable[[dict[str, Any]], bool]:
    """Matches `turn/completed` of that turn."""
    def match(msg: dict[str, Any]) -> bool:
        params = msg.get("params") or {}
        return (msg["method"] == "turn/completed" and params.get("threadId") == thread_id
                and params.get("turn", {}).get("id") == turn_id)
    return match


async def run_turn(client: Client, thread_id: str, n: int, retry_unavailable: bool) -> str:
    """Turn `n` (0-based) on `client`; returns its turn id once it completed
    with the scripted answer."""
    deadline = time.monotonic() + STEP_TIMEOUT
    params = {"threadId": thread_id, "input": [{"type": "text", "text": QUESTIONS[n]}]}
    while True:
        try:
            turn = (await client.request("turn/start", params))["turn"]
            break
        except RpcError as err:
            if not retry_unavailable or err.code != CORE_UNAVAILABLE:
                raise SmokeFailure(f"{client.name}: turn/start answered {err}") from err
            if time.monotonic() > deadline:
                raise SmokeFailure(f"{client.name}: core still unavailable") from err
            say(f"{client.name}: turn/start answered {err.code} {err.message!r}; retrying")
            await asyncio.sleep(0.5)
    done = await client.wait_for(completed(thread_id, turn["id"]),
                                 f"turn/completed of turn {n + 1}")
    status = done["params"]["turn"]["status"]
    if status != "completed":
        raise SmokeFailure(f"{client.name}: turn {n + 1} ended {status}: {done['params']}")
    text = await client.wait_for(
        lambda m: m["method"] == "item/completed"
        and m["params"].get("turnId") == turn["id"]
        and m["params"]["item"].get("type") == "agentMessage", "agent message")
    got = text["params"]["item"]["text"]
    if got != ANSWERS[n]:
        raise SmokeFailure(f"{client.name}: turn {n + 1} answered {got!r}, not {ANSWERS[n]!r}")
    return str(turn["id"])


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, str]:
    """A small blocking HTTP call (run in a thread): status and text."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=STEP_TIMEOUT) as resp:
        return resp.status, resp.read().decode()


async def check_refusal(url: str) -> None:
    """A handshake without the token is refused with 401."""
    try:
        ws = await connect(url, open_timeout=STEP_TIMEOUT)
    except InvalidStatus as err:
        if err.response.status_code != 401:
            raise SmokeFailure(f"no-token handshake got {err.response.status_code}") from err
        say("gateway A refuses a handshake without its token (401)")
        return
    await ws.close()
    raise SmokeFailure("gateway A accepted a handshake without a token")


async def run_command(command: str) -> None:
    """Run a bash command that restarts or replaces the core and returns once
    it is healthy (bash, not sh: smoke.sh exports the functions it names)."""
    proc = await asyncio.create_subprocess_exec("bash", "-c", command)
    try:
        status = await asyncio.wait_for(proc.wait(), 3 * STEP_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise SmokeFailure(f"{command} did not finish in time") from None
    if status != 0:
        raise SmokeFailure(f"{command} exited {status}")


async def check_model_requests(mock: str) -> None:
    """One model request per turn; the last carries every question (the
    thread came back from the volume each time)."""
    _, text = await asyncio.to_thread(http, "GET", f"{mock}/_requests")
    posts = [r for r in json.loads(text)
             if r["method"] == "POST" and r["path"].endswith("/responses")]
    if len(posts) != len(QUESTIONS):
        raise SmokeFailure(f"the model got {len(posts)} requests, not {len(QUESTIONS)}")
    last = json.dumps(posts[-1]["body"])
    missing = [q for q in QUESTIONS if q not in last]
    if missing:
        raise SmokeFailure(f"the last model request lacks the history: {missing}")
    say(f"the last model request carried all {len(QUESTIONS)} questions (history from the volume)")


async def reconnects(url: str, token: str) -> float:
    """The core stream reconnects a gateway's /metrics counts."""
    _, page = await asyncio.to_thread(http, "GET", url, None, token)
    for line in page.splitlines():
        if line.startswith("app_server_gateway_core_stream_reconnects_total "):
            return float(line.rsplit(" ", 1)[1])
    raise SmokeFailure(f"{url} has no app_server_gateway_core_stream_reconnects_total")


async def wait_reconnected(watcher: Client, metrics: str, token: str, thread_id: str,
                           count: int) -> None:
    """The watching gateway back on the new core, its connection restored.

    Each gateway reconnects on its own backoff, and events a gateway misses
    while away are not replayed: the next turn must wait for the gateway
    that only watches it. Its metrics say when its stream is back (`count`
    reconnects so far); a request then waits for the restore of the
    connection's subscriptions."""
    deadline = time.monotonic() + STEP_TIMEOUT
    while (seen := await reconnects(metrics, token)) < count:
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{watcher.name} did not reconnect to the new core")
        await asyncio.sleep(0.2)
    await watcher.request("thread/read", {"threadId": thread_id})
    say(f"{watcher.name} reconnected to the new core (metrics: {seen:g} reconnects), "
        "its connection restored")


async def turn_after(event: str, command: str, turner: Client, watcher: Client,
                     watcher_metrics: tuple[str, str], thread_id: str, n: int) -> None:
    """Run `command` (which ends once the core is healthy), then turn `n` on
    `turner`'s connection, seen completing by `watcher` too."""
    say(f"{event} the core container")
    await run_command(command)
    say("core healthy again")
    await wait_reconnected(watcher, *watcher_metrics, thread_id, n - 1)
    turn = await run_turn(turner, thread_id, n, retry_unavailable=True)
    say(f"{turner.name}: turn {n + 1} {turn} completed: {ANSWERS[n]!r}")
    await watcher.wait_for(completed(thread_id, turn), f"turn/completed of turn {n + 1}")
    say(f"{watcher.name}'s client saw turn {n + 1} complete too (subscription restored)")


async def scenario(args: argparse.Namespace, token_a: str, token_b: str) -> None:
    """The whole smoke conversation (see the module docstring)."""
    script = {"responses": [{"kind": "text", "text": a} for a in ANSWERS]}
    await asyncio.to_thread(http, "POST", f"{args.mock}/_script", script)
    await check_refusal(args.gateway_a)
    a = await open_client("gateway A", args.gateway_a, token_a)
    thread_id = str((await a.request("thread/start", {}))["thread"]["id"])
    say(f"gateway A: thread/start -> {thread_id}")
    turn = await run_turn(a, thread_id, 0, retry_unavailable=False)
    say(f"gateway A: turn 1 {turn} completed: {ANSWERS[0]!r}")
    b = await open_client("gateway B", args.gateway_b, token_b)
    resumed = await b.request("thread/resume", {"threadId": thread_id})
    say(f"gateway B: thread/resume -> {resumed['thread']['id']} "
        f"({len(resumed['thread'].get('turns') or [])} turn(s) so far)")
    turn = await run_turn(b, thread_id, 1, retry_unavailable=False)
    say(f"gateway B: turn 2 {turn} completed: {ANSWERS[1]!r}")
    await a.wait_for(completed(thread_id, turn), "turn/completed of turn 2")
    say("gateway A's client saw turn 2 complete too")
    metrics_a = (args.gateway_a.replace("ws://", "http://") + "/metrics", token_a)
    metrics_b = (args.gateway_b.replace("ws://", "http://") + "/metrics", token_b)
    await turn_after("restarting", args.restart_cmd, b, a, metrics_a, thread_id, 2)
    await turn_after("replacing", args.replace_cmd, a, b, metrics_b, thread_id, 3)
    await check_model_requests(args.mock)
    await a.close()
    await b.close()


def main() -> int:
    """Parse the arguments, run the scenario; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway-a", required=True, help="ws://127.0.0.1:PORT")
    parser.add_argument("--gateway-b", required=True, help="ws://127.0.0.1:PORT")
    parser.add_argument("--token-a", required=True, help="file of gateway A's token")
    parser.add_argument("--token-b", required=True, help="file of gateway B's token")
    parser.add_argument("--mock", required=True, help="the mock model's http://127.0.0.1:PORT")
    parser.add_argument("--restart-cmd", required=True,
                        help="bash command: restart the core, return once it is healthy")
    parser.add_argument("--replace-cmd", required=True,
                        help="bash command: a new core container on the same volume, "
                             "return once it is healthy")
    args = parser.parse_args()
    token_a = Path(args.token_a).read_text().strip()
    token_b = Path(args.token_b).read_text().strip()
    try:
        asyncio.run(asyncio.wait_for(scenario(args, token_a, token_b), 10 * STEP_TIMEOUT))
    except (SmokeFailure, RpcError, OSError, TimeoutError) as err:
        say(f"FAILED: {err}")
        return 1
    say("client checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
