"""The JSON codec on realistic messages, on bad input, and at its edges.

Realistic payloads are those the reference (codex 0.104) puts on the wire
(BEHAVIOR.md); decoding errors name the JSON path in serde's wording.
"""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest
from google.protobuf import json_format

from app_server_protocol import codec, jsonrpc_pb2
from app_server_protocol.v2 import (
    account_pb2,
    config_pb2,
    notification_pb2,
    thread_pb2,
    turn_pb2,
)

THREAD_ID = "019a3c1e-7b2f-7d30-9f5e-2c8b1f4a6d01"
TURN_ID = "019a3c1e-8000-7d30-9f5e-2c8b1f4a6d02"


def decode(cls: Any, data: Any, **kw: Any) -> Any:
    """Decode JSON data into a message of type `cls`."""
    return codec.from_json(cls, data, **kw)


def round_trip(cls: Any, data: Any) -> Any:
    """JSON -> proto -> JSON."""
    return codec.to_json(decode(cls, data))


def error_of(cls: Any, data: Any, **kw: Any) -> str:
    """The text of the DecodeError raised when decoding `data`."""
    with pytest.raises(codec.DecodeError) as info:
        decode(cls, data, **kw)
    return str(info.value)


# --------------------------------------------------------------------------
# Realistic messages


def test_turn_start_request_params() -> None:
    """The minimal turn/start params decode; output adds defaults and nulls."""
    params = {"threadId": THREAD_ID, "input": [{"type": "text", "text": "Say hello"}]}
    msg = decode(turn_pb2.TurnStartParams, params)
    assert msg.thread_id == THREAD_ID
    assert msg.input[0].WhichOneof("value") == "text"
    assert msg.input[0].text.text == "Say hello"
    assert not msg.HasField("cwd") and not msg.HasField("sandbox_policy")
    assert codec.to_json(msg) == {
        "threadId": THREAD_ID,
        "input": [{"type": "text", "text": "Say hello", "text_elements": []}],
        "cwd": None,
        "approvalPolicy": None,
        "sandboxPolicy": None,
        "model": None,
        "effort": None,
        "summary": None,
        "personality": None,
        "outputSchema": None,
    }


def test_turn_start_request_line_with_overrides() -> None:
    """A full request line (bytes) decodes; every override lands in its field."""
    line = json.dumps(
        {
            "id": 3,
            "method": "turn/start",
            "params": {
                "threadId": THREAD_ID,
                "input": [{"type": "text", "text": "run printf"}, {"type": "image", "url": "u"}],
                "approvalPolicy": "on-request",
                "sandboxPolicy": {"type": "workspaceWrite", "networkAccess": True},
                "effort": "xhigh",
                "outputSchema": {"type": "object", "properties": {}},
            },
        }
    ).encode()
    req = codec.loads(line)
    msg = decode(turn_pb2.TurnStartParams, req["params"])
    assert msg.approval_policy == thread_pb2.ASK_FOR_APPROVAL_ON_REQUEST
    assert msg.effort == thread_pb2.REASONING_EFFORT_XHIGH
    ww = msg.sandbox_policy.workspace_write
    assert ww.network_access and list(ww.writable_roots) == []
    assert ww.read_only_access.WhichOneof("value") == "full_access"
    assert codec.value_to_py(msg.output_schema) == {"type": "object", "properties": {}}
    assert msg.input[1].image.url == "u"


COMMAND_ITEM = {
    "type": "commandExecution",
    "id": "call_exec1",
    "command": "/bin/bash -lc \"printf 'approved-output\\\\n'\"",
    "cwd": "/work",
    "processId": "4242",
    "status": "completed",
    "commandActions": [{"type": "unknown", "command": "printf 'approved-output\\n'"}],
    "aggregatedOutput": "approved-output\n",
    "exitCode": 0,
    "durationMs": 17,
}


def test_item_completed_command_execution() -> None:
    """item/completed with a commandExecution item round-trips exactly (exit code 0 kept)."""
    params = {"item": COMMAND_ITEM, "threadId": THREAD_ID, "turnId": TURN_ID}
    msg = decode(notification_pb2.ItemCompletedNotification, params)
    item = msg.item.command_execution
    assert item.status == thread_pb2.COMMAND_EXECUTION_STATUS_COMPLETED
    assert item.HasField("exit_code") and item.exit_code == 0
    assert codec.to_json(msg) == params


