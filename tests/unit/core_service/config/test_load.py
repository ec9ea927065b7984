"""core_service.config.load: the file plus overrides into a Config; problems as diagnostics."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core_service.config.diagnostics import INVALID_CONFIG_SUMMARY
from core_service.config.errors import ConfigError
from core_service.config.load import codex_home_from_env, load_config
from core_service.config.overrides import derive_thread_config, parse_cli_overrides
from core_service.config.write import read_config_response
from tests.unit.core_service.config.support import HARNESS_CONFIG, load, write_file


def test_defaults_without_file(tmp_path: Path) -> None:
    """A missing config.toml gives the reference defaults and no diagnostic."""
    result = load(tmp_path)
    c = result.config
    assert result.diagnostic is None
    assert c.model == "gpt-5.1-codex"
    assert c.model_provider_id == "openai"
    assert c.approval_policy == "on-request"
    assert c.sandbox_mode == "read-only"
    assert c.chatgpt_base_url == "https://chatgpt.com/backend-api/"
    assert c.provider.name == "OpenAI"
    assert c.provider.base_url == "https://api.openai.com/v1"
    assert c.provider.env_key == "OPENAI_API_KEY"
    assert c.provider.requires_openai_auth is True
    assert c.model_reasoning_effort is None
    assert c.features == {}
    assert c.config_path == tmp_path / "config.toml"


def test_codex_home_from_env(tmp_path: Path) -> None:
    """CODEX_HOME selects the home directory; without it ~/.codex is used."""
    write_file(tmp_path, 'model = "from-env-home"\n')
    result = load_config(env={"CODEX_HOME": str(tmp_path)})
    assert result.config.model == "from-env-home"
    assert codex_home_from_env({}) == Path.home() / ".codex"


def test_harness_config_loads_cleanly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The conformance harness's config loads without diagnostic; unknown keys are kept."""
    with caplog.at_level(logging.WARNING, logger="core_service.config.load"):
        result = load(tmp_path, HARNESS_CONFIG)
    assert result.diagnostic is None
    c = result.config
    assert c.model_provider_id == "mock"
    assert c.approval_policy == "never"
    assert c.chatgpt_base_url == "http://127.0.0.1:4321/backend-api/"
    p = c.provider
    assert (p.id, p.name, p.base_url, p.wire_api) == (
        "mock", "mock", "http://127.0.0.1:4321/v1", "responses"
    )
    assert (p.request_max_retries, p.stream_max_retries, p.requires_openai_auth) == (0, 0, False)
    assert p.stream_idle_timeout_ms == 300_000
    assert c.features == {"some_unknown_flag": True}
    assert c.raw["check_for_update_on_startup"] is False
    assert "unknown feature key in config: some_unknown_flag" in caplog.text


def test_all_known_keys_and_unknown_keys(tmp_path: Path) -> None:
    """Every supported key is read with its type; foreign keys anywhere are accepted."""
    text = """\
model = "m"
review_model = "r"
model_context_window = 1000
model_auto_compact_token_limit = 900
model_reasoning_effort = "xhigh"
model_reasoning_summary = "detailed"
model_verbosity = "low"
approval_policy = "untrusted"
sandbox_mode = "workspace-write"
instructions = "i"
developer_instructions = "d"
base_instructions = "b"
compact_prompt = "c"
forced_login_method = "api"
forced_chatgpt_workspace_id = "ws"
web_search = "live"
notify = ["notify-send", "done"]
hide_agent_reasoning = true
file_opener = "vscode"
[sandbox_workspace_write]
writable_roots = ["/a", "/b"]
network_access = true
exclude_slash_tmp = true
[tools]
view_image = false
[analytics]
enabled = false
[history]
persistence = "none"
[tui]
notifications = true
[shell_environment_policy]
inherit = "core"
[mcp_servers.x]
command = "run"
[projects."/some/path"]
trust_level = "trusted"
[otel]
environment = "dev"
[model_providers.p]
name = "P"
base_url = "http://p"
env_key = "P_KEY"
http_headers = { "X-A" = "1" }
env_http_headers = { "X-B" = "B_ENV" }
query_params = { "api-version" = "2" }
stream_idle_timeout_ms = 5
future_field = 3
"""
    result = load(tmp_path, text)
    assert result.diagnostic is None
    c = result.config
    assert (c.model, c.review_model, c.model_context_window) == ("m", "r", 1000)
    assert c.model_auto_compact_token_limit == 900
    assert (c.model_reasoning_effort, c.model_reasoning_summary) == ("xhigh", "detailed")
    assert c.model_verbosity == "low"
    assert (c.approval_policy, c.sandbox_mode) == ("untrusted", "workspace-write")
    assert (c.instructions, c.developer_instructions, c.base_instructions) == ("i", "d", "b")
    assert c.compact_prompt == "c"
    assert (c.forced_login_method, c.forced_chatgpt_workspace_id) == ("api", "ws")
    assert c.web_search == "live"
    assert c.sandbox_workspace_write.writable_roots == ["/a", "/b"]
    assert c.sandbox_workspace_write.network_access is True
    assert c.sandbox_workspace_write.exclude_slash_tmp is True
    assert c.sandbox_workspace_write.exclude_tmpdir_env_var is False
    assert c.tools == {"view_image": False}
    assert c.analytics == {"enabled": False}
    assert c.raw["projects"]["/some/path"]["trust_level"] == "trusted"
    p = c.providers["p"]
    assert (p.env_key, p.http_headers) == ("P_KEY", {"X-A": "1"})
    assert p.env_http_headers == {"X-B": "B_ENV"}
    assert p.query_params == {"api-version": "2"}
    assert p.stream_idle_timeout_ms == 5
    assert p.request_max_retries == 4
    assert p.requires_openai_auth is False


