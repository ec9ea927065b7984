"""A small stdio MCP server for tests and probes, written with the MCP SDK.

    python -m tests.support.mcp_fixture [--mode ok|crash|hang]

`ok` serves the tools below over stdio; `crash` writes a line to stderr and
exits 1 before speaking MCP; `hang` never answers (a start-up timeout's
case). Tools: `echo` (text), `add` (structured content), `pixel` (an
image), `boom` (a tool error), `slow` (reports progress, then text) and
`sleepy` (answers after `seconds`, a tool timeout's case), `pid` (the
server's process id), `die` (the server exits mid-call); one resource,
`fixture://readme`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
from typing import Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from pydantic import BaseModel

# A 1x1 transparent PNG.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class Point(BaseModel):
    """A point, to nest an object in a schema."""

    x: int
    y: int = 0


class Sum(BaseModel):
    """The structured result of `add`."""

    total: int


def build_server() -> MCPServer:
    """The fixture's MCP server with its tools and resource."""
    server = MCPServer("fixture")

    @server.tool(description="Echo the text back.")
    def echo(text: str) -> str:
        return f"echo: {text}"

    @server.tool(description="Add two integers.")
    def add(a: int, b: int) -> Sum:
        return Sum(total=a + b)

    @server.tool(description="A one-pixel image.")
    def pixel() -> Image:
        return Image(data=PIXEL_PNG, format="png")

    @server.tool(description="Always fails.")
    def boom() -> str:
        raise ToolError("boom failed")

    @server.tool(description="Reports progress, then answers.")
    async def slow(steps: int, ctx: Context) -> str:
        for i in range(steps):
            await ctx.report_progress(i + 1, steps, f"step {i + 1}")
        return f"done after {steps} steps"

    @server.tool(description="The server's process id.")
    def pid() -> int:
        return os.getpid()

    @server.tool(description="Exits the server process at once.")
    def die() -> str:
        os._exit(3)

    @server.tool(description="Answers after `seconds`.")
    async def sleepy(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "awake"

    @server.tool(name="dotted.name", description="A name the model's API refuses.")
    def dotted() -> str:
        return "dotted"

    @server.tool(name="a_tool_name_long_enough_to_pass_the_sixty_four_character_limit",
                 description="")
    def long_name() -> str:
        return "long"

    @server.tool(description="Schemas of many shapes.")
    def shape(
        mode: Literal["fast", "slow"],
        tags: list[str],
        point: Point,
        limit: int | None = None,
        flag: bool = False,
        ratio: float = 0.5,
    ) -> str:
        return "shaped"

    @server.resource("fixture://readme", description="The fixture's readme.")
    def readme() -> str:
        return "fixture readme"

    return server


def main() -> None:
    """Serve over stdio, or crash, or hang, as `--mode` says."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("ok", "crash", "hang"), default="ok")
    mode = parser.parse_args().mode
    if mode == "crash":
        print("fixture: crashing at start", file=sys.stderr)
        sys.exit(1)
    if mode == "hang":
        # Read stdin without answering; exit when the client closes it.
        sys.stdin.buffer.read()
        return
    build_server().run("stdio")


if __name__ == "__main__":
    main()