def test_item_started_command_execution_nulls() -> None:
    """An in-progress commandExecution keeps aggregatedOutput/exitCode/durationMs as null."""
    item = {
        **COMMAND_ITEM,
        "status": "inProgress",
        "aggregatedOutput": None,
        "exitCode": None,
        "durationMs": None,
    }
    params = {"item": item, "threadId": THREAD_ID, "turnId": TURN_ID}
    assert round_trip(notification_pb2.ItemStartedNotification, params) == params


THREAD = {
    "id": THREAD_ID,
    "preview": "",
    "modelProvider": "mock",
    "createdAt": 1760000000,
    "updatedAt": 1760000001,
    "path": "/home/u/.codex/sessions/2026/01/02/rollout-x.jsonl",
    "cwd": "/work",
    "cliVersion": "0.104.0",
    "source": "vscode",
    "gitInfo": None,
    "turns": [],
}


def test_thread_start_response_workspace_write() -> None:
    """thread/start's result with a workspaceWrite sandbox round-trips exactly."""
    result = {
        "approvalPolicy": "never",
        "cwd": "/work",
        "model": "gpt-5.1-codex",
        "modelProvider": "mock",
        "reasoningEffort": None,
        "sandbox": {
            "type": "workspaceWrite",
            "writableRoots": [],
            "readOnlyAccess": {"type": "fullAccess"},
            "networkAccess": False,
            "excludeTmpdirEnvVar": False,
            "excludeSlashTmp": False,
        },
        "thread": THREAD,
    }
    msg = decode(thread_pb2.ThreadStartResponse, result)
    assert msg.sandbox.WhichOneof("value") == "workspace_write"
    assert msg.thread.source.unit == thread_pb2.SessionSource.SESSION_SOURCE_UNIT_VSCODE
    assert codec.to_json(msg) == result


def test_thread_start_response_read_only_default_access() -> None:
    """`{"type":"readOnly"}` gets the default `access: {"type":"fullAccess"}`."""
    msg = decode(thread_pb2.SandboxPolicy, {"type": "readOnly"})
    assert codec.to_json(msg) == {"type": "readOnly", "access": {"type": "fullAccess"}}
    assert codec.to_json(decode(thread_pb2.SandboxPolicy, {"type": "dangerFullAccess"})) == {
        "type": "dangerFullAccess"
    }


@pytest.mark.parametrize(
    "info",
    [
        "other",
        "contextWindowExceeded",
        {"responseStreamDisconnected": {"httpStatusCode": None}},
        {"httpConnectionFailed": {"httpStatusCode": 502}},
    ],
)
def test_turn_error_codex_error_info(info: Any) -> None:
    """TurnError's external union round-trips: unit variants as strings, others as maps."""
    err = {"message": "Reconnecting... 1/2", "codexErrorInfo": info, "additionalDetails": None}
    assert round_trip(thread_pb2.TurnError, err) == err
    note = {"error": err, "willRetry": True, "threadId": THREAD_ID, "turnId": TURN_ID}
    assert round_trip(notification_pb2.ErrorNotification, note) == note


def test_turn_error_variant_selected() -> None:
    """The map form selects the struct variant with an unset (null) status code."""
    msg = decode(
        thread_pb2.TurnError,
        {
            "message": "m",
            "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
        },
    )
    info = msg.codex_error_info
    assert info.WhichOneof("value") == "response_stream_disconnected"
    assert not info.response_stream_disconnected.HasField("http_status_code")
    other = decode(thread_pb2.TurnError, {"message": "m", "codexErrorInfo": "other"})
    assert other.codex_error_info.unit == thread_pb2.CodexErrorInfo.CODEX_ERROR_INFO_UNIT_OTHER


@pytest.mark.parametrize("request_id", ["7", 7, "", 0, -1, 2**53 + 1, "abc"])
def test_request_id_keeps_its_json_type(request_id: Any) -> None:
    """A string id stays a string ("7" is not 7) and an integer stays an integer."""
    req = {"id": request_id, "method": "thread/start", "params": {}}
    out = round_trip(jsonrpc_pb2.JSONRPCRequest, req)
    assert out == req and type(out["id"]) is type(request_id)
    line = codec.dumps(req)
    again = codec.to_json(codec.from_json(jsonrpc_pb2.JSONRPCRequest, line))
    assert type(again["id"]) is type(request_id)


