"""core_service.config.schema: the checks of config.toml keys and the built-in providers."""

from __future__ import annotations

from typing import Any

import pytest

from core_service.config.schema import builtin_providers, first_problem


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"model": 1}, ("model",), "invalid type: integer `1`, expected a string"),
        ({"features": {"x": "true"}}, ("features", "x"),
         'invalid type: string "true", expected a boolean'),
        ({"model_providers": {"p": {"request_max_retries": -1}}},
         ("model_providers", "p", "request_max_retries"),
         "invalid value: integer `-1`, expected u64"),
        ({"sandbox_mode": "all"}, ("sandbox_mode",),
         "unknown variant `all`, expected one of `read-only`, `workspace-write`, "
         "`danger-full-access`"),
        ({"forced_login_method": "x"}, ("forced_login_method",),
         "unknown variant `x`, expected `chatgpt` or `api`"),
        ({"sandbox_workspace_write": {"writable_roots": ["/a", 2]}},
         ("sandbox_workspace_write", "writable_roots", 1),
         "invalid type: integer `2`, expected a string"),
    ],
)
def test_first_problem_wording(data: dict[str, Any], path: tuple[Any, ...], message: str) -> None:
    """A value of the wrong type or variant is reported where it is, in serde's words."""
    problem = first_problem(data)
    assert problem is not None
    assert (problem.path, problem.message) == (path, message)


def test_unknown_keys_pass() -> None:
    """Keys the core does not know, at any depth, are not problems."""
    assert first_problem({"notify": ["x"], "tools": {"other": 1}, "profiles": {"p": {"z": 1}}}) \
        is None


def test_builtin_providers_follow_the_environment() -> None:
    """OPENAI_BASE_URL and the OSS port variables shape the built-in providers."""
    plain = builtin_providers({})
    assert plain["openai"].base_url == "https://api.openai.com/v1"
    assert plain["openai"].base_url_for(chatgpt_auth=True) == (
        "https://chatgpt.com/backend-api/codex"
    )
    assert plain["ollama"].base_url == "http://localhost:11434/v1"
    env = builtin_providers({"OPENAI_BASE_URL": "http://x/v1", "CODEX_OSS_PORT": "1"})
    assert env["openai"].base_url_for(chatgpt_auth=True) == "http://x/v1"
    assert env["ollama"].base_url == "http://localhost:1/v1"
