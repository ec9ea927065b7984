"""The composition root: one handler per client request of the method table,
checked when the core is built; start opens the store, close is idempotent."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app_server_protocol.methods import CLIENT_REQUESTS, Method
from core_service import wiring
from core_service.config.source import ConfigSource
from core_service.wiring import Core

WAIT = 10.0


def _core(home: Path) -> Core:
    return Core(ConfigSource(home, env={"CODEX_HOME": str(home)}))


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[Core]:
    """A core started on a private CODEX_HOME, closed at the end."""
    core = _core(tmp_path)
    await asyncio.wait_for(core.start(), WAIT)
    yield core
    await asyncio.wait_for(core.close(), WAIT)


def test_every_client_request_has_exactly_one_handler(tmp_path: Path) -> None:
    """The handler table binds every method of CLIENT_REQUESTS and nothing else, each to
    a coroutine taking (params, call)."""
    core = _core(tmp_path)
    assert set(core.handlers) == set(CLIENT_REQUESTS)
    for name, handler in core.handlers.items():
        assert inspect.iscoroutinefunction(handler), name
        assert list(inspect.signature(handler).parameters) == ["params", "call"], name


def test_a_method_without_handler_stops_construction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A method added to the table without a core handler makes `Core(...)` raise at
    once, naming every such method (the process fails at start, not at the first call)."""
    template = CLIENT_REQUESTS["thread/list"]
    extra = {name: Method(name, template.params, template.result, template.service, "X")
             for name in ("zeta/unbound", "alpha/unbound")}
    monkeypatch.setattr(wiring, "CLIENT_REQUESTS", {**CLIENT_REQUESTS, **extra})
    with pytest.raises(RuntimeError) as caught:
        _core(tmp_path)
    assert "['alpha/unbound', 'zeta/unbound']" in str(caught.value)


async def test_started_core_serves_from_its_store(started: Core, tmp_path: Path) -> None:
    """After start the store is open under CODEX_HOME: thread/list answers (empty)."""
    listed = await asyncio.wait_for(started.handlers["thread/list"]({}, None), WAIT)
    assert listed["data"] == [] and listed["nextCursor"] is None
    assert any(tmp_path.iterdir())  # the index was created in the private home


async def test_close_is_idempotent_and_leaves_no_task(tmp_path: Path) -> None:
    """close twice is a no-op the second time; once closed, no background task of the
    core (the idle reaper) is left running, and the store refuses further use."""
    before = asyncio.all_tasks()
    core = _core(tmp_path)
    await asyncio.wait_for(core.start(), WAIT)
    await asyncio.wait_for(core.close(), WAIT)
    await asyncio.wait_for(core.close(), WAIT)
    assert [t for t in asyncio.all_tasks() - before if not t.done()] == []
    with pytest.raises(RuntimeError, match="store is not open"):
        await core.handlers["thread/list"]({}, None)


async def test_close_without_start_is_a_no_op(tmp_path: Path) -> None:
    """A core that never started (start-up failed later) closes without error."""
    core = _core(tmp_path)
    await asyncio.wait_for(core.close(), WAIT)
    await asyncio.wait_for(core.close(), WAIT)