def test_reference_type_error_diagnostic(tmp_path: Path) -> None:
    """`collaboration_modes = "true"` on line 19 gives the reference's exact warning and range."""
    lines = ["# padding line"] * 17 + ["[features]", 'collaboration_modes = "true"']
    path = write_file(tmp_path, "\n".join(lines) + "\n")
    assert path.read_text().splitlines()[18].index('"true"') + 1 == 23
    result = load(tmp_path)
    d = result.diagnostic
    assert d is not None
    assert d.summary == INVALID_CONFIG_SUMMARY
    assert d.details == f'{path}:19:23: invalid type: string "true", expected a boolean'
    assert d.path == str(path)
    assert d.range == ((19, 23), (19, 28))
    assert d.to_notification() == {
        "summary": "Invalid configuration; using defaults.",
        "details": f'{path}:19:23: invalid type: string "true", expected a boolean',
        "path": str(path),
        "range": {"start": {"line": 19, "column": 23}, "end": {"line": 19, "column": 28}},
    }
    # Afterwards: defaults, thread creation and config/read fail with the reference's messages.
    assert result.config.model == "gpt-5.1-codex"
    assert result.config.features == {}
    with pytest.raises(ConfigError) as thread_err:
        derive_thread_config(result.config, {})
    assert thread_err.value.message == f"error deriving config: {d.details}"
    with pytest.raises(ConfigError) as read_err:
        read_config_response(result)
    assert read_err.value.message == (
        'invalid configuration: invalid type: string "true", expected a boolean\nin `features`\n'
    )


def test_toml_syntax_error_zero_width(tmp_path: Path) -> None:
    """A key without `=` is reported at its line/column with a zero-width range."""
    lines = ["# padding"] * 17 + ["model", 'sandbox_mode = "read-only"']
    path = write_file(tmp_path, "\n".join(lines) + "\n")
    result = load(tmp_path, overrides=[(["model"], "from-flag")])
    d = result.diagnostic
    assert d is not None
    assert d.details == f"{path}:18:6: key with no value, expected `=`"
    assert d.range == ((18, 6), (18, 6))
    # Defaults plus command-line overrides remain in force.
    assert result.config.model == "from-flag"
    with pytest.raises(ConfigError, match="^failed to read configuration layers: "):
        read_config_response(result)


def test_type_error_located_in_inline_table_and_dotted_key(tmp_path: Path) -> None:
    """Values inside inline tables and dotted keys are located precisely."""
    text = 'model = "x"\nmodel_providers = { m = { name = "m", request_max_retries = "3" } }\n'
    result = load(tmp_path, text)
    assert result.diagnostic is not None
    assert result.diagnostic.range == ((2, 61), (2, 63))
    assert result.diagnostic.message == 'invalid type: string "3", expected u64'

    result = load(tmp_path, 'features.steer = 1\n')
    assert result.diagnostic is not None
    assert result.diagnostic.range == ((1, 18), (1, 18))
    assert result.diagnostic.message == "invalid type: integer `1`, expected a boolean"


def test_enum_and_wire_api_errors(tmp_path: Path) -> None:
    """Unknown enum variants and the retired `chat` wire API are errors with the value's range."""
    result = load(tmp_path, 'approval_policy = "sometimes"\n')
    assert result.diagnostic is not None
    assert result.diagnostic.message == (
        "unknown variant `sometimes`, expected one of `untrusted`, `on-failure`, "
        "`on-request`, `never`"
    )
    assert result.diagnostic.range == ((1, 19), (1, 29))

    result = load(tmp_path, '[model_providers.x]\nname = "x"\nbase_url = "u"\nwire_api = "chat"\n')
    assert result.diagnostic is not None
    assert "no longer supported" in result.diagnostic.message
    assert result.diagnostic.range == ((4, 12), (4, 17))


