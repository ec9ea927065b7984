"""ReviewService: review/start.

The target is checked (a blank branch, sha or instructions is refused with
the reference's texts), the thread must be loaded and idle, and the review
runs as a turn (`turn.ReviewTurns`): inline on the thread, or detached on a
new thread forked from it (announced with `thread/started`, the caller
subscribed). For a base branch the merge base of HEAD and the branch is
computed with git in the thread's folder (bounded; without one the prompt
tells the reviewer how to find it).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

from app_server_protocol import codec
from app_server_protocol.v2 import notification_pb2 as N
from app_server_protocol.wire_types import ReviewStartParams, ReviewStartResponse, ThreadForkParams
from core_service.hub import CallInfo, Hub
from core_service.review.prompts import review_request, validate
from core_service.review.turn import ReviewTurns
from core_service.threads.manager import ThreadManager, check_thread_id
from core_service.threads.state import LoadedThread
from core_service.turns.lifecycle import interrupt
from core_service.turns.runner import TurnRunner

GIT_TIMEOUT_S = 10.0


async def merge_base(cwd: str, branch: str) -> str | None:
    """`git merge-base HEAD <branch>` in `cwd`, or None when git cannot tell."""
    try:
        proc = await asyncio.create_subprocess_exec(
            "git", "merge-base", "HEAD", branch, cwd=cwd or None,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL)
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), GIT_TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        return None
    sha = out.decode("utf-8", "replace").strip()
    return sha if proc.returncode == 0 and sha else None


class ReviewApi:
    """review/start on top of the thread manager and the turn runner."""

    def __init__(self, threads: ThreadManager, runner: TurnRunner, hub: Hub) -> None:
        self.threads = threads
        self.hub = hub
        self.reviews = ReviewTurns(runner)

    async def start(self, params: ReviewStartParams, call: CallInfo | None) -> ReviewStartResponse:
        """review/start: answer with the review turn at once; it runs in the background."""
        check_thread_id(params["threadId"])
        target = params["target"]
        validate(target)
        thread = self.threads.require_loaded(params["threadId"])
        detached = params.get("delivery") == "detached"
        base = None
        if target["type"] == "baseBranch":
            base = await merge_base(thread.meta.get("cwd", ""), target["branch"])
        request = review_request(target, base)
        if detached:
            thread = await self._detach(thread, call)
        # An inline review interrupts the running turn, as the reference's
        # does: its turn/completed (interrupted) follows the review's
        # response and turn/started, and the review waits for it to end.
        interrupted = interrupt(thread, call)
        originator = self.hub.client_info(call.key if call else None)
        turn = self.reviews.start(thread, request, originator, call, after=interrupted)
        return {"turn": turn, "reviewThreadId": thread.id}

    async def _detach(self, source: LoadedThread, call: CallInfo | None) -> LoadedThread:
        """A new thread forked from `source` for the review, announced to everyone."""
        fork = await self.threads.fork(source, cast(ThreadForkParams, {"threadId": source.id}))
        self.threads.subscribe_caller(fork, call)
        started = {"thread": fork.thread_json(include_turns=False)}
        # Before review/start's answer, as the reference sends it.
        self.hub.emit(codec.from_json(N.ThreadStartedNotification, started), broadcast=True)
        return fork
