"""The one owner of the current configuration of the core.

The configuration is read at start and again after every successful write
(the reference reloads after `config/value/write` and `config/batchWrite`),
so `config/read`, `initialize`, `account/read` and threads started afterwards
all see the written values at once. The process-wide `-c` / `--enable` /
`--disable` overrides are kept and applied on every reload.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from core_service.config.load import LoadResult, codex_home_from_env, load_config
from core_service.config.schema import Config
from core_service.config.tables import Override


class ConfigSource:
    """The current :class:`LoadResult`, replaced as a whole by :meth:`reload`.

    Readers take `.config` (or `.load`) at the moment they need it and keep
    that object: a reload never changes a Config already handed out.
    """

    def __init__(
        self,
        codex_home: Path | None = None,
        overrides: Sequence[Override] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._env = dict(os.environ if env is None else env)
        self.codex_home = codex_home if codex_home is not None else codex_home_from_env(self._env)
        self.overrides: tuple[Override, ...] = tuple(overrides)
        self.load: LoadResult = load_config(self.codex_home, self.overrides, self._env)

    @property
    def config(self) -> Config:
        """The current effective configuration."""
        return self.load.config

    async def reload(self) -> LoadResult:
        """Read `config.toml` again (off the event loop) and make it current."""
        self.load = await asyncio.to_thread(
            load_config, self.codex_home, self.overrides, self._env
        )
        return self.load
