"""The config flags every `app-server` command accepts, as the reference's
command line accepts them: `-c key=value`, `--enable FEATURE`,
`--disable FEATURE`; their overrides, and the same flags passed on to a
child process.
"""

from __future__ import annotations

import argparse

# Not typing.TYPE_CHECKING: importing typing costs the console script's first
# answer ~2 ms (app_server.launch imports this). Type checkers treat any
# `TYPE_CHECKING` name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from core_service.config.tables import Override


def add_config_flags(p: argparse.ArgumentParser) -> None:
    """Add `-c/--config key=value`, `--enable FEATURE` and `--disable FEATURE` to `p`."""
    p.add_argument("-c", "--config", action="append", default=[], metavar="key=value",
                   help="override a config value (dotted key; TOML value, else a string)")
    p.add_argument("--enable", action="append", default=[], metavar="FEATURE",
                   help="enable a feature flag (features.FEATURE = true)")
    p.add_argument("--disable", action="append", default=[], metavar="FEATURE",
                   help="disable a feature flag (features.FEATURE = false)")


def overrides_of(args: argparse.Namespace) -> list[Override]:
    """The config overrides of the `-c`, `--enable` and `--disable` flags."""
    from core_service.config.overrides import parse_cli_overrides

    pairs = list(args.config)
    pairs += [f"features.{f}=true" for f in args.enable]
    pairs += [f"features.{f}=false" for f in args.disable]
    return parse_cli_overrides(pairs)


def config_argv(args: argparse.Namespace) -> list[str]:
    """The same flags as command-line arguments again (for a child process)."""
    out: list[str] = []
    for c in args.config:
        out += ["-c", c]
    for f in args.enable:
        out += ["--enable", f]
    for f in args.disable:
        out += ["--disable", f]
    return out
