"""Unit tests of the core's event hub: subscriptions, targeted delivery, server requests."""

from __future__ import annotations

import asyncio

import pytest

from app_server_protocol.v2 import account_pb2, approval_pb2, notification_pb2, service_pb2
from core_service.hub import (
    RESULT_PIECE_BYTES,
    CallInfo,
    ConnKey,
    Hub,
    ServerRequestClosed,
    ServerRequestError,
    ServerRequestMalformed,
    ServerRequestTimeout,
    SessionBusy,
)

A = ConnKey("g1", "a")
B = ConnKey("g1", "b")
C = ConnKey("g2", "c")


def _frame_targets(frame: service_pb2.CoreFrame) -> list[tuple[list[str], bool, str]]:
    return [
        (list(e.to.connection_ids), e.to.all_initialized, e.notification.WhichOneof("notification"))
        for e in frame.events
    ]


async def _next(link: object) -> service_pb2.CoreFrame:
    frame = await asyncio.wait_for(link.next_frame(), 2)  # type: ignore[attr-defined]
    assert frame is not None
    return frame


async def test_thread_events_go_only_to_subscribers() -> None:
    """An event of a thread is addressed to its subscribers, grouped per gateway."""
    hub = Hub()
    g1, g2 = hub.attach("g1"), hub.attach("g2")
    hub.subscribe("t1", A)
    hub.subscribe("t1", C)
    hub.subscribe("t2", B)
    hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    assert _frame_targets(await _next(g1)) == [(["a"], False, "thread_archived")]
    assert _frame_targets(await _next(g2)) == [(["c"], False, "thread_archived")]


async def test_unsubscribe_and_close_remove_only_that_connection() -> None:
    """Unsubscribing or closing one connection leaves the others subscribed."""
    hub = Hub()
    hub.attach("g1")
    hub.subscribe("t1", A)
    hub.subscribe("t1", B)
    assert hub.unsubscribe("t1", A) is True
    assert hub.unsubscribe("t1", A) is False
    assert hub.subscribers("t1") == {B}
    hub.subscribe("t1", A)
    hub.connection_closed(B)
    assert hub.subscribers("t1") == {A}


async def test_gateway_gone_drops_its_subscriptions() -> None:
    """When a gateway's stream ends, all of its connections lose their subscriptions."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.attach("g2")
    hub.subscribe("t1", A)
    hub.subscribe("t1", C)
    hub.detach(g1)
    assert hub.subscribers("t1") == {C}


async def test_broadcast_and_ordering_barrier() -> None:
    """Broadcasts reach every gateway; events carry the calling request's barrier."""
    hub = Hub()
    g1, g2 = hub.attach("g1"), hub.attach("g2")
    hub.emit(notification_pb2.AccountUpdatedNotification(), broadcast=True,
             after=CallInfo(A, 7))
    e1 = (await _next(g1)).events[0]
    e2 = (await _next(g2)).events[0]
    assert e1.to.all_initialized and e2.to.all_initialized
    assert (e1.after_connection_id, e1.after_request_seq) == ("a", 7)
    assert e2.after_request_seq == 0


