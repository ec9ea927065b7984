"""End to end: persistence across a restart, API-key auth, models, config, reasoning."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import stat
from pathlib import Path

from tests.e2e.conftest import Launcher
from tests.e2e.test_threads import run_turn
from tests.e2e.test_turns import _texts
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer
from tests.support.processes import cores_of


async def test_thread_survives_a_restart(
    launch: Launcher, transport: str, mock: MockModelServer, home: Path
) -> None:
    """Stop the server between turns; a new one resumes the thread from disk with its history."""
    mock.enqueue({"kind": "text", "text": "remembered answer"})
    first = await launch(transport)
    await first.initialize()
    tid = (await first.call("thread/start", {}))["thread"]["id"]
    await run_turn(first, tid, "remember this")
    await first.close()
    assert await first.process.stop() == 0  # type: ignore[attr-defined]
    rollouts = list((home / "sessions").rglob(f"*-{tid}.jsonl"))
    assert len(rollouts) == 1
    records = [json.loads(line) for line in rollouts[0].read_text().splitlines()]
    assert records[0]["type"] == "session_meta"

    second = await launch(transport, config=False)
    await second.initialize()
    assert (await second.call("thread/loaded/list", {}))["data"] == []
    listed = await second.call("thread/list", {})
    assert [t["id"] for t in listed["data"]] == [tid]
    read = await second.call("thread/read", {"threadId": tid, "includeTurns": True})
    assert read["thread"]["turns"][0]["items"][1]["text"] == "remembered answer"
    resumed = await second.call("thread/resume", {"threadId": tid})
    assert len(resumed["thread"]["turns"]) == 1
    turn = await run_turn(second, tid, "what did I say?")
    assert turn["status"] == "completed"
    texts = _texts(mock.responses_requests[-1].body)
    assert "remember this" in texts and "remembered answer" in texts


async def test_ephemeral_threads_are_never_written(
    launch: Launcher, transport: str, home: Path
) -> None:
    """thread/start with ephemeral: true runs turns but writes no rollout."""
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {"ephemeral": True}))["thread"]["id"]
    assert (await run_turn(client, tid, "hi"))["status"] == "completed"
    assert not list(home.rglob(f"*{tid}*"))


async def test_api_key_login_read_logout(
    launch: Launcher, transport: str, mock: MockModelServer, home: Path
) -> None:
    """API-key login persists auth.json (0600), is sent upstream, and logout removes it."""
    client = await launch(transport, requires_openai_auth=True)
    await client.initialize()
    account = await client.call("account/read", {})
    assert account == {"account": None, "requiresOpenaiAuth": True}
    result = await client.call("account/login/start", {"type": "apiKey", "apiKey": "sk-test-1"})
    assert result == {"type": "apiKey"}
    done = await client.wait_notification("account/login/completed")
    assert done["params"] == {"loginId": None, "success": True, "error": None}
    updated = await client.wait_notification("account/updated")
    assert updated["params"] == {"authMode": "apikey"}
    auth = home / "auth.json"
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    assert json.loads(auth.read_text())["OPENAI_API_KEY"] == "sk-test-1"
    assert (await client.call("account/read", {}))["account"] == {"type": "apiKey"}

    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "hi")
    assert mock.responses_requests[-1].headers["authorization"] == "Bearer sk-test-1"
    limits = await client.request("account/rateLimits/read", None, omit_params=True)
    assert limits["error"]["message"] == "chatgpt authentication required to read rate limits"

    before = len(client.notifications)
    assert await client.call("account/logout", None, omit_params=True) == {}
    note = await client.wait_notification("account/updated", after=before)
    assert note["params"] == {"authMode": None}
    assert not auth.exists()
    assert (await client.call("account/read", {}))["account"] is None
    await run_turn(client, tid, "again")
    assert "authorization" not in mock.responses_requests[-1].headers
    bad = await client.request("account/login/start", {"type": "nonsense"})
    assert bad["error"]["code"] == -32600 and "nonsense" in bad["error"]["message"]


async def test_models_config_and_command_exec(launch: Launcher, transport: str) -> None:
    """model/list marks the reference's default model; config/read reports the configured
    one; command/exec runs."""
    client = await launch(transport)
    await client.initialize()
    models = await client.call("model/list", {})
    default = [m for m in models["data"] if m["isDefault"]]
    assert [m["id"] for m in default] == ["gpt-5.2-codex"]
    page = await client.call("model/list", {"limit": 1})
    assert len(page["data"]) == 1 and page["nextCursor"]
    config = await client.call("config/read", {})
    assert config["config"]["model"] == "gpt-5.1-codex"
    assert config["config"]["model_provider"] == "mock"
    written = await client.call("config/value/write", {
        "keyPath": "model_reasoning_effort", "value": "high", "mergeStrategy": "replace"})
    assert written["status"] in ("ok", "okOverridden") and written["version"]
    out = await client.call("command/exec", {"command": ["sh", "-c", "echo out; echo err >&2"]})
    assert out == {"exitCode": 0, "stdout": "out\n", "stderr": "err\n"}
    empty = await client.request("command/exec", {"command": []})
    assert empty["error"]["code"] == -32600


async def test_reasoning_items_stream_and_read_back(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """Reasoning streams summary parts and deltas; it reads back with its summary."""
    mock.enqueue({"kind": "reasoning", "summaries": ["thinking hard"], "content": ["raw"],
                  "text": "the answer"})
    client: ProtocolClient = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "think")
    methods = client.methods()
    assert "item/reasoning/summaryPartAdded" in methods
    assert "item/reasoning/summaryTextDelta" in methods
    assert "item/reasoning/textDelta" in methods
    done = [n["params"]["item"] for n in client.notifications
            if n["method"] == "item/completed" and n["params"]["item"]["type"] == "reasoning"]
    assert done[0]["summary"] == ["thinking hard"] and done[0]["content"] == ["raw"]
    await run_turn(client, tid, "next")
    replayed = [i for i in mock.responses_requests[-1].body["input"]
                if i.get("type") == "reasoning"]
    assert replayed and "id" not in replayed[0]
    read = await client.call("thread/read", {"threadId": tid, "includeTurns": True})
    reasoning = [i for i in read["thread"]["turns"][0]["items"] if i["type"] == "reasoning"]
    assert reasoning[0]["summary"] == ["thinking hard"]


async def test_stdin_eof_exits_cleanly_without_orphans(launch: Launcher) -> None:
    """Closing stdin ends the single command with status 0 and stops its core child."""
    client = await launch("stdio")
    await client.initialize()
    proc = client.process  # type: ignore[attr-defined]
    await client.call("thread/loaded/list", {})  # answered by the core: it runs
    assert cores_of(proc.proc.pid), "the single command runs its core as a child process"
    await client.close()
    assert await proc.stop(sig=0, timeout=20) == 0
    assert cores_of(proc.proc.pid) == [], "a core outlived the single command"


async def test_terms_during_shutdown_do_not_kill_it(launch: Launcher) -> None:
    """A SIGTERM that lands while the single command is already stopping (stdin
    EOF, then the launcher's TERM) leaves the shutdown ordered: status 0, no orphan."""
    client = await launch("stdio")
    await client.initialize()
    proc = client.process  # type: ignore[attr-defined]
    await client.close()
    deadline = asyncio.get_running_loop().time() + 20
    while proc.proc.returncode is None and asyncio.get_running_loop().time() < deadline:
        # os.kill: Popen.send_signal would poll, and could reap the exited
        # process before asyncio's child watcher does (status lost: 255).
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.proc.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.proc.wait(), 0.002)
    status = await proc.stop(sig=0, timeout=20)
    assert status == 0, "\n".join(proc.stderr_lines)
    assert cores_of(proc.proc.pid) == [], "a core outlived the single command"


