"""End to end: a request in flight at the core when the core dies gets a clear error."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from tests.e2e.multi import ClientPool, Cluster
from tests.support.mock_model import MockModelServer


async def test_request_in_flight_when_the_core_dies(
    mock: MockModelServer, home: Path, tmp_path: Path
) -> None:
    """A call the core is still working on fails with -32603 when the core is killed; the
    connection stays open and works again once a core is back."""
    async with Cluster(mock, home, tmp_path / "work") as cluster, ClientPool() as pool:
        await cluster.start_core()
        url = await cluster.add_gateway()
        client = await pool.connect(url)
        fifo = tmp_path / "started"
        os.mkfifo(fifo)
        rid = await client.request_nowait("command/exec", {
            "command": ["sh", "-c", f"echo started > {fifo}; exec sleep 8"]})
        # Reading the FIFO returns once the command runs inside the core.
        assert await asyncio.wait_for(asyncio.to_thread(fifo.read_text), 15) == "started\n"
        await cluster.stop_core(signal.SIGKILL)
        resp = await client.wait_response(rid, timeout=20)
        assert resp["error"]["code"] == -32603
        assert resp["error"]["message"] == "core unavailable; retry later"
        await cluster.start_core()
        result = await client.call("thread/loaded/list", {}, timeout=20)
        assert result == {"data": [], "nextCursor": None}
