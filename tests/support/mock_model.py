"""A scriptable mock of the OpenAI Responses API (`POST /v1/responses`, SSE).

Built on asyncio streams (HTTP/1.1, one request per connection, chunked
responses), so it needs nothing beyond the standard library. Two ways to use it:

- in-process, from pytest::

      async with MockModelServer([{"kind": "text", "text": "hi"}]) as mock:
          ...  # point the client at mock.base_url ("http://127.0.0.1:PORT/v1")
          reqs = await mock.wait_requests(1, timeout=5)

- as a process (end-to-end tests, benchmarks)::

      python -m tests.support.mock_model --script FILE.json

  prints `LISTENING http://127.0.0.1:PORT/v1` as its first stdout line and
  serves until killed (SIGTERM/SIGINT) or until its stdin pipe is closed.
  `GET /_requests` returns the recorded requests as JSON, `GET /_state`
  adds the disconnect count and the queue length, and `POST /_script`
  replaces (`{"responses": [...]}`, or a bare list) or appends
  (`{"responses": [...], "mode": "append"}`) the script; `"default"` there
  sets the answer used when the queue is empty.

It also plays the ChatGPT backend's usage endpoint (`GET .../wham/usage`,
`GET .../api/codex/usage`): the answer is `usage` ({status, body,
content_type}; body JSON-able or str), settable in-process or by
`POST /_usage` with that object. Any other backend call is answered from
`routes` ("METHOD /path" -> {status, body}; set in-process or by
`POST /_route` with `{"route": "METHOD /path", "status", "body"}`, or
`body_b64` for bytes and `content_type`); the path matches with or without
its query.

Each POST to `/responses` takes the next response spec of the queue (a
JSON-able dict with a `kind`): text, reasoning, function_call,
custom_tool_call, item (any output item), sequence, http_error, failed, cut,
hang, raw. See
`_Responder` for the fields of each kind. Every spec accepts `headers`
(extra response headers, e.g. rate limits or `openai-model`), `usage`
({input_tokens, cached, output_tokens, reasoning_tokens}), `delay_ms` (pause
before each delta) and `response_id`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import logging
import os
import signal
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_RESPONSE: dict[str, Any] = {"kind": "text", "text": "Default mock answer.", "deltas": 3}
DEFAULT_USAGE = {"input_tokens": 100, "cached": 20, "output_tokens": 7, "reasoning_tokens": 0}

# Bounds that keep a misbehaving client from growing the mock without limit.
_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 64 * 1024 * 1024
_READ_TIMEOUT = 30.0

log = logging.getLogger(__name__)


@dataclass
class RecordedRequest:
    """One request the mock received (control paths `/_...` are not recorded)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    disconnected: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON form served by `GET /_requests`."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "disconnected": self.disconnected,
        }


class _ClientGone(Exception):
    """The client closed the connection while the response was being written."""


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    record: RecordedRequest | None = None
    finished: bool = False


