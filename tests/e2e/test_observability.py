"""End to end: JSON logs and Prometheus metrics of real processes.

With `LOG_FORMAT=json` every line the single command (gateway and core
child) writes on stderr is one JSON object; a turn's lines carry the
connection, the client's request id, the method, the thread and the turn,
and neither the websocket token nor an API key appears anywhere, even at
debug level. A core with `--metrics-listen` and a gateway with a token
serve their metrics over HTTP (the gateway's behind its token), and every
metric moves when its event happens: a connection, requests by outcome, a
refused message, notifications, a completed and a failed turn, model
requests and their errors, loaded threads, -32001 overloads and a core
stream reconnect.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.multi import ClientPool, Cluster, SingleServer, start_turn, wait_turn_completed
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

API_KEY = "sk-observability-secret-0123456789"
WS_TOKEN = "ws-token-observability-5e1f0c7a9b"
SECRETS = (API_KEY, WS_TOKEN)
# What processes print on stderr outside logging (readiness lines).
PRINTED = ("listening on: ", "metrics on: ")
# Beyond the gateway's per-connection in-flight bound plus backlog (64 + 1,024).
BURST = 2500

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def json_log_lines(stderr: list[str]) -> list[dict[str, Any]]:
    """Every stderr line but the readiness prints, each parsed as one JSON object."""
    entries = []
    for line in stderr:
        if line.startswith(PRINTED) or not line.strip():
            continue
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert {"ts", "level", "logger", "msg"} <= set(entry), line
        entries.append(entry)
    return entries


async def test_json_logs_carry_the_ids_of_a_turn_and_no_secret(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """At debug level with LOG_FORMAT=json: only JSON lines; the gateway's line of
    turn/start names the connection, the request id and the thread; the core's
    lines of the turn name the thread and the turn; no token or key anywhere."""
    token_file = tmp_path / "ws.token"
    token_file.write_text(WS_TOKEN + "\n")
    server = await SingleServer.start(
        mock, home, tmp_path / "work", args=["--ws-token-file", str(token_file)],
        env={"LOG_FORMAT": "json", "APP_SERVER_LOG": "DEBUG", "OPENAI_API_KEY": API_KEY})
    try:
        async with ClientPool() as pool:
            client = await pool.connect(server.url, headers={
                "Authorization": f"Bearer {WS_TOKEN}"})
            await client.call("account/login/start", {"type": "apiKey", "apiKey": API_KEY})
            tid = (await client.call("thread/start", {}))["thread"]["id"]
            rid = await client.request_nowait("turn/start", {
                "threadId": tid, "input": [{"type": "text", "text": "hello"}]})
            turn = (await client.wait_response(rid))["result"]["turn"]["id"]
            assert (await wait_turn_completed(client, turn))["status"] == "completed"
    finally:
        await server.stop()
    stderr = server.process.stderr_lines
    for secret in SECRETS:
        assert not any(secret in line for line in stderr), secret
    entries = json_log_lines(stderr)
    gateway = [e for e in entries if e["logger"].startswith("gateway.")
               and e.get("method") == "turn/start" and e.get("request_id") == rid]
    assert gateway, "no gateway line for turn/start"
    assert gateway[0]["connection_id"] and gateway[0]["thread_id"] == tid
    core = [e for e in entries if e["logger"].startswith("core_service.")
            and e.get("turn_id") == turn]
    assert core, "no core line for the turn"
    assert all(e["thread_id"] == tid and e.get("connection_id") for e in core)
    assert any(e["msg"] == "turn ended: completed" for e in core)
    # The handshake's credentials were logged by the websocket library at
    # debug level, and reached the output redacted.
    assert any("Bearer [REDACTED]" in e["msg"] for e in entries)


async def scrape(url: str, token: str | None = None) -> Samples:
    """The samples of a metrics page, keyed by (name, labels)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the series does not exist yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much one series grew between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)


async def run_turn(client: ProtocolClient, tid: str) -> str:
    """A turn on `tid` to its end; its status."""
    turn = await start_turn(client, tid, "hi")
    return str((await wait_turn_completed(client, turn))["status"])


async def test_every_metric_moves_with_its_event(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """Scraped over HTTP from a core (--metrics-listen) and a gateway (GET /metrics
    with its token; 401 without), each metric moves when its event happens."""
    token_file = tmp_path / "ws.token"
    token_file.write_text(WS_TOKEN)
    async with Cluster(mock, home, tmp_path / "work",
                       core_args=["--metrics-listen", "127.0.0.1:0"]) as cluster:
        core = await cluster.start_core()
        [core_url] = [line.split("metrics on: ", 1)[1].strip()
                      for line in core.stderr_lines if line.startswith("metrics on: ")]
        ws_url = await cluster.add_gateway("--ws-token-file", str(token_file))
        gw_url = ws_url.replace("ws://", "http://") + "/metrics"
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(gw_url)).status_code == 401
        gw0, core0 = await scrape(gw_url, WS_TOKEN), await scrape(core_url)
        async with ClientPool() as pool:
            client = await pool.connect(ws_url, headers={"Authorization": f"Bearer {WS_TOKEN}"})
            tid = (await client.call("thread/start", {}))["thread"]["id"]
            assert (await client.request("no/such/method", {}))["error"]["code"] == -32600
            assert await run_turn(client, tid) == "completed"
            mock.enqueue({"kind": "http_error", "status": 500})
            assert await run_turn(client, tid) == "failed"
            gw1, core1 = await scrape(gw_url, WS_TOKEN), await scrape(core_url)
            assert value(gw1, "app_server_gateway_connections_open", transport="websocket") == 1
            assert moved(gw0, gw1, "app_server_gateway_requests_total",
                         method="thread/start", outcome="ok") == 1
            assert moved(gw0, gw1, "app_server_gateway_request_duration_seconds_count",
                         method="turn/start") == 2
            assert moved(gw0, gw1, "app_server_gateway_requests_refused_total") == 1
            assert moved(gw0, gw1, "app_server_gateway_notifications_sent_total",
                         method="turn/completed") == 2
            assert moved(core0, core1, "app_server_core_turns_total", status="completed") == 1
            assert moved(core0, core1, "app_server_core_turns_total", status="failed") == 1
            assert moved(core0, core1, "app_server_core_model_request_duration_seconds_count",
                         outcome="ok") == 1
            assert moved(core0, core1, "app_server_core_model_request_errors_total",
                         kind="internalServerError") == 1
            assert value(core1, "app_server_core_threads_loaded") == 1

            ids = [await client.request_nowait("thread/start", {}) for _ in range(BURST)]
            answers = [await client.wait_response(rid, timeout=60) for rid in ids]
            refused = sum(1 for a in answers if a.get("error", {}).get("code") == -32001)
            assert refused > 0
            gw2 = await scrape(gw_url, WS_TOKEN)
            assert moved(gw1, gw2, "app_server_gateway_overloads_total") == refused
            assert moved(gw1, gw2, "app_server_gateway_requests_total",
                         method="thread/start", outcome="overloaded") == refused

            await cluster.stop_core()
            await cluster.start_core()
            # Answered only once the gateway's Connect stream is back up.
            await client.call("thread/loaded/list", {})
            gw3 = await scrape(gw_url, WS_TOKEN)
            # At least one: the gateway counts every stream it re-establishes.
            assert moved(gw2, gw3, "app_server_gateway_core_stream_reconnects_total") >= 1
