"""The reference's server notifications and requests we never send (`unsupported`).

Each listed method is one the reference sends and we do not bind, with a
one-line reason; a v1 method names the v2 method that superseded it, and
that method is one we send. Checked against the method tables and, when it
is present, the reference's method unions (codex 0.104).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app_server_protocol import methods
from app_server_protocol.unsupported import (
    UNSUPPORTED_NOTIFICATIONS,
    UNSUPPORTED_SERVER_REQUESTS,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference" / "codex-0.104" / "json-schema"

needs_reference = pytest.mark.skipif(
    not (REFERENCE_DIR / "ServerNotification.json").is_file(),
    reason=f"reference schema not available at {REFERENCE_DIR}",
)

# union name -> (our table of that union, what we list as never sent)
LISTS: dict[str, tuple[dict[str, methods.Method], dict[str, str]]] = {
    "ServerNotification": (methods.SERVER_NOTIFICATIONS, UNSUPPORTED_NOTIFICATIONS),
    "ServerRequest": (methods.SERVER_REQUESTS, UNSUPPORTED_SERVER_REQUESTS),
}
SUPERSEDED = re.compile(r"^v1 API \(superseded by (?P<method>\S+)\)$")


def _reference_methods(union: str) -> set[str]:
    doc = json.loads((REFERENCE_DIR / f"{union}.json").read_text(encoding="utf-8"))
    return {v["properties"]["method"]["enum"][0] for v in doc["oneOf"]}


@pytest.mark.parametrize("union", sorted(LISTS))
def test_listed_methods_are_not_bound(union: str) -> None:
    """A method we never send is not in the table of what we send."""
    table, unsupported = LISTS[union]
    assert unsupported
    assert sorted(set(unsupported) & set(table)) == []


def test_lists_are_disjoint_from_each_other_and_from_client_requests() -> None:
    """A method is listed once: as a notification, a server request or (in
    `methods.UNSUPPORTED_METHODS`) a client request."""
    notes, requests = set(UNSUPPORTED_NOTIFICATIONS), set(UNSUPPORTED_SERVER_REQUESTS)
    assert not notes & requests
    assert not (notes | requests) & set(methods.UNSUPPORTED_METHODS)


@pytest.mark.parametrize("union", sorted(LISTS))
def test_every_reason_is_one_plain_line(union: str) -> None:
    """Each reason is a non-empty single line without surrounding blanks or a full
    stop (docs/PROTOCOL.md quotes it in a sentence)."""
    for name, reason in LISTS[union][1].items():
        assert reason and reason == reason.strip(), name
        assert "\n" not in reason and not reason.endswith("."), name


@pytest.mark.parametrize("union", sorted(LISTS))
def test_a_superseded_v1_method_names_a_method_we_send(union: str) -> None:
    """A v1 method's reason names the method that superseded it, and that method is
    bound in the same table (a notification for a notification, a request for a
    request)."""
    table, unsupported = LISTS[union]
    v1 = {n: r for n, r in unsupported.items() if r.startswith("v1 API")}
    assert v1, union
    for name, reason in v1.items():
        match = SUPERSEDED.match(reason)
        assert match is not None, (name, reason)
        assert match["method"] in table, (name, match["method"])


@needs_reference
@pytest.mark.parametrize("union", sorted(LISTS))
def test_listed_methods_are_the_references_unbound_ones(union: str) -> None:
    """The list is exactly what the reference sends that we do not: no stale entry
    and no silent gap, and each entry sits in the reference's union of its kind."""
    table, unsupported = LISTS[union]
    ref = _reference_methods(union)
    assert set(unsupported) == ref - set(table)
