"""app_server.exposition: the metrics page and the minimal HTTP endpoint serving it."""

from __future__ import annotations

import asyncio
import contextlib
from http import HTTPStatus

import pytest
from prometheus_client import Counter

from app_server import exposition

PROBE = Counter("app_server_test_exposition_probe", "A counter only these tests move.")


def test_get_metrics_renders_the_registry() -> None:
    """GET /metrics answers 200 with the text format and this process's metrics."""
    PROBE.inc()
    answer = exposition.answer(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == HTTPStatus.OK
    assert answer.content_type.startswith("text/plain")
    assert b"app_server_test_exposition_probe_total " in answer.body


def test_openmetrics_when_asked() -> None:
    """An Accept of OpenMetrics gets OpenMetrics (ending with # EOF)."""
    answer = exposition.answer(
        b"GET /metrics?x=1 HTTP/1.1\r\naccept: application/openmetrics-text; version=1.0.0\r\n\r\n")
    assert answer.content_type.startswith("application/openmetrics-text")
    assert answer.body.rstrip().endswith(b"# EOF")


def test_head_has_the_length_but_no_body() -> None:
    """HEAD /metrics: the headers of the GET answer (with its length), no body."""
    answer = exposition.answer(b"HEAD /metrics HTTP/1.1\r\n\r\n")
    wire = answer.encode()
    assert wire.endswith(b"\r\n\r\n")
    assert f"Content-Length: {len(answer.body)}".encode() in wire and answer.body


def test_other_requests_are_refused() -> None:
    """Another path is 404, another method 405, a malformed request line 400."""
    assert exposition.answer(b"GET / HTTP/1.1\r\n\r\n").status == HTTPStatus.NOT_FOUND
    assert exposition.answer(b"POST /metrics HTTP/1.1\r\n\r\n").status == (
        HTTPStatus.METHOD_NOT_ALLOWED)
    assert exposition.answer(b"garbage\r\n\r\n").status == HTTPStatus.BAD_REQUEST
    assert exposition.answer(b"GET /metrics SPDY/3\r\n\r\n").status == HTTPStatus.BAD_REQUEST


async def _scrape(host: str, port: int, request: bytes) -> bytes:
    """What the endpoint answers `request` with (b"" if it hangs up without answering)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:  # closed with our bytes unread: no answer
        return b""
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_the_endpoint_serves_scrapes_and_closes() -> None:
    """On port 0 it reports the bound port, answers a scrape and closes the
    connection; an oversized head is cut off; close() is idempotent."""
    endpoint = await exposition.MetricsEndpoint.start("127.0.0.1", 0)
    host, port = endpoint.address
    assert port != 0 and endpoint.url == f"http://127.0.0.1:{port}/metrics"
    try:
        data = await _scrape(host, port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Connection: close" in head
        assert b"app_server_test_exposition_probe_total" in body
        huge = b"GET /metrics HTTP/1.1\r\nX: " + b"a" * (exposition.MAX_HEAD * 2) + b"\r\n\r\n"
        assert await _scrape(host, port, huge) == b""
    finally:
        await endpoint.close()
        await endpoint.close()
    with pytest.raises(OSError):
        await asyncio.wait_for(asyncio.open_connection(host, port), 5)


async def test_an_address_in_use_is_a_metrics_listen_error() -> None:
    """Binding a port already taken raises MetricsListenError naming the address."""
    taken = await exposition.MetricsEndpoint.start("127.0.0.1", 0)
    try:
        with pytest.raises(exposition.MetricsListenError, match=f"127.0.0.1:{taken.address[1]}"):
            await exposition.MetricsEndpoint.start("127.0.0.1", taken.address[1])
    finally:
        await taken.close()
