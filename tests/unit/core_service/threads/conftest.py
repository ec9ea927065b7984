"""A thread manager over a real store in a temporary CODEX_HOME."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core_service.config.source import ConfigSource
from core_service.hub import Hub
from core_service.store.store import Store
from core_service.threads.manager import ThreadManager


@dataclass
class Env:
    """The collaborators of one test."""

    home: Path
    hub: Hub
    store: Store
    threads: ThreadManager


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    """A manager with an open store; closed after the test."""
    hub = Hub()
    store = Store(tmp_path)
    await store.open()
    threads = ThreadManager(hub, store, ConfigSource(tmp_path, env={}), idle_unload_seconds=0.2)
    try:
        yield Env(tmp_path, hub, store, threads)
    finally:
        await threads.close()
        await store.close()
