"""Building a turn's model request: body, reasoning, output schema and headers."""

from __future__ import annotations

import json
from pathlib import Path

from core_service.account.credentials import RequestAuth
from core_service.turns.instructions import BASE_INSTRUCTIONS
from core_service.turns.request import build_request
from tests.unit.core_service.turns.support import config, thread


def test_the_body_carries_the_thread_history_and_instructions(tmp_path: Path) -> None:
    """The request streams the whole history with the thread's instructions, cached
    per thread, with the reference's tools for the model and without storage."""
    t = thread(config(tmp_path, model="gpt-5.1-codex"))
    t.history = [{"type": "message", "role": "user", "content": []}]
    req = build_request(t, "turn-1", RequestAuth("sk-1"))
    body = req.body
    assert body["model"] == "gpt-5.1-codex"
    assert body["instructions"] == BASE_INSTRUCTIONS
    assert body["input"] == t.history and body["input"] is not t.history
    assert (body["stream"], body["store"]) == (True, False)
    assert [t.get("name", t["type"]) for t in body["tools"]] == [
        "exec_command", "write_stdin", "update_plan", "request_user_input", "apply_patch",
        "web_search", "view_image"]
    assert body["prompt_cache_key"] == t.id
    assert req.bearer == "sk-1"
    assert req.provider is t.config.provider
    assert "text" not in body


def test_reasoning_models_get_effort_summary_and_encrypted_content(tmp_path: Path) -> None:
    """A reasoning model gets the thread's effort and summary (medium/auto by default)."""
    t = thread(config(tmp_path, model="gpt-5.1-codex"))
    assert build_request(t, "t", RequestAuth()).body["reasoning"] == {"effort": "medium",
                                                             "summary": "auto"}
    t.config = config(tmp_path, model="gpt-5.1-codex", model_reasoning_effort="high",
                      model_reasoning_summary="concise")
    body = build_request(t, "t", RequestAuth()).body
    assert body["reasoning"] == {"effort": "high", "summary": "concise"}
    assert body["include"] == ["reasoning.encrypted_content"]


def test_other_models_get_no_reasoning(tmp_path: Path) -> None:
    """A model without reasoning support gets `reasoning: null` and no include."""
    t = thread(config(tmp_path, model="gpt-4o"))
    body = build_request(t, "t", RequestAuth()).body
    assert body["reasoning"] is None and body["include"] == []


def test_an_output_schema_and_a_replacement_history(tmp_path: Path) -> None:
    """An output schema becomes a strict json_schema format; `history` replaces the input."""
    t = thread(config(tmp_path, base_instructions="Be brief."))
    schema = {"type": "object"}
    replacement = [{"type": "message", "role": "user", "content": []}]
    body = build_request(t, "t", RequestAuth(), output_schema=schema, history=replacement).body
    assert body["text"] == {"format": {"type": "json_schema", "name": "codex_output_schema",
                                       "schema": schema, "strict": True}}
    assert body["input"] == replacement
    assert body["instructions"] == "Be brief."


def test_headers_attribute_the_request(tmp_path: Path) -> None:
    """Originator and user agent name the client (ours by default); the session is
    the thread; the turn metadata names the turn and its sandbox."""
    t = thread(config(tmp_path))
    headers = build_request(t, "turn-9", RequestAuth()).headers
    assert headers["originator"] == "codex_app_server"
    assert (headers["user-agent"] or "").startswith("codex_app_server/")
    assert headers["session_id"] == t.id
    assert json.loads(headers["x-codex-turn-metadata"] or "") == {
        "turn_id": "turn-9", "sandbox": "seccomp"}
    t.meta["sandbox"] = {"type": "dangerFullAccess"}
    headers = build_request(t, "turn-9", RequestAuth(), originator={"name": "codex_vscode",
                                                           "version": "0.1"}).headers
    assert headers["originator"] == "codex_vscode"
    assert "codex_vscode" in (headers["user-agent"] or "")
    assert json.loads(headers["x-codex-turn-metadata"] or "")["sandbox"] == "none"


def test_chatgpt_credentials_send_the_account_and_pick_the_chatgpt_route(tmp_path: Path) -> None:
    """With an account id the request carries `chatgpt-account-id` and the built-in provider
    (no OPENAI_BASE_URL) goes to the ChatGPT backend's Codex route; an API key does not."""
    t = thread(config(tmp_path))
    req = build_request(t, "t", RequestAuth("tok", "acct_1"))
    assert (req.bearer, req.headers["chatgpt-account-id"]) == ("tok", "acct_1")
    assert req.base_url == "https://chatgpt.com/backend-api/codex"
    plain = build_request(t, "t", RequestAuth("sk-1"))
    assert "chatgpt-account-id" not in plain.headers
    assert plain.base_url == "https://api.openai.com/v1"
