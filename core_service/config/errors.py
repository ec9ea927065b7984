"""The one error type of the configuration package, with the reference's write error codes.

Handlers turn a :class:`ConfigError` into the JSON-RPC error the client sees
(`core_service.config.api`); everything below the handlers raises only this.
"""

from __future__ import annotations

from typing import Literal

# The reference's `ConfigWriteErrorCode` values this core can produce; they
# travel as `data.config_write_error_code` of a refused write.
ConfigWriteErrorCode = Literal[
    "configLayerReadonly", "configVersionConflict", "configValidationError"
]


class ConfigError(Exception):
    """A configuration problem reported to a caller (bad override, bad write, bad file).

    ``code`` is the reference's write error code for a refused write and
    ``None`` for every other problem.
    """

    def __init__(self, message: str, code: ConfigWriteErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
