"""End to end: rate limits from the backend and the model, usage-limit errors, the gRPC watch.

Every expected shape and text here was observed on the reference binary
(`codex app-server` 0.104.0) against the same mock payloads and headers:
`account/rateLimits/read` against the ChatGPT usage endpoint, the snapshots
of response headers (families, names, credits, rounding, the window rule),
the 429 usage-limit texts, and the other upstream error kinds.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.multi import Cluster
from tests.e2e.test_chatgpt_tokens import TOKEN_1, login
from tests.support.client import ProtocolClient
from tests.support.mock_model import MockModelServer

REPO = Path(__file__).resolve().parents[2]
READ = "account/rateLimits/read"
UPDATED = "account/rateLimits/updated"


def window(used: int, seconds: int, reset_at: int) -> dict[str, int]:
    """A backend usage window."""
    return {"used_percent": used, "limit_window_seconds": seconds, "reset_after_seconds": 1,
            "reset_at": reset_at}


USAGE = {
    "plan_type": "pro",
    "rate_limit": {"allowed": True, "limit_reached": False,
                   "primary_window": window(42, 18001, 1900000000),
                   "secondary_window": window(84, 604800, 1900500000)},
    "credits": {"has_credits": True, "unlimited": False, "balance": "9.99"},
    "additional_rate_limits": [
        {"limit_name": "GPT-5.1-Codex-Mini", "metered_feature": "codex_mini",
         "rate_limit": {"allowed": True, "limit_reached": False,
                        "primary_window": window(70, 900, 1900000789),
                        "secondary_window": None}},
        {"limit_name": "Other", "metered_feature": "Other-Feature", "rate_limit": None},
        {"limit_name": "Zero", "metered_feature": "aaa",
         "rate_limit": {"allowed": True, "limit_reached": False,
                        "primary_window": window(0, 0, 0)}},
    ],
}
MAIN = {"limitId": "codex", "limitName": None, "planType": "pro",
        "primary": {"usedPercent": 42, "windowDurationMins": 301, "resetsAt": 1900000000},
        "secondary": {"usedPercent": 84, "windowDurationMins": 10080, "resetsAt": 1900500000},
        "credits": {"hasCredits": True, "unlimited": False, "balance": "9.99"}}


def bucket(limit_id: str, name: str, primary: dict[str, Any] | None) -> dict[str, Any]:
    """An additional bucket as the reference shapes it: no credits, the payload's plan."""
    return {"limitId": limit_id, "limitName": name, "primary": primary, "secondary": None,
            "credits": None, "planType": "pro"}


async def test_read_shapes_every_bucket_of_the_usage_payload(
    launch: Launcher, mock: MockModelServer
) -> None:
    """account/rateLimits/read GETs {chatgpt_base_url}wham/usage with the ChatGPT token and
    account id; `rateLimits` is the codex bucket, every metered feature is keyed by its own
    name (unnormalised), window minutes round up, a zero-length window has none."""
    client = await launch("ws")
    await client.initialize(experimentalApi=True)
    refused = await client.request(READ)
    assert refused["error"] == {
        "code": -32600, "message": "codex account authentication required to read rate limits"}
    await login(client)
    mock.usage = {"status": 200, "body": USAGE}
    result = await client.call(READ)
    assert result == {"rateLimits": MAIN, "rateLimitsByLimitId": {
        "codex": MAIN,
        "codex_mini": bucket("codex_mini", "GPT-5.1-Codex-Mini",
                             {"usedPercent": 70, "windowDurationMins": 15,
                              "resetsAt": 1900000789}),
        "Other-Feature": bucket("Other-Feature", "Other", None),
        "aaa": bucket("aaa", "Zero", {"usedPercent": 0, "windowDurationMins": None,
                                      "resetsAt": 0}),
    }}
    sent = [r for r in mock.requests if r.method == "GET"][-1]
    assert sent.path == "/backend-api/wham/usage"
    assert sent.headers["authorization"] == f"Bearer {TOKEN_1}"
    assert sent.headers["chatgpt-account-id"] == "acct_first"
    assert sent.headers["user-agent"].startswith("conformance/")


