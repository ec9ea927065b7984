"""`app-server generate-json-schema` and `app-server generate-ts` subcommands.

`add_generate_commands(subparsers)` registers both on the `app-server`
argument parser; each parsed namespace carries its handler in `func`
(`args.func(args) -> int`, the process exit code).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _generate_json_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema files under `--out`."""
    from app_server_protocol.schema_export import write_json_schema

    written = write_json_schema(Path(args.out))
    # stderr: stdout is reserved for protocol traffic in the server modes.
    print(f"wrote {len(written)} JSON Schema files to {args.out}", file=sys.stderr)
    return 0


def _generate_ts(args: argparse.Namespace) -> int:
    """Write the TypeScript type files under `--out`."""
    from app_server_protocol.ts_export import write_typescript

    written = write_typescript(Path(args.out))
    print(f"wrote {len(written)} TypeScript files to {args.out}", file=sys.stderr)
    return 0


def add_generate_commands(subparsers: Any) -> None:
    """Register `generate-json-schema --out DIR` and `generate-ts --out DIR`.

    `subparsers` is the object returned by `ArgumentParser.add_subparsers()`.
    The handler of each command is set as `func` on the parsed namespace.
    """
    schema = subparsers.add_parser(
        "generate-json-schema",
        help="write the protocol's JSON Schema (draft-07) files",
        description="Write one schema per type (v2 types under v2/) and a bundle.",
    )
    schema.add_argument("--out", required=True, metavar="DIR", help="output directory")
    schema.set_defaults(func=_generate_json_schema)
    ts = subparsers.add_parser(
        "generate-ts",
        help="write the protocol's TypeScript types",
        description="Write one .ts file per type (v2 types under v2/) with index files.",
    )
    ts.add_argument("--out", required=True, metavar="DIR", help="output directory")
    ts.set_defaults(func=_generate_ts)
