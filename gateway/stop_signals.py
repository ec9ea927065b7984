"""SIGTERM/SIGINT for a process that serves, then shuts down once.

While serving, either signal sets a stop event on the event loop. Once the
shutdown is done (`ignore_from_now_on`), both are ignored until the process
exits: a launcher commonly closes stdin and then sends TERM, and that TERM
must not kill a process that is already stopping in order (it would exit -15
and skip stopping its core child).

Why not `loop.add_signal_handler`: asyncio restores the default disposition
when the handler is removed or the loop closes, so between the end of the
shutdown and the process exit there would be a window in which a TERM kills
the process. Here the disposition goes straight from our handler to
`SIG_IGN`, with nothing in between. The mechanism is asyncio's own: a no-op
Python handler plus `signal.set_wakeup_fd`, whose bytes (the signal numbers)
are read by a loop reader, so the stop event is set from loop context and the
loop wakes whichever thread the kernel delivered the signal to.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _noop(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler; the work happens in the loop reader."""


class StopSignals:
    """TERM/INT set `stop` while installed; `ignore_from_now_on` ends that for good."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        self._loop = loop
        self._stop = stop
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        loop.add_reader(self._reader.fileno(), self._drain)
        for sig in STOP_SIGNALS:
            signal.signal(sig, _noop)

    def _drain(self) -> None:
        try:
            data = self._reader.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        if any(byte in STOP_SIGNALS for byte in data):
            self._stop.set()

    def ignore_from_now_on(self) -> None:
        """Ignore TERM/INT for the rest of the process (idempotent)."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if self._reader.fileno() == -1:
            return
        signal.set_wakeup_fd(self._previous_fd)
        self._loop.remove_reader(self._reader.fileno())
        self._reader.close()
        self._writer.close()
