"""core_service.config.load: loading, diagnostics, overrides, profiles, read, writes."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import pytest

from core_service.config import load as cfgmod
from core_service.config.load import (
    INVALID_CONFIG_SUMMARY,
    ConfigError,
    LoadResult,
    derive_thread_config,
    feature_overrides,
    load_config,
    parse_cli_overrides,
    read_config_response,
    write_values,
)

HARNESS_CONFIG = """\
model = "gpt-5.1-codex"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "read-only"
chatgpt_base_url = "http://127.0.0.1:4321/backend-api/"
check_for_update_on_startup = false
[features]
some_unknown_flag = true
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:4321/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
supports_websockets = false
requires_openai_auth = false
"""


def _write(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(home: Path, text: str | None = None, **kwargs: Any) -> LoadResult:
    if text is not None:
        _write(home, text)
    kwargs.setdefault("env", {})
    return load_config(home, **kwargs)


# --------------------------------------------------------------------------- loading


def test_defaults_without_file(tmp_path: Path) -> None:
    """A missing config.toml gives the reference defaults and no diagnostic."""
    result = _load(tmp_path)
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
    _write(tmp_path, 'model = "from-env-home"\n')
    result = load_config(env={"CODEX_HOME": str(tmp_path)})
    assert result.config.model == "from-env-home"
    assert cfgmod.codex_home_from_env({}) == Path.home() / ".codex"


def test_harness_config_loads_cleanly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The conformance harness's config loads without diagnostic; unknown keys are kept."""
    with caplog.at_level(logging.WARNING, logger="core_service.config.load"):
        result = _load(tmp_path, HARNESS_CONFIG)
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
    result = _load(tmp_path, text)
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


# --------------------------------------------------------------------------- diagnostics


def test_reference_type_error_diagnostic(tmp_path: Path) -> None:
    """`collaboration_modes = "true"` on line 19 gives the reference's exact warning and range."""
    lines = ["# padding line"] * 17 + ["[features]", 'collaboration_modes = "true"']
    path = _write(tmp_path, "\n".join(lines) + "\n")
    assert path.read_text().splitlines()[18].index('"true"') + 1 == 23
    result = _load(tmp_path)
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
        derive_thread_config(result.config)
    assert thread_err.value.message == f"error deriving config: {d.details}"
    with pytest.raises(ConfigError) as read_err:
        read_config_response(result)
    assert read_err.value.message == (
        'invalid configuration: invalid type: string "true", expected a boolean\nin `features`\n'
    )


def test_toml_syntax_error_zero_width(tmp_path: Path) -> None:
    """A key without `=` is reported at its line/column with a zero-width range."""
    lines = ["# padding"] * 17 + ["model", 'sandbox_mode = "read-only"']
    path = _write(tmp_path, "\n".join(lines) + "\n")
    result = _load(tmp_path, overrides=[(["model"], "from-flag")])
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
    result = _load(tmp_path, text)
    assert result.diagnostic is not None
    assert result.diagnostic.range == ((2, 61), (2, 63))
    assert result.diagnostic.message == 'invalid type: string "3", expected u64'

    result = _load(tmp_path, 'features.steer = 1\n')
    assert result.diagnostic is not None
    assert result.diagnostic.range == ((1, 18), (1, 18))
    assert result.diagnostic.message == "invalid type: integer `1`, expected a boolean"


def test_enum_and_wire_api_errors(tmp_path: Path) -> None:
    """Unknown enum variants and the retired `chat` wire API are errors with the value's range."""
    result = _load(tmp_path, 'approval_policy = "sometimes"\n')
    assert result.diagnostic is not None
    assert result.diagnostic.message == (
        "unknown variant `sometimes`, expected one of `untrusted`, `on-failure`, "
        "`on-request`, `never`"
    )
    assert result.diagnostic.range == ((1, 19), (1, 29))

    result = _load(tmp_path, '[model_providers.x]\nname = "x"\nbase_url = "u"\nwire_api = "chat"\n')
    assert result.diagnostic is not None
    assert "no longer supported" in result.diagnostic.message
    assert result.diagnostic.range == ((4, 12), (4, 17))


def test_unknown_provider_is_a_diagnostic(tmp_path: Path) -> None:
    """Selecting a provider that does not exist is reported, pointing at `model_provider`."""
    result = _load(tmp_path, 'model_provider = "nope"\n')
    assert result.diagnostic is not None
    assert result.diagnostic.message == "Model provider `nope` not found"
    assert result.diagnostic.range == ((1, 18), (1, 23))
    assert result.config.model_provider_id == "openai"


def test_error_in_override_has_no_range(tmp_path: Path) -> None:
    """A bad `-c` value is reported without a file position and the defaults are used."""
    result = _load(tmp_path, HARNESS_CONFIG, overrides=parse_cli_overrides(["sandbox_mode=nah"]))
    assert result.diagnostic is not None
    assert result.diagnostic.range is None
    assert "unknown variant `nah`" in result.diagnostic.details
    assert result.config.model_provider_id == "openai"


