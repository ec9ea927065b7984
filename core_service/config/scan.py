"""Source positions in `config.toml` text, for :mod:`core_service.config.diagnostics`.

:mod:`tomllib` parses TOML but reports no positions. When a value has the wrong
type, the `configWarning` diagnostic still names file, line and column ranges
like the reference does, so this module walks the (already valid) text with
just enough of the TOML grammar to map every key path to the character span
of its value, and turns character offsets into 1-based (line, column) pairs.

Pure functions of the text: no I/O.
"""

from __future__ import annotations

import bisect
import logging
import re
import tomllib

from core_service.config.tables import KeyPath

log = logging.getLogger(__name__)

# A 1-based (line, column) pair.
Position = tuple[int, int]


class SpanScanner:
    """Maps each key path of a (valid) TOML text to the character span of its value.

    tomllib gives no positions, so this walks the text with just enough of the
    TOML grammar to know where every value starts and ends.
    """

    _BARE = re.compile(r"[A-Za-z0-9_-]+")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.spans: dict[KeyPath, tuple[int, int]] = {}
        self._aot_index: dict[KeyPath, int] = {}

    def scan(self) -> dict[KeyPath, tuple[int, int]]:
        """Walk the whole document; the result maps key paths to [start, end) offsets."""
        t = self.text
        table: KeyPath = ()
        while True:
            self._skip(newlines=True)
            if self.i >= len(t):
                return self.spans
            start = self.i
            if t.startswith("[[", self.i):
                self.i += 2
                keys = self._key()
                self._skip()
                self.i += 2
                resolved = self._resolve(keys, array=True)
                index = self._aot_index.get(resolved, -1) + 1
                self._aot_index[resolved] = index
                table = (*resolved, index)
                self.spans.setdefault(table, (start, self.i))
            elif t[self.i] == "[":
                self.i += 1
                keys = self._key()
                self._skip()
                self.i += 1
                table = self._resolve(keys, array=False)
                self.spans.setdefault(table, (start, self.i))
            else:
                self._key_value(table)

    def _resolve(self, keys: list[str], *, array: bool) -> KeyPath:
        # A header below an array of tables refers to its latest element.
        out: KeyPath = ()
        for n, key in enumerate(keys):
            out = (*out, key)
            last = n == len(keys) - 1
            if out in self._aot_index and not (array and last):
                out = (*out, self._aot_index[out])
        return out

    def _skip(self, newlines: bool = False) -> None:
        t = self.text
        while self.i < len(t):
            c = t[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#" and newlines:
                while self.i < len(t) and t[self.i] != "\n":
                    self.i += 1
            else:
                return

    def _key(self) -> list[str]:
        t = self.text
        keys: list[str] = []
        while True:
            self._skip()
            c = t[self.i]
            if c in "\"'":
                start = self.i
                self._string()
                keys.append(tomllib.loads(f"k = {t[start:self.i]}")["k"])
            else:
                m = self._BARE.match(t, self.i)
                end = m.end() if m else self.i + 1
                keys.append(t[self.i:end])
                self.i = end
            self._skip()
            if self.i < len(t) and t[self.i] == ".":
                self.i += 1
                continue
            return keys

    def _key_value(self, prefix: KeyPath) -> None:
        keys = self._key()
        self._skip()
        self.i += 1  # the '='
        self._skip()
        self._value((*prefix, *keys))

    def _string(self) -> None:
        t = self.text
        quote = t[self.i]
        if t.startswith(quote * 3, self.i):
            j = self.i + 3
            while not t.startswith(quote * 3, j):
                j += 2 if quote == '"' and t[j] == "\\" else 1
            j += 3
            # Up to two quotes may directly precede the closing delimiter.
            extra = 0
            while extra < 2 and j < len(t) and t[j] == quote:
                j += 1
                extra += 1
            self.i = j
            return
        j = self.i + 1
        while t[j] != quote:
            j += 2 if quote == '"' and t[j] == "\\" else 1
        self.i = j + 1

    def _value(self, path: KeyPath) -> None:
        t = self.text
        start = self.i
        c = t[self.i]
        if c in "\"'":
            self._string()
        elif c == "{":
            self.i += 1
            while True:
                self._skip(newlines=True)
                if t[self.i] == "}":
                    self.i += 1
                    break
                self._key_value(path)
                self._skip(newlines=True)
                if t[self.i] == ",":
                    self.i += 1
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if t[self.i] == "]":
                    self.i += 1
                    break
                self._value((*path, index))
                index += 1
                self._skip(newlines=True)
                if t[self.i] == ",":
                    self.i += 1
        else:
            j = self.i
            while j < len(t) and t[j] not in ",]}#\r\n":
                j += 1
            self.i = len(t[:j].rstrip(" \t"))
        self.spans[path] = (start, self.i)


def scan_spans(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Value spans of `text`; empty if the scanner trips (a diagnostic then lacks a range)."""
    try:
        return SpanScanner(text).scan()
    except (IndexError, ValueError, tomllib.TOMLDecodeError):
        log.debug("cannot locate values in the config text", exc_info=True)
        return {}


class Lines:
    """Converts character offsets to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        """The 1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1
