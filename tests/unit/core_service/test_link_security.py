"""Who may call the core: the token check (in constant time, on unary and
streaming calls alike, health exempt, reflection not), the refusal of a
non-loopback TCP address without a token, and token files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc

from core_service.link_security import (
    MISSING_TOKEN,
    WRONG_TOKEN,
    TokenInterceptor,
    bearer_metadata,
    core_listen_refusal,
    read_token_file,
    tcp_host,
    token_refusal,
)

TOKEN = "s3cret-token"
WAIT = 10.0


def test_token_refusal_reasons() -> None:
    """No authorization (or not a bearer) is 'missing'; another token is 'invalid';
    the right one, as str or bytes metadata and whatever the scheme's case, passes."""
    token = TOKEN.encode()
    assert token_refusal((), token) == MISSING_TOKEN
    assert token_refusal(None, token) == MISSING_TOKEN
    assert token_refusal((("authorization", f"Basic {TOKEN}"),), token) == MISSING_TOKEN
    assert token_refusal((("authorization", "Bearer nope"),), token) == WRONG_TOKEN
    assert token_refusal((("authorization", f"Bearer {TOKEN}x"),), token) == WRONG_TOKEN
    assert token_refusal((bearer_metadata(TOKEN),), token) is None
    assert token_refusal((("authorization", f"bearer {TOKEN}".encode()),), token) is None
    assert TOKEN not in MISSING_TOKEN + WRONG_TOKEN


@pytest.mark.parametrize(("listen", "host"), [
    ("tcp://127.0.0.1:7000", "127.0.0.1"),
    ("tcp://[::1]:0", "::1"),
    ("tcp://core:7000", "core"),
    ("tcp://:7000", ""),
    ("unix:///tmp/core.sock", None),
])
def test_tcp_host(listen: str, host: str | None) -> None:
    """The host of a tcp:// address, brackets of IPv6 removed; None for a unix socket."""
    assert tcp_host(listen) == host


@pytest.mark.parametrize(("listen", "has_token", "refused"), [
    ("tcp://0.0.0.0:7000", False, "non-loopback address 0.0.0.0"),
    ("tcp://[::]:7000", False, "non-loopback address ::"),
    ("tcp://core:7000", False, "non-loopback address core"),
    ("tcp://:7000", False, "non-loopback address all interfaces"),
    ("tcp://0.0.0.0:7000", True, None),
    ("tcp://127.0.0.1:0", False, None),
    ("tcp://[::1]:0", False, None),
    ("tcp://localhost:0", False, None),
    ("unix:///tmp/x.sock", False, None),
])
def test_non_loopback_tcp_needs_a_token(listen: str, has_token: bool, refused: str | None) -> None:
    """Only a TCP listener beyond loopback needs a token; the refusal names the host."""
    reason = core_listen_refusal(listen, has_token)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason and "--token-file" in reason


def test_token_file_is_stripped_and_must_not_be_empty(tmp_path: Path) -> None:
    """Whitespace around the token (a trailing newline) is not part of it; an
    empty file is an error that does not show any content."""
    path = tmp_path / "token"
    path.write_text(f"  {TOKEN}\n")
    assert read_token_file(str(path)) == TOKEN
    path.write_text("\n \n")
    with pytest.raises(ValueError, match="is empty"):
        read_token_file(str(path))
    with pytest.raises(OSError):
        read_token_file(str(tmp_path / "missing"))


async def _unary(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    return b"pong:" + request


async def _stream(
    requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
) -> AsyncIterator[bytes]:
    async for r in requests:
        yield b"echo:" + r


@pytest.fixture
async def guarded() -> AsyncIterator[grpc.aio.Channel]:
    """A server with the interceptor, health, reflection, a unary and a stream method."""
    server = grpc.aio.server(interceptors=[TokenInterceptor(TOKEN)])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("t.Svc", {
        "Unary": grpc.unary_unary_rpc_method_handler(_unary),
        "Stream": grpc.stream_stream_rpc_method_handler(_stream),
    })])
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    reflection.enable_server_reflection(["t.Svc", reflection.SERVICE_NAME], server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await checker.set("", health_pb2.HealthCheckResponse.SERVING)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(None)


def _auth(token: str) -> tuple[tuple[str, str], ...]:
    return (bearer_metadata(token),)


async def _call_unary(channel: grpc.aio.Channel, md: tuple[tuple[str, str], ...]) -> bytes:
    result: bytes = await channel.unary_unary("/t.Svc/Unary")(b"x", metadata=md, timeout=WAIT)
    return result


async def _call_stream(channel: grpc.aio.Channel, md: tuple[tuple[str, str], ...]) -> list[bytes]:
    call = channel.stream_stream("/t.Svc/Stream")(iter([b"a", b"b"]), metadata=md, timeout=WAIT)
    return [r async for r in call]


async def test_calls_without_the_token_are_refused(guarded: grpc.aio.Channel) -> None:
    """Unary and streaming calls without the token, or with another, end
    UNAUTHENTICATED with a clear message; an unknown method is refused the same
    way (no probing of what exists)."""
    for md, message in (((), MISSING_TOKEN), (_auth("wrong"), WRONG_TOKEN)):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await _call_unary(guarded, md)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert err.value.details() == message
        # The stream writes nothing: a refusal racing the client's own writes
        # would surface as the client's write failure (INTERNAL), not the status.
        stream = guarded.stream_stream("/t.Svc/Stream")(metadata=md, timeout=WAIT)
        assert await stream.code() == grpc.StatusCode.UNAUTHENTICATED
        assert await stream.details() == message
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await guarded.unary_unary("/t.Svc/Nope")(b"", timeout=WAIT)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_calls_with_the_token_pass(guarded: grpc.aio.Channel) -> None:
    """With the token, unary and streaming calls reach their handlers."""
    assert await _call_unary(guarded, _auth(TOKEN)) == b"pong:x"
    assert await _call_stream(guarded, _auth(TOKEN)) == [b"echo:a", b"echo:b"]


async def test_health_is_exempt_and_reflection_is_not(guarded: grpc.aio.Channel) -> None:
    """Orchestrators probe health without a token; reflection lists the
    surface, so it needs the token like any other call."""
    stub = health_pb2_grpc.HealthStub(guarded)
    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=WAIT)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(guarded)
    ask = reflection_pb2.ServerReflectionRequest(list_services="")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        [r async for r in refl.ServerReflectionInfo(iter([ask]), timeout=WAIT)]
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    answers = [r async for r in refl.ServerReflectionInfo(iter([ask]), metadata=_auth(TOKEN),
                                                          timeout=WAIT)]
    assert "t.Svc" in {s.name for s in answers[0].list_services_response.service}
