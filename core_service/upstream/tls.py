"""The TLS context of upstream connections: verified, trusting what the environment says.

`SSL_CERT_FILE` (a PEM bundle) and `SSL_CERT_DIR` (a hashed certificate
directory), when set, replace the system's trust store, as they do for
OpenSSL and curl; otherwise the system's default store is used. Hostnames
and certificates are always verified: there is no switch to turn that off.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from functools import lru_cache


def tls_context(env: Mapping[str, str]) -> ssl.SSLContext:
    """A verifying client context for `env`'s `SSL_CERT_FILE` / `SSL_CERT_DIR`.

    Contexts are cached per pair of values (building one reads the whole
    bundle); a file that cannot be read raises `ssl.SSLError` or `OSError`.
    """
    return _context(env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None)


@lru_cache(maxsize=8)
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile is None and capath is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=cafile, capath=capath)
