"""Server notifications and server requests of the reference we never send.

The reference (codex 0.104) can send these; we do not produce them, for the
reason given. Kept as data beside `methods.UNSUPPORTED_METHODS` (client
requests we do not serve): docs/PROTOCOL.md lists them, and a test checks
that every method of the reference is either bound in the method tables or
listed here with a reason.
"""

from __future__ import annotations

UNSUPPORTED_NOTIFICATIONS: dict[str, str] = {
    "item/mcpToolCall/progress": "the reference sends none (probed with a tool reporting progress)",
    "mcpServer/oauthLogin/completed": "MCP servers are not implemented",
    "windows/worldWritableWarning": "the Windows sandbox is not implemented",
    "authStatusChange": "v1 API (superseded by account/updated)",
    "loginChatGptComplete": "v1 API (superseded by account/login/completed)",
    "sessionConfigured": "v1 API (superseded by thread/started)",
}

UNSUPPORTED_SERVER_REQUESTS: dict[str, str] = {
    "item/tool/requestUserInput": (
        "sent only in plan (collaboration) mode, which is not served; in the default "
        "mode the tool answers the model that it is unavailable, as the reference does"
    ),
    "applyPatchApproval": "v1 API (superseded by item/fileChange/requestApproval)",
    "execCommandApproval": "v1 API (superseded by item/commandExecution/requestApproval)",
}