def test_request_id_from_bytes() -> None:
    """JSON text `"7"` is the string id, `7` the integer one."""
    assert codec.from_json(jsonrpc_pb2.RequestId, b'"7"').WhichOneof("value") == "string"
    assert codec.from_json(jsonrpc_pb2.RequestId, b"7").WhichOneof("value") == "integer"


# --------------------------------------------------------------------------
# Decoding errors


def test_wrong_type_names_the_path() -> None:
    """A wrong element type is reported at its path, serde-style."""
    params = {"threadId": "t", "input": [{"type": "text", "text": 42}]}
    assert error_of(turn_pb2.TurnStartParams, params) == (
        "input[0].text: invalid type: integer `42`, expected a string"
    )


def test_error_path_is_prefixed_by_caller_path() -> None:
    """`path=` roots error paths (e.g. under the request's `params`)."""
    params = {"threadId": "t", "input": [{"type": "text", "text": "x"}, {"type": "text"}]}
    err = error_of(turn_pb2.TurnStartParams, params, path="params")
    assert err == "params.input[1]: missing field `text`"


@pytest.mark.parametrize(
    ("cls", "data", "expected"),
    [
        (turn_pb2.TurnStartParams, {"input": []}, "missing field `threadId`"),
        (
            turn_pb2.TurnStartParams,
            {"threadId": None, "input": []},
            "threadId: invalid type: null, expected a string",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": None},
            "input: invalid type: null, expected a sequence",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": {}},
            "input: invalid type: map, expected a sequence",
        ),
        (
            turn_pb2.TurnStartParams,
            [1],
            "invalid type: sequence, expected struct TurnStartParams",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": [{"text": "x"}]},
            "input[0]: missing field `type`",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": ["x"]},
            'input[0]: invalid type: string "x", expected internally tagged enum UserInput',
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": [{"type": "video"}]},
            "input[0].type: unknown variant `video`, expected one of `text`, `image`, "
            "`localImage`, `skill`, `mention`",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": [], "approvalPolicy": "sometimes"},
            "approvalPolicy: unknown variant `sometimes`, expected one of `untrusted`, "
            "`on-failure`, `on-request`, `never`",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": [], "effort": 3},
            "effort: invalid type: integer `3`, expected a string",
        ),
        (
            turn_pb2.TurnStartParams,
            {
                "threadId": "t",
                "input": [],
                "sandboxPolicy": {"type": "workspaceWrite", "writableRoots": ["/a", 3]},
            },
            "sandboxPolicy.writableRoots[1]: invalid type: integer `3`, expected a string",
        ),
        (
            turn_pb2.TurnStartParams,
            {"threadId": "t", "input": [], "sandboxPolicy": {"type": "readOnly", "access": 1}},
            "sandboxPolicy.access: invalid type: integer `1`, expected internally tagged enum "
            "ReadOnlyAccess",
        ),
        (
            thread_pb2.ThreadListParams,
            {"limit": -1},
            "limit: invalid value: integer `-1`, expected u32",
        ),
        (
            thread_pb2.ThreadListParams,
            {"limit": 2**32},
            "limit: invalid value: integer `4294967296`, expected u32",
        ),
        (
            thread_pb2.ThreadListParams,
            {"limit": True},
            "limit: invalid type: boolean `true`, expected u32",
        ),
        (
            thread_pb2.ThreadListParams,
            {"limit": 2.5},
            "limit: invalid type: floating point `2.5`, expected u32",
        ),
        (
            thread_pb2.ThreadListParams,
            {"archived": "yes"},
            'archived: invalid type: string "yes", expected a boolean',
        ),
        (
            thread_pb2.ThreadListParams,
            {"sourceKinds": ["cli", "tv"]},
            "sourceKinds[1]: unknown variant `tv`, expected one of `cli`, `vscode`, `exec`, "
            "`appServer`, `subAgent`, `subAgentReview`, `subAgentCompact`, "
            "`subAgentThreadSpawn`, `subAgentOther`, `unknown`",
        ),
        (
            thread_pb2.TurnError,
            {"message": "m", "codexErrorInfo": "bogus"},
            "codexErrorInfo: unknown variant `bogus`, expected one of `contextWindowExceeded`, "
            "`usageLimitExceeded`, `serverOverloaded`, `internalServerError`, `unauthorized`, "
            "`badRequest`, `threadRollbackFailed`, `sandboxError`, `other`, "
            "`httpConnectionFailed`, `responseStreamConnectionFailed`, "
            "`responseStreamDisconnected`, `responseTooManyFailedAttempts`",
        ),
        (
            thread_pb2.TurnError,
            {"message": "m", "codexErrorInfo": {"httpConnectionFailed": {"httpStatusCode": -5}}},
            "codexErrorInfo.httpConnectionFailed.httpStatusCode: invalid value: integer `-5`, "
            "expected u32",
        ),
        (
            jsonrpc_pb2.JSONRPCRequest,
            {"id": True, "method": "x"},
            "id: data did not match any variant of untagged enum RequestId",
        ),
        (
            account_pb2.GetAccountRateLimitsResponse,
            {
                "rateLimits": {},
                "rateLimitsByLimitId": {"codex": {"primary": {"usedPercent": "x"}}},
            },
            'rateLimitsByLimitId.codex.primary.usedPercent: invalid type: string "x", expected i32',
        ),
        (
            config_pb2.ConfigValueWriteParams,
            {"keyPath": "model", "mergeStrategy": "replace"},
            "missing field `value`",
        ),
    ],
)
def test_decode_errors(cls: Any, data: Any, expected: str) -> None:
    """Each malformed input gives the exact serde-like message with its path."""
    assert error_of(cls, data) == expected