@pytest.mark.parametrize(("usage", "detail"), [
    ({"status": 500, "body": {"error": "boom"}},
     'GET {url} failed: 500 Internal Server Error; content-type=application/json; '
     'body={{"error": "boom"}}'),
    ({"status": 200, "body": {"rate_limit": None}},
     'Decode error for {url}: missing field `plan_type` at line 1 column 20; '
     'content-type=application/json; body={{"rate_limit": null}}'),
    ({"status": 200, "body": {"plan_type": "plus", "rate_limit": {
        "allowed": True, "limit_reached": False, "primary_window": {"used_percent": 42.5}}}},
     'Decode error for {url}: invalid type: floating point `42.5`, expected i32 at line 1 '
     'column {column}; content-type=application/json; body={body}'),
    ({"status": 200, "body": "not json", "content_type": "text/plain"},
     "Decode error for {url}: expected ident at line 1 column 2; content-type=text/plain; "
     "body=not json"),
])
async def test_read_failures_quote_the_backend(
    launch: Launcher, mock: MockModelServer, usage: dict[str, Any], detail: str
) -> None:
    """A failing backend or an undecodable payload is -32603 with the reference's text."""
    client = await launch("stdio")
    await client.initialize(experimentalApi=True)
    await login(client)
    mock.usage = usage
    url = f"http://127.0.0.1:{mock.port}/backend-api/wham/usage"
    body = usage["body"] if isinstance(usage["body"], str) else json.dumps(usage["body"])
    error = (await client.request(READ))["error"]
    assert error == {"code": -32603, "message": "failed to fetch codex rate limits: "
                     + detail.format(url=url, body=body, column=body.find("42.5") + 4)}


async def test_read_with_an_api_key_is_refused(launch: Launcher) -> None:
    """An API-key login cannot read the ChatGPT usage."""
    client = await launch("stdio")
    await client.initialize()
    await client.call("account/login/start", {"type": "apiKey", "apiKey": "sk-x"})
    assert (await client.request(READ))["error"] == {
        "code": -32600, "message": "chatgpt authentication required to read rate limits"}


HEADERS = {
    "x-codex-primary-used-percent": "12.5", "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-at": "1900000000",
    "x-codex-secondary-used-percent": "25.5", "x-codex-secondary-window-minutes": "10080",
    "x-codex-secondary-reset-at": "1900500000",
    "x-codex-credits-has-credits": "true", "x-codex-credits-unlimited": "0",
    "x-codex-credits-balance": "12.50", "x-codex-limit-name": "Main",
    "x-codex-other-primary-used-percent": "99.4", "x-codex-other-primary-window-minutes": "60",
    "x-codex-other-limit-name": "GPT-Other",
    "x-foo-bar-secondary-used-percent": "5",
    "x-zeta-primary-used-percent": "0.5",
}
CREDITS = {"hasCredits": True, "unlimited": False, "balance": "12.50"}


def snap(limit_id: str, name: str | None, primary: dict[str, Any] | None,
         secondary: dict[str, Any] | None = None) -> dict[str, Any]:
    """A header snapshot: credits of the x-codex family, no plan."""
    return {"limitId": limit_id, "limitName": name, "primary": primary,
            "secondary": secondary, "credits": CREDITS, "planType": None}


def limits_and_usage(client: ProtocolClient, since: int) -> list[Any]:
    """The rate-limit snapshots and token-usage markers of a turn, in order."""
    out: list[Any] = []
    for n in client.notifications[since:]:
        if n["method"] == UPDATED:
            out.append(n["params"]["rateLimits"])
        elif n["method"] == "thread/tokenUsage/updated":
            out.append("usage")
    return out


async def run_turn(client: ProtocolClient, thread_id: str, text: str) -> int:
    """Run one turn to its end; the notification index it started at."""
    since = len(client.notifications)
    await client.call("turn/start", {"threadId": thread_id,
                                     "input": [{"type": "text", "text": text}]})
    await client.wait_notification("turn/completed", after=since)
    return since


