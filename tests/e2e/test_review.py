"""End to end: review/start runs a review turn with the reference's items and prompts."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Launcher
from tests.support.mock_model import MockModelServer

FINDINGS = json.dumps({
    "findings": [{"title": "[P1] Off by one", "body": "The loop skips the last item.",
                  "confidence_score": 0.8, "priority": 1,
                  "code_location": {"absolute_file_path": "/x/a.py",
                                    "line_range": {"start": 2, "end": 3}}}],
    "overall_correctness": "patch is incorrect", "overall_explanation": "One bug.",
    "overall_confidence_score": 0.7})
RESULT = ("One bug.\n\nReview comment:\n\n- [P1] Off by one \u2014 /x/a.py:2-3\n"
          "  The loop skips the last item.")


def _repo(work: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=work, check=True, capture_output=True,
                              text=True).stdout.strip()
    git("init", "-q", "-b", "main")
    git("config", "user.email", "a@b.c")
    git("config", "user.name", "T")
    (work / "a.py").write_text("a\n")
    git("add", "a.py")
    git("commit", "-qm", "first")
    base = git("rev-parse", "HEAD")
    git("checkout", "-qb", "feature")
    (work / "a.py").write_text("a\nb\n")
    git("commit", "-qam", "second")
    return base


def _texts(body: dict[str, Any]) -> list[str]:
    return [c.get("text", "") for m in body["input"] if m.get("type") == "message"
            for c in m.get("content", [])]


async def test_inline_review_items_prompt_and_history(
    launch: Launcher, transport: str, mock: MockModelServer, tmp_path: Path
) -> None:
    """An inline review answers its turn (the hint as user message), then sends
    enteredReviewMode, the prompt as userMessage, exitedReviewMode with the formatted
    findings and the result as agent message `review_rollout_assistant`; the reviewer
    gets review instructions and only the prompt; the thread's next turn carries the
    review as a <user_action> message and the result."""
    mock.enqueue({"kind": "text", "text": FINDINGS})
    mock.enqueue({"kind": "text", "text": "after"})
    client = await launch(transport)
    await client.initialize()
    tid = (await client.call("thread/start", {"cwd": str(tmp_path / "work")}))["thread"]["id"]
    start = len(client.notifications)
    started = await client.call("review/start", {
        "threadId": tid, "target": {"type": "commit", "sha": "0123456789", "title": "Fix"}})
    turn_id = started["turn"]["id"]
    assert started["reviewThreadId"] == tid
    assert started["turn"]["items"] == [{"type": "userMessage", "id": turn_id, "content": [
        {"type": "text", "text": "commit 0123456: Fix", "text_elements": []}]}]
    await client.wait_notification("turn/completed", after=start)
    items = [n["params"]["item"] for n in client.notifications[start:]
             if n["method"] == "item/completed"]
    kinds = [(i["type"], i.get("review")) for i in items if i["type"] != "agentMessage"]
    assert kinds == [("enteredReviewMode", "commit 0123456: Fix"), ("userMessage", None),
                     ("exitedReviewMode", RESULT)]
    prompt = 'Review the code changes introduced by commit 0123456789 ("Fix"). ' \
             "Provide prioritized, actionable findings."
    assert items[1]["content"][0]["text"] == prompt
    assert items[-1] == {"type": "agentMessage", "id": "review_rollout_assistant",
                         "text": RESULT}
    review_body = mock.requests[0].body
    assert review_body["instructions"].startswith("# Review guidelines")
    assert _texts(review_body)[-1] == prompt
    mark = len(client.notifications)
    await client.call("turn/start", {"threadId": tid,
                                     "input": [{"type": "text", "text": "hi"}]})
    await client.wait_notification("turn/completed", after=mark)
    texts = _texts(mock.requests[1].body)
    assert texts[-3].startswith("<user_action>\n") and RESULT in texts[-3]
    assert texts[-2:] == [RESULT, "hi"]


async def test_detached_base_branch_review_and_refusals(
    launch: Launcher, mock: MockModelServer, tmp_path: Path
) -> None:
    """A detached review runs on a new thread (announced by thread/started) and its
    prompt names the merge base git computes; blank targets and bad ids are refused
    with the reference's texts."""
    mock.enqueue({"kind": "text", "text": "plain text review"})
    client = await launch("stdio")
    await client.initialize()
    base = _repo(tmp_path / "work")
    tid = (await client.call("thread/start", {"cwd": str(tmp_path / "work")}))["thread"]["id"]
    start = len(client.notifications)
    started = await client.call("review/start", {
        "threadId": tid, "target": {"type": "baseBranch", "branch": "main"},
        "delivery": "detached"})
    other = started["reviewThreadId"]
    assert other != tid
    await client.wait_notification("thread/started", lambda p: p["thread"]["id"] == other,
                                   after=start)
    done = await client.wait_notification("turn/completed", after=start)
    assert done["params"]["threadId"] == other
    exited = await client.wait_notification(
        "item/completed", lambda p: p["item"]["type"] == "exitedReviewMode", after=start)
    assert exited["params"]["item"]["review"] == "plain text review"
    assert _texts(mock.requests[0].body)[-1] == (
        f"Review the code changes against the base branch 'main'. The merge base commit "
        f"for this comparison is {base}. Run `git diff {base}` to inspect the changes "
        "relative to main. Provide prioritized, actionable findings.")
    refusals = [({"type": "custom", "instructions": " "}, "instructions must not be empty"),
                ({"type": "baseBranch", "branch": ""}, "branch must not be empty"),
                ({"type": "commit", "sha": ""}, "sha must not be empty")]
    for target, text in refusals:
        reply = await client.request("review/start", {"threadId": tid, "target": target})
        assert reply["error"] == {"code": -32600, "message": text}
    bad = await client.request("review/start", {"threadId": "nope",
                                                "target": {"type": "uncommittedChanges"}})
    assert bad["error"]["message"].startswith("invalid thread id: ")
    unknown = "01a23446-03bd-7a82-80b2-fd7311033751"
    missing = await client.request("review/start", {"threadId": unknown,
                                                    "target": {"type": "uncommittedChanges"}})
    assert missing["error"] == {"code": -32600, "message": f"thread not found: {unknown}"}


