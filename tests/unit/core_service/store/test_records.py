"""Tests for core_service.store.records: the record builders write the rollout format."""

from __future__ import annotations

import json
import re

from core_service.store import records


def test_builders_write_the_format_the_reader_reads() -> None:
    """Each builder gives exactly the record the agent loop wrote before builders existed."""
    item = {"type": "agentMessage", "id": "msg_1", "text": "hi"}
    error = {"message": "boom", "codexErrorInfo": "other", "additionalDetails": None}
    assert records.turn_context(
        "t1", cwd="/w", approval_policy="never", model="m", effort="high", summary=None
    ) == {"type": "turn_context", "payload": {
        "turn_id": "t1", "cwd": "/w", "approval_policy": "never", "model": "m",
        "effort": "high", "summary": None}}
    assert records.turn_started("t1") == {
        "type": "event_msg", "payload": {"type": "turn_started", "turnId": "t1"}}
    assert records.item_completed("t1", item) == {
        "type": "event_msg", "payload": {"type": "item_completed", "turnId": "t1", "item": item}}
    assert records.turn_completed("t1", "failed", error) == {
        "type": "event_msg", "payload": {"type": "turn_completed", "turnId": "t1",
                                         "status": "failed", "error": error}}
    assert records.response_item({"type": "message", "role": "user", "content": []}) == {
        "type": "response_item", "payload": {"type": "message", "role": "user", "content": []}}
    assert records.compacted("S", [{"type": "message"}]) == {
        "type": "compacted", "payload": {"message": "S", "replacement_history": [
            {"type": "message"}]}}
    assert records.thread_name("th", "n") == {"type": "event_msg", "payload": {
        "type": "thread_name_updated", "threadId": "th", "threadName": "n"}}
    assert records.rollback(2) == {"type": "event_msg", "payload": {
        "type": "rollback", "numTurns": 2}}


def test_token_count_copies_the_running_totals() -> None:
    """The record keeps the usage of its moment, not a live view of totals that keep growing."""
    total = {"totalTokens": 1}
    record = records.token_count(total, None)
    total["totalTokens"] = 99
    assert record == {"type": "event_msg", "payload": {
        "type": "token_count", "total": {"totalTokens": 1}, "last": None}}


def test_stamped_puts_the_timestamp_first_and_keeps_an_existing_one() -> None:
    """The writer's timestamp is the first key (the summary scan reads it as a prefix)."""
    record = records.stamped(records.turn_started("t"), 1_735_787_045.678)
    line = json.dumps(record)
    assert line.startswith('{"timestamp": "2025-01-02T03:04:05.678Z"')
    assert records.stamped(record) is record
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", records.format_timestamp())


def test_parse_timestamp() -> None:
    """RFC 3339 text parses to unix seconds; anything else is None."""
    assert records.parse_timestamp("2025-01-02T03:04:05.000Z") == 1_735_787_045.0
    assert records.parse_timestamp("2025-01-02T03:04:05") == 1_735_787_045.0
    assert records.parse_timestamp("yesterday") is None
    assert records.parse_timestamp(12) is None


def test_user_message_records_and_preview_text() -> None:
    """Only a completed userMessage item is a user message; its text parts make the preview."""
    user = {"type": "userMessage", "id": "u", "content": [
        {"type": "text", "text": "a", "text_elements": []}, {"type": "image", "url": "x"},
        {"type": "text", "text": "b", "text_elements": []}]}
    assert records.is_user_message(records.item_completed("t", user))
    assert not records.is_user_message(records.item_completed("t", {"type": "agentMessage"}))
    assert not records.is_user_message(records.turn_started("t"))
    assert records.user_message_text(user) == "ab"


def test_session_meta_record_is_a_copy() -> None:
    """The session_meta record does not change when the thread's metadata does later."""
    meta: records.SessionMeta = {"id": "x", "created_at": 1, "preview": ""}
    record = records.session_meta(meta)
    meta["preview"] = "later"
    assert record == {"type": "session_meta", "payload": {
        "id": "x", "created_at": 1, "preview": ""}}
