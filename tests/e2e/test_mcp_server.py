"""`app-server mcp-server` driven by an MCP client built on the official SDK.

The client (`mcp.client.stdio` + `ClientSession`) spawns the real command
against the mock model, as an MCP host would: tools listed as the reference
lists them, a session started and continued, its `codex/event` stream, the
approval round trip through `elicitation/create`, the reference's texts for
bad calls, the thread seen through a gateway on the same core, and no
process left once the client closes stdin.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import mcp_types
import pytest
from mcp.client.extension import NotificationBinding
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from tests.e2e.multi import ClientPool, Cluster
from tests.support.client import server_env, write_config
from tests.support.mock_model import MockModelServer

REFERENCE_BIN = Path("/work/ref-codex/node_modules/@openai/codex-linux-x64/vendor/"
                     "x86_64-unknown-linux-musl/codex/codex")
TIMEOUT = 30.0
EXEC_DECLINED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'


class EventParams(BaseModel):
    """A `codex/event` notification's params, every member kept."""

    model_config = ConfigDict(extra="allow")


class DecisionResult(mcp_types.ElicitResult):
    """An elicitation answer carrying the reference's `decision` beside the MCP `action`."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True)


class McpHost:
    """An SDK client session on a spawned server, recording events and elicitations."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.events: list[dict[str, Any]] = []
        self.elicitations: list[str] = []
        self.answers: list[mcp_types.ElicitResult] = []
        self._changed = anyio.Event()

    def record(self, event: dict[str, Any]) -> None:
        """Keep one `codex/event`'s params and wake `wait_events`."""
        self.events.append(event)
        self._changed.set()

    def messages(self, kind: str, request_id: Any = None) -> list[dict[str, Any]]:
        """The `msg` of every recorded `codex/event` of type `kind` (of one call)."""
        return [e["msg"] for e in self.events if e["msg"]["type"] == kind
                and (request_id is None or e["_meta"]["requestId"] == request_id)]

    def request_ids(self) -> list[Any]:
        """The calls' request ids, in the order their events came."""
        return list(dict.fromkeys(e["_meta"]["requestId"] for e in self.events))

    async def wait_events(self, kind: str, count: int) -> None:
        """Wait (bounded) until `count` events of type `kind` were recorded: the SDK
        dispatches notifications as tasks, which may run after the call's response."""
        with anyio.fail_after(TIMEOUT):
            while len(self.messages(kind)) < count:
                self._changed = anyio.Event()
                await self._changed.wait()

    async def call(self, name: str, arguments: dict[str, Any] | None) -> mcp_types.CallToolResult:
        """Call a tool within the test's bound."""
        with anyio.fail_after(TIMEOUT):
            return await self.session.call_tool(name, arguments)


@contextlib.asynccontextmanager
async def mcp_host(command: list[str], env: dict[str, str], cwd: Path,
                   errlog: Path) -> AsyncIterator[McpHost]:
    """Spawn `command` as an MCP server over stdio; an initialized `McpHost` on it."""
    params = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=cwd)
    host: McpHost | None = None

    async def on_event(params: EventParams) -> None:
        assert host is not None
        host.record(params.model_dump())

    async def on_elicit(context: Any, params: mcp_types.ElicitRequestParams
                        ) -> mcp_types.ElicitResult:
        assert host is not None
        host.elicitations.append(params.message)
        return host.answers.pop(0)

    binding = NotificationBinding(method="codex/event", params_type=EventParams,
                                  handler=on_event)
    with errlog.open("w") as log:
        async with stdio_client(params, errlog=log) as (read, write):
            async with ClientSession(read, write, elicitation_callback=on_elicit,
                                     notification_bindings=[binding]) as session:
                with anyio.fail_after(TIMEOUT):
                    await session.initialize()
                host = McpHost(session)
                yield host


def ours(*args: str) -> list[str]:
    """The command line of our `app-server mcp-server`."""
    return [sys.executable, "-m", "app_server", "mcp-server", *args]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The working directory of the spawned servers."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def _env(home: Path, mock: MockModelServer, **config: Any) -> dict[str, str]:
    write_config(home, mock.base_url, **config)
    return server_env(home)


def _processes_with_home(home: Path) -> set[int]:
    """Pids of live processes whose environment names this test's CODEX_HOME."""
    marker = f"CODEX_HOME={home}".encode()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.add(int(entry.name))
    return found