def test_span_scanner_finds_every_value() -> None:
    """The position scanner locates every value of a tricky document exactly."""
    text = '''\
# comment with = and [brackets]
a = 1979-05-27 07:32:00Z  # datetime with a space
"quoted.key" = 'lit # not a comment'
b.c . d = """multi
line "" with quotes"""""
e = \'\'\'raw
\'\'\'
arr = [ 1, [2, 3], { x = "}" }, # comment
  "last", ]
[t."sub.t"]
k = { i = { j = -0.5e3 } }
[[aot]]
v = true
[[aot]]
v = false
[aot.inner]
w = "w"
'''
    data = tomllib.loads(text)
    spans = cfgmod._SpanScanner(text).scan()

    def leaves(node: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in leaves(v, (*path, k))]
        if isinstance(node, list) and path[-1] != "aot":
            return [(path, node)] + [x for i, v in enumerate(node) for x in leaves(v, (*path, i))]
        if isinstance(node, list):
            return [x for i, v in enumerate(node) for x in leaves(v, (*path, i))]
        return [(path, node)]

    found = leaves(data, ())
    assert len(found) > 10
    for path, value in found:
        start, end = spans[path]
        assert tomllib.loads(f"v = {text[start:end]}")["v"] == value, path
    assert ("aot", 1, "inner", "w") in spans


# --------------------------------------------------------------------------- providers


def test_openai_base_url_env_override(tmp_path: Path) -> None:
    """OPENAI_BASE_URL replaces the built-in provider's URL (also for ChatGPT sign-in)."""
    plain = _load(tmp_path).config.provider
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
    p = _load(tmp_path, text).config.provider
    assert (p.name, p.base_url, p.env_key, p.requires_openai_auth) == (
        "Mine", "http://x/v1", "OPENAI_API_KEY", True
    )
    assert p.base_url_for(chatgpt_auth=True) == "http://x/v1"


# --------------------------------------------------------------------------- overrides


def test_parse_cli_overrides() -> None:
    """`-c` values are TOML when they parse, plain strings otherwise; dotted keys split."""
    parsed = parse_cli_overrides(
        [
            'model_providers.mock.base_url="http://x"',
            "model=o3",
            "features.steer=true",
            "model_context_window = 12",
            "sandbox_workspace_write.writable_roots=['/a', '/b']",
            'projects."/x.y".trust_level=trusted',
            "url=http://h:1/v1?a=b",
        ]
    )
    assert parsed == [
        (["model_providers", "mock", "base_url"], "http://x"),
        (["model"], "o3"),
        (["features", "steer"], True),
        (["model_context_window"], 12),
        (["sandbox_workspace_write", "writable_roots"], ["/a", "/b"]),
        (["projects", "/x.y", "trust_level"], "trusted"),
        (["url"], "http://h:1/v1?a=b"),
    ]
    with pytest.raises(ConfigError):
        parse_cli_overrides(["no-equals-sign"])


def test_cli_overrides_apply_over_file(tmp_path: Path) -> None:
    """Overrides win over the file, merge into its tables, and show as sessionFlags origins."""
    overrides = parse_cli_overrides(
        ['model_providers.mock.base_url="http://other/v1"', "model=o3", "approval_policy=untrusted"]
    )
    overrides += feature_overrides(enable=["steer"], disable=["some_unknown_flag"])
    result = _load(tmp_path, HARNESS_CONFIG, overrides=overrides)
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
    c = _load(tmp_path, text).config
    assert (c.profile, c.model, c.approval_policy, c.sandbox_mode) == (
        "fast", "quick", "on-failure", "read-only"
    )
    c = _load(tmp_path, overrides=[(["profile"], "slow")]).config
    assert (c.model, c.approval_policy) == ("s", "never")
    bad = _load(tmp_path, overrides=[(["profile"], "missing")])
    assert bad.diagnostic is not None
    assert "config profile `missing` not found" in bad.diagnostic.details


