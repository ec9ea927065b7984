"""Compiled code of the codec's generated converters, kept on disk like `.pyc`.

Every process builds all ~400 converters at import (so a bad annotation
fails at start); compiling their source is most of that cost (~50 ms of a
~150 ms import, measured on a 2-core machine), paid by the core and the
gateway on every start. The source is a pure function of the descriptors and
the generators, so its compiled code can be reused: code objects are keyed
by a hash of their source (a changed generator or proto gives new keys, so
the cache is never stale) and stored with `marshal`, as Python stores
bytecode, in the package's `__pycache__` under the interpreter's cache tag.
A missing, unreadable or corrupt file is an empty cache; a folder we may not
write (a read-only install) only means compiling each time.
`PYTHONDONTWRITEBYTECODE` is about the interpreter's own `.pyc` files and
does not turn this cache off (without either, a start compiles everything).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import CodeType

log = logging.getLogger(__name__)

_FILENAME = "<generated codec>"


def default_path() -> Path:
    """The cache file of this interpreter, beside this package's bytecode."""
    tag = sys.implementation.cache_tag or "python"
    return Path(__file__).resolve().parent / "__pycache__" / f"codec-converters.{tag}.marshal"


class CodeCache:
    """Code objects of generated source, by source hash; saved when it grew."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._dirty = False
        self._codes: dict[str, CodeType] = self._load()
        self._used: set[str] = set()

    def _load(self) -> dict[str, CodeType]:
        try:
            data = marshal.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, EOFError, ValueError, TypeError) as err:
            log.debug("ignoring codec cache %s: %s", self.path, err)
            return {}
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, CodeType) for k, v in data.items()
        ):
            return {}
        return data

    def compile(self, src: str) -> CodeType:
        """The code of `src`: from the cache, or compiled (and remembered)."""
        key = hashlib.blake2b(src.encode(), digest_size=16).hexdigest()
        code = self._codes.get(key)
        with self._lock:
            self._used.add(key)
            if code is None:
                code = self._codes[key] = compile(src, _FILENAME, "exec")
                self._dirty = True
        return code

    def save(self) -> None:
        """Write the cache if it grew, with only the code used since it was
        loaded (so entries of older generators go); atomic, and silently
        skipped when the folder is not writable."""
        with self._lock:
            if not self._dirty:
                return
            data = marshal.dumps({k: self._codes[k] for k in self._used})
            self._dirty = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.chmod(tmp, 0o644)  # readable like the .pyc beside it
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as err:
            log.debug("codec cache not written to %s: %s", self.path, err)