class MockModelServer:
    """The mock Responses API server; an async context manager (see module docstring)."""

    def __init__(
        self,
        script: Iterable[dict[str, Any]] = (),
        *,
        default: dict[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.queue: deque[dict[str, Any]] = deque(script)
        self.default: dict[str, Any] = dict(default or DEFAULT_RESPONSE)
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed: asyncio.Condition | None = None
        self._response_seq = itertools.count(1)
        self._item_seq: dict[str, itertools.count[int]] = {}
        self.usage: dict[str, Any] = {"status": 200, "body": {"plan_type": "plus"}}
        self.routes: dict[str, dict[str, Any]] = {}

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> MockModelServer:
        """Bind (port 0 by default) and start serving."""
        self._changed = asyncio.Condition()
        self._server = await asyncio.start_server(self._on_connect, self._host, self._port)
        return self

    async def close(self) -> None:
        """Stop serving and drop every open connection. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        await server.wait_closed()

    async def __aenter__(self) -> MockModelServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The bound TCP port."""
        assert self._server is not None, "server not started"
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        """The provider base URL to configure: `http://127.0.0.1:PORT/v1`."""
        return f"http://{self._host}:{self.port}/v1"

    # -- scripting ------------------------------------------------------------------------

    def enqueue(self, *specs: dict[str, Any]) -> None:
        """Append response specs to the queue."""
        self.queue.extend(specs)

    def set_script(
        self, specs: Iterable[dict[str, Any]], *, default: dict[str, Any] | None = None
    ) -> None:
        """Replace the queue (and the default answer when given)."""
        self.queue = deque(specs)
        if default is not None:
            self.default = dict(default)

    @property
    def responses_requests(self) -> list[RecordedRequest]:
        """The recorded `POST .../responses` requests only."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/responses")]

    # A `timeout` argument (ASYNC109) keeps test code short: every wait here must be bounded.
    async def wait_requests(
        self, count: int, timeout: float = 5.0  # noqa: ASYNC109
    ) -> list[RecordedRequest]:
        """Wait until at least `count` requests were recorded; return them all."""
        await self._wait_for(lambda: len(self.requests) >= count, timeout)
        return list(self.requests)

    async def wait_disconnect(self, timeout: float = 5.0, count: int = 1) -> None:  # noqa: ASYNC109
        """Wait until clients dropped `count` responses before the mock finished them."""
        await self._wait_for(lambda: self.disconnects >= count, timeout)

    async def _wait_for(self, predicate: Callable[[], bool], limit: float) -> None:
        assert self._changed is not None, "server not started"
        async with asyncio.timeout(limit), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # -- HTTP ---------------------------------------------------------------------------------

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        conn = _Conn(reader, writer)
        try:
            await self._serve(conn)
        except (ConnectionError, _ClientGone, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _serve(self, conn: _Conn) -> None:
        async with asyncio.timeout(_READ_TIMEOUT):
            head = await conn.reader.readuntil(b"\r\n\r\n")
        if len(head) > _MAX_HEADER_BYTES:
            await self._simple(conn, 431, {"error": "headers too large"})
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        async with asyncio.timeout(_READ_TIMEOUT):
            raw = await self._read_body(conn.reader, headers)
        url = urlsplit(target)
        path = url.path
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", errors="replace")

        if path.startswith("/_"):
            await self._control(conn, method, path, body)
            return
        conn.record = RecordedRequest(method, path, dict(parse_qsl(url.query)), headers, body)
        self.requests.append(conn.record)
        await self._notify()
        if method == "POST" and path.endswith("/responses"):
            spec = self.queue.popleft() if self.queue else self.default
            await self._respond(conn, spec)
        elif method == "GET" and path.endswith(("/wham/usage", "/api/codex/usage")):
            usage = self.usage
            body = usage.get("body")
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            await self._simple(conn, int(usage.get("status", 200)), data,
                               content_type=str(usage.get("content_type", "application/json")))
        elif (route := self.routes.get(f"{method} {target}")
              or self.routes.get(f"{method} {path}")) is not None:
            payload = (base64.b64decode(route["body_b64"]) if "body_b64" in route
                       else route.get("body"))
            await self._simple(conn, int(route.get("status", 200)), payload,
                               content_type=str(route.get("content_type", "application/json")))
        else:
            await self._simple(conn, 404, {"error": {"message": f"no route for {method} {path}"}})

    async def _read_body(self, reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            total = 0
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    return b"".join(parts)
                total += size
                if total > _MAX_BODY_BYTES:
                    raise ConnectionError("body too large")
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
        length = int(headers.get("content-length") or 0)
        if length > _MAX_BODY_BYTES:
            raise ConnectionError("body too large")
        return await reader.readexactly(length) if length else b""

    async def _control(self, conn: _Conn, method: str, path: str, body: Any) -> None:
        if method == "GET" and path == "/_requests":
            await self._simple(conn, 200, [r.to_json() for r in self.requests])
        elif method == "GET" and path == "/_state":
            await self._simple(conn, 200, {
                "requests": [r.to_json() for r in self.requests],
                "disconnects": self.disconnects,
                "queued": len(self.queue),
            })
        elif method == "POST" and path == "/_script":
            specs = body if isinstance(body, list) else (body or {}).get("responses", [])
            if isinstance(body, dict) and body.get("mode") == "append":
                self.enqueue(*specs)
            else:
                self.set_script(specs)
            if isinstance(body, dict) and isinstance(body.get("default"), dict):
                self.default = dict(body["default"])
            await self._simple(conn, 200, {"queued": len(self.queue)})
        elif method == "POST" and path == "/_usage" and isinstance(body, dict):
            self.usage = body
            await self._simple(conn, 200, {})
        elif method == "POST" and path == "/_route" and isinstance(body, dict):
            self.routes[str(body.get("route"))] = body
            await self._simple(conn, 200, {})
        else:
            await self._simple(conn, 404, {"error": f"no control route {method} {path}"})

    async def _simple(self, conn: _Conn, status: int, payload: Any,
                      headers: dict[str, str] | None = None,
                      content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        head = [f"HTTP/1.1 {status} {_phrase(status)}", f"content-type: {content_type}",
                f"content-length: {len(data)}", "connection: close"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        conn.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        await conn.writer.drain()

    async def _respond(self, conn: _Conn, spec: dict[str, Any]) -> None:
        """Play one spec; a client that disconnects first is counted in `disconnects`."""
        seq = next(self._response_seq)
        responder = _Responder(self, conn, spec, seq)
        play = asyncio.ensure_future(responder.play())
        watch = asyncio.ensure_future(_until_eof(conn.reader))
        try:
            await asyncio.wait({play, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not play.done():
                play.cancel()
            watch.cancel()
            await asyncio.gather(play, watch, return_exceptions=True)
        failure = None if play.cancelled() else play.exception()
        if failure is not None and not isinstance(failure, ConnectionError | _ClientGone):
            # A bug in the mock must be visible in the test output, not just a closed socket.
            log.error("mock response %r failed", spec, exc_info=failure)
        gone = play.cancelled() or isinstance(failure, ConnectionError | _ClientGone)
        if gone and not conn.finished:
            if conn.record is not None:
                conn.record.disconnected = True
            self.disconnects += 1
            await self._notify()

    def next_item_id(self, prefix: str) -> str:
        """A fresh `<prefix>_<n>` id, numbered per prefix (msg_1, rs_1, msg_2, ...)."""
        counter = self._item_seq.setdefault(prefix, itertools.count(1))
        return f"{prefix}_{next(counter)}"


async def _until_eof(reader: asyncio.StreamReader) -> None:
    """Return when the client closes its side (a client sends nothing while it reads SSE)."""
    while await reader.read(4096):
        pass


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _split(text: str, parts: int) -> list[str]:
    """Split `text` into `parts` chunks of nearly equal length (no empty chunk unless empty)."""
    parts = max(1, min(parts, len(text))) if text else 1
    size, extra = divmod(len(text), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(text[start:end])
        start = end
    return out


class _Responder:
    """Writes one scripted response.

    Spec kinds and their fields (all optional unless noted):

    - `text`: `text`, `deltas` (chunks, default 3), `item_id`.
    - `reasoning`: `summaries` (list of str), `content` (list of str),
      `summary_deltas` (chunks per part, default 2), `item_id`,
      `encrypted_content`; then the text item of `text` (skip with `text: null`).
    - `function_call`: `name`, `arguments` (str or JSON-able), `call_id`, `item_id`.
    - `custom_tool_call`: `name`, `input` (str), `call_id`, `item_id`.
    - `sequence`: `items` (sub-specs of the kinds above).
    - `http_error`: `status` (default 500), `body` (JSON-able or str).
    - `failed`: `error` {code, message} (or top-level `code`/`message`).
    - `cut`: like `text`, but only `after` deltas (default 1) are sent before
      the body ends without `response.completed`; `complete_item: true` sends
      the item's done events first; `abort: true` drops the TCP connection
      mid-body instead of ending the chunked body cleanly.
    - `hang`: `response.created`, then nothing until the client disconnects.
    - `raw`: `body` (str) sent verbatim as the event stream, split into
      `chunks` (list of str) when given; `status`, `content_type`.
    """

    def __init__(self, server: MockModelServer, conn: _Conn, spec: dict[str, Any],
                 seq: int) -> None:
        self.server = server
        self.conn = conn
        self.spec = spec
        self.kind = spec.get("kind", "text")
        self.response_id = str(spec.get("response_id") or f"resp_{seq}")
        self.request_id = f"req_{seq}"
        self.delay = float(spec.get("delay_ms") or 0) / 1000
        self.model = "mock-model"
        body = conn.record.body if conn.record is not None else None
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            self.model = body["model"]
        self.sequence_number = 0
        self.output: list[dict[str, Any]] = []

    # -- framing --------------------------------------------------------------------------

    async def _head(self, status: int, content_type: str) -> None:
        head = [
            f"HTTP/1.1 {status} {_phrase(status)}",
            f"content-type: {content_type}",
            "transfer-encoding: chunked",
            "connection: close",
            f"x-request-id: {self.request_id}",
        ]
        head += [f"{k}: {v}" for k, v in (self.spec.get("headers") or {}).items()]
        self.conn.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await self._drain()

    async def _chunk(self, data: bytes, *, last: bool = False) -> None:
        out = f"{len(data):x}\r\n".encode() + data + b"\r\n" if data else b""
        if last:
            out += b"0\r\n\r\n"
            # Everything is written: a client closing from now on did not interrupt us.
            self.conn.finished = True
        self.conn.writer.write(out)
        await self._drain()

    async def _drain(self) -> None:
        if self.conn.writer.is_closing():
            raise _ClientGone()
        await self.conn.writer.drain()

    async def _event(self, kind: str, payload: dict[str, Any], *, last: bool = False) -> None:
        data = {"type": kind, "sequence_number": self.sequence_number, **payload}
        self.sequence_number += 1
        frame = f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
        await self._chunk(frame.encode(), last=last)

    async def _pause(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)

    # -- kinds ------------------------------------------------------------------------------

    async def play(self) -> None:
        kind = self.kind
        if kind == "http_error":
            await self._http_error()
            return
        if kind == "raw":
            await self._raw()
            return
        await self._head(200, "text/event-stream")
        await self._event("response.created", {"response": self._response("in_progress")})
        if kind == "hang":
            # Nothing more: _respond's watcher ends this when the client disconnects.
            await asyncio.Event().wait()
        await self._event("response.in_progress", {"response": self._response("in_progress")})
        if kind == "failed":
            error = self.spec.get("error") or {
                "code": self.spec.get("code", "server_error"),
                "message": self.spec.get("message", "The mock failed the response."),
            }
            resp = {**self._response("failed"), "error": error}
            await self._event("response.failed", {"response": resp}, last=True)
            return
        if kind == "cut":
            await self._cut()
            return
        items = self.spec.get("items", []) if kind == "sequence" else [self.spec]
        for sub in items:
            await self._item(sub)
        await self._completed()

    async def _http_error(self) -> None:
        status = int(self.spec.get("status", 500))
        body = self.spec.get("body", {"error": {"message": f"mock {status}"}})
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = {"x-request-id": self.request_id, **(self.spec.get("headers") or {})}
        await self.server._simple(self.conn, status, data, headers)
        self.conn.finished = True

    async def _raw(self) -> None:
        await self._head(int(self.spec.get("status", 200)),
                         str(self.spec.get("content_type", "text/event-stream")))
        chunks = self.spec.get("chunks") or [self.spec.get("body", "")]
        for i, piece in enumerate(chunks):
            await self._pause()
            await self._chunk(str(piece).encode(), last=i == len(chunks) - 1)

    async def _item(self, sub: dict[str, Any]) -> None:
        kind = sub.get("kind", "text")
        if kind == "reasoning":
            await self._reasoning(sub)
            if sub.get("text", "The answer.") is not None:
                await self._text({**sub, "item_id": sub.get("text_item_id"),
                                  "text": sub.get("text", "The answer.")})
        elif kind == "function_call":
            await self._function_call(sub)
        elif kind == "custom_tool_call":
            await self._custom_tool_call(sub)
        elif kind == "item":
            await self._raw_item(sub)
        else:
            await self._text(sub)

    async def _raw_item(self, sub: dict[str, Any]) -> None:
        """`{"kind": "item", "item": {...}}`: any output item (e.g. a local_shell_call),
        announced with output_item.added and finished with output_item.done as given."""
        done = dict(sub.get("item") or {})
        done.setdefault("id", self.server.next_item_id("item"))
        index = len(self.output)
        await self._event("response.output_item.added",
                          {"output_index": index, "item": {**done, "status": "in_progress"}})
        self.output.append(done)
        await self._event("response.output_item.done", {"output_index": index, "item": done})

    async def _text(self, sub: dict[str, Any], *, after: int | None = None,
                    complete: bool = True) -> None:
        item_id = str(sub.get("item_id") or self.server.next_item_id("msg"))
        text = str(sub.get("text", "Default mock answer."))
        index = len(self.output)
        item = {"id": item_id, "type": "message", "status": "in_progress", "content": [],
                "role": "assistant"}
        await self._event("response.output_item.added", {"output_index": index, "item": item})
        part = {"type": "output_text", "annotations": [], "text": ""}
        ids = {"item_id": item_id, "output_index": index, "content_index": 0}
        await self._event("response.content_part.added", {**ids, "part": part})
        deltas = _split(text, int(sub.get("deltas", 3)))
        for delta in deltas[:after] if after is not None else deltas:
            await self._pause()
            await self._event("response.output_text.delta", {**ids, "delta": delta,
                                                             "logprobs": []})
        if not complete:
            return
        await self._event("response.output_text.done", {**ids, "text": text, "logprobs": []})
        done_part = {**part, "text": text}
        await self._event("response.content_part.done", {**ids, "part": done_part})
        done = {**item, "status": "completed", "content": [done_part]}
        self.output.append(done)
        await self._event("response.output_item.done", {"output_index": index, "item": done})

    async def _reasoning(self, sub: dict[str, Any]) -> None:
        item_id = str(sub.get("item_id") or self.server.next_item_id("rs"))
        summaries = [str(s) for s in sub.get("summaries", ["**Thinking**\n\nAbout it."])]
        contents = [str(c) for c in sub.get("content", [])]
        index = len(self.output)
        item = {"id": item_id, "type": "reasoning", "summary": []}
        await self._event("response.output_item.added", {"output_index": index, "item": item})
        base = {"item_id": item_id, "output_index": index}
        for i, summary in enumerate(summaries):
            part = {"type": "summary_text", "text": ""}
            await self._event("response.reasoning_summary_part.added",
                              {**base, "summary_index": i, "part": part})
            for delta in _split(summary, int(sub.get("summary_deltas", 2))):
                await self._pause()
                await self._event("response.reasoning_summary_text.delta",
                                  {**base, "summary_index": i, "delta": delta})
            await self._event("response.reasoning_summary_text.done",
                              {**base, "summary_index": i, "text": summary})
            await self._event("response.reasoning_summary_part.done",
                              {**base, "summary_index": i, "part": {**part, "text": summary}})
        for j, content in enumerate(contents):
            for delta in _split(content, int(sub.get("summary_deltas", 2))):
                await self._pause()
                await self._event("response.reasoning_text.delta",
                                  {**base, "content_index": j, "delta": delta})
            await self._event("response.reasoning_text.done",
                              {**base, "content_index": j, "text": content})
        done: dict[str, Any] = {
            "id": item_id,
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": s} for s in summaries],
            "encrypted_content": sub.get("encrypted_content", f"enc_{item_id}"),
        }
        if contents:
            done["content"] = [{"type": "reasoning_text", "text": c} for c in contents]
        self.output.append(done)
        await self._event("response.output_item.done", {"output_index": index, "item": done})

    async def _function_call(self, sub: dict[str, Any]) -> None:
        item_id = str(sub.get("item_id") or self.server.next_item_id("fc"))
        args = sub.get("arguments", "{}")
        arguments = args if isinstance(args, str) else json.dumps(args)
        call_id = str(sub.get("call_id") or f"call_{item_id}")
        index = len(self.output)
        item = {"id": item_id, "type": "function_call", "status": "in_progress",
                "name": sub.get("name", "shell"), "call_id": call_id, "arguments": ""}
        await self._event("response.output_item.added", {"output_index": index, "item": item})
        ids = {"item_id": item_id, "output_index": index}
        for delta in _split(arguments, int(sub.get("deltas", 1))):
            await self._pause()
            await self._event("response.function_call_arguments.delta", {**ids, "delta": delta})
        await self._event("response.function_call_arguments.done",
                          {**ids, "arguments": arguments})
        done = {**item, "status": "completed", "arguments": arguments}
        self.output.append(done)
        await self._event("response.output_item.done", {"output_index": index, "item": done})

    async def _custom_tool_call(self, sub: dict[str, Any]) -> None:
        item_id = str(sub.get("item_id") or self.server.next_item_id("ctc"))
        text = str(sub.get("input", ""))
        call_id = str(sub.get("call_id") or f"call_{item_id}")
        index = len(self.output)
        item = {"id": item_id, "type": "custom_tool_call", "status": "in_progress",
                "name": sub.get("name", "apply_patch"), "call_id": call_id, "input": ""}
        await self._event("response.output_item.added", {"output_index": index, "item": item})
        ids = {"item_id": item_id, "output_index": index}
        for delta in _split(text, int(sub.get("deltas", 1))):
            await self._pause()
            await self._event("response.custom_tool_call_input.delta", {**ids, "delta": delta})
        await self._event("response.custom_tool_call_input.done", {**ids, "input": text})
        done = {**item, "status": "completed", "input": text}
        self.output.append(done)
        await self._event("response.output_item.done", {"output_index": index, "item": done})

    async def _cut(self) -> None:
        after = int(self.spec.get("after", 1))
        complete = bool(self.spec.get("complete_item", False))
        await self._text({**self.spec, "text": self.spec.get("text", "Partial answer")},
                         after=None if complete else after, complete=complete)
        if self.spec.get("abort"):
            # Drop the TCP connection inside the chunked body (a transport error).
            self.conn.finished = True
            transport = self.conn.writer.transport
            transport.abort()
            return
        await self._chunk(b"", last=True)

    async def _completed(self) -> None:
        usage = {**DEFAULT_USAGE, **(self.spec.get("usage") or {})}
        inp, out = int(usage["input_tokens"]), int(usage["output_tokens"])
        resp = {
            **self._response("completed"),
            "output": self.output,
            "usage": {
                "input_tokens": inp,
                "input_tokens_details": {"cached_tokens": int(usage["cached"])},
                "output_tokens": out,
                "output_tokens_details": {"reasoning_tokens": int(usage["reasoning_tokens"])},
                "total_tokens": int(usage.get("total_tokens", inp + out)),
            },
        }
        await self._event("response.completed", {"response": resp}, last=True)

    def _response(self, status: str) -> dict[str, Any]:
        return {"id": self.response_id, "object": "response", "created_at": 1_900_000_000,
                "status": status, "model": self.model, "output": [], "error": None,
                "usage": None}


# -- standalone process --------------------------------------------------------------------


def _load_script(path: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    if not path:
        return [], None
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, list):
        return data, None
    return list(data.get("responses", [])), data.get("default")


async def _stdin_closed() -> None:
    """Return when stdin (a pipe or socket) reaches EOF; never for /dev/null or a tty."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        await asyncio.Event().wait()
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        await asyncio.Event().wait()
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(65536):
        pass


async def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--script", help="JSON file: a list of specs or {responses, default}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    script, default = _load_script(args.script)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with MockModelServer(script, default=default, host=args.host, port=args.port) as mock:
        print(f"LISTENING {mock.base_url}", flush=True)
        stdin_task = asyncio.ensure_future(_stdin_closed())
        stop_task = asyncio.ensure_future(stop.wait())
        await asyncio.wait({stdin_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stdin_task, stop_task):
            task.cancel()


if __name__ == "__main__":
    asyncio.run(_main())