async def test_server_request_first_answer_wins() -> None:
    """A server request goes to every subscriber; the first answer resolves it."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    hub.subscribe("t1", B)
    params = approval_pb2.CommandExecutionRequestApprovalParams(
        thread_id="t1", turn_id="u1", item_id="call_1")
    task = asyncio.ensure_future(hub.request(
        "item/commandExecution/requestApproval", params, thread_id="t1", wait_seconds=2))
    frame = await _next(g1)
    out = frame.server_requests[0]
    assert sorted(out.to.connection_ids) == ["a", "b"]
    result = service_pb2.ServerRequestResult()
    result.command_execution_request_approval.decision.unit = (
        approval_pb2.CommandExecutionApprovalDecision.COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_ACCEPT)
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="b", request_id=out.request_id, result=result))
    answer = await task
    assert answer.decision.WhichOneof("value") == "unit"
    resolved = await _next(g1)
    assert resolved.events[0].notification.WhichOneof("notification") == (
        "server_request_resolved")


async def test_request_about_a_thread_resolves_to_everyone_it_was_sent_to() -> None:
    """A request addressed to connections (not to a thread's subscribers) that
    concerns a thread: once answered, every connection it went to, on every
    gateway, hears serverRequest/resolved naming that thread."""
    hub = Hub()
    g1, g2 = hub.attach("g1"), hub.attach("g2")
    for key in (A, B, C):
        hub.connection_initialized(key, {"name": "c", "title": None, "version": "1"})
    params = account_pb2.ChatgptAuthTokensRefreshParams(previous_account_id="acct")
    task = asyncio.ensure_future(hub.request(
        "account/chatgptAuthTokens/refresh", params, broadcast=True, wait_seconds=2,
        about_thread="t9"))
    out = (await _next(g1)).server_requests[0]
    await _next(g2)
    result = service_pb2.ServerRequestResult()
    result.chatgpt_auth_tokens_refresh.access_token = "x"
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="a", request_id=out.request_id, result=result))
    await task
    for link, conns in ((g1, ["a", "b"]), (g2, ["c"])):
        event = (await _next(link)).events[0]
        assert event.notification.server_request_resolved.thread_id == "t9"
        assert sorted(event.to.connection_ids) == conns


async def test_server_request_error_closed_and_timeout() -> None:
    """Client errors keep their code; a vanished connection is "channel closed"; silence times out.
    """
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    params = approval_pb2.FileChangeRequestApprovalParams(thread_id="t1", turn_id="u", item_id="i")
    method = "item/fileChange/requestApproval"
    task = asyncio.ensure_future(hub.request(method, params, thread_id="t1", wait_seconds=2))
    out = (await _next(g1)).server_requests[0]
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="a", request_id=out.request_id,
        error=service_pb2.ClientError(code=-32000, message="refused")))
    with pytest.raises(ServerRequestError) as err:
        await task
    assert (err.value.code, err.value.message) == (-32000, "refused")

    task = asyncio.ensure_future(hub.request(method, params, thread_id="t1", wait_seconds=2))
    while not (await _next(g1)).server_requests:
        pass
    hub.connection_closed(A)
    with pytest.raises(ServerRequestClosed, match="channel closed"):
        await task

    hub.subscribe("t1", B)
    with pytest.raises(ServerRequestTimeout, match="timed out"):
        await hub.request(method, params, thread_id="t1", wait_seconds=0.05)


async def test_a_malformed_result_is_its_own_failure() -> None:
    """A result the gateway could not decode reaches the waiter as the decoder's message."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    params = approval_pb2.FileChangeRequestApprovalParams(thread_id="t1", turn_id="u", item_id="i")
    task = asyncio.ensure_future(
        hub.request("item/fileChange/requestApproval", params, thread_id="t1", wait_seconds=2))
    out = (await _next(g1)).server_requests[0]
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="a", request_id=out.request_id, malformed_result="missing field `x`"))
    with pytest.raises(ServerRequestMalformed) as err:
        await task
    assert (err.value.code, err.value.message) == (None, "missing field `x`")


async def test_slow_gateway_is_cut_off_not_waited_for() -> None:
    """A gateway whose queue is full is closed; emitting never blocks."""
    hub = Hub()
    link = hub.attach("g1")
    hub.subscribe("t1", A)
    link.queue = asyncio.Queue(3)
    for _ in range(5):
        hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    assert link.closed.is_set()


async def test_a_cancelled_wait_for_frames_leaves_no_pending_waiter() -> None:
    """When a gateway's stream is torn down while the writer waits for frames, the
    queue waiter goes with it (no "Task was destroyed but it is pending" at exit)."""
    hub = Hub()
    link = hub.attach("g1")
    with pytest.raises(TimeoutError):  # wait_for cancels the waiting writer
        await asyncio.wait_for(link.next_frame(), 0.05)
    leftovers = [t for t in asyncio.all_tasks()
                 if "Queue.get" in repr(t.get_coro()) and not t.done() and not t.cancelling()]
    assert leftovers == []


async def test_a_waiting_writer_wakes_for_an_item_and_for_the_close() -> None:
    """The stream's writer, waiting on an empty link, gets the frame pushed while it
    waits, and None (the stream ends) once the link is closed."""
    hub = Hub()
    link = hub.attach("g1")
    hub.subscribe("t1", A)
    async with asyncio.timeout(5):
        waiting = asyncio.ensure_future(link.next_frame())
        await asyncio.sleep(0)  # a loop turn: the writer is waiting now
        assert not waiting.done()
        hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
        frame = await waiting
        assert frame is not None and len(frame.events) == 1
        waiting = asyncio.ensure_future(link.next_frame())
        await asyncio.sleep(0)
        assert not waiting.done()
        link.close()
        assert await waiting is None