def test_experimental_variant_refused_without_capability() -> None:
    """chatgptAuthTokens login needs experimentalApi; other variants do not."""
    params = {"type": "chatgptAuthTokens", "accessToken": "a", "chatgptAccountId": "acc"}
    with pytest.raises(codec.ExperimentalFieldError) as info:
        decode(account_pb2.LoginAccountParams, params, allow_experimental=False)
    assert info.value.name == "chatgptAuthTokens"
    msg = decode(account_pb2.LoginAccountParams, params, allow_experimental=True)
    assert msg.chatgpt_auth_tokens.chatgpt_account_id == "acc"
    api = decode(
        account_pb2.LoginAccountParams,
        {"type": "apiKey", "apiKey": "sk-x"},
        allow_experimental=False,
    )
    assert api.api_key.api_key == "sk-x"


def test_lone_surrogate_is_a_decode_error() -> None:
    """A string the stdlib parser let through with a lone surrogate is refused cleanly."""
    data = json.loads('{"threadId": "\\ud800", "input": []}')
    assert "lone surrogate" in error_of(turn_pb2.TurnStartParams, data)


# --------------------------------------------------------------------------
# Leniency and defaults


def test_unknown_fields_are_ignored() -> None:
    """Members the protocol does not define are ignored at every level."""
    params = {
        "threadId": "t",
        "futureFlag": {"x": 1},
        "input": [{"type": "text", "text": "hi", "extra": [1, 2]}],
    }
    msg = decode(turn_pb2.TurnStartParams, params)
    assert msg.input[0].text.text == "hi"


def test_defaults_applied() -> None:
    """Absent (or null) members with a default take it: true, [], false, fullAccess."""
    restricted = decode(thread_pb2.ReadOnlyAccess, {"type": "restricted"})
    assert restricted.restricted.include_platform_defaults is True
    assert codec.to_json(restricted) == {
        "type": "restricted",
        "includePlatformDefaults": True,
        "readableRoots": [],
    }
    explicit = decode(
        thread_pb2.ReadOnlyAccess, {"type": "restricted", "includePlatformDefaults": False}
    )
    assert explicit.restricted.include_platform_defaults is False
    text = decode(thread_pb2.UserInput, {"type": "text", "text": "x", "text_elements": None})
    assert codec.to_json(text)["text_elements"] == []
    assert not decode(thread_pb2.ThreadReadParams, {"threadId": "t"}).include_turns
    model = decode(
        thread_pb2.SandboxPolicy, {"type": "externalSandbox"}
    ).external_sandbox.network_access
    assert model == thread_pb2.NETWORK_ACCESS_RESTRICTED


def test_default_of_model_input_modalities() -> None:
    """A non-zero list default (`["text","image"]`) is applied when absent."""
    from app_server_protocol.v2 import model_pb2

    data = {
        "id": "m",
        "model": "m",
        "displayName": "M",
        "description": "",
        "hidden": False,
        "supportedReasoningEfforts": [],
        "defaultReasoningEffort": "medium",
        "isDefault": True,
    }
    out = round_trip(model_pb2.Model, data)
    assert out["inputModalities"] == ["text", "image"]
    assert out["supportsPersonality"] is False