async def test_header_families_and_their_repetition(
    launch: Launcher, transport: str, mock: MockModelServer
) -> None:
    """Each family with a primary used-percent becomes a snapshot (codex first, then by id;
    percentages rounded half up; the x-codex credits on each); the last one is repeated after
    the token usage; later responses pair each snapshot with the token usage, and a response
    without headers keeps the last known credits."""
    mock.enqueue({"kind": "text", "text": "a", "headers": HEADERS}, {"kind": "text", "text": "b"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    codex = snap("codex", "Main",
                 {"usedPercent": 13, "windowDurationMins": 300, "resetsAt": 1900000000},
                 {"usedPercent": 26, "windowDurationMins": 10080, "resetsAt": 1900500000})
    other = snap("codex_other", "GPT-Other",
                 {"usedPercent": 99, "windowDurationMins": 60, "resetsAt": None})
    zeta = snap("zeta", None, {"usedPercent": 1, "windowDurationMins": None, "resetsAt": None})
    since = await run_turn(client, tid, "one")
    assert limits_and_usage(client, since) == [codex, other, zeta, "usage", zeta]
    since = await run_turn(client, tid, "two")
    bare = snap("codex", None, None)
    assert limits_and_usage(client, since) == ["usage", bare, "usage", bare]


def usage_limit(plan: str, headers: dict[str, str]) -> dict[str, Any]:
    """A 429 usage_limit_reached answer."""
    return {"kind": "http_error", "status": 429, "headers": headers, "body": {"error": {
        "type": "usage_limit_reached", "plan_type": plan, "resets_at": 1900000000}}}


LIMIT_HEADERS = {"x-codex-primary-used-percent": "100", "x-codex-primary-window-minutes": "300",
                 "x-codex-primary-reset-at": "1900000000",
                 "x-codex-other-primary-used-percent": "100",
                 "x-codex-other-primary-window-minutes": "60",
                 "x-codex-other-limit-name": "GPT-Other"}
AT = "Mar 17th, 2030 5:46 PM"
ERRORS: list[tuple[dict[str, Any], str, Any]] = [
    (usage_limit("plus", {**LIMIT_HEADERS, "x-codex-active-limit": "codex_other"}),
     f"You've hit your usage limit for GPT-Other. Switch to another model now, or try again "
     f"at {AT}.", "usageLimitExceeded"),
    (usage_limit("plus", LIMIT_HEADERS),
     "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
     "https://chatgpt.com/codex/settings/usage to purchase more credits or try again at "
     f"{AT}.", "usageLimitExceeded"),
    (usage_limit("team", LIMIT_HEADERS),
     f"You've hit your usage limit. To get more access now, send a request to your admin or "
     f"try again at {AT}.", "usageLimitExceeded"),
    (usage_limit("free", {**LIMIT_HEADERS, "x-codex-promo-message": "Promo!"}),
     f"You've hit your usage limit. Promo!, or try again at {AT}.", "usageLimitExceeded"),
    ({"kind": "http_error", "status": 429, "body": {"error": {"type": "usage_not_included"}}},
     "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.",
     "usageLimitExceeded"),
    ({"kind": "http_error", "status": 429, "body": {"error": {"message": "slow"}}},
     "exceeded retry limit, last status: 429 Too Many Requests, request id: req_6",
     {"responseTooManyFailedAttempts": {"httpStatusCode": 429}}),
    ({"kind": "http_error", "status": 500},
     "We're currently experiencing high demand, which may cause temporary errors.",
     "internalServerError"),
    ({"kind": "http_error", "status": 400, "body": "plain text"}, "plain text", "other"),
    ({"kind": "http_error", "status": 503, "body": {"error": {"message": "unavail"}}},
     "unexpected status 503 Service Unavailable: unavail, url: {url}/responses, request id: "
     "req_9", "other"),
    ({"kind": "failed", "code": "context_length_exceeded"},
     "Codex ran out of room in the model's context window. Start a new thread or clear "
     "earlier history before retrying.", "contextWindowExceeded"),
    ({"kind": "failed", "code": "insufficient_quota"},
     "Quota exceeded. Check your plan and billing details.", "usageLimitExceeded"),
    ({"kind": "failed", "code": "server_is_overloaded"},
     "Selected model is at capacity. Please try a different model.", "serverOverloaded"),
    ({"kind": "failed", "code": "server_error", "message": "srv"},
     "stream disconnected before completion: srv", "other"),
    ({"kind": "failed", "code": "invalid_prompt", "message": "bad prompt"}, "bad prompt",
     "other"),
]


async def test_each_upstream_error_kind(launch: Launcher, mock: MockModelServer) -> None:
    """Every kind of upstream failure ends its turn with `error` (willRetry false) and a
    failed turn carrying the reference's message and codexErrorInfo; a usage limit first
    announces the exhausted bucket's snapshot."""
    mock.enqueue(*(spec for spec, _, _ in ERRORS))
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    for i, (_, message, info) in enumerate(ERRORS):
        since = await run_turn(client, tid, f"turn {i}")
        error = await client.wait_notification("error", after=since)
        expected = {"message": message.replace("{url}", mock.base_url),
                    "codexErrorInfo": info, "additionalDetails": None}
        assert error["params"]["error"] == expected, i
        assert error["params"]["willRetry"] is False
        done = await client.wait_notification("turn/completed", after=since)
        assert done["params"]["turn"]["status"] == "failed"
        assert done["params"]["turn"]["error"] == expected
    first = [n["params"]["rateLimits"] for n in client.notifications if n["method"] == UPDATED]
    assert first[0] == {"limitId": "codex_other", "limitName": "GPT-Other",
                        "primary": {"usedPercent": 100, "windowDurationMins": 60,
                                    "resetsAt": None},
                        "secondary": None, "credits": None, "planType": None}


WATCHER = '''
import asyncio, json, sys
import grpc
from google.protobuf.json_format import MessageToDict
from app_server_protocol.v2 import service_pb2, service_pb2_grpc, thread_pb2, turn_pb2

async def main(addr):
    async with grpc.aio.insecure_channel(addr) as channel:
        account = service_pb2_grpc.AccountServiceStub(channel)
        turns = service_pb2_grpc.TurnServiceStub(channel)
        # Thread and turn calls name their connection of an attached session.
        attached = asyncio.Event()

        async def hello():
            yield service_pb2.GatewayFrame(hello=service_pb2.GatewayHello(gateway_session="w"))
            await attached.wait()

        session = service_pb2_grpc.SessionServiceStub(channel).Connect(hello())
        await asyncio.wait_for(session.read(), 15)
        md = (("x-gateway-session", "w"), ("x-connection-id", "c"))
        thread = await service_pb2_grpc.ThreadServiceStub(channel).ThreadStart(
            thread_pb2.ThreadStartParams(), metadata=md, timeout=15)

        async def turn(text):
            start = turn_pb2.TurnStartParams(thread_id=thread.thread.id)
            start.input.add().text.text = text
            await turns.TurnStart(start, metadata=md, timeout=15)

        def show(message):
            print(json.dumps(MessageToDict(message)), flush=True)

        first = account.WatchRateLimits(service_pb2.WatchRateLimitsRequest(), timeout=30)
        show(await asyncio.wait_for(first.read(), 15))
        await turn("one")
        show(await asyncio.wait_for(first.read(), 15))
        second = account.WatchRateLimits(service_pb2.WatchRateLimitsRequest(), timeout=30)
        show(await asyncio.wait_for(second.read(), 15))
        await turn("two")
        show(await asyncio.wait_for(second.read(), 15))
        first.cancel()
        second.cancel()
        attached.set()
        session.cancel()

asyncio.run(main(sys.argv[1]))
'''


def compile_stubs(out: Path) -> None:
    """The project's .proto files compiled with grpc_tools.protoc, as a backend would."""
    from grpc_tools import protoc  # the client's toolchain, not project code

    include = Path(protoc.__file__).parent / "_proto"
    protos = [str(p.relative_to(REPO / "proto")) for p in (REPO / "proto").rglob("*.proto")]
    code = protoc.main(["protoc", f"-I{REPO / 'proto'}", f"-I{include}",
                        f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert code == 0


async def test_watch_rate_limits_from_plain_generated_stubs(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """WatchRateLimits sends the known snapshots at once (none on a fresh core, the codex
    bucket once a turn reported it) and then only the snapshots a turn changed, to a client
    built from nothing but protoc's stubs of the project's .proto files."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    compile_stubs(stubs)
    (stubs / "watcher.py").write_text(WATCHER)
    codex = {"x-codex-primary-used-percent": "12.5", "x-codex-primary-window-minutes": "300"}
    mock.enqueue({"kind": "text", "text": "a", "headers": codex},
                 {"kind": "text", "text": "b", "headers": {
                     **codex, "x-beta-primary-used-percent": "5", "x-beta-limit-name": "Beta"}})
    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-E", "-s", str(stubs / "watcher.py"), cluster.core_addr,
            cwd=stubs, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
    # Proto JSON: int64 as strings, unset optionals and nulls left out.
    codex_snapshot = {"limitId": "codex",
                      "primary": {"usedPercent": 13, "windowDurationMins": "300"}}
    beta_snapshot = {"limitId": "beta", "limitName": "Beta", "primary": {"usedPercent": 5}}
    assert [json.loads(line) for line in out.decode().splitlines()] == [
        {},
        {"snapshots": [codex_snapshot]},
        {"snapshots": [codex_snapshot]},
        {"snapshots": [beta_snapshot]},
    ]


async def test_a_failed_response_of_no_known_kind_is_retried_as_a_broken_stream(
    launch: Launcher, mock: MockModelServer
) -> None:
    """response.failed with an unknown code is retried within stream_max_retries (an `error`
    with willRetry and the failure as details), then final with codexErrorInfo "other"; a
    known kind (server_is_overloaded) is final at once, as the reference does."""
    failed = [{"kind": "failed", "code": "server_error", "message": m} for m in ("w1", "w2")]
    mock.enqueue(failed[0], {"kind": "text", "text": "fine"}, *failed,
                 {"kind": "failed", "code": "server_is_overloaded"})
    client = await launch("stdio", stream_max_retries=1)
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    reconnect = {"message": "Reconnecting... 1/1",
                 "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}}}
    errors = []
    for text in ("one", "two", "three"):
        since = await run_turn(client, tid, text)
        errors.append([(n["params"]["error"], n["params"]["willRetry"])
                       for n in client.notifications[since:] if n["method"] == "error"])
    assert errors[0] == [({**reconnect, "additionalDetails":
                           "stream disconnected before completion: w1"}, True)]
    assert errors[1] == [
        ({**reconnect, "additionalDetails": "stream disconnected before completion: w1"}, True),
        ({"message": "stream disconnected before completion: w2", "codexErrorInfo": "other",
          "additionalDetails": None}, False)]
    assert errors[2] == [({"message": "Selected model is at capacity. Please try a different "
                                      "model.", "codexErrorInfo": "serverOverloaded",
                           "additionalDetails": None}, False)]


async def test_usage_limit_snapshot_keeps_credits_and_a_full_window_is_reported(
    launch: Launcher, mock: MockModelServer
) -> None:
    """A usage-limit 429 reports its bucket with the last known credits, after the token
    usage as for any response (nothing at all without rate-limit headers); a context-length
    failure reports the window full (total = window,
    last = what the total had not used) with the latest snapshot, before the error."""
    credits = {"x-codex-credits-has-credits": "true", "x-codex-credits-unlimited": "false"}
    limit = {"type": "usage_limit_reached", "plan_type": "pro"}
    mock.enqueue({"kind": "text", "text": "a", "headers": credits},
                 {"kind": "http_error", "status": 429, "body": {"error": limit},
                  "headers": {"x-codex-active-limit": "codex_other"}},
                 {"kind": "http_error", "status": 429, "body": {"error": limit}},
                 {"kind": "failed", "code": "context_length_exceeded"})
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    await run_turn(client, tid, "one")
    kept = {"hasCredits": True, "unlimited": False, "balance": None}
    since = await run_turn(client, tid, "two")
    assert limits_and_usage(client, since) == ["usage", {
        "limitId": "codex_other", "limitName": None, "primary": None, "secondary": None,
        "credits": kept, "planType": None}]
    since = await run_turn(client, tid, "three")
    assert limits_and_usage(client, since) == []
    since = await run_turn(client, tid, "four")
    usage = [n["params"]["tokenUsage"] for n in client.notifications[since:]
             if n["method"] == "thread/tokenUsage/updated"]
    window = usage[-1]["modelContextWindow"]
    zero = {"inputTokens": 0, "cachedInputTokens": 0, "outputTokens": 0,
            "reasoningOutputTokens": 0}
    assert usage[-1]["total"] == {**zero, "totalTokens": window}
    assert usage[-1]["last"] == {**zero, "totalTokens": window - usage[-2]["total"]["totalTokens"]}
    tail = [n["method"] for n in client.notifications[since:]][-4:]
    assert tail == ["thread/tokenUsage/updated", UPDATED, "error", "turn/completed"]


async def test_a_stopping_core_ends_its_watch_streams_cleanly(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """On SIGTERM the core ends every WatchRateLimits stream with OK (not a cancelled
    call at the end of the stop's grace), and exits 0."""
    from app_server_protocol.v2 import service_pb2

    async with Cluster(mock, home, tmp_path / "work") as cluster:
        await cluster.start_core()
        async with grpc.aio.insecure_channel(cluster.core_addr) as channel:
            watch = channel.unary_stream(
                "/app_server_protocol.v2.AccountService/WatchRateLimits",
                request_serializer=service_pb2.WatchRateLimitsRequest.SerializeToString,
                response_deserializer=service_pb2.RateLimitSnapshotsUpdate.FromString)
            call = watch(service_pb2.WatchRateLimitsRequest(), timeout=30)
            first = await asyncio.wait_for(call.read(), 15)
            assert list(first.snapshots) == []
            assert await cluster.stop_core() == 0
            assert await asyncio.wait_for(call.read(), 15) is grpc.aio.EOF
            assert await call.code() == grpc.StatusCode.OK
