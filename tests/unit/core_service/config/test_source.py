"""core_service.config.source: the current configuration, reloaded with its overrides."""

from __future__ import annotations

from pathlib import Path

from core_service.config.source import ConfigSource
from tests.unit.core_service.config.support import write_file


async def test_reload_reads_the_file_again_and_keeps_overrides(tmp_path: Path) -> None:
    """reload() makes the file's new values current; -c overrides still apply on top,
    and a Config handed out before the reload is left as it was."""
    write_file(tmp_path, 'model = "a"\napproval_policy = "never"\n')
    source = ConfigSource(tmp_path, [(["approval_policy"], "untrusted")], env={})
    before = source.config
    assert (before.model, before.approval_policy) == ("a", "untrusted")
    write_file(tmp_path, 'model = "b"\napproval_policy = "never"\n')
    loaded = await source.reload()
    assert loaded is source.load
    assert (source.config.model, source.config.approval_policy) == ("b", "untrusted")
    assert before.model == "a"


def test_home_from_the_environment(tmp_path: Path) -> None:
    """Without an explicit home, CODEX_HOME of the given environment is used."""
    write_file(tmp_path, 'model = "env-home"\n')
    source = ConfigSource(env={"CODEX_HOME": str(tmp_path)})
    assert source.codex_home == tmp_path
    assert source.config.model == "env-home"