def test_nulls_accepted_for_nullable_fields() -> None:
    """Every optional member may be null on input; output writes them as null."""
    params = {
        "model": None,
        "modelProvider": None,
        "cwd": None,
        "approvalPolicy": None,
        "sandbox": None,
        "config": None,
        "baseInstructions": None,
        "developerInstructions": None,
        "personality": None,
        "ephemeral": None,
        "dynamicTools": None,
        "mockExperimentalField": None,
        "experimentalRawEvents": None,
    }
    msg = decode(thread_pb2.ThreadStartParams, params)
    assert msg == thread_pb2.ThreadStartParams()
    assert codec.to_json(msg) == params
    listing = decode(thread_pb2.ThreadListParams, {"modelProviders": None, "sourceKinds": None})
    assert codec.to_json(listing)["modelProviders"] is None


def test_integral_float_accepted_for_integer() -> None:
    """`2.0` is accepted where an integer is expected (Python producers emit it)."""
    assert decode(thread_pb2.ThreadListParams, {"limit": 2.0}).limit == 2


def test_value_fields_null_versus_absent() -> None:
    """A required free-form member may be null (kept as null) but not absent."""
    data = {"keyPath": "model", "value": None, "mergeStrategy": "upsert"}
    msg = decode(config_pb2.ConfigValueWriteParams, data)
    assert msg.HasField("value")
    assert codec.to_json(msg) == {**data, "filePath": None, "expectedVersion": None}


def test_omit_unset_members() -> None:
    """`field?: T` members are left out when unset and written when set."""
    unset = {"threadId": "t"}
    assert round_trip(notification_pb2.ThreadNameUpdatedNotification, unset) == unset
    named = {"threadId": "t", "threadName": "n"}
    assert round_trip(notification_pb2.ThreadNameUpdatedNotification, named) == named
    # null reads as absent (serde Option + skip_serializing_if), as for JSON-RPC params.
    assert round_trip(jsonrpc_pb2.JSONRPCNotification, {"method": "m", "params": None}) == {
        "method": "m"
    }
    err = {"code": -32600, "message": "bad"}
    assert round_trip(jsonrpc_pb2.JSONRPCErrorError, err) == err


def test_additional_properties_round_trip() -> None:
    """Config keeps unknown keys (flattened) and writes them back at top level."""
    config = {
        "model": "gpt-5",
        "review_model": None,
        "model_context_window": None,
        "model_auto_compact_token_limit": None,
        "model_provider": None,
        "approval_policy": "never",
        "sandbox_mode": None,
        "sandbox_workspace_write": None,
        "forced_chatgpt_workspace_id": None,
        "forced_login_method": None,
        "web_search": None,
        "tools": None,
        "profile": None,
        "profiles": {"fast": {"model": "m", "reasoning": {"x": 1}}},
        "instructions": None,
        "developer_instructions": None,
        "compact_prompt": None,
        "model_reasoning_effort": None,
        "model_reasoning_summary": None,
        "model_verbosity": None,
        "analytics": {"enabled": True, "endpoint": "https://x"},
        "mcp_servers": {"docs": {"command": "npx", "args": ["-y", "docs"]}},
        "hide_agent_reasoning": True,
    }
    msg = decode(config_pb2.Config, config)
    assert set(msg.extra.fields) == {"mcp_servers", "hide_agent_reasoning"}
    assert set(msg.profiles["fast"].extra.fields) == {"reasoning"}
    expected = json.loads(json.dumps(config))
    expected["profiles"]["fast"].update(
        {
            key: None
            for key in (
                "model_provider",
                "approval_policy",
                "model_reasoning_effort",
                "model_reasoning_summary",
                "model_verbosity",
                "web_search",
                "chatgpt_base_url",
            )
        }
    )
    assert codec.to_json(msg) == expected


# --------------------------------------------------------------------------
# Output bytes; building


