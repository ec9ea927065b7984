"""Transports: they move whole messages, nothing else.

A transport hands the gateway one `MessageStream` per client connection.
It frames bytes into messages (a line on stdio, a text frame on a
websocket) and back, and knows nothing of JSON-RPC.
"""

from __future__ import annotations

from typing import Protocol


class MessageStream(Protocol):
    """One client connection as a stream of whole messages."""

    @property
    def peer(self) -> str:
        """Who is on the other end (for logs)."""
        ...

    async def receive(self) -> bytes | str | None:
        """The next incoming message; None once the peer is gone (EOF, close)."""
        ...

    async def send(self, messages: list[bytes]) -> None:
        """Write messages (each one compact JSON document) in order.

        Raises `ConnectionError` when the peer is gone.
        """
        ...

    async def abort(self, code: int, reason: str) -> None:
        """Drop the connection now (the peer misbehaved); must not block long."""
        ...
