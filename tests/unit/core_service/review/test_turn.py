"""The review turn over a scripted model: items, the reviewer's request, the history kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from core_service.account.rate_limit_store import RateLimitStore
from core_service.review.prompts import (
    INTERRUPTED,
    NO_OUTPUT,
    REVIEW_INSTRUCTIONS,
    ReviewRequest,
)
from core_service.review.turn import RESULT_ITEM_ID, ReviewTurns
from core_service.turns.runner import TurnRunner
from tests.unit.core_service.turns.support import (
    CALL,
    PAUSE,
    FakeModel,
    MemoryRecorder,
    RecordingHub,
    completed,
    config,
    credentials,
    finished,
    text,
    thread,
)


async def test_review_turn_items_request_and_history(tmp_path: Path) -> None:
    """The turn answers with the hint; the reviewer is asked with the review
    instructions and only the opening context and the prompt; the items follow the
    reference's order; the thread keeps <user_action> and the result, and records no
    reviewer output but the turn's items."""
    model = FakeModel([*text("m1", "plain review"), completed()])
    hub = RecordingHub()
    runner = TurnRunner(hub, model, credentials(tmp_path), RateLimitStore())
    t = thread(config(tmp_path))
    shown = ReviewTurns(runner).start(t, ReviewRequest("hint", "the prompt"), None, CALL)
    hint: Any = shown["items"][0]
    assert hint["content"][0]["text"] == "hint"
    await finished(t)
    body = model.requests[0].body
    assert body["instructions"] == REVIEW_INSTRUCTIONS
    assert body["input"][-1]["content"] == [{"type": "input_text", "text": "the prompt"}]
    assert [h["role"] for h in body["input"]][-1] == "user"
    done = [p["item"] for p in hub.of("item/completed")]
    # The reviewer's own message is shown started only, as on the reference:
    # no deltas, no completion, no token usage or rate limits of its requests.
    assert [(i["type"], i["id"] == shown["id"]) for i in done] == [
        ("enteredReviewMode", True), ("userMessage", False),
        ("exitedReviewMode", True), ("agentMessage", False)]
    assert [p["item"]["type"] for p in hub.of("item/started")] == [
        "enteredReviewMode", "userMessage", "agentMessage", "exitedReviewMode", "agentMessage"]
    assert not {"item/agentMessage/delta", "thread/tokenUsage/updated",
                "account/rateLimits/updated"} & set(hub.methods())
    assert done[-1] == {"type": "agentMessage", "id": RESULT_ITEM_ID, "text": "plain review"}
    assert hub.of("turn/started")[0]["turn"]["items"] == shown["items"]
    assert t.history[-2]["content"][0]["text"].startswith("<user_action>")
    assert t.history[-1] == {"type": "message", "role": "assistant",
                             "content": [{"type": "output_text", "text": "plain review"}]}
    assert t.meta["preview"].startswith("<user_action>")
    recorder = t.recorder
    assert isinstance(recorder, MemoryRecorder)
    kinds = recorder.kinds()
    assert kinds.count("event_msg:item_completed") == 4
    assert t.turns[0]["status"] == "completed"


async def test_review_model_reviews_when_configured(tmp_path: Path) -> None:
    """With `review_model` set the reviewer request names that model; the thread keeps
    its own."""
    model = FakeModel([*text("m1", "ok"), completed()])
    runner = TurnRunner(RecordingHub(), model, credentials(tmp_path), RateLimitStore())
    t = thread(config(tmp_path, review_model="gpt-5.2"))
    ReviewTurns(runner).start(t, ReviewRequest("hint", "prompt"), None, CALL)
    await finished(t)
    assert model.requests[0].body["model"] == "gpt-5.2"
    assert t.config.model != "gpt-5.2"


async def test_an_interrupted_review_ends_without_result(tmp_path: Path) -> None:
    """turn/interrupt during the review: exitedReviewMode without a result, the notice
    to run it again as the result message, the interrupted <user_action> kept by the
    thread, the turn `interrupted` and the next request told so."""
    model = FakeModel([PAUSE])
    hub = RecordingHub()
    runner = TurnRunner(hub, model, credentials(tmp_path), RateLimitStore())
    t = thread(config(tmp_path))
    ReviewTurns(runner).start(t, ReviewRequest("hint", "prompt"), None, CALL)
    async with asyncio.timeout(5):
        await model.waiting.wait()
    active = t.active
    assert active is not None and active.task is not None
    active.task.cancel()
    await finished(t)
    done = [p["item"] for p in hub.of("item/completed")]
    assert [i["type"] for i in done][-2:] == ["exitedReviewMode", "agentMessage"]
    assert done[-2]["review"] == NO_OUTPUT and done[-1]["text"] == INTERRUPTED
    assert "but was interrupted" in t.history[-2]["content"][0]["text"]
    assert t.turns[0]["status"] == "interrupted" and t.abort_notice
