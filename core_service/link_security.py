"""Who may call the core: the shared token, TLS on the gRPC link, and the
refusal to listen on a network without a token.

On TCP anyone who can reach the port could drive the core (run turns, run
commands), so every call must carry `authorization: Bearer <token>`, the
token an operator gave both the core (`--token-file`) and its gateways
(`--core-token-file`). `TokenInterceptor` checks it on every call, the
`Connect` stream included, in constant time, and refuses a call without it
or with another one with UNAUTHENTICATED before any handler runs.

Exempt: the gRPC health service, which orchestrators and `core-health`
probe without secrets (it tells nothing but SERVING or not). Reflection is
*not* exempt: it lists every method and message of the core, which helps an
operator holding the token debug and an attacker without it map the
surface; no orchestrator needs it.

A unix socket is guarded by its file permissions and needs no token; a TCP
listener on a loopback address may run without one (single-host setups);
any other TCP address without a token is refused at start
(`core_listen_refusal`), as the gateway refuses a non-loopback websocket
without `--ws-token-file`.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from app_server_protocol.addresses import is_loopback

AUTHORIZATION_KEY = "authorization"
HEALTH_SERVICE_PREFIX = "/grpc.health.v1.Health/"
MISSING_TOKEN = "missing core token: send `authorization: Bearer <token>` metadata"
WRONG_TOKEN = "invalid core token"


def read_token_file(path: str) -> str:
    """The token in `path`, surrounding whitespace stripped; ValueError when empty.

    OSError propagates (the caller names the flag in its message). The token
    itself never appears in an error or a log line.
    """
    token = Path(path).read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError(f"token file {path} is empty")
    return token


def bearer_metadata(token: str) -> tuple[str, str]:
    """The metadata pair a caller sends the token in."""
    return (AUTHORIZATION_KEY, f"Bearer {token}")


def tcp_host(listen: str) -> str | None:
    """The host of a `tcp://HOST:PORT` address (`[v6]` unbracketed); None for unix://."""
    if not listen.startswith("tcp://"):
        return None
    host = listen[len("tcp://") :].rpartition(":")[0]
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def core_listen_refusal(listen: str, has_token: bool) -> str | None:
    """Why the core must not listen on `listen` (None when it may)."""
    host = tcp_host(listen)
    if host is None or has_token or (host and is_loopback(host)):
        return None
    shown = host or "all interfaces"
    return (f"refusing to listen on non-loopback address {shown} without --token-file "
            "(anyone who can reach the port could drive the core)")


def server_credentials(cert_file: str, key_file: str) -> grpc.ServerCredentials:
    """TLS credentials of the core from a PEM certificate (chain) and its private key."""
    key = Path(key_file).read_bytes()
    cert = Path(cert_file).read_bytes()
    return grpc.ssl_server_credentials([(key, cert)])


def channel_credentials(ca_file: str) -> grpc.ChannelCredentials:
    """TLS credentials of a caller trusting the CA certificate(s) in `ca_file` (PEM)."""
    return grpc.ssl_channel_credentials(root_certificates=Path(ca_file).read_bytes())


def token_refusal(metadata: Any, token: bytes) -> str | None:
    """Why a call with this invocation metadata is refused (None: it carries `token`)."""
    given: str | bytes | None = None
    for key, value in metadata or ():
        if key == AUTHORIZATION_KEY:
            given = value
            break
    if given is None:
        return MISSING_TOKEN
    text = given.decode("latin-1") if isinstance(given, bytes) else given
    scheme, _, presented = text.partition(" ")
    if scheme.lower() != "bearer":
        return MISSING_TOKEN
    # compare_digest on bytes: constant time whatever the presented length.
    if not hmac.compare_digest(presented.strip().encode(), token):
        return WRONG_TOKEN
    return None


Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]


class TokenInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Refuse every call without the core's token (health excepted); see the module docstring."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        """Pass an authorized (or health) call on; answer any other with UNAUTHENTICATED."""
        method: str = handler_call_details.method
        if method.startswith(HEALTH_SERVICE_PREFIX):
            return await continuation(handler_call_details)
        refusal = token_refusal(handler_call_details.invocation_metadata, self._token)
        if refusal is None:
            return await continuation(handler_call_details)
        # The real handler only lends its shape (streaming or not), so the
        # refusal is answered the way the caller expects; nothing of it runs.
        return refusing_handler(await continuation(handler_call_details), refusal)


def refusing_handler(shape: grpc.RpcMethodHandler | None, message: str) -> grpc.RpcMethodHandler:
    """A handler of `shape`'s kind aborting with UNAUTHENTICATED `message` (unary if None)."""

    async def refuse(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    if shape is None:
        return grpc.unary_unary_rpc_method_handler(refuse)
    codec: dict[str, Any] = {
        "request_deserializer": shape.request_deserializer,
        "response_serializer": shape.response_serializer,
    }
    if shape.request_streaming and shape.response_streaming:
        return grpc.stream_stream_rpc_method_handler(refuse, **codec)
    if shape.request_streaming:
        return grpc.stream_unary_rpc_method_handler(refuse, **codec)
    if shape.response_streaming:
        return grpc.unary_stream_rpc_method_handler(refuse, **codec)
    return grpc.unary_unary_rpc_method_handler(refuse, **codec)
