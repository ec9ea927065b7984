"""A plain `initialize` is answered before the gateway runs, exactly as the gateway would."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator

import pytest

from app_server.early_stdio import EarlyStdio
from app_server.first_line import early_answer
from app_server_protocol import codec
from core_service.user_agent import user_agent
from gateway.transport.stdio import StdioStream

INIT = {"id": 7, "method": "initialize",
        "params": {"clientInfo": {"name": "cli", "title": None, "version": "2.1"},
                   "capabilities": {"experimentalApi": True,
                                    "optOutNotificationMethods": ["a/b"]}}}


def _line(msg: object) -> bytes:
    return json.dumps(msg).encode()


def test_plain_initialize_gets_the_gateways_bytes() -> None:
    """The early answer is byte for byte the gateway's: the core's user agent, echoed id."""
    expected = codec.dumps({"id": 7, "result": {"userAgent": user_agent("cli", "2.1")}})
    assert early_answer(_line(INIT)) == expected
    string_id = dict(INIT, id="7", jsonrpc="2.0")
    assert early_answer(_line(string_id)) == codec.dumps(
        {"id": "7", "result": {"userAgent": user_agent("cli", "2.1")}})


def test_line_separators_are_escaped() -> None:
    """U+2028/U+2029 in the client's name never reach stdout raw (Node readline splits)."""
    msg = {"id": 1, "method": "initialize",
           "params": {"clientInfo": {"name": "a\u2028b\u2029", "version": "1"}}}
    answer = early_answer(_line(msg))
    assert answer is not None
    assert "\u2028".encode() not in answer and b"\\u2028" in answer and b"\\u2029" in answer
    assert json.loads(answer)["result"]["userAgent"].startswith("a\u2028b\u2029/")


@pytest.mark.parametrize("msg", [
    {"id": 1, "method": "thread/start", "params": {}},
    {"id": 0, "method": "initialize", "params": INIT["params"]},
    {"id": True, "method": "initialize", "params": INIT["params"]},
    {"id": 1.5, "method": "initialize", "params": INIT["params"]},
    {"method": "initialize", "params": INIT["params"]},
    {"id": 1, "method": "initialize"},
    {"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "x"}}},
    {"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "x", "version": 1}}},
    {"id": 1, "method": "initialize",
     "params": {"clientInfo": {"name": "x", "version": "1", "extra": 1}}},
    {"id": 1, "method": "initialize",
     "params": {"clientInfo": {"name": "x", "version": "1"}, "capabilities": {}}},
    {"id": 1, "method": "initialize",
     "params": {"clientInfo": {"name": "x", "version": "1"},
                "capabilities": {"experimentalApi": False, "optOutNotificationMethods": [1]}}},
    {"id": 1, "method": "initialize", "params": INIT["params"], "result": {}},
    [INIT],
])
def test_anything_unusual_is_left_to_the_gateway(msg: object) -> None:
    """Other methods, odd ids or params get no early answer (the gateway decides)."""
    assert early_answer(_line(msg)) is None


def test_malformed_json_is_left_to_the_gateway() -> None:
    """A parse error is the gateway's to answer."""
    assert early_answer(b'{"id":1,"method":"initialize"') is None
    assert early_answer(b"\xff") is None


@pytest.fixture
async def pipes() -> AsyncIterator[tuple[int, int, int, int]]:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    yield in_r, in_w, out_r, out_w
    for fd in (in_w, out_r, out_w):
        try:
            os.close(fd)
        except OSError:
            pass


async def _read_line(fd: int) -> bytes:
    buf = b""
    while not buf.endswith(b"\n"):
        buf += await asyncio.to_thread(os.read, fd, 4096)
    return buf


async def test_answered_early_then_replayed_to_the_gateway(
    pipes: tuple[int, int, int, int],
) -> None:
    """The answer is written before anyone receives; the gateway still gets the line
    first, and its own answer to it is not written again (later messages are)."""
    in_r, in_w, out_r, out_w = pipes
    stream = EarlyStdio(StdioStream(in_r, out_w, max_message_size=1 << 20))
    stream.start()
    try:
        answer = early_answer(_line(INIT))
        assert answer is not None
        os.write(in_w, _line(INIT) + b"\n" + b'{"id":8,"method":"x"}\n')
        async with asyncio.timeout(5):
            assert await _read_line(out_r) == answer + b"\n"
            assert await stream.receive() == _line(INIT)
            assert await stream.receive() == b'{"id":8,"method":"x"}'
            await stream.send([b'{"id":7,"result":{"userAgent":"core"}}', b'{"method":"n"}'])
            await stream.send([b'{"id":8,"result":{}}'])
            out = await _read_line(out_r)
            if out.count(b"\n") < 2:
                out += await _read_line(out_r)
            assert out == b'{"method":"n"}\n{"id":8,"result":{}}\n'
    finally:
        stream.close()


async def test_other_first_line_is_untouched(pipes: tuple[int, int, int, int]) -> None:
    """A first line that is not a plain initialize is read once, answered by the gateway."""
    in_r, in_w, out_r, out_w = pipes
    stream = EarlyStdio(StdioStream(in_r, out_w, max_message_size=1 << 20))
    stream.start()
    try:
        os.write(in_w, b'{"id":1,"method":"thread/start","params":{}}\n')
        os.close(in_w)
        async with asyncio.timeout(5):
            assert await stream.settled == b'{"id":1,"method":"thread/start","params":{}}'
            assert await stream.receive() == b'{"id":1,"method":"thread/start","params":{}}'
            assert await stream.receive() is None
            await stream.send([b'{"id":1,"error":{"code":-32600,"message":"Not initialized"}}'])
            assert await _read_line(out_r) == (
                b'{"id":1,"error":{"code":-32600,"message":"Not initialized"}}\n')
    finally:
        stream.close()
