"""The model-visible context messages of a thread."""

from __future__ import annotations

from pathlib import Path

from core_service.turns.instructions import initial_context, summary_message
from tests.unit.core_service.turns.support import config


def _texts(messages: list[dict[str, object]]) -> list[tuple[object, str]]:
    return [(m["role"], m["content"][0]["text"]) for m in messages]  # type: ignore[index]


def test_the_opening_context(tmp_path: Path) -> None:
    """Permissions (sandbox mode, approval policy), developer instructions when
    set, then the environment with the working directory."""
    cfg = config(tmp_path, sandbox_mode="workspace-write", approval_policy="never",
                 developer_instructions="Use tabs.")
    messages = _texts(initial_context(cfg, "/repo"))  # type: ignore[arg-type]
    assert [role for role, _ in messages] == ["developer", "developer", "user"]
    assert "`workspace-write`" in messages[0][1] and "`never`" in messages[0][1]
    assert messages[1][1] == "Use tabs."
    assert "<cwd>/repo</cwd>" in messages[2][1]
    assert len(initial_context(config(tmp_path), "/")) == 2


def test_the_summary_message() -> None:
    """A compaction's summary is wrapped in conversation_summary tags."""
    assert _texts([summary_message("gist")]) == [  # type: ignore[list-item]
        ("user", "<conversation_summary>\ngist\n</conversation_summary>")]
