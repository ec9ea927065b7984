"""app_server_protocol/code_cache.py: compiled converter code reused across starts."""

from __future__ import annotations

import marshal
from pathlib import Path
from types import CodeType

from app_server_protocol import codec_common
from app_server_protocol.code_cache import CodeCache, default_path

SRC = "def f(x):\n    return x + 1\n"


def _define(code: CodeType) -> int:
    env: dict[str, object] = {}
    exec(code, env)  # noqa: S102 - test source
    fn = env["f"]
    assert callable(fn)
    result = fn(1)
    assert isinstance(result, int)
    return result


def test_code_compiled_once_is_loaded_by_the_next_process(tmp_path: Path) -> None:
    """A saved cache gives the next instance the same code without compiling."""
    path = tmp_path / "cache" / "codec.marshal"
    first = CodeCache(path)
    assert _define(first.compile(SRC)) == 2
    first.save()
    assert path.is_file() and path.stat().st_mode & 0o777 == 0o644
    written = path.stat().st_mtime_ns, path.read_bytes()
    second = CodeCache(path)
    assert _define(second.compile(SRC)) == 2
    second.save()  # nothing new: not rewritten
    assert (path.stat().st_mtime_ns, path.read_bytes()) == written
    assert len(marshal.loads(written[1])) == 1


def test_a_changed_source_is_a_new_entry_and_unused_ones_go(tmp_path: Path) -> None:
    """Entries are keyed by source: a changed generator never reuses old code, and
    a save after it keeps only the code used since loading."""
    path = tmp_path / "codec.marshal"
    old = CodeCache(path)
    old.compile(SRC)
    old.save()
    new = CodeCache(path)
    assert _define(new.compile(SRC.replace("+ 1", "+ 2"))) == 3
    new.save()
    assert len(marshal.loads(path.read_bytes())) == 1


def test_a_corrupt_or_foreign_file_is_an_empty_cache(tmp_path: Path) -> None:
    """Garbage, or a marshal of something else, is ignored, never an error."""
    path = tmp_path / "codec.marshal"
    path.write_bytes(b"\x00not marshal")
    assert _define(CodeCache(path).compile(SRC)) == 2
    path.write_bytes(marshal.dumps({"k": "not code"}))
    assert _define(CodeCache(path).compile(SRC)) == 2


def test_an_unwritable_folder_only_means_compiling(tmp_path: Path) -> None:
    """When the cache cannot be written, saving is skipped silently."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = CodeCache(blocker / "sub" / "codec.marshal")  # parent is a file
    assert _define(cache.compile(SRC)) == 2
    cache.save()
    assert not (blocker / "sub").exists()


def test_the_codec_uses_the_per_interpreter_cache() -> None:
    """The builders share one cache, beside the package's bytecode, per interpreter."""
    assert codec_common.CODE_CACHE.path == default_path()
    assert default_path().parent.name == "__pycache__"
