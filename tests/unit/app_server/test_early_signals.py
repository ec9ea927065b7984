"""early_signals: TERM/INT before the event loop runs are remembered, not fatal."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from app_server import early_signals


@pytest.fixture
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    early_signals._caught.clear()


def test_a_term_while_caught_is_remembered_not_fatal(restore_handlers: None) -> None:
    early_signals.catch_stop_signals()
    assert not early_signals.stop_signal_caught()
    os.kill(os.getpid(), signal.SIGTERM)
    assert early_signals.stop_signal_caught()


def test_ignoring_outlasts_a_term(restore_handlers: None) -> None:
    early_signals.ignore_stop_signals()
    os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