def test_unknown_provider_is_a_diagnostic(tmp_path: Path) -> None:
    """Selecting a provider that does not exist is reported, pointing at `model_provider`."""
    result = load(tmp_path, 'model_provider = "nope"\n')
    assert result.diagnostic is not None
    assert result.diagnostic.message == "Model provider `nope` not found"
    assert result.diagnostic.range == ((1, 18), (1, 23))
    assert result.config.model_provider_id == "openai"


def test_error_in_override_has_no_range(tmp_path: Path) -> None:
    """A bad `-c` value is reported without a file position and the defaults are used."""
    result = load(tmp_path, HARNESS_CONFIG, overrides=parse_cli_overrides(["sandbox_mode=nah"]))
    assert result.diagnostic is not None
    assert result.diagnostic.range is None
    assert "unknown variant `nah`" in result.diagnostic.details
    assert result.config.model_provider_id == "openai"


def test_openai_base_url_env_override(tmp_path: Path) -> None:
    """OPENAI_BASE_URL replaces the built-in provider's URL (also for ChatGPT sign-in)."""
    plain = load(tmp_path).config.provider
    assert plain.base_url_for(chatgpt_auth=False) == "https://api.openai.com/v1"
    assert plain.base_url_for(chatgpt_auth=True) == "https://chatgpt.com/backend-api/codex"

    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    overridden = load_config(tmp_path, env=env).config.provider
    assert overridden.base_url == "http://127.0.0.1:9/v1"
    assert overridden.base_url_for(chatgpt_auth=True) == "http://127.0.0.1:9/v1"

    empty = load_config(tmp_path, env={"OPENAI_BASE_URL": ""}).config.provider
    assert empty.base_url == "https://api.openai.com/v1"


def test_user_provider_overrides_builtin(tmp_path: Path) -> None:
    """A `[model_providers.openai]` table replaces the built-in fields it sets."""
    text = '[model_providers.openai]\nname = "Mine"\nbase_url = "http://x/v1"\n'
    p = load(tmp_path, text).config.provider
    assert (p.name, p.base_url, p.env_key, p.requires_openai_auth) == (
        "Mine", "http://x/v1", "OPENAI_API_KEY", True
    )
    assert p.base_url_for(chatgpt_auth=True) == "http://x/v1"


def test_cli_overrides_apply_over_file(tmp_path: Path) -> None:
    """Overrides win over the file, merge into its tables, and show as sessionFlags origins."""
    overrides = parse_cli_overrides(
        ['model_providers.mock.base_url="http://other/v1"', "model=o3", "approval_policy=untrusted"]
    )
    overrides += parse_cli_overrides(["features.steer=true", "features.some_unknown_flag=false"])
    result = load(tmp_path, HARNESS_CONFIG, overrides=overrides)
    assert result.diagnostic is None
    c = result.config
    assert c.model == "o3"
    assert c.approval_policy == "untrusted"
    assert c.provider.base_url == "http://other/v1"
    assert c.provider.name == "mock"  # untouched fields of the file's table survive
    assert c.features == {"some_unknown_flag": False, "steer": True}

    response = read_config_response(result, include_layers=True)
    assert response["origins"]["model"]["name"] == {"type": "sessionFlags"}
    assert response["origins"]["sandbox_mode"]["name"] == {
        "type": "user", "file": str(tmp_path / "config.toml")
    }
    assert [layer["name"]["type"] for layer in response["layers"]] == ["sessionFlags", "user"]
    assert response["config"]["model"] == "o3"


def test_profiles(tmp_path: Path) -> None:
    """The active profile overrides top-level keys; a missing profile is a diagnostic."""
    text = HARNESS_CONFIG.replace(
        'model = "gpt-5.1-codex"\n', 'model = "gpt-5.1-codex"\nprofile = "fast"\n'
    ) + (
        '[profiles.fast]\nmodel = "quick"\napproval_policy = "on-failure"\n'
        '[profiles.slow]\nmodel = "s"\n'
    )
    c = load(tmp_path, text).config
    assert (c.profile, c.model, c.approval_policy, c.sandbox_mode) == (
        "fast", "quick", "on-failure", "read-only"
    )
    c = load(tmp_path, overrides=[(["profile"], "slow")]).config
    assert (c.model, c.approval_policy) == ("s", "never")
    bad = load(tmp_path, overrides=[(["profile"], "missing")])
    assert bad.diagnostic is not None
    assert "config profile `missing` not found" in bad.diagnostic.details
