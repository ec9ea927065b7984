"""What the core tells operators: its Prometheus metrics and the log context of calls and turns.

The metrics live in the process's default registry (served on
`--metrics-listen`, `app_server.exposition`). Label values are bounded:
turn statuses are the v2 `TurnStatus` values, model error kinds the
`codexErrorInfo` kinds of the v2 protocol ("other" for anything else).
The servicer, the turn lifecycle and the model client call the helpers here
where each event happens; nothing here decides anything.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, ParamSpec, TypeVar

from google.protobuf.message import Message
from prometheus_client import Counter, Gauge, Histogram

from app_server import logs
from app_server.exposition import MetricsEndpoint
from app_server_protocol.methods import thread_id_of
from core_service.hub import CallInfo
from core_service.model.errors import ModelError

log = logging.getLogger(__name__)

OTHER = "other"
# The kinds of the v2 CodexErrorInfo union: its string values and the keys of
# its object variants (tests/unit/core_service/test_telemetry.py checks them
# against the generated wire types).
ERROR_KINDS = frozenset({
    "contextWindowExceeded", "usageLimitExceeded", "serverOverloaded", "internalServerError",
    "unauthorized", "badRequest", "threadRollbackFailed", "sandboxError", "other",
    "httpConnectionFailed", "responseStreamConnectionFailed", "responseStreamDisconnected",
    "responseTooManyFailedAttempts",
})
# A model request lasts from milliseconds (a short answer) to minutes.
MODEL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

TURNS = Counter("app_server_core_turns", "Turns ended, by final status.", ["status"])
MODEL_REQUEST_SECONDS = Histogram(
    "app_server_core_model_request_duration_seconds", "Time from sending a model request "
    "(retries included) to its completed response or its failure.", ["outcome"],
    buckets=MODEL_BUCKETS)
MODEL_REQUEST_ERRORS = Counter(
    "app_server_core_model_request_errors", "Model requests that failed, by codexErrorInfo "
    "kind.", ["kind"])
THREADS_LOADED = Gauge("app_server_core_threads_loaded", "Threads loaded in memory.")

P = ParamSpec("P")
T = TypeVar("T")


def error_kind(info: Any) -> str:
    """The kind of a `codexErrorInfo` value: the string, or the one key of an object."""
    kind = info
    if isinstance(info, dict) and len(info) == 1:
        kind = next(iter(info))
    return kind if isinstance(kind, str) and kind in ERROR_KINDS else OTHER


def bind_call(method: str, request: Message, caller: CallInfo | None) -> None:
    """Bind the log context of one gRPC call (its task's; inherited by a turn it starts)."""
    logs.bind(method=method, thread_id=thread_id_of(request),
              gateway=caller.key.gateway if caller else None,
              connection_id=caller.key.conn if caller else None,
              request_seq=caller.seq if caller else None)


def bind_turn(thread_id: str, turn_id: str) -> None:
    """Bind a turn's ids to the log context of its task."""
    logs.bind(thread_id=thread_id, turn_id=turn_id)


def turn_ended(status: str) -> None:
    """Count a turn's end and log it (in the turn's own log context)."""
    TURNS.labels(status).inc()
    log.info("turn ended: %s", status)


async def serve_metrics(
    listen: tuple[str, int] | None, threads_loaded: Callable[[], int]
) -> MetricsEndpoint | None:
    """Serve `GET /metrics` on `listen` (None: not at all), printing `metrics on: URL`.

    The threads-loaded gauge reads `threads_loaded()` at each scrape.
    """
    THREADS_LOADED.set_function(threads_loaded)
    if listen is None:
        return None
    endpoint = await MetricsEndpoint.start(*listen)
    print(f"metrics on: {endpoint.url}", file=sys.stderr, flush=True)
    return endpoint


def timed_model_stream(
    stream: Callable[P, AsyncGenerator[T, None]],
) -> Callable[P, AsyncGenerator[T, None]]:
    """Wrap a model client's `stream` so each request is timed and its failure counted.

    A request that fails counts under its `ModelError`'s kind (anything else
    raised: "other", as the turn reports it); one closed early by its
    consumer (an interrupted turn) is timed as "cancelled" and is no error.
    """

    @functools.wraps(stream)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[T, None]:
        started = time.perf_counter()
        outcome = "cancelled"
        try:
            async with aclosing(stream(*args, **kwargs)) as events:
                async for event in events:
                    yield event
            outcome = "ok"
        except Exception as err:
            outcome = "error"
            kind = error_kind(err.info) if isinstance(err, ModelError) else OTHER
            MODEL_REQUEST_ERRORS.labels(kind).inc()
            log.info("model request failed: %s", kind)
            raise
        finally:
            elapsed = time.perf_counter() - started
            MODEL_REQUEST_SECONDS.labels(outcome).observe(elapsed)
            log.debug("model request %s in %.1f ms", outcome, elapsed * 1000)

    return timed
