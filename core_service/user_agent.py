"""The user agent string: sent to clients in `initialize` and upstream to the model.

Built the way the reference builds it from clientInfo:
`<name>/<version> (<OS name> <OS version>; <arch>) <TERM> (<name>; <client version>)`.
"""

from __future__ import annotations

import functools
import os
import platform

# The protocol version we implement; reported as our CLI version so clients
# that gate features on it treat us like the reference we match.
CLI_VERSION = "0.104.0"


@functools.cache
def _os_part() -> str:
    name, version = platform.system() or "Unknown", platform.release() or ""
    try:
        with open("/etc/os-release", encoding="utf-8") as fh:
            info = dict(
                line.rstrip("\n").split("=", 1) for line in fh if "=" in line and line.strip()
            )
        name = info.get("NAME", name).strip('"').split()[0]
        version = info.get("VERSION_ID", version).strip('"')
    except OSError:
        pass
    parts = version.split(".") if version else ["0"]
    while len(parts) < 3:
        parts.append("0")
    return f"{name} {'.'.join(parts[:3])}; {platform.machine() or 'unknown'}"


def user_agent(client_name: str | None, client_version: str | None) -> str:
    """User agent for a client (falls back to `codex_app_server` when unnamed)."""
    name = client_name or "codex_app_server"
    term = os.environ.get("TERM") or "unknown"
    suffix = f" ({name}; {client_version})" if client_version is not None else ""
    return f"{name}/{CLI_VERSION} ({_os_part()}) {term}{suffix}"
