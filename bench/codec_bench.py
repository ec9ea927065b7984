"""Micro-benchmark of the JSON <-> protobuf codec on the gateway's hot paths.

Prints, for each case, the median over 5 runs of the time per message (µs)
and the matching rate (messages/s):

* (a) encoding an `item/agentMessage/delta` notification to the JSON bytes
  the gateway writes (`{"method": ..., "params": ...}` envelope included);
* (b) decoding a `turn/start` request line: JSON parse of the bytes, then
  the params decoded to `TurnStartParams` (with overrides: cwd, approval
  and sandbox policies, model, effort, summary);
* (c) a `thread/read` response holding 50 items (user / agent messages,
  reasoning, command executions), encoded to JSON bytes and decoded back.

Run with `.venv/bin/python bench/codec_bench.py`; it needs no network and
takes a few seconds. The goals of (a) and (b) are checked and reported.
Figures are given with the JSON backend the codec uses (orjson when
installed) and, for comparison, with the stdlib `json` module.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Runnable as a plain script from the repo root or elsewhere.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_server_protocol import codec  # noqa: E402
from app_server_protocol.v2 import notification_pb2, thread_pb2, turn_pb2  # noqa: E402

RUNS = 5
DELTA_METHOD = "item/agentMessage/delta"
ENCODE_DELTA_GOAL_US = 10.0
DECODE_TURN_START_GOAL_US = 25.0

TURN_START_LINE = json.dumps(
    {
        "id": 3,
        "method": "turn/start",
        "params": {
            "threadId": "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01",
            "input": [{"type": "text", "text": "Say hello", "text_elements": []}],
            "cwd": "/home/user/project",
            "approvalPolicy": "on-request",
            "sandboxPolicy": {
                "type": "workspaceWrite",
                "writableRoots": ["/home/user/project"],
                "networkAccess": False,
            },
            "model": "gpt-5.1-codex",
            "effort": "medium",
            "summary": "auto",
        },
    }
).encode()


def _delta_notification() -> notification_pb2.AgentMessageDeltaNotification:
    return notification_pb2.AgentMessageDeltaNotification(
        thread_id="019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01",
        turn_id="019a3c1e-8000-7d30-9f5e-2c8b1f4a6d02",
        item_id="msg_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        delta="Hello, here is the next chunk of the reply.",
    )


def _thread_read_json(n_items: int = 50) -> dict[str, Any]:
    """A `thread/read` result whose turns hold `n_items` items in total."""
    turns: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for i in range(n_items):
        kind = i % 4
        if kind == 0:
            if items:
                turns.append(
                    {
                        "id": f"turn-{len(turns)}",
                        "items": items,
                        "status": "completed",
                        "error": None,
                    }
                )
                items = []
            items.append(
                {
                    "type": "userMessage",
                    "id": f"item-{i}",
                    "content": [
                        {"type": "text", "text": f"Please do step {i}", "text_elements": []}
                    ],
                }
            )
        elif kind == 1:
            items.append(
                {
                    "type": "reasoning",
                    "id": f"item-{i}",
                    "summary": ["Thinking about it"],
                    "content": [],
                }
            )
        elif kind == 2:
            items.append(
                {
                    "type": "commandExecution",
                    "id": f"item-{i}",
                    "command": "/bin/bash -lc 'ls -la'",
                    "cwd": "/home/user/project",
                    "processId": "4242",
                    "status": "completed",
                    "commandActions": [{"type": "listFiles", "command": "ls -la", "path": None}],
                    "aggregatedOutput": "total 8\ndrwxr-xr-x 2 user user 4096 .\n",
                    "exitCode": 0,
                    "durationMs": 12,
                }
            )
        else:
            items.append(
                {"type": "agentMessage", "id": f"item-{i}", "text": "Done. " * 20 + f"({i})"}
            )
    turns.append({"id": f"turn-{len(turns)}", "items": items, "status": "completed", "error": None})
    return {
        "thread": {
            "id": "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01",
            "preview": "Please do step 0",
            "modelProvider": "openai",
            "createdAt": 1760000000,
            "updatedAt": 1760000100,
            "path": "/home/user/.codex/sessions/rollout.jsonl",
            "cwd": "/home/user/project",
            "cliVersion": "0.104.0",
            "source": "vscode",
            "gitInfo": {"sha": "abc123", "branch": "main", "originUrl": None},
            "turns": turns,
        }
    }


def _time_per_call(fn: Callable[[], Any], iterations: int) -> float:
    """Median over RUNS runs of the seconds one call of `fn` takes."""
    fn()  # warm caches (converters are built at first use)
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for _ in range(iterations):
            fn()
        samples.append((time.perf_counter() - t0) / iterations)
    return statistics.median(samples)


def _report(label: str, seconds: float, goal_us: float | None = None) -> bool:
    us = seconds * 1e6
    verdict = ""
    ok = True
    if goal_us is not None:
        ok = us <= goal_us
        verdict = f"  goal <= {goal_us:.0f} µs: {'met' if ok else 'MISSED'}"
    print(f"{label:<58} {us:9.2f} µs/msg {1 / seconds:12,.0f} msg/s{verdict}")
    return ok


def _run(backend: str, loads: Callable[[bytes], Any], dumps: Callable[[Any], bytes]) -> bool:
    """Time every case with the given JSON parse/serialise pair; True if goals are met."""
    to_json = codec.to_json
    delta = _delta_notification()
    encode_delta = codec.encoder_for(delta.DESCRIPTOR)

    def enc_delta() -> bytes:
        return dumps({"method": DELTA_METHOD, "params": encode_delta(delta)})

    decode_turn_start = codec.decoder_for(turn_pb2.TurnStartParams.DESCRIPTOR)

    def dec_turn_start() -> Any:
        req = loads(TURN_START_LINE)
        return decode_turn_start(req["params"], "params", False)

    read_json = _thread_read_json()
    read_msg = codec.from_json(thread_pb2.ThreadReadResponse, read_json)
    read_line = dumps({"id": 9, "result": to_json(read_msg)})
    decode_read = codec.decoder_for(thread_pb2.ThreadReadResponse.DESCRIPTOR)

    def enc_read() -> bytes:
        return dumps({"id": 9, "result": to_json(read_msg)})

    def dec_read() -> Any:
        return decode_read(loads(read_line)["result"], "result", True)

    # Sanity: the benchmarked paths produce what they should.
    assert json.loads(enc_delta())["params"]["delta"] == delta.delta
    assert dec_turn_start().input[0].text.text == "Say hello"
    assert dec_read() == read_msg
    assert json.loads(enc_read())["result"] == read_json

    print(f"-- JSON backend: {backend}")
    ok = _report(
        "(a) encode item/agentMessage/delta -> JSON bytes",
        _time_per_call(enc_delta, 20_000),
        ENCODE_DELTA_GOAL_US,
    )
    ok &= _report(
        "(b) decode turn/start line -> TurnStartParams",
        _time_per_call(dec_turn_start, 10_000),
        DECODE_TURN_START_GOAL_US,
    )
    parse_only = _time_per_call(lambda: loads(TURN_START_LINE), 20_000)
    print(f"    of which parsing the line: {parse_only * 1e6:.2f} µs")
    _report(
        f"(c) encode thread/read result, 50 items ({len(read_line)} B)",
        _time_per_call(enc_read, 300),
    )
    _report("(c) decode thread/read result, 50 items", _time_per_call(dec_read, 300))
    return ok


def _stdlib_dumps(obj: Any) -> bytes:
    """What `codec.dumps` does without orjson."""
    return codec._dumps_std(obj)


def main() -> int:
    """Run all cases, print the figures; exit status 1 if a goal is missed."""
    print(f"codec benchmark (median of {RUNS} runs, python {sys.version.split()[0]})")
    default = "orjson" if codec._orjson is not None else "stdlib json"
    ok = _run(f"{default} (codec.loads / codec.dumps)", codec.loads, codec.dumps)
    if codec._orjson is not None:
        _run("stdlib json (without orjson)", json.loads, _stdlib_dumps)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
