"""MCP servers as tools of the agent: `[mcp_servers.NAME]` started and kept by the core."""
