"""A fuzzyFileSearch query as the reference reads it (fzf's syntax).

The query is split on whitespace (`\\ ` keeps a space) into atoms, each of
which must match: a plain atom is a fuzzy subsequence, `'x` a substring,
`^x` a prefix, `x$` a suffix, `^x$` the whole path, and a leading `!`
negates a substring, prefix or suffix atom (the path must not contain it).
An atom with an upper-case letter is case-sensitive (smart case); letters
with diacritics match their plain Latin letter, in the atom and the path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class Kind(Enum):
    """How an atom matches."""

    FUZZY = "fuzzy"
    SUBSTRING = "substring"
    PREFIX = "prefix"
    POSTFIX = "postfix"
    EXACT = "exact"


@dataclass(frozen=True)
class Atom:
    """One whitespace-separated part of the query."""

    text: str
    kind: Kind
    negated: bool
    case_sensitive: bool

    def prefilter(self) -> re.Pattern[str]:
        """A regex that finds the paths this atom can match (cheaply, in C)."""
        if self.kind is not Kind.FUZZY:
            escaped = re.escape(self.text)
            return re.compile({Kind.PREFIX: "^" + escaped, Kind.POSTFIX: escaped + "$",
                               Kind.EXACT: "^" + escaped + "$"}.get(self.kind, escaped))
        # Leftmost subsequence: each step excludes its own next character, so
        # the match never backtracks.
        parts = [re.escape(self.text[0])]
        for ch in self.text[1:]:
            parts.append(f"[^{re.escape(ch)}]*{re.escape(ch)}")
        return re.compile("".join(parts))


_SPLIT = re.compile(r"(?<!\\)\s+")


def parse(query: str) -> list[Atom]:
    """The atoms of `query` (none for a blank query)."""
    atoms: list[Atom] = []
    for word in _SPLIT.split(query.strip()):
        atom = _atom(word.replace("\\ ", " "))
        if atom is not None:
            atoms.append(atom)
    return atoms


def _atom(word: str) -> Atom | None:
    negated = word.startswith("!")
    if negated:
        word = word[1:]
    kind = Kind.SUBSTRING if negated else Kind.FUZZY
    if word.startswith("^"):
        word, kind = word[1:], Kind.PREFIX
    elif word.startswith("'"):
        word, kind = word[1:], Kind.SUBSTRING
    if word.endswith("$") and not word.endswith("\\$") and len(word) > 0:
        word = word[:-1]
        kind = Kind.EXACT if kind is Kind.PREFIX else Kind.POSTFIX
    word = word.replace("\\$", "$")
    if not word:
        return None
    sensitive = any(ch.isupper() for ch in word)
    text = normalize(word) if sensitive else fold(word)
    return Atom(text, kind, negated, sensitive)


@lru_cache(maxsize=4096)
def _plain(ch: str) -> str:
    """`ch` without its diacritics when it is a Latin letter carrying some."""
    base = unicodedata.normalize("NFD", ch)[0]
    return base if base.isascii() else ch


def normalize(text: str) -> str:
    """`text` with accented Latin letters made plain, one character for one."""
    if text.isascii():
        return text
    return "".join(_plain(ch) for ch in text)


def fold(text: str) -> str:
    """`normalize(text)` in lower case, one character for one (indices stay valid)."""
    if text.isascii():
        return text.lower()
    return "".join(_lower(ch) for ch in normalize(text))


@lru_cache(maxsize=4096)
def _lower(ch: str) -> str:
    return ch.lower()[0]
