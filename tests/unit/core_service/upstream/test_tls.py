"""core_service.upstream.tls: the verifying context trusts SSL_CERT_FILE / SSL_CERT_DIR."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from core_service.upstream.tls import tls_context

from .conftest import Cert


def test_default_context_verifies_hostnames_and_certificates() -> None:
    """Without the variables the system store is used, and verification is on."""
    ctx = tls_context({})
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_cert_file_replaces_the_trust_store(self_signed: Cert) -> None:
    """SSL_CERT_FILE's bundle is what is trusted; the context is cached per value."""
    ctx = tls_context({"SSL_CERT_FILE": str(self_signed.cert)})
    assert [c["subject"] for c in ctx.get_ca_certs()] == [((("commonName", "localhost"),),)]
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert tls_context({"SSL_CERT_FILE": str(self_signed.cert)}) is ctx


def test_cert_dir_is_honoured(tmp_path: Path) -> None:
    """SSL_CERT_DIR alone gives a verifying context over that directory (loaded lazily)."""
    ctx = tls_context({"SSL_CERT_DIR": str(tmp_path)})
    assert ctx is not tls_context({}) and ctx.verify_mode == ssl.CERT_REQUIRED


def test_unreadable_bundle_is_an_error(tmp_path: Path) -> None:
    """A missing SSL_CERT_FILE fails loudly instead of trusting nothing or everything."""
    with pytest.raises(OSError):
        tls_context({"SSL_CERT_FILE": str(tmp_path / "missing.pem")})
