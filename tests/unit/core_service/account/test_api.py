"""core_service.account.api: the AccountService handlers and the events they broadcast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from app_server_protocol import codec
from app_server_protocol.errors import ProtocolError
from core_service.account.api import AccountApi
from core_service.account.credentials import Credentials
from core_service.config.source import ConfigSource
from core_service.hub import CallInfo, ConnKey, Hub

CALL = CallInfo(ConnKey("g1", "c1"), 1)


class RecordingHub(Hub):
    """A hub that keeps what is emitted instead of delivering it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[dict[str, Any], bool, CallInfo | None]] = []

    def emit(self, msg: Message, *, thread_id: str | None = None, to: Any = None,
             broadcast: bool = False, after: CallInfo | None = None) -> None:
        self.sent.append((codec.to_json(msg), broadcast, after))


def _api(home: Path, provider: str = "openai", env: dict[str, str] | None = None
         ) -> tuple[AccountApi, RecordingHub]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model_provider = "{provider}"\n'
        '[model_providers.mock]\nname = "mock"\nbase_url = "http://mock/v1"\n')
    hub = RecordingHub()
    env = env if env is not None else {}
    source = ConfigSource(home, env={"CODEX_HOME": str(home), **env})
    return AccountApi(hub, Credentials(home, env=env), source), hub


async def test_api_key_login_read_and_logout(tmp_path: Path) -> None:
    """An API-key login is stored, announced (login completed, then account updated, both
    after the response), read back; logout forgets it and announces a null mode."""
    api, hub = _api(tmp_path)
    assert await api.read({}, CALL) == {"account": None, "requiresOpenaiAuth": True}
    assert await api.login_start({"type": "apiKey", "apiKey": "sk-1"}, CALL) == {"type": "apiKey"}
    assert hub.sent == [
        ({"loginId": None, "success": True, "error": None}, True, CALL),
        ({"authMode": "apikey"}, True, CALL),
    ]
    assert await api.read({}, CALL) == {"account": {"type": "apiKey"},
                                        "requiresOpenaiAuth": True}
    hub.sent.clear()
    assert await api.logout({}, CALL) == {}
    assert hub.sent == [({"authMode": None}, True, CALL)]
    assert (await api.read({}, CALL))["account"] is None


async def test_custom_provider_needs_no_openai_auth(tmp_path: Path) -> None:
    """With a custom provider account/read reports requiresOpenaiAuth false."""
    api, _ = _api(tmp_path, provider="mock")
    assert await api.read({}, None) == {"account": None, "requiresOpenaiAuth": False}


async def test_unsupported_logins_and_bad_cancel_are_refused(tmp_path: Path) -> None:
    """ChatGPT logins are refused with -32600; a cancel needs a UUID and finds nothing."""
    api, hub = _api(tmp_path)
    with pytest.raises(ProtocolError, match="chatgpt login is not supported"):
        await api.login_start({"type": "chatgpt"}, CALL)
    with pytest.raises(ProtocolError, match="invalid login id: x"):
        await api.login_cancel({"loginId": "x"}, CALL)
    cancel = await api.login_cancel({"loginId": "7a1d6c2e-5a43-4b47-9d33-0b4c3f0a8b11"}, CALL)
    assert cancel == {"status": "notFound"}
    assert hub.sent == []


async def test_rate_limits_read_needs_chatgpt(tmp_path: Path) -> None:
    """account/rateLimits/read is refused: without a key for lack of an account, with an
    API key for lack of ChatGPT sign-in."""
    api, _ = _api(tmp_path)
    with pytest.raises(ProtocolError, match="codex account authentication required"):
        await api.rate_limits_read({}, None)
    await api.login_start({"type": "apiKey", "apiKey": "sk-1"}, None)
    with pytest.raises(ProtocolError, match="chatgpt authentication required"):
        await api.rate_limits_read({}, None)
