"""TERM/INT from the first moment of the single command until its event loop runs.

The single command answers `initialize` before its event loop (and
`gateway.stop_signals`) runs; a launcher's TERM in between must still stop
it in order, so it is remembered here and acted on once the loop runs.
Standard library only.
"""

from __future__ import annotations

import signal
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


_caught: list[int] = []


def _catch(signum: int, frame: FrameType | None) -> None:
    _caught.append(signum)


def catch_stop_signals() -> None:
    """Remember TERM/INT from now on instead of dying of them (`stop_signal_caught`)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _catch)


def stop_signal_caught() -> bool:
    """True when TERM or INT arrived while `catch_stop_signals` was in force."""
    return bool(_caught)


def ignore_stop_signals() -> None:
    """Ignore TERM/INT for the rest of the process: only the exit is left.

    A TERM then must not turn the status into -15: finalizing the
    interpreter restores the default disposition of Python-level handlers
    (SIG_IGN stays).
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