def test_derive_thread_config(tmp_path: Path) -> None:
    """thread/start overrides produce a new config without touching the base one."""
    base = _load(tmp_path, HARNESS_CONFIG).config
    derived = derive_thread_config(
        base,
        model="gpt-x",
        model_provider="openai",
        cwd="/work",
        approval_policy="untrusted",
        sandbox="workspace-write",
        base_instructions="base",
        developer_instructions="dev",
        config_overrides={"model_reasoning_effort": "high", "features.steer": True},
    )
    assert (derived.model, derived.model_provider_id) == ("gpt-x", "openai")
    assert derived.cwd == Path("/work")
    assert (derived.approval_policy, derived.sandbox_mode) == ("untrusted", "workspace-write")
    assert (derived.base_instructions, derived.developer_instructions) == ("base", "dev")
    assert derived.model_reasoning_effort == "high"
    assert derived.features["steer"] is True
    assert base.model == "gpt-5.1-codex" and "steer" not in base.features


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"model_provider": "nope"}, "Model provider `nope` not found"),
        ({"sandbox": "everything"}, "unknown variant `everything`"),
        ({"config_overrides": {"features.steer": "yes"}}, "expected a boolean"),
    ],
)
def test_derive_thread_config_rejects_bad_overrides(
    tmp_path: Path, kwargs: dict[str, Any], fragment: str
) -> None:
    """An invalid per-thread override raises ConfigError with a clear message."""
    base = _load(tmp_path, HARNESS_CONFIG).config
    with pytest.raises(ConfigError, match=fragment):
        derive_thread_config(base, **kwargs)


# --------------------------------------------------------------------------- config/read


def test_read_config_response_shape(tmp_path: Path) -> None:
    """config/read returns the merged values (known keys null when unset) and user origins."""
    result = _load(tmp_path, 'when = 1979-05-27T07:32:00Z\n' + HARNESS_CONFIG)
    response = read_config_response(result)
    config = response["config"]
    assert config["model_provider"] == "mock"
    assert config["review_model"] is None
    assert config["profiles"] == {}
    assert config["check_for_update_on_startup"] is False
    assert config["when"] == "1979-05-27T07:32:00+00:00"
    origin = response["origins"]["model_providers.mock.base_url"]
    assert origin["name"] == {"type": "user", "file": str(tmp_path / "config.toml")}
    assert origin["version"].startswith("sha256:")
    assert response["layers"] is None


# --------------------------------------------------------------------------- writes


def test_write_preserves_comments_and_reports_version(tmp_path: Path) -> None:
    """Writes keep comments/formatting, create tables, and return the new file's version."""
    path = _write(tmp_path, '# my settings\nmodel = "a"  # favourite\n\n[features]\nsteer = true\n')
    before = load_config(tmp_path, env={}).config.user_version
    response = write_values(
        tmp_path,
        [
            ("model", "b", "replace"),
            ("model_providers.mock.base_url", "http://x/v1", "replace"),
            ("features", {"undo": True}, "upsert"),
        ],
        expected_version=before,
    )
    text = path.read_text()
    assert "# my settings" in text and '"b"  # favourite' in text
    assert tomllib.loads(text) == {
        "model": "b",
        "features": {"steer": True, "undo": True},
        "model_providers": {"mock": {"base_url": "http://x/v1"}},
    }
    after = load_config(tmp_path, env={}).config.user_version
    assert response == {
        "status": "ok",
        "version": after,
        "filePath": str(path),
        "overriddenMetadata": None,
    }
    assert after != before

    # replace overwrites a whole table; a null value removes a key
    write_values(tmp_path, [("features", {"x": False}, "replace"), ("model", None, "replace")])
    assert tomllib.loads(path.read_text()) == {
        "features": {"x": False},
        "model_providers": {"mock": {"base_url": "http://x/v1"}},
    }


def test_write_version_conflict(tmp_path: Path) -> None:
    """A stale expected version is refused and the file is left untouched."""
    path = _write(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError, match="config version conflict") as err:
        write_values(tmp_path, [("model", "b", "replace")], expected_version="sha256:stale")
    assert err.value.code == "configVersionConflict"
    assert path.read_text() == 'model = "a"\n'


def test_write_rejects_invalid_values(tmp_path: Path) -> None:
    """A write that would make the config invalid is refused before touching the file."""
    path = _write(tmp_path, 'model = "a"\n')
    with pytest.raises(ConfigError) as err:
        write_values(tmp_path, [("features.steer", "yes", "replace")])
    assert err.value.code == "configValidationError"
    assert path.read_text() == 'model = "a"\n'
    with pytest.raises(ConfigError) as other:
        write_values(tmp_path, [("model", "b", "replace")], file_path=str(tmp_path / "other.toml"))
    assert other.value.code == "configLayerReadonly"


def test_write_creates_file_and_reports_override(tmp_path: Path) -> None:
    """Writing a key shadowed by a `-c` flag succeeds with status okOverridden."""
    response = write_values(
        tmp_path, [("model", "b", "replace")], overrides=[(["model"], "flag-model")]
    )
    assert tomllib.loads((tmp_path / "config.toml").read_text()) == {"model": "b"}
    assert response["status"] == "okOverridden"
    meta = response["overriddenMetadata"]
    assert meta["effectiveValue"] == "flag-model"
    assert meta["overridingLayer"]["name"] == {"type": "sessionFlags"}
    assert list(tmp_path.iterdir()) == [tmp_path / "config.toml"]  # no temp file left behind