async def test_image_inputs_reach_the_model(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """image and localImage inputs become input_image parts of the user message."""
    png = tmp_path / "dot.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await client.call("turn/start", {"threadId": tid, "input": [
        {"type": "text", "text": "look"},
        {"type": "image", "url": "https://example.invalid/cat.png"},
        {"type": "localImage", "path": str(png)},
    ]})
    await client.wait_notification("turn/completed")
    user = [m for m in mock.responses_requests[-1].body["input"]
            if m.get("role") == "user"][-1]
    kinds = [c["type"] for c in user["content"]]
    assert kinds == ["input_text", "input_image", "input_image"]
    assert user["content"][1]["image_url"] == "https://example.invalid/cat.png"
    assert user["content"][2]["image_url"].startswith("data:image/png;base64,")


async def test_env_key_and_cli_overrides(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A provider's env_key supplies the bearer; -c overrides apply on the command line."""
    client = await launch(
        "stdio",
        args=["-c", 'model="gpt-5.2-codex"', "-c", "model_providers.mock.env_key=MOCK_KEY",
              "--enable", "some_feature"],
        env={"MOCK_KEY": "sk-from-env"},
    )
    await client.initialize()
    started = await client.call("thread/start", {})
    assert started["model"] == "gpt-5.2-codex"
    await run_turn(client, started["thread"]["id"], "hi")
    request = mock.responses_requests[-1]
    assert request.headers["authorization"] == "Bearer sk-from-env"
    assert request.body["model"] == "gpt-5.2-codex"