LISTED = {
    "codex": {
        "title": "Codex",
        "description": "Run a Codex session. Accepts configuration parameters matching the "
                       "Codex Config struct.",
        "required": ["prompt"],
        "properties": ["approval-policy", "base-instructions", "compact-prompt", "config",
                       "cwd", "developer-instructions", "model", "profile", "prompt",
                       "sandbox"],
    },
    "codex-reply": {
        "title": "Codex Reply",
        "description": "Continue a Codex conversation by providing the thread id and prompt.",
        "required": ["prompt"],
        "properties": ["conversationId", "prompt", "threadId"],
    },
}
OUTPUT_SCHEMA = {"type": "object", "properties": {"threadId": {"type": "string"},
                                                  "content": {"type": "string"}},
                 "required": ["threadId", "content"]}


async def _listing(host: McpHost) -> list[dict[str, Any]]:
    with anyio.fail_after(TIMEOUT):
        result = await host.session.list_tools()
    return [t.model_dump(by_alias=True, exclude_none=True) for t in result.tools]


async def test_tools_listed_as_the_reference_lists_them(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """tools/list gives `codex` and `codex-reply` with the reference's titles,
    descriptions, input schemas (enums included) and output schema; with the
    reference installed, the whole listing equals what its `codex mcp-server` lists."""
    env = _env(home, mock)
    async with mcp_host(ours(), env, work, tmp_path / "ours.log") as host:
        tools = await _listing(host)
    assert [t["name"] for t in tools] == ["codex", "codex-reply"]
    for tool in tools:
        want = LISTED[tool["name"]]
        assert (tool["title"], tool["description"]) == (want["title"], want["description"])
        assert tool["inputSchema"]["required"] == want["required"]
        assert sorted(tool["inputSchema"]["properties"]) == want["properties"]
        assert tool["outputSchema"] == OUTPUT_SCHEMA
    codex = tools[0]["inputSchema"]["properties"]
    assert codex["approval-policy"]["enum"] == ["untrusted", "on-failure", "on-request", "never"]
    assert codex["sandbox"]["enum"] == ["read-only", "workspace-write", "danger-full-access"]
    assert codex["config"] == {
        "description": "Individual config settings that will override what is in "
                       "CODEX_HOME/config.toml.",
        "type": "object", "additionalProperties": True}
    if not REFERENCE_BIN.exists():
        return
    async with mcp_host([str(REFERENCE_BIN), "mcp-server"], env, work,
                        tmp_path / "ref.log") as reference:
        assert await _listing(reference) == tools


async def test_session_started_and_continued_with_its_events(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """`codex` starts a thread (private core) and answers the turn's last agent message as
    text and `structuredContent {threadId, content}`, streaming `codex/event`s tagged with
    the call's request id; `codex-reply` continues the same thread (the model sees the
    history). When the client closes stdin the server and its private core are gone."""
    mock.set_script([{"kind": "text", "text": "Hello from mock."},
                     {"kind": "text", "text": "Second answer."}])
    env = _env(home, mock)
    async with mcp_host(ours(), env, work, tmp_path / "ours.log") as host:
        first = await host.call("codex", {"prompt": "say hi", "model": "gpt-5.1-codex"})
        assert not first.is_error
        assert [c.model_dump(exclude_none=True) for c in first.content] == [
            {"type": "text", "text": "Hello from mock."}]
        thread_id = first.structured_content["threadId"]
        assert first.structured_content == {"threadId": thread_id, "content": "Hello from mock."}
        await host.wait_events("task_complete", 1)
        kinds = [e["msg"]["type"] for e in host.events]
        assert kinds[0] == "session_configured" and kinds[-1] == "task_complete"
        assert {"task_started", "user_message", "agent_message_delta",
                "agent_message_content_delta", "agent_message", "token_count"} <= set(kinds)
        configured = host.messages("session_configured")[0]
        assert (configured["session_id"], configured["model"], configured["cwd"]) == (
            thread_id, "gpt-5.1-codex", str(work))
        assert len(host.request_ids()) == 1
        assert {e["_meta"]["threadId"] for e in host.events} == {thread_id}
        running = _processes_with_home(home)
        assert len(running) == 2  # the front end and its private core

        second = await host.call("codex-reply", {"threadId": thread_id, "prompt": "again"})
        assert second.structured_content == {"threadId": thread_id, "content": "Second answer."}
        await host.wait_events("task_complete", 2)
        first_id, second_id = host.request_ids()
        assert host.messages("task_complete", second_id)[0]["last_agent_message"] == (
            "Second answer.")
        assert {e["_meta"]["threadId"] for e in host.events} == {thread_id}
        history = mock.responses_requests[1].body["input"]
        assert any(item.get("role") == "assistant" for item in history)
    # stdio_client closed stdin and waited for the server: nothing of it remains.
    assert not (running & _processes_with_home(home))


async def test_approval_asked_as_elicitation_and_answered_by_decision(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """With `approval-policy: untrusted` an exec_command is announced by an
    `exec_approval_request` event and asked through `elicitation/create` with the
    reference's message; `decision: approved` runs it (exec_command_begin/end), and an
    MCP answer without a decision (`action: accept` alone) is a denial, as the
    reference reads it."""
    mock.set_script([
        {"kind": "function_call", "name": "exec_command", "call_id": "call_1",
         "arguments": {"cmd": "echo hi > out.txt"}},
        {"kind": "text", "text": "Done."},
        {"kind": "function_call", "name": "exec_command", "call_id": "call_2",
         "arguments": {"cmd": "echo no > no.txt"}},
        {"kind": "text", "text": "Refused."},
    ])
    env = _env(home, mock)
    async with mcp_host(ours(), env, work, tmp_path / "ours.log") as host:
        host.answers = [DecisionResult.model_validate({"action": "accept",
                                                       "decision": "approved"}),
                        mcp_types.ElicitResult(action="accept")]
        done = await host.call("codex", {"prompt": "write", "approval-policy": "untrusted",
                                         "sandbox": "workspace-write"})
        assert done.structured_content["content"] == "Done."
        await host.wait_events("task_complete", 1)
        asked = host.messages("exec_approval_request")[0]
        assert (asked["call_id"], asked["command"], asked["cwd"]) == (
            "call_1", ["/bin/bash", "-lc", "echo hi > out.txt"], str(work))
        assert host.elicitations[0] == (
            f"Allow Codex to run `/bin/bash -lc 'echo hi > out.txt'` in `{work}`?")
        ended = host.messages("exec_command_end")[0]
        assert (ended["call_id"], ended["exit_code"], ended["status"]) == (
            "call_1", 0, "completed")
        assert (work / "out.txt").read_text() == "hi\n"

        thread_id = done.structured_content["threadId"]
        refused = await host.call("codex-reply", {"threadId": thread_id, "prompt": "more"})
        assert refused.structured_content["content"] == "Refused."
        assert len(host.elicitations) == 2
        assert not (work / "no.txt").exists()
        await host.wait_events("task_complete", 2)
        assert len(host.messages("exec_approval_request")) == 2
        assert [m["call_id"] for m in host.messages("exec_command_begin")] == ["call_1"]
        outputs = [item for item in mock.responses_requests[3].body["input"]
                   if item.get("type") == "function_call_output"]
        assert outputs[-1] == {"type": "function_call_output", "call_id": "call_2",
                               "output": EXEC_DECLINED}


async def test_cancelled_call_interrupts_its_turn(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """A call the client cancels (`notifications/cancelled`) interrupts its turn: the
    model request is dropped and a `turn_aborted` event follows, as the reference does;
    the thread then takes the next `codex-reply`."""
    mock.set_script([{"kind": "hang"}, {"kind": "text", "text": "After."}])
    env = _env(home, mock)
    async with mcp_host(ours(), env, work, tmp_path / "ours.log") as host:
        async with anyio.create_task_group() as group:
            group.start_soon(host.call, "codex", {"prompt": "wait"})
            await host.wait_events("task_started", 1)
            await mock.wait_requests(1, timeout=TIMEOUT)
            group.cancel_scope.cancel()
        await host.wait_events("turn_aborted", 1)
        await mock.wait_disconnect(timeout=TIMEOUT)
        thread_id = host.messages("session_configured")[0]["session_id"]
        after = await host.call("codex-reply", {"threadId": thread_id, "prompt": "again"})
        assert after.structured_content == {"threadId": thread_id, "content": "After."}


async def test_bad_calls_answered_with_the_reference_texts(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """An unknown tool, arguments that do not decode and an unknown thread are tool
    results with `isError` and the reference's texts (the unknown thread with its
    `structuredContent`), not JSON-RPC errors; nothing reaches the model."""
    env = _env(home, mock)
    unknown = "01a23442-b13d-7c43-a8bc-fa4c5048ada7"
    cases: list[tuple[str, dict[str, Any] | None, str]] = [
        ("nope", {"prompt": "x"}, "Unknown tool 'nope'"),
        ("codex", {}, "Failed to parse configuration for Codex tool: missing field `prompt`"),
        ("codex", {"prompt": "x", "sandbox": "bogus"},
         "Failed to parse configuration for Codex tool: unknown variant `bogus`, expected one "
         "of `read-only`, `workspace-write`, `danger-full-access`"),
        ("codex", None, "Missing arguments for codex tool-call; the `prompt` field is required."),
        ("codex-reply", {"prompt": "x", "threadId": "not-a-uuid"},
         "Failed to parse thread_id: invalid character: expected an optional prefix of "
         "`urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1"),
        ("codex-reply", {"prompt": "x", "threadId": unknown},
         f"Session not found for thread_id: {unknown}"),
    ]
    async with mcp_host(ours(), env, work, tmp_path / "ours.log") as host:
        for name, arguments, text in cases:
            result = await host.call(name, arguments)
            assert result.is_error, name
            assert [c.model_dump(exclude_none=True) for c in result.content] == [
                {"type": "text", "text": text}]
        assert result.structured_content == {"threadId": unknown, "content": text}
    assert mock.responses_requests == []


async def test_thread_of_the_mcp_front_end_is_a_normal_thread(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """Front ends attached to one core with `--core`: the thread an MCP `codex` call
    started is listed by `thread/list`, readable by `thread/read` and resumable (a turn
    through the gateway continues it)."""
    mock.set_script([{"kind": "text", "text": "From MCP."},
                     {"kind": "text", "text": "From the gateway."}])
    async with Cluster(mock, home, work) as cluster, ClientPool() as pool:
        await cluster.start_core()
        url = await cluster.add_gateway()
        async with mcp_host(ours("--core", cluster.core_addr), cluster.env, work,
                            tmp_path / "ours.log") as host:
            result = await host.call("codex", {"prompt": "hello"})
            thread_id = result.structured_content["threadId"]
            client = await pool.connect(url)
            listed = await client.call("thread/list", {})
            assert thread_id in [t["id"] for t in listed["data"]]
            read = await client.call("thread/read", {"threadId": thread_id,
                                                     "includeTurns": True})
            items = read["thread"]["turns"][0]["items"]
            assert [i["type"] for i in items] == ["userMessage", "agentMessage"]
            assert items[1]["text"] == "From MCP."
            await client.call("thread/resume", {"threadId": thread_id})
            turn = await client.call("turn/start", {"threadId": thread_id, "input": [
                {"type": "text", "text": "and now?", "text_elements": []}]})
            completed = await client.wait_notification(
                "turn/completed", lambda p: p["turn"]["id"] == turn["turn"]["id"])
            assert completed["params"]["turn"]["status"] == "completed"
            history = mock.responses_requests[1].body["input"]
            assert any(item.get("role") == "assistant" for item in history)


async def test_threads_restored_after_a_core_restart(
    mock: MockModelServer, home: Path, work: Path, tmp_path: Path
) -> None:
    """The MCP front end outlives a restart of the core it is attached to: once the
    link is back, its threads are resumed on the new core (from their rollouts) and
    `codex-reply` continues the thread, the model seeing its history."""
    mock.set_script([{"kind": "text", "text": "Before."}, {"kind": "text", "text": "After."}])
    async with Cluster(mock, home, work) as cluster:
        await cluster.start_core()
        async with mcp_host(ours("--core", cluster.core_addr), cluster.env, work,
                            tmp_path / "ours.log") as host:
            first = await host.call("codex", {"prompt": "one"})
            thread_id = first.structured_content["threadId"]
            assert await cluster.stop_core() == 0
            await cluster.start_core()
            second = await host.call("codex-reply", {"threadId": thread_id, "prompt": "two"})
            assert second.structured_content == {"threadId": thread_id, "content": "After."}
            history = mock.responses_requests[1].body["input"]
            assert [i["content"][0]["text"] for i in history if i.get("role") == "assistant"] \
                == ["Before."]
