"""Rewrite docs/PROTOCOL.md's table of the reference's v2 surface (the one writer).

Usage: python scripts/gen_protocol_table.py [--check]

Every method of the reference's `ClientRequest`, `ServerRequest` and
`ServerNotification` unions (codex 0.104's JSON Schema, in
`../shared/reference/`), in the reference's order, with what we do: `served`
/ `sent` when the method tables bind it, else `not served` / `never sent`
with the reason kept as data (`methods.UNSUPPORTED_METHODS`, `unsupported`).
Methods of ours beyond 0.104 follow. The table sits between two marker
comments; `--check` exits 1 when the committed one differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_server_protocol import methods, unsupported  # noqa: E402

DOC = ROOT / "docs" / "PROTOCOL.md"
REFERENCE_DIR = ROOT.parent / "shared" / "reference" / "codex-0.104" / "json-schema"
BEGIN = "<!-- surface:begin (scripts/gen_protocol_table.py) -->"
END = "<!-- surface:end -->"

# union -> (kind shown, our table, what we list as not done, word when bound, when not)
UNIONS: dict[str, tuple[str, dict[str, methods.Method], dict[str, str], str, str]] = {
    "ClientRequest": ("client request", methods.CLIENT_REQUESTS,
                      methods.UNSUPPORTED_METHODS, "served", "not served"),
    "ServerRequest": ("server request", methods.SERVER_REQUESTS,
                      unsupported.UNSUPPORTED_SERVER_REQUESTS, "sent", "never sent"),
    "ServerNotification": ("notification", methods.SERVER_NOTIFICATIONS,
                           unsupported.UNSUPPORTED_NOTIFICATIONS, "sent", "never sent"),
}

# Bound in the contract (the method tables) but never produced, and why.
NOT_PRODUCED = {
    "item/plan/delta": "only in plan (collaboration) mode, which is not served",
}


def reference_methods(union: str) -> list[str]:
    """The methods of one of the reference's unions, in its order."""
    doc = json.loads((REFERENCE_DIR / f"{union}.json").read_text(encoding="utf-8"))
    return [v["properties"]["method"]["enum"][0] for v in doc["oneOf"]]


def _beyond(method: methods.Method) -> str:
    """Why a method of ours is not in the reference's schema."""
    if method.experimental:
        return "experimental in 0.104, left out of its schema"
    return "beyond 0.104"


def table() -> str:
    """The markdown table, markers included."""
    rows = ["| method | kind | what we do |", "| --- | --- | --- |"]
    extra: list[str] = []
    for union, (kind, bound, skipped, yes, no) in UNIONS.items():
        ref = reference_methods(union)
        for name in ref:
            if name in NOT_PRODUCED:
                rows.append(f"| `{name}` | {kind} | {no}: {NOT_PRODUCED[name]} |")
            elif name in bound:
                rows.append(f"| `{name}` | {kind} | {yes} |")
            else:
                # A method neither bound nor listed fails the completeness test.
                rows.append(f"| `{name}` | {kind} | {no}: {skipped.get(name, '?')} |")
        extra += [f"| `{n}` | {kind} | {yes} ({_beyond(bound[n])}) |"
                  for n in bound if n not in ref]
    return "\n".join([BEGIN, *rows, *extra, END])


def render(text: str) -> str:
    """`text` (the page) with its table replaced."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + table() + text[end:]


def main() -> int:
    """Rewrite the page, or with --check report whether it is current."""
    text = DOC.read_text(encoding="utf-8")
    fresh = render(text)
    if "--check" in sys.argv[1:]:
        if fresh != text:
            print("docs/PROTOCOL.md: the surface table is stale; run "
                  "scripts/gen_protocol_table.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
