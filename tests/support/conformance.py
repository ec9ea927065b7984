"""Validation of wire messages against the reference (codex 0.104) JSON Schema.

The end-to-end client validates every message it receives: notification and
server-request params against the reference type of their method, responses
against the result type of the request they answer. Types the reference
does not have (our additions) are not validated here; their shape is
covered by the codec round-trip tests.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from app_server_protocol.methods import (
    CLIENT_REQUESTS,
    SERVER_NOTIFICATIONS,
    SERVER_REQUESTS,
)

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference" / "codex-0.104"
BUNDLE = REFERENCE / "json-schema" / "codex_app_server_protocol.schemas.json"


def reference_available() -> bool:
    """True when ../shared/reference/codex-0.104 is present beside the repository."""
    return BUNDLE.is_file()


@functools.cache
def _bundle() -> dict[str, Any]:
    return json.loads(BUNDLE.read_text())  # type: ignore[no-any-return]


@functools.cache
def _validator(type_name: str) -> Any:
    import jsonschema

    defs = _bundle()["definitions"]
    if type_name in defs.get("v2", {}):
        ref = f"#/definitions/v2/{type_name}"
    elif type_name in defs:
        ref = f"#/definitions/{type_name}"
    else:
        return None
    schema = {"$ref": ref, "definitions": defs}
    return jsonschema.Draft7Validator(schema)


def validate_type(type_name: str, data: Any) -> bool:
    """Validate `data` as reference type `type_name`; False when the type is unknown.

    Raises jsonschema.ValidationError when the data does not conform.
    """
    if not reference_available():
        return False
    validator = _validator(type_name)
    if validator is None:
        return False
    validator.validate(data)
    return True


def validate_message(msg: dict[str, Any], request_method: str | None = None) -> bool:
    """Validate one server->client message; `request_method` for responses."""
    if "method" in msg:
        method = msg["method"]
        table = SERVER_REQUESTS if "id" in msg else SERVER_NOTIFICATIONS
        entry = table.get(method)
        if entry is None:
            raise AssertionError(f"unknown server method {method}")
        return validate_type(entry.params.DESCRIPTOR.name, msg.get("params"))
    if "result" in msg and request_method is not None:
        entry = CLIENT_REQUESTS.get(request_method)
        if entry is None or entry.result is None:
            return False
        return validate_type(entry.result.DESCRIPTOR.name, msg["result"])
    if "error" in msg:
        err = msg["error"]
        assert isinstance(err.get("code"), int) and isinstance(err.get("message"), str), msg
        return True
    return False
