"""gateway/stop_signals.py: TERM sets the stop event while serving, and is
ignored once the shutdown is done (run in a child: dispositions are per process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import asyncio, os, signal, threading
from gateway.stop_signals import StopSignals

async def main():
    stop = asyncio.Event()
    signals = StopSignals(asyncio.get_running_loop(), stop)
    # Delivered from another thread, as a kernel may deliver it to any thread.
    threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    await asyncio.wait_for(stop.wait(), 10)
    print("stopped", flush=True)
    signals.ignore_from_now_on()
    signals.ignore_from_now_on()

asyncio.run(main())
os.kill(os.getpid(), signal.SIGTERM)
os.kill(os.getpid(), signal.SIGINT)
print("still alive", flush=True)
"""


def test_term_stops_then_is_ignored_until_exit() -> None:
    """A TERM sets stop; after ignore_from_now_on (idempotent), TERM and INT no longer
    end the process, even after the event loop has closed."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stopped", "still", "alive"]
