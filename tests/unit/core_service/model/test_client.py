"""core_service.model.client: the Responses API client against the mock model server
(BEHAVIOR.md §7, §8, §11): events, retries, refreshes, idle timeout, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core_service.config.schema import ProviderConfig
from core_service.model.client import ModelClient, ModelRequest
from core_service.model.errors import ModelError
from core_service.model.events import (
    Completed,
    ModelEvent,
    ModelRerouted,
    OutputItemAdded,
    OutputItemDone,
    RateLimits,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ReasoningTextDelta,
    ResponseCreated,
    StreamRetry,
    TextDelta,
    TokenUsage,
)
from tests.support.mock_model import MockModelServer

REPO = Path(__file__).resolve().parents[4]
DISCONNECTED = {"responseStreamDisconnected": {"httpStatusCode": None}}
CLOSED_REASON = "stream disconnected before completion: stream closed before response.completed"
IDLE_REASON = "stream disconnected before completion: idle timeout waiting for SSE"


@pytest.fixture
async def mock() -> AsyncIterator[MockModelServer]:
    async with MockModelServer() as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[ModelClient]:
    c = ModelClient(retry_base_delay=0.001)
    yield c
    await c.aclose()


def _req(base_url: str, bearer: str | None = "sk-test", **provider: Any) -> ModelRequest:
    return ModelRequest(
        provider=ProviderConfig(id="mock", name="mock", base_url=base_url, **provider),
        body={"model": "gpt-5.1-codex", "input": [], "stream": True},
        headers={"originator": "codex_vscode", "session_id": "thread-1", "x-absent": None},
        bearer=bearer,
    )


async def _collect(client: ModelClient, req: ModelRequest) -> list[ModelEvent]:
    async with asyncio.timeout(10):
        return [ev async for ev in client.stream(req)]


async def _error(client: ModelClient, req: ModelRequest) -> tuple[ModelError, list[ModelEvent]]:
    seen: list[ModelEvent] = []
    with pytest.raises(ModelError) as info:
        async with asyncio.timeout(10):
            async for ev in client.stream(req):
                seen.append(ev)
    return info.value, seen


# -- successful streams ---------------------------------------------------------------------


async def test_text_answer_events_request_and_usage(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A text answer yields rate limits, created, item added, the exact deltas, done, usage."""
    mock.enqueue({"kind": "text", "text": "Hello from the mock model!", "deltas": 3,
                  "item_id": "msg_a1",
                  "headers": {"x-codex-primary-used-percent": "25.5",
                              "x-codex-primary-window-minutes": "300"}})
    events = await _collect(client, _req(mock.base_url))
    assert [type(e) for e in events] == [RateLimits, ResponseCreated, OutputItemAdded,
                                         TextDelta, TextDelta, TextDelta, OutputItemDone,
                                         Completed]
    limits = events[0]
    assert isinstance(limits, RateLimits)
    assert limits.snapshots[0]["primary"] == {"usedPercent": 26, "windowDurationMins": 300,
                                              "resetsAt": None}
    assert [e.delta for e in events if isinstance(e, TextDelta)] == [
        "Hello fro", "m the moc", "k model!"]
    assert {e.item_id for e in events if isinstance(e, TextDelta)} == {"msg_a1"}
    done = events[6]
    assert isinstance(done, OutputItemDone)
    assert done.item["content"][0]["text"] == "Hello from the mock model!"
    assert events[-1] == Completed("resp_1", TokenUsage(100, 20, 7, 0, 107))

    (sent,) = mock.requests
    assert (sent.method, sent.path) == ("POST", "/v1/responses")
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["originator"] == "codex_vscode"
    assert sent.headers["session_id"] == "thread-1"
    assert "x-absent" not in sent.headers
    assert sent.body == {"model": "gpt-5.1-codex", "input": [], "stream": True}


