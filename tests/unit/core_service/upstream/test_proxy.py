"""core_service.upstream.proxy: proxy variables and NO_PROXY read as curl reads them."""

from __future__ import annotations

import pytest

from core_service.upstream.proxy import Proxy, bypassed, parse_proxy, proxy_for


def test_scheme_picks_the_variable_and_lowercase_wins() -> None:
    """https URLs use HTTPS_PROXY, http URLs HTTP_PROXY, ALL_PROXY backs both up."""
    env = {"HTTPS_PROXY": "secure:1", "https_proxy": "lower:2", "HTTP_PROXY": "plain:3"}
    assert proxy_for("https://api.openai.com/v1", env) == Proxy("lower", 2)
    assert proxy_for("http://mock/v1", env) == Proxy("plain", 3)
    assert proxy_for("https://x/", {"ALL_PROXY": "http://all:4"}) == Proxy("all", 4)
    assert proxy_for("https://x/", {"HTTP_PROXY": "plain:3"}) is None
    assert proxy_for("https://x/", {}) is None


def test_proxy_url_forms() -> None:
    """No scheme means http; the port defaults by scheme; user info becomes Basic auth;
    a SOCKS proxy (not spoken) is no proxy."""
    assert parse_proxy("proxy.corp") == Proxy("proxy.corp", 80)
    assert parse_proxy("https://proxy.corp") == Proxy("proxy.corp", 443)
    with_auth = parse_proxy("http://us%40er:p%3Ass@[::1]:3128")
    assert with_auth == Proxy("::1", 3128, "Basic dXNAZXI6cDpzcw==")
    assert "dXNAZXI" not in repr(with_auth)
    assert parse_proxy("http://") is None
    assert parse_proxy("http://host:notaport") is None
    assert parse_proxy("socks5://host:1080") is None


@pytest.mark.parametrize(("host", "port", "no_proxy", "expected"), [
    ("anything.example", 443, "*", True),
    ("example.com", 443, "example.com", True),
    ("api.example.com", 443, "example.com", True),
    ("api.example.com", 443, ".example.com", True),
    ("example.com", 443, ".example.com", True),
    ("notexample.com", 443, "example.com", False),
    ("API.Example.COM.", 443, "example.com.", True),
    ("example.com", 8443, "example.com", True),
    ("example.com", 8443, "example.com:8443", True),
    ("example.com", 443, "example.com:8443", False),
    ("other.org", 443, "example.com, other.org", True),
    ("other.org", 443, "example.com other.org", True),
    ("127.0.0.1", 80, "127.0.0.1", True),
    ("127.0.0.2", 80, "127.0.0.1", False),
    ("10.1.2.3", 80, "10.0.0.0/8", True),
    ("11.1.2.3", 80, "10.0.0.0/8", False),
    ("::1", 80, "[::1]", True),
    ("[::1]", 80, "::1/128", True),
    ("::1", 80, "127.0.0.1", False),
    ("localhost", 80, "*.local", False),
    ("example.com", 443, "", False),
    ("example.com", 443, "*,other", False),
])
def test_no_proxy_rules(host: str, port: int, no_proxy: str, expected: bool) -> None:
    """`*` alone, names with their subdomains, IPs, CIDR blocks and port-bound entries."""
    assert bypassed(host, port, no_proxy) is expected


def test_no_proxy_applies_to_proxy_for() -> None:
    """A bypassed host connects directly; no_proxy (lowercase) wins over NO_PROXY."""
    env = {"HTTPS_PROXY": "p:1", "no_proxy": "openai.com", "NO_PROXY": "other"}
    assert proxy_for("https://api.openai.com/v1/responses", env) is None
    assert proxy_for("https://chatgpt.com/backend-api", env) == Proxy("p", 1)
