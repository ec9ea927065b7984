"""Compaction turns: the history replaced by the model's summary, and their one end."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from core_service.account.rate_limit_store import RateLimitStore
from core_service.model import events as me
from core_service.model.errors import ModelError
from core_service.store import records
from core_service.store.reader import load_rollout
from core_service.turns.compaction import Compactor, estimated_tokens
from core_service.turns.events import TurnEvents
from core_service.turns.instructions import COMPACT_PROMPT
from tests.unit.core_service.turns.support import (
    CALL,
    PAUSE,
    FakeModel,
    RecordingHub,
    completed,
    config,
    credentials,
    finished,
    thread,
)

CONTEXT = [
    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "p"}]},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "env"}]},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    {"type": "message", "role": "assistant",
     "content": [{"type": "output_text", "text": "hello"}]},
]


def _compactor(model: FakeModel, tmp_path: Path) -> tuple[Compactor, RecordingHub]:
    hub = RecordingHub()
    return Compactor(TurnEvents(hub, RateLimitStore()), model, credentials(tmp_path)), hub


async def test_compaction_replaces_the_history_with_the_summary(tmp_path: Path) -> None:
    """The model is asked for a summary of the whole history; the thread keeps its
    opening context and the summary, records it, and announces thread/compacted."""
    model = FakeModel([me.TextDelta("m", "the "), me.TextDelta("m", "gist"), completed()])
    compactor, hub = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    t.history = [dict(h) for h in CONTEXT]
    compactor.start(t, CALL)
    await finished(t)
    sent = model.requests[0].body["input"]
    assert sent[:4] == CONTEXT
    assert sent[4]["content"] == [{"type": "input_text", "text": COMPACT_PROMPT}]
    summary = "<conversation_summary>\nthe gist\n</conversation_summary>"
    assert t.history == [*CONTEXT[:2], {"type": "message", "role": "user",
                                        "content": [{"type": "input_text", "text": summary}]}]
    # As the reference shows a compaction: no turn/started; its request's usage and
    # rate limits, then the usage estimated for the compacted history.
    assert hub.methods() == [
        "item/started", "thread/tokenUsage/updated", "account/rateLimits/updated",
        "thread/tokenUsage/updated", "account/rateLimits/updated",
        "item/completed", "thread/compacted", "turn/completed"]
    usage = [u["tokenUsage"] for u in hub.of("thread/tokenUsage/updated")]
    assert usage[1]["total"] == usage[0]["total"]
    assert usage[1]["last"]["totalTokens"] == estimated_tokens(
        model.requests[0].body["instructions"], t.history)
    assert usage[1]["last"]["inputTokens"] == 0
    assert all(e.after == CALL for e in hub.emitted)
    assert hub.of("item/completed")[0]["item"]["type"] == "contextCompaction"
    assert records.compacted("the gist", t.history) in t.recorder.records  # type: ignore[attr-defined]
    assert t.turns[0]["status"] == "completed" and t.tokens.last is not None


async def test_an_unexpected_exception_fails_the_compaction(tmp_path: Path) -> None:
    """A compaction that fails with an exception other than a ModelError ends
    `failed` with an internal error (it used to be announced as completed), the
    history is untouched, and the thread takes the next turn."""
    model = FakeModel([me.TextDelta("m", "half"), RuntimeError("stream bug")],
                      [me.TextDelta("m", "ok"), completed()])
    compactor, hub = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    t.history = [dict(h) for h in CONTEXT]
    compactor.start(t, None)
    await finished(t)
    error = {"message": "internal error: stream bug", "codexErrorInfo": "other",
             "additionalDetails": None}
    assert t.turns[0]["status"] == "failed" and t.turns[0]["error"] == error
    assert hub.methods()[-2:] == ["error", "turn/completed"]
    assert hub.of("turn/completed")[0]["turn"]["status"] == "failed"
    assert "thread/compacted" not in hub.methods()
    assert t.history == CONTEXT
    assert t.active is None
    compactor.start(t, None)
    await finished(t)
    assert t.turns[1]["status"] == "completed"


async def test_a_model_error_fails_the_compaction(tmp_path: Path) -> None:
    """A ModelError ends the compaction `failed` with the model's error."""
    model = FakeModel([ModelError("overloaded", "serverOverloaded")])
    compactor, _ = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    compactor.start(t, None)
    await finished(t)
    assert t.turns[0]["error"] == {"message": "overloaded", "codexErrorInfo": "serverOverloaded",
                                   "additionalDetails": None}


async def test_an_interrupted_compaction_ends_interrupted(tmp_path: Path) -> None:
    """A cancelled compaction ends `interrupted` and leaves no turn-aborted notice."""
    model = FakeModel([PAUSE])
    compactor, _ = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    compactor.start(t, None)
    async with asyncio.timeout(5):
        await model.waiting.wait()
    assert t.active is not None and t.active.task is not None
    t.active.task.cancel()
    await finished(t)
    assert t.turns[0]["status"] == "interrupted"
    assert not t.abort_notice


async def test_compaction_interrupts_a_running_turn(tmp_path: Path) -> None:
    """thread/compact/start while a turn runs, as on the reference: that turn ends
    interrupted (after the compaction's answer), then the compaction runs."""
    model = FakeModel([PAUSE], [me.TextDelta("m", "gist"), completed()])
    compactor, hub = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    compactor.start(t, None)
    async with asyncio.timeout(5):
        await model.waiting.wait()
    first = t.active
    assert first is not None
    compactor.start(t, CALL)
    assert first.after == CALL
    await finished(t)
    assert [turn["status"] for turn in t.turns] == ["interrupted", "completed"]
    ends = [p["turn"]["id"] for p in hub.of("turn/completed")]
    assert ends == [turn["id"] for turn in t.turns]
    assert len(model.requests) == 2


async def test_a_compaction_reads_back_as_the_turn_it_was(tmp_path: Path) -> None:
    """What a compaction records reads back as a turn with its contextCompaction
    item, and rolling it back restores the history from before it."""
    model = FakeModel([me.TextDelta("m", "gist"), completed()])
    compactor, _ = _compactor(model, tmp_path)
    t = thread(config(tmp_path))
    before = [dict(h) for h in CONTEXT]
    t.history = [dict(h) for h in before]
    compactor.start(t, None)
    await finished(t)
    meta = records.session_meta({"id": t.id, "created_at": 1})
    earlier = [records.response_item(h) for h in before]
    lines = [meta, *earlier, *t.recorder.records]  # type: ignore[attr-defined]
    path = tmp_path / "rollout.jsonl"
    path.write_text("".join(json.dumps(records.stamped(r)) + "\n" for r in lines))
    loaded = load_rollout(path)
    assert [(u["status"], [i["type"] for i in u["items"]]) for u in loaded.turns] == [
        ("completed", ["contextCompaction"])]
    assert loaded.history == t.history
    with path.open("a") as out:
        out.write(json.dumps(records.stamped(records.rollback(1))) + "\n")
    assert load_rollout(path).history == before