async def test_no_bearer_means_no_authorization_and_query_params_are_sent(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Without credentials no authorization header goes out; provider query params and
    static headers of a config ProviderConfig are applied."""
    provider = ProviderConfig(id="mock", name="mock", base_url=mock.base_url + "/",
                              http_headers={"X-Extra": "1"},
                              query_params={"api-version": "2025"})
    req = ModelRequest(provider=provider, body={"model": "m"}, headers={})
    events = await _collect(client, req)
    assert isinstance(events[-1], Completed)
    (sent,) = mock.requests
    assert "authorization" not in sent.headers
    assert sent.headers["x-extra"] == "1"
    assert sent.query == {"api-version": "2025"}
    assert sent.path == "/v1/responses"


async def test_no_rate_limit_headers_give_the_null_snapshot(
    mock: MockModelServer, client: ModelClient
) -> None:
    """The default answer has no rate-limit headers: one all-null codex snapshot."""
    events = await _collect(client, _req(mock.base_url))
    assert events[0] == RateLimits([{"limitId": "codex", "limitName": None, "primary": None,
                                     "secondary": None, "credits": None, "planType": None}])
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "Default mock answer."


async def test_reasoning_item_events_and_reasoning_tokens(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Reasoning yields summary parts with their deltas, raw text deltas, and reasoning usage."""
    mock.enqueue({"kind": "reasoning", "summaries": ["Plan A", "Plan B"],
                  "content": ["raw thought"], "text": "Done.",
                  "usage": {"reasoning_tokens": 5, "output_tokens": 12}})
    events = await _collect(client, _req(mock.base_url))
    parts = [e for e in events if isinstance(e, ReasoningSummaryPartAdded)]
    assert parts == [ReasoningSummaryPartAdded("rs_1", 0), ReasoningSummaryPartAdded("rs_1", 1)]
    summary = [e for e in events if isinstance(e, ReasoningSummaryDelta)]
    assert "".join(e.delta for e in summary if e.summary_index == 0) == "Plan A"
    assert "".join(e.delta for e in summary if e.summary_index == 1) == "Plan B"
    raw = [e for e in events if isinstance(e, ReasoningTextDelta)]
    assert "".join(e.delta for e in raw) == "raw thought"
    assert {e.content_index for e in raw} == {0}
    done = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert done[0]["type"] == "reasoning" and done[0]["encrypted_content"]
    assert done[1]["type"] == "message"
    completed = events[-1]
    assert isinstance(completed, Completed)
    assert completed.usage == TokenUsage(100, 20, 12, 5, 112)


async def test_sequence_with_tool_calls(mock: MockModelServer, client: ModelClient) -> None:
    """Function and custom tool calls arrive as complete output items, in upstream order."""
    mock.enqueue({"kind": "sequence", "items": [
        {"kind": "text", "text": "Running it."},
        {"kind": "function_call", "name": "shell", "arguments": {"command": ["ls"]},
         "call_id": "call_1"},
        {"kind": "custom_tool_call", "name": "apply_patch", "input": "*** Begin Patch"},
    ]})
    events = await _collect(client, _req(mock.base_url))
    done = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert [d["type"] for d in done] == ["message", "function_call", "custom_tool_call"]
    assert done[1]["call_id"] == "call_1"
    assert json.loads(done[1]["arguments"]) == {"command": ["ls"]}
    assert done[2]["input"] == "*** Begin Patch"


async def test_model_reroute_only_when_the_served_model_differs(
    mock: MockModelServer, client: ModelClient
) -> None:
    """An `openai-model` header naming another model yields ModelRerouted before any item."""
    mock.enqueue({"kind": "text", "headers": {"openai-model": "gpt-5.1-codex-mini"}},
                 {"kind": "text", "headers": {"openai-model": "gpt-5.1-codex"}})
    events = await _collect(client, _req(mock.base_url))
    assert events[1] == ModelRerouted("gpt-5.1-codex", "gpt-5.1-codex-mini")
    again = await _collect(client, _req(mock.base_url))
    assert not any(isinstance(e, ModelRerouted) for e in again)


# -- HTTP errors and request retries -----------------------------------------------------------


async def test_500_then_success_is_retried_silently(
    mock: MockModelServer, client: ModelClient
) -> None:
    """An HTTP 500 followed by success costs one more request and no visible event."""
    mock.enqueue({"kind": "http_error", "status": 500}, {"kind": "text", "text": "ok"})
    events = await _collect(client, _req(mock.base_url, request_max_retries=2))
    assert isinstance(events[-1], Completed)
    assert not any(isinstance(e, StreamRetry) for e in events)
    assert len(mock.requests) == 2


async def test_persistent_500_ends_with_high_demand_error(
    mock: MockModelServer, client: ModelClient
) -> None:
    """After request_max_retries retries a 500 fails as internalServerError."""
    mock.set_script([], default={"kind": "http_error", "status": 500})
    err, _ = await _error(client, _req(mock.base_url, request_max_retries=2))
    assert err.message == (
        "We're currently experiencing high demand, which may cause temporary errors.")
    assert err.info == "internalServerError"
    assert err.additional_details is None
    assert len(mock.requests) == 3


async def test_plain_429_is_final_with_request_id(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A 429 that is not a usage limit is not retried (as the reference, probed with
    request_max_retries = 1) and is reported as the retry limit with its request id."""
    mock.set_script([], default={"kind": "http_error", "status": 429,
                                 "body": {"error": {"type": "rate_limit_exceeded"}}})
    err, _ = await _error(client, _req(mock.base_url, request_max_retries=1))
    assert len(mock.requests) == 1
    assert err.message == (
        "exceeded retry limit, last status: 429 Too Many Requests, request id: req_1")
    assert err.info == {"responseTooManyFailedAttempts": {"httpStatusCode": 429}}


async def test_other_5xx_exhausts_retries_with_its_status(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A persistent 503 is retried like a 500, then reported as an unexpected status with
    the upstream message, URL and last request id (the reference's text, probed)."""
    mock.set_script([], default={"kind": "http_error", "status": 503})
    err, _ = await _error(client, _req(mock.base_url, request_max_retries=1))
    assert len(mock.requests) == 2
    assert err.message == (
        f"unexpected status 503 Service Unavailable: mock 503, url: {mock.base_url}/responses"
        ", request id: req_2")
    assert err.info == "other"


async def test_usage_limit_429_is_not_retried_and_names_the_limit(
    mock: MockModelServer, client: ModelClient
) -> None:
    """usage_limit_reached names the active limit, the local reset time, and its snapshot."""
    resets_at = int(time.mktime((2030, 3, 17, 18, 46, 0, 0, 0, -1)))  # local time
    mock.enqueue({"kind": "http_error", "status": 429,
                  "body": {"error": {"type": "usage_limit_reached", "plan_type": "plus",
                                     "resets_at": resets_at}},
                  "headers": {"x-codex-active-limit": "codex_other",
                              "x-codex-other-primary-used-percent": "100",
                              "x-codex-other-primary-window-minutes": "300",
                              "x-codex-other-limit-name": "GPT-5.1-Codex-Mini",
                              "x-codex-primary-used-percent": "10"}})
    err, _ = await _error(client, _req(mock.base_url, request_max_retries=3))
    assert len(mock.requests) == 1
    assert err.info == "usageLimitExceeded"
    assert err.message == (
        "You've hit your usage limit for GPT-5.1-Codex-Mini. Switch to another model now, "
        "or try again at Mar 17th, 2030 6:46 PM.")
    assert err.rate_limits is not None
    assert err.rate_limits["limitId"] == "codex_other"
    assert err.rate_limits["primary"]["usedPercent"] == 100


async def test_usage_not_included_429(mock: MockModelServer, client: ModelClient) -> None:
    """usage_not_included asks to upgrade, without retrying."""
    mock.enqueue({"kind": "http_error", "status": 429,
                  "body": {"error": {"type": "usage_not_included"}}})
    err, _ = await _error(client, _req(mock.base_url))
    assert len(mock.requests) == 1
    assert (err.message, err.info) == (
        "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.",
        "usageLimitExceeded")


async def test_400_reports_the_raw_body(mock: MockModelServer, client: ModelClient) -> None:
    """A 400 is not retried and its message is the raw response body."""
    body = {"error": {"message": "Invalid 'input'", "type": "invalid_request_error"}}
    mock.enqueue({"kind": "http_error", "status": 400, "body": body})
    err, _ = await _error(client, _req(mock.base_url))
    assert len(mock.requests) == 1
    assert err.info == "other"
    assert json.loads(err.message) == body


def _unauthorized() -> dict[str, Any]:
    return {"kind": "http_error", "status": 401, "body": {"error": {
        "message": "Your authentication token has expired.", "code": "token_expired"}}}


async def test_401_refreshes_once_and_retries_with_the_new_bearer(
    mock: MockModelServer, client: ModelClient
) -> None:
    """The first 401 calls the refresher; the retry carries its token and succeeds."""
    calls = 0

    async def refresh() -> str:
        nonlocal calls
        calls += 1
        return "fresh-token"

    mock.enqueue(_unauthorized(), {"kind": "text"})
    req = _req(mock.base_url, bearer="stale")
    req.auth_refresher = refresh
    events = await _collect(client, req)
    assert isinstance(events[-1], Completed)
    assert calls == 1
    assert [r.headers["authorization"] for r in mock.requests] == [
        "Bearer stale", "Bearer fresh-token"]


async def test_401_refresher_may_return_headers(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A refresher returning a header mapping replaces those headers (e.g. the account id)."""

    async def refresh() -> dict[str, str | None]:
        return {"Authorization": "Bearer jwt-2", "chatgpt-account-id": "acct_second"}

    mock.enqueue(_unauthorized(), {"kind": "text"})
    req = _req(mock.base_url)
    req.headers["chatgpt-account-id"] = "acct_first"
    req.auth_refresher = refresh
    await _collect(client, req)
    second = mock.requests[1].headers
    assert (second["authorization"], second["chatgpt-account-id"]) == (
        "Bearer jwt-2", "acct_second")


async def test_second_401_fails_with_unexpected_status(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Only one refresh per request: a 401 on the retry ends it with the upstream message."""

    async def refresh() -> str:
        return "still-bad"

    mock.enqueue(_unauthorized(), _unauthorized(), {"kind": "text"})
    req = _req(mock.base_url)
    req.auth_refresher = refresh
    err, _ = await _error(client, req)
    assert len(mock.requests) == 2
    assert err.info == "other"
    assert err.message == (
        "unexpected status 401 Unauthorized: Your authentication token has expired., "
        f"url: {mock.base_url}/responses, request id: req_2")


async def test_401_without_refresher_fails_at_once(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Without a refresher a 401 is final after a single request."""
    mock.enqueue(_unauthorized())
    err, _ = await _error(client, _req(mock.base_url))
    assert len(mock.requests) == 1
    assert err.message.startswith("unexpected status 401 Unauthorized: Your authentication")


async def test_refresher_error_is_the_turn_error(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A refresher raising ModelError ends the request with that error, unchanged."""

    async def refresh() -> str:
        raise ModelError("auth refresh request failed: code=-32000 message=refresh failed")

    mock.enqueue(_unauthorized())
    req = _req(mock.base_url)
    req.auth_refresher = refresh
    err, _ = await _error(client, req)
    assert err.message == "auth refresh request failed: code=-32000 message=refresh failed"
    assert err.info == "other"


async def test_connection_refused_is_a_connection_failure(client: ModelClient) -> None:
    """Nothing listening: retried per request_max_retries, then httpConnectionFailed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err, events = await _error(client, _req(f"http://127.0.0.1:{port}/v1",
                                            request_max_retries=1))
    assert events == []
    assert err.info == {"httpConnectionFailed": {"httpStatusCode": None}}
    assert err.message.startswith("Connection failed:")
    assert f"127.0.0.1:{port}" in err.message


# -- response.failed ----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "message", "info"), [
    ("context_length_exceeded",
     "Codex ran out of room in the model's context window. Start a new thread or clear "
     "earlier history before retrying.", "contextWindowExceeded"),
    ("insufficient_quota", "Quota exceeded. Check your plan and billing details.",
     "usageLimitExceeded"),
    ("server_is_overloaded", "Selected model is at capacity. Please try a different model.",
     "serverOverloaded"),
    ("invalid_prompt", "upstream says no", "other"),
])
async def test_response_failed_codes(
    mock: MockModelServer, client: ModelClient, code: str, message: str, info: str
) -> None:
    """response.failed maps its error code to the reference's message and codexErrorInfo."""
    mock.enqueue({"kind": "failed", "error": {"code": code, "message": "upstream says no"}})
    err, events = await _error(client, _req(mock.base_url))
    assert (err.message, err.info) == (message, info)
    assert any(isinstance(e, ResponseCreated) for e in events)
    assert len(mock.requests) == 1


async def test_response_incomplete_is_an_error(
    mock: MockModelServer, client: ModelClient
) -> None:
    """response.incomplete ends the request with its reason, without retrying."""
    incomplete = json.dumps({"type": "response.incomplete", "response": {
        "id": "r1", "incomplete_details": {"reason": "max_output_tokens"}}})
    mock.enqueue({"kind": "raw", "body": f"data: {incomplete}\n\n"})
    err, _ = await _error(client, _req(mock.base_url))
    assert err.message == "Incomplete response returned, reason: max_output_tokens"
    assert len(mock.requests) == 1


# -- stream retries, idle timeout, cancellation ----------------------------------------------------


async def test_stream_cut_then_success_reconnects(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A stream closed before response.completed yields StreamRetry(1/2) and is re-requested."""
    mock.enqueue({"kind": "cut", "text": "Partial answer", "deltas": 2, "after": 1},
                 {"kind": "text", "text": "Full answer"})
    events = await _collect(client, _req(mock.base_url, stream_max_retries=2))
    retries = [e for e in events if isinstance(e, StreamRetry)]
    assert retries == [StreamRetry(1, 2, CLOSED_REASON)]
    deltas = [e.delta for e in events if isinstance(e, TextDelta)]
    assert deltas[0] == "Partial"
    assert "".join(deltas[1:]) == "Full answer"
    assert isinstance(events[-1], Completed)
    assert len(mock.requests) == 2


async def test_stream_cut_every_time_fails_after_the_stream_retries(
    mock: MockModelServer, client: ModelClient
) -> None:
    """After stream_max_retries reconnects the request fails as responseStreamDisconnected."""
    mock.set_script([], default={"kind": "cut", "complete_item": True})
    err, events = await _error(client, _req(mock.base_url, stream_max_retries=2))
    assert [e for e in events if isinstance(e, StreamRetry)] == [
        StreamRetry(1, 2, CLOSED_REASON), StreamRetry(2, 2, CLOSED_REASON)]
    assert len([e for e in events if isinstance(e, OutputItemDone)]) == 3
    assert (err.message, err.info) == (CLOSED_REASON, DISCONNECTED)
    assert len(mock.requests) == 3


async def test_aborted_connection_mid_body_is_a_stream_disconnect(
    mock: MockModelServer, client: ModelClient
) -> None:
    """A TCP connection dropped inside the body counts as a disconnect too."""
    mock.enqueue({"kind": "cut", "abort": True, "after": 1})
    err, events = await _error(client, _req(mock.base_url, stream_max_retries=0))
    assert err.info == DISCONNECTED
    assert err.message.startswith("stream disconnected before completion: ")
    assert any(isinstance(e, TextDelta) for e in events)


async def test_idle_timeout_is_a_stream_disconnect(
    mock: MockModelServer, client: ModelClient
) -> None:
    """No SSE event within stream_idle_timeout_ms: retried, then failed; the stream is closed."""
    mock.set_script([], default={"kind": "hang"})
    err, events = await _error(client, _req(mock.base_url, stream_idle_timeout_ms=100,
                                            stream_max_retries=1))
    assert [e for e in events if isinstance(e, StreamRetry)] == [StreamRetry(1, 1, IDLE_REASON)]
    assert (err.message, err.info) == (IDLE_REASON, DISCONNECTED)
    await mock.wait_disconnect(5, count=2)
    assert all(r.disconnected for r in mock.requests)


async def test_cancellation_closes_the_http_stream(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Cancelling the consuming task closes the upstream stream promptly (mock sees it)."""
    mock.enqueue({"kind": "text", "text": "x" * 40, "deltas": 40, "delay_ms": 100})
    first = asyncio.Event()

    async def consume() -> None:
        async for ev in client.stream(_req(mock.base_url)):
            if isinstance(ev, TextDelta):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await mock.wait_disconnect(2)
    assert mock.requests[0].disconnected


async def test_leaving_the_loop_early_closes_the_http_stream(
    mock: MockModelServer, client: ModelClient
) -> None:
    """Breaking out of an aclosing()-wrapped iteration closes the upstream stream."""
    mock.enqueue({"kind": "text", "text": "y" * 40, "deltas": 40, "delay_ms": 100})
    async with contextlib.aclosing(client.stream(_req(mock.base_url))) as events:
        async for ev in events:
            if isinstance(ev, TextDelta):
                break
    await mock.wait_disconnect(2)


# -- SSE parsing ------------------------------------------------------------------------------


def _frame(payload: dict[str, Any]) -> str:
    return json.dumps(payload)


async def test_sse_edge_cases_over_the_wire(mock: MockModelServer, client: ModelClient) -> None:
    """CRLF and CR line ends, comments, multi-line data, odd chunking, junk data are handled."""
    created = _frame({"type": "response.created", "response": {"id": "r9"}})
    delta = {"type": "response.output_text.delta", "item_id": "m", "delta": "hi"}
    multi = json.dumps(delta, indent=1)  # JSON over several data: lines
    completed = _frame({"type": "response.completed",
                        "response": {"id": "r9", "usage": {"input_tokens": 3,
                                                            "output_tokens": 4}}})
    body = (
        "\ufeff: keep-alive comment\r\n\r\n"
        f"event: response.created\r\ndata: {created}\r\n\r\n"
        "data: not json at all\n\n"
        + "".join(f"data:{line}\n" for line in multi.splitlines()) + "\n"
        + f"data: {_frame({**delta, 'delta': ' there'})}\r\r"
        + f"event: response.completed\ndata: {completed}\n\n"
    )
    # Split at awkward places, including between a CR and its LF.
    cuts = [3, body.index("\r\n") + 1, len(body) // 2, len(body) - 5]
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    mock.enqueue({"kind": "raw", "chunks": pieces})
    events = await _collect(client, _req(mock.base_url))
    assert events[1] == ResponseCreated("r9")
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["hi", " there"]
    assert events[-1] == Completed("r9", TokenUsage(3, 0, 4, 0, 7))


# -- the mock as a separate process ---------------------------------------------------------------


async def test_standalone_mock_process_serves_script_and_control_routes(
    tmp_path: Path, client: ModelClient
) -> None:
    """`python -m tests.support.mock_model` prints its URL, serves the script file, takes
    more script over POST /_script, lists requests on GET /_requests, exits on stdin EOF."""
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"kind": "text", "text": "from file", "deltas": 1}]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.mock_model", "--script", str(script),
        cwd=REPO, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().strip()
        assert line.startswith("LISTENING http://127.0.0.1:")
        base_url = line.split(" ", 1)[1]
        assert base_url.endswith("/v1")
        events = await _collect(client, _req(base_url))
        assert [e.delta for e in events if isinstance(e, TextDelta)] == ["from file"]

        root = base_url.removesuffix("/v1")
        async with httpx.AsyncClient(timeout=5) as http:
            resp = await http.post(f"{root}/_script", json={
                "responses": [{"kind": "text", "text": "appended", "deltas": 1}],
                "mode": "append"})
            assert resp.json() == {"queued": 1}
            events = await _collect(client, _req(base_url))
            assert [e.delta for e in events if isinstance(e, TextDelta)] == ["appended"]
            recorded = (await http.get(f"{root}/_requests")).json()
        assert [r["path"] for r in recorded] == ["/v1/responses", "/v1/responses"]
        assert recorded[0]["body"]["model"] == "gpt-5.1-codex"
        assert recorded[0]["headers"]["authorization"] == "Bearer sk-test"

        proc.stdin.close()
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_a_request_repr_shows_no_credentials() -> None:
    """The bearer and the headers (which carry `chatgpt-account-id` and may carry
    tokens) stay out of a request's repr, so a logged request leaks nothing."""
    req = ModelRequest(provider=ProviderConfig(id="p", name="p", base_url="http://x"),
                       body={"model": "m"}, headers={"authorization": "Bearer sk-secret-h"},
                       bearer="sk-secret-b")
    assert "sk-secret" not in repr(req)
