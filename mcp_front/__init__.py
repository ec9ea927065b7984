"""The MCP front end: `app-server mcp-server`, the codex tools over MCP on stdio."""