async def test_a_sticky_request_waits_for_and_reaches_a_resuming_connection() -> None:
    """A sticky (approval) request survives its connections: with nobody subscribed it
    waits instead of failing, a connection that subscribes later gets the same request
    (after the response of the call that subscribed it), and its answer resolves it
    for every subscriber."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    params = approval_pb2.CommandExecutionRequestApprovalParams(
        thread_id="t1", turn_id="u1", item_id="call_1")
    task = asyncio.ensure_future(hub.request(
        "item/commandExecution/requestApproval", params, thread_id="t1", wait_seconds=5,
        sticky=True))
    first = (await _next(g1)).server_requests[0]
    assert list(first.to.connection_ids) == ["a"]
    hub.connection_closed(A)
    assert not any(p.future.done() for p in hub._pending.values())
    resume = CallInfo(B, 7)
    hub.subscribe("t1", B, after=resume)
    again = (await _next(g1)).server_requests[0]
    assert again.request_id == first.request_id
    assert list(again.to.connection_ids) == ["b"]
    assert (again.after_connection_id, again.after_request_seq) == ("b", 7)
    assert again.params == first.params
    result = service_pb2.ServerRequestResult()
    result.command_execution_request_approval.decision.unit = (
        approval_pb2.CommandExecutionApprovalDecision.COMMAND_EXECUTION_APPROVAL_DECISION_UNIT_DECLINE)
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="b", request_id=again.request_id, result=result))
    answer = await task
    assert answer.decision.WhichOneof("value") == "unit"
    resolved = (await _next(g1)).events[0]
    assert resolved.notification.server_request_resolved.thread_id == "t1"
    assert list(resolved.to.connection_ids) == ["b"]


async def test_a_plain_request_still_fails_when_its_connections_go() -> None:
    """Without `sticky`, a request whose every target is gone is "channel closed", and a
    later subscriber is not sent it."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    params = approval_pb2.FileChangeRequestApprovalParams(thread_id="t1", turn_id="u", item_id="i")
    task = asyncio.ensure_future(hub.request(
        "item/fileChange/requestApproval", params, thread_id="t1", wait_seconds=5))
    await _next(g1)
    hub.connection_closed(A)
    with pytest.raises(ServerRequestClosed):
        await task
    hub.subscribe("t1", B)
    assert g1.queue.empty()


async def test_second_attach_refused_unless_takeover_which_keeps_the_session() -> None:
    """A second attach of an attached session raises SessionBusy and leaves the first
    alone; a takeover closes the old link (marked taken over) and the new one gets the
    session's events: its subscriptions survive, the old link's detach is a no-op."""
    hub = Hub()
    old = hub.attach("g1")
    hub.subscribe("t1", A)
    with pytest.raises(SessionBusy):
        hub.attach("g1")
    assert hub.attached("g1") and not old.closed.is_set()
    new = hub.attach("g1", takeover=True)
    assert old.closed.is_set() and old.taken_over and not new.taken_over
    hub.detach(old)
    assert hub.attached("g1") and hub.subscribers("t1") == {A}
    hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    assert _frame_targets(await _next(new)) == [(["a"], False, "thread_archived")]
    hub.detach(new)
    assert not hub.attached("g1") and hub.subscribers("t1") == set()


async def test_a_result_built_without_its_required_members_is_malformed() -> None:
    """A backend's result is checked as the gateway's JSON decoder checks it: a
    file-change approval whose decision was never set (its UNSPECIFIED zero; the
    zero was `accept` before) fails as a malformed result with the decoder's text."""
    hub = Hub()
    g1 = hub.attach("g1")
    hub.subscribe("t1", A)
    params = approval_pb2.FileChangeRequestApprovalParams(thread_id="t1", turn_id="u", item_id="i")
    task = asyncio.ensure_future(
        hub.request("item/fileChange/requestApproval", params, thread_id="t1", wait_seconds=2))
    out = (await _next(g1)).server_requests[0]
    result = service_pb2.ServerRequestResult()
    result.file_change_request_approval.SetInParent()
    hub.reply("g1", service_pb2.ServerRequestReply(
        connection_id="a", request_id=out.request_id, result=result))
    with pytest.raises(ServerRequestMalformed) as err:
        await task
    assert err.value.message == "missing field `decision`"


async def test_a_large_call_result_takes_turns_with_other_connections_events() -> None:
    """A 10 MB call result goes out in pieces of `RESULT_PIECE_BYTES`, one per frame:
    an event queued after it (for another connection) goes out with the first
    piece, and one queued after that with the second, not after the whole result;
    the pieces, joined, are the result."""
    hub = Hub()
    link = hub.attach("g1")
    hub.subscribe("t1", B)
    data = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    link.push_result(7, data)
    hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    first = await _next(link)
    hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    second = await _next(link)
    for frame in (first, second):
        assert [len(r.result) for r in frame.results] == [RESULT_PIECE_BYTES]
        assert frame.results[0].more
        assert _frame_targets(frame) == [(["b"], False, "thread_archived")]
    pieces = [first.results[0], second.results[0]]
    while pieces[-1].more:
        frame = await _next(link)
        assert len(frame.results) == 1 and frame.results[0].call_id == 7
        pieces.append(frame.results[0])
    assert b"".join(p.result for p in pieces) == data


async def test_a_small_call_result_goes_whole_after_the_events_before_it() -> None:
    """A result under the piece size is one `CallResult` without `more`, in the same
    frame as the events queued before it."""
    hub = Hub()
    link = hub.attach("g1")
    hub.subscribe("t1", A)
    hub.emit(notification_pb2.ThreadArchivedNotification(thread_id="t1"), thread_id="t1")
    link.push_result(3, b"abc")
    frame = await _next(link)
    assert len(frame.events) == 1
    assert [(r.call_id, r.result, r.more) for r in frame.results] == [(3, b"abc", False)]
