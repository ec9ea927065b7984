"""Which proxy, if any, an upstream request goes through (`*_PROXY`, `NO_PROXY`).

Pure functions over an environment mapping, read as curl reads it:
`https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` (lowercase only
for curl; we accept `HTTP_PROXY` too, as the reference's reqwest does) for
http URLs, `all_proxy` / `ALL_PROXY` as the fallback of both; the lowercase
name wins when both are set. A proxy value without a scheme is `http://`.
`NO_PROXY` / `no_proxy` is a comma (or space) separated list where

- `*` alone bypasses the proxy for every host;
- a name matches itself and every subdomain (`example.com` matches
  `api.example.com`, never `notexample.com`); a leading dot is ignored;
  case is ignored, and so is a trailing dot on either side;
- an IP address matches itself, a CIDR block (`10.0.0.0/8`, `::1/128`)
  every address inside it; IPv6 may be written in brackets;
- the URL's port does not matter (`example.com` matches `example.com:8443`),
  except that an entry which names a port (`example.com:8443`) matches that
  port only (curl never matches such an entry; Go and Python do, and an
  entry written that way is meant that way).
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy: where it listens, and its `Proxy-Authorization` (if any).

    `authorization` is built from the proxy URL's user info (Basic); it is a
    credential and stays out of the repr.
    """

    host: str
    port: int
    authorization: str | None = field(default=None, repr=False)


def proxy_for(url: str, env: Mapping[str, str]) -> Proxy | None:
    """The proxy `url` goes through under `env`, or None for a direct connection."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    names = ("https_proxy", "HTTPS_PROXY") if scheme == "https" else ("http_proxy", "HTTP_PROXY")
    value = _first(env, names + ("all_proxy", "ALL_PROXY"))
    if not value or bypassed(host, port, _first(env, ("no_proxy", "NO_PROXY")) or ""):
        return None
    return parse_proxy(value)


def parse_proxy(value: str) -> Proxy | None:
    """A proxy URL (`http://user:pass@host:port`, scheme optional) as a `Proxy`.

    None when it names no host, or a scheme other than http/https: only HTTP
    proxies are spoken (an https:// proxy URL is spoken to in plain HTTP on
    its port), and a SOCKS proxy is not one of them.
    """
    text = value.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if not parts.hostname or parts.scheme.lower() not in ("http", "https"):
        return None
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return None
    authorization = None
    if parts.username is not None:
        user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(user_pass.encode()).decode("ascii")
    return Proxy(parts.hostname, port, authorization)


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """True when `NO_PROXY` (the value `no_proxy`) exempts `host` on `port`."""
    entries = no_proxy.replace(",", " ").split()
    if not entries:
        return False
    if entries == ["*"]:
        return True
    name = host.strip("[]").rstrip(".").lower()
    address = _address(name)
    for entry in entries:
        entry_host, entry_port = _split_port(entry.lower())
        if entry_port is not None and entry_port != port:
            continue
        if address is not None:
            if _address_matches(address, entry_host):
                return True
            continue
        domain = entry_host.lstrip(".").rstrip(".")
        if domain and (name == domain or name.endswith("." + domain)):
            return True
    return False


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


def _split_port(entry: str) -> tuple[str, int | None]:
    """`host:port`, `[v6]:port`, `v6`, `cidr` -> (host, port or None)."""
    if entry.startswith("["):
        close = entry.find("]")
        inner, rest = entry[1:close], entry[close + 1:]
        return inner, int(rest[1:]) if rest[1:].isdigit() else None
    if entry.count(":") == 1:
        head, _, tail = entry.partition(":")
        if tail.isdigit():
            return head, int(tail)
    return entry, None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _address_matches(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, entry: str
) -> bool:
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return network.version == address.version and address in network