async def test_an_inline_review_interrupts_the_running_turn(
    launch: Launcher, mock: MockModelServer
) -> None:
    """review/start while a turn runs, as on the reference: the review's answer and
    turn/started come first, then the running turn completes as interrupted, then
    the review runs; of the reviewer's message only item/started is shown."""
    mock.enqueue({"kind": "text", "text": "slow " * 10, "deltas": 10, "delay_ms": 50},
                 {"kind": "text", "text": FINDINGS, "deltas": 3})
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    first = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "start"}]}))["turn"]["id"]
    await client.wait_notification("item/agentMessage/delta")
    answer = await client.request("review/start", {
        "threadId": tid, "target": {"type": "custom", "instructions": "check it"}})
    review = answer["result"]["turn"]["id"]
    await client.wait_notification(
        "turn/completed", lambda p: p["turn"]["id"] == review, timeout=30)
    order = [(m.get("method"), (m.get("params") or {}).get("turn", {}).get("id"), m.get("id"))
             for m in client.received]
    assert order.index((None, None, answer["id"])) < order.index(
        ("turn/started", review, None)) < order.index(("turn/completed", first, None))
    ended = {m["params"]["turn"]["id"]: m["params"]["turn"]["status"]
             for m in client.notifications if m["method"] == "turn/completed"}
    assert ended == {first: "interrupted", review: "completed"}
    in_review = [m for m in client.notifications
                 if (m.get("params") or {}).get("turnId") == review]
    assert not [m for m in in_review if m["method"] == "item/agentMessage/delta"]
    messages = [(m["method"], m["params"]["item"]["id"]) for m in in_review
                if m["method"].startswith("item/")
                and m["params"]["item"]["type"] == "agentMessage"]
    assert messages[-2:] == [("item/started", "review_rollout_assistant"),
                             ("item/completed", "review_rollout_assistant")]
    assert [m for m in messages if m[1] != "review_rollout_assistant"] == [
        ("item/started", messages[0][1])]
    assert len(mock.responses_requests) == 2


async def test_a_detached_review_leaves_the_running_turn_alone(
    launch: Launcher, mock: MockModelServer
) -> None:
    """review/start detached while a turn runs, as on the reference: the fork is
    announced before the answer, the review runs on it, and the running turn goes on
    to complete on its own thread."""
    mock.enqueue({"kind": "text", "text": "slow " * 10, "deltas": 10, "delay_ms": 50},
                 {"kind": "text", "text": FINDINGS, "deltas": 3})
    client = await launch("stdio")
    await client.initialize()
    tid = (await client.call("thread/start", {}))["thread"]["id"]
    first = (await client.call("turn/start", {
        "threadId": tid, "input": [{"type": "text", "text": "start"}]}))["turn"]["id"]
    await client.wait_notification("item/agentMessage/delta")
    answer = await client.request("review/start", {
        "threadId": tid, "delivery": "detached",
        "target": {"type": "custom", "instructions": "check it"}})
    fork, review = answer["result"]["reviewThreadId"], answer["result"]["turn"]["id"]
    assert fork != tid
    for turn in (first, review):
        await client.wait_notification("turn/completed", _turn_is(turn), timeout=30)
    order = [(m.get("method"), (m.get("params") or {}).get("thread", {}).get("id"), m.get("id"))
             for m in client.received]
    assert order.index(("thread/started", fork, None)) < order.index((None, None, answer["id"]))
    ended = {(m["params"]["threadId"], m["params"]["turn"]["id"]): m["params"]["turn"]["status"]
             for m in client.notifications if m["method"] == "turn/completed"}
    assert ended == {(tid, first): "completed", (fork, review): "completed"}


def _turn_is(turn_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda params: bool(params["turn"]["id"] == turn_id)