@pytest.mark.parametrize("backend", ["default", "stdlib"])
def test_dumps_escapes_line_separators(backend: str) -> None:
    """U+2028/U+2029 are escaped (Node readline splits on them); output is compact UTF-8."""
    dumps = codec.dumps if backend == "default" else codec._dumps_std
    out = dumps({"delta": "a\u2028b\u2029c é", "n": [1, None, True]})
    assert out == b'{"delta":"a\\u2028b\\u2029c \xc3\xa9","n":[1,null,true]}'
    assert json.loads(out)["delta"] == "a\u2028b\u2029c é"


def test_encode_json_bytes_matches_to_json() -> None:
    """encode_json_bytes is dumps(to_json(msg))."""
    msg = notification_pb2.AgentMessageDeltaNotification(
        thread_id="t", turn_id="u", item_id="i", delta="x\u2028"
    )
    out = codec.encode_json_bytes(msg)
    assert out == codec.dumps(codec.to_json(msg))
    assert json.loads(out) == {"threadId": "t", "turnId": "u", "itemId": "i", "delta": "x\u2028"}
    assert b"\xe2\x80\xa8" not in out


def test_loads_accepts_bytes_and_str_and_rejects_garbage() -> None:
    """loads parses bytes or str; malformed JSON raises ValueError."""
    assert codec.loads(b'{"a":[1,"x"]}') == {"a": [1, "x"]}
    assert codec.loads('{"a":null}') == {"a": None}
    with pytest.raises(ValueError):
        codec.loads(b"{nope")


def test_converters_are_built_once() -> None:
    """build_all builds converters; later lookups return the same functions."""
    desc = thread_pb2.ThreadReadResponse.DESCRIPTOR
    codec.build_all([desc])
    assert codec.encoder_for(desc) is codec.encoder_for(desc)
    assert codec.decoder_for(desc) is codec.decoder_for(desc)


def test_an_unset_required_enum_is_never_written() -> None:
    """An output whose required enum was never set (its UNSPECIFIED zero) fails
    loudly, naming the enum, instead of going out as some real value; set, it
    encodes with its wire string, and a completed turn's status is non-zero, so
    default protobuf JSON options show it."""
    turn = thread_pb2.Turn(id="t")
    with pytest.raises(codec.UnsetValueError, match=r"app_server_protocol\.v2\.TurnStatus: 0 "):
        codec.to_json(turn)
    turn.status = thread_pb2.TURN_STATUS_COMPLETED
    assert codec.to_json(turn)["status"] == "completed"
    assert json_format.MessageToDict(turn)["status"] == "TURN_STATUS_COMPLETED"


def test_an_unset_union_is_never_written_as_its_first_variant() -> None:
    """An output whose tagged or external union was never set fails loudly
    instead of going out as its first variant (an unset sandbox once read as
    `dangerFullAccess`); an unset untagged union is null."""
    resp = thread_pb2.ThreadStartResponse()
    resp.thread.source.unit = thread_pb2.SessionSource.SESSION_SOURCE_UNIT_APP_SERVER
    resp.approval_policy = thread_pb2.ASK_FOR_APPROVAL_NEVER
    with pytest.raises(codec.UnsetValueError, match=r"v2\.SandboxPolicy: no variant set"):
        codec.to_json(resp)
    resp.sandbox.read_only.SetInParent()
    assert codec.to_json(resp)["sandbox"] == {"type": "readOnly", "access": {"type": "fullAccess"}}
    assert codec.to_json(jsonrpc_pb2.JSONRPCResponse())["id"] is None


@pytest.mark.parametrize("text", ["ASK_FOR_APPROVAL_UNSPECIFIED", "", "untrusted "])
def test_no_json_string_decodes_to_unspecified(text: str) -> None:
    """The UNSPECIFIED zero has no wire string: not even its proto name decodes to it."""
    with pytest.raises(codec.DecodeError, match=r"^approvalPolicy: unknown variant `"):
        decode(thread_pb2.ThreadStartParams, {"approvalPolicy": text})
    assert decode(thread_pb2.ThreadStartParams, {"approvalPolicy": "untrusted"}).approval_policy \
        == thread_pb2.ASK_FOR_APPROVAL_UNTRUSTED != 0


@pytest.mark.parametrize("length", [10, 600, 3000])
def test_dumps_results_hold_about_their_own_length(length: int) -> None:
    """A kept result (a queued message) costs about its length, not the 4 KiB and up
    of the buffer it was written in."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [codec.dumps({"x": "a" * length, "i": i}) for i in range(500)]
        per_message = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert per_message < 2 * len(kept[0]) + 200, per_message
