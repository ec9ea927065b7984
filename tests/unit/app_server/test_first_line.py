"""first_line: what a stdio client wrote before the process ran is read without
waiting, a plain `initialize` is answered at once, and every byte is handed on."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator

import pytest

from app_server.early_stdio import EarlyStdio
from app_server.first_line import FirstLine, early_answer, read_waiting, take_waiting_line
from gateway.transport.stdio import StdioStream

INIT = (b'{"id":1,"method":"initialize","params":{"clientInfo":'
        b'{"name":"c","title":null,"version":"2"}}}')
NEXT = b'{"id":2,"method":"thread/loaded/list","params":{}}'


@pytest.fixture
def pipes() -> Iterator[tuple[int, int, int, int]]:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    os.set_blocking(out_r, False)
    yield in_r, in_w, out_r, out_w
    for fd in (in_r, in_w, out_r, out_w):
        try:
            os.close(fd)
        except OSError:
            pass


def _written(out_r: int) -> bytes:
    try:
        return os.read(out_r, 1 << 16)
    except BlockingIOError:
        return b""


def test_a_waiting_initialize_is_answered_and_everything_read_is_handed_on(
    pipes: tuple[int, int, int, int],
) -> None:
    in_r, in_w, out_r, out_w = pipes
    os.write(in_w, INIT + b"\n" + NEXT + b"\n")
    first = take_waiting_line(in_r, out_w)
    assert first.answered
    assert first.data == INIT + b"\n" + NEXT + b"\n"
    answer = early_answer(INIT)
    assert answer is not None and json.loads(answer)["id"] == 1
    assert _written(out_r) == answer + b"\n"


def test_nothing_waiting_returns_at_once_with_nothing(pipes: tuple[int, int, int, int]) -> None:
    in_r, _in_w, out_r, out_w = pipes
    first = take_waiting_line(in_r, out_w)
    assert (first.data, first.answered) == (b"", False)
    assert _written(out_r) == b""


@pytest.mark.parametrize("waiting", [
    INIT[:20],                                             # a partial line
    NEXT + b"\n" + INIT + b"\n",                           # another method first
    b"\n" + INIT + b"\n",                                  # a blank line first
    INIT.replace(b'"version":"2"', b'"version":2') + b"\n",  # unusual params
    b"{not json\n",
])
def test_anything_else_is_read_but_left_to_the_gateway(
    pipes: tuple[int, int, int, int], waiting: bytes,
) -> None:
    in_r, in_w, out_r, out_w = pipes
    os.write(in_w, waiting)
    first = take_waiting_line(in_r, out_w)
    assert (first.data, first.answered) == (waiting, False)
    assert _written(out_r) == b""


def test_end_of_input_stops_the_read(pipes: tuple[int, int, int, int]) -> None:
    in_r, in_w, _out_r, _out_w = pipes
    os.write(in_w, INIT[:10])
    os.close(in_w)
    assert read_waiting(in_r) == INIT[:10]
    assert read_waiting(in_r) == b""


async def test_the_stream_gives_what_was_read_first_and_drops_the_second_answer(
    pipes: tuple[int, int, int, int],
) -> None:
    """The gateway receives the answered line and the rest, in order, then the pipe's
    later lines; its own answer to the early-answered `initialize` is not written."""
    in_r, in_w, out_r, out_w = pipes
    os.write(in_w, INIT + b"\n" + NEXT[:10])
    first = take_waiting_line(in_r, out_w)
    answer = early_answer(INIT)
    assert first.answered and answer is not None and _written(out_r) == answer + b"\n"
    os.write(in_w, NEXT[10:] + b"\n")
    os.close(in_w)
    stream = EarlyStdio(StdioStream(in_r, out_w, max_message_size=1 << 20,
                                    read_already=first.data), answered=first.answered)
    stream.start()
    try:
        async with asyncio.timeout(5):
            assert await stream.receive() == INIT
            assert await stream.receive() == NEXT
            assert await stream.receive() is None
            await stream.send([b'{"id":1,"result":{"userAgent":"gateway"}}'])
            await stream.send([b'{"id":2,"result":{"data":[],"nextCursor":null}}'])
            os.set_blocking(out_r, True)
            out = b""
            while not out.endswith(b"\n"):
                out += await asyncio.to_thread(os.read, out_r, 4096)
            assert out == b'{"id":2,"result":{"data":[],"nextCursor":null}}\n'
    finally:
        stream.close()


def test_first_line_defaults_to_nothing_read() -> None:
    assert (FirstLine().data, FirstLine().answered) == (b"", False)
