"""The stdio client's first line, answered before anything heavy is imported.

A stdio client writes `initialize` as soon as it spawns the server, and the
answer needs neither the core nor the gateway: it is the user agent,
computed from the clientInfo and this machine (`core_service.user_agent`,
the core's own function). `take_waiting_line` runs first thing in the
process, before asyncio and gRPC are imported (~50 ms): it reads what the
client has already written, without waiting, and when that is a plain,
well-formed `initialize` it writes the answer to stdout at once. Everything
it read is handed on (`FirstLine`) so the gateway still receives every
line, that one included, and records the client as usual; its own answer
to it is then dropped (`early_stdio.EarlyStdio`). Anything else (nothing
written yet, another method, unusual params, a parse error) is left to the
gateway untouched.

Only the standard library's cheapest modules are imported here (not even
`typing`: ~2 ms).
"""

from __future__ import annotations

import json
import os
import select

from core_service.user_agent import user_agent

_PARAMS_KEYS = frozenset({"clientInfo", "capabilities"})
_CLIENT_INFO_KEYS = frozenset({"name", "title", "version"})
_CAPABILITY_KEYS = frozenset({"experimentalApi", "optOutNotificationMethods"})
_MESSAGE_KEYS = frozenset({"jsonrpc", "id", "method", "params"})
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Read ahead of the gateway at most this much (the rest waits in the pipe).
_READ_LIMIT = 1 << 16


class FirstLine:
    """What was read from stdin before the gateway ran, and whether it was answered.

    `data` is every byte read (the first line and whatever followed it in
    the same reads, or a partial line); `answered` is True when its first
    line was an `initialize` whose answer is already written.
    """

    __slots__ = ("answered", "data")

    def __init__(self, data: bytes = b"", answered: bool = False) -> None:
        self.data = data
        self.answered = answered


def _plain_capabilities(caps: object) -> bool:
    if caps is None:
        return True
    if not isinstance(caps, dict) or not _CAPABILITY_KEYS.issuperset(caps):
        return False
    opt_outs = caps.get("optOutNotificationMethods")
    return isinstance(caps.get("experimentalApi"), bool) and (
        opt_outs is None or (isinstance(opt_outs, list)
                             and all(isinstance(m, str) for m in opt_outs)))


def _plain_client_info(info: object) -> bool:
    return (isinstance(info, dict) and _CLIENT_INFO_KEYS.issuperset(info)
            and isinstance(info.get("name"), str) and isinstance(info.get("version"), str)
            and (info.get("title") is None or isinstance(info["title"], str)))


def early_answer(line: bytes) -> bytes | None:
    """The `initialize` response to `line`, or None when the gateway must decide.

    Only requests every decoder accepts qualify: known keys only, exact
    types, a non-zero id (`-0` and `0` are told apart by the gateway). The
    bytes are those the gateway would write: compact, U+2028/U+2029 escaped.
    """
    try:
        msg = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(msg, dict) or not _MESSAGE_KEYS.issuperset(msg):
        return None
    rid, params = msg.get("id"), msg.get("params")
    id_ok = isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool)
                                     and rid != 0 and abs(rid) < 2**63)
    if (msg.get("method") != "initialize" or not id_ok or not isinstance(params, dict)
            or not _PARAMS_KEYS.issuperset(params)
            or not _plain_client_info(params.get("clientInfo"))
            or not _plain_capabilities(params.get("capabilities"))):
        return None
    info = params["clientInfo"]
    text = _encode({"id": rid, "result": {"userAgent": user_agent(info["name"],
                                                                   info["version"])}})
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def read_waiting(fd: int, limit: int = _READ_LIMIT) -> bytes:
    """The bytes already waiting on `fd`, up to a first newline; never blocks.

    Stops at a newline, at end of input (a later read sees it again), when
    nothing more is waiting, or past `limit` bytes.
    """
    buf = bytearray()
    while b"\n" not in buf and len(buf) < limit:
        try:
            ready, _, _ = select.select([fd], [], [], 0)
            chunk = os.read(fd, limit) if ready else b""
        except (OSError, ValueError):
            break
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def take_waiting_line(in_fd: int, out_fd: int) -> FirstLine:
    """Read what the client has written already; answer it when it is a plain `initialize`."""
    data = read_waiting(in_fd)
    line, newline, _ = data.partition(b"\n")
    answer = early_answer(line) if newline and line.strip() else None
    if answer is None:
        return FirstLine(data)
    try:
        view = memoryview(answer + b"\n")
        while view:
            view = view[os.write(out_fd, view):]
    except OSError:
        # stdout is gone: the gateway finds that out on its own first write.
        return FirstLine(data)
    return FirstLine(data, answered=True)
