"""One fuzzyFileSearch: walk the roots, keep the best matches, ranked.

Every atom of the query must match a file's path (relative to its root);
the score is the sum of the atoms' scores and the indices their union. The
best 50 are returned, highest score first, equal scores by path. A regex per
atom finds the candidates in C before the exact scoring runs on them, which
keeps a large tree fast. Blocking: run it in a worker thread.
"""

from __future__ import annotations

import heapq
import os
import threading
from dataclasses import dataclass

from core_service.search.pattern import Atom, fold, normalize, parse
from core_service.search.score import score_atom
from core_service.search.walk import walk_files

LIMIT = 50


@dataclass(frozen=True)
class Match:
    """A file that matched: its root as given, its path under it, its score."""

    root: str
    path: str
    score: int
    indices: list[int]

    @property
    def file_name(self) -> str:
        """The last component of the path."""
        return self.path.rsplit("/", 1)[-1]


def score_path(atoms: list[Atom], path: str) -> tuple[int, list[int]] | None:
    """The score and indices of `path` against every atom, or None."""
    total = 0
    indices: set[int] = set()
    folded = None
    for atom in atoms:
        if atom.case_sensitive:
            subject = normalize(path)
        else:
            folded = folded if folded is not None else fold(path)
            subject = folded
        found = score_atom(atom, path, subject)
        if atom.negated:
            if found is not None:
                return None
            continue
        if found is None:
            return None
        total += found[0]
        indices.update(found[1])
    return total, sorted(indices)


def _candidates(atoms: list[Atom], paths: list[str]) -> list[str]:
    """The paths every positive atom's prefilter accepts (a superset of the matches)."""
    folded: list[str] | None = None
    for atom in atoms:
        if atom.negated:
            continue
        search = atom.prefilter().search
        if atom.case_sensitive:
            paths = [p for p in paths if search(normalize(p))]
        else:
            folded = [fold(p) for p in paths]
            paths = [p for p, f in zip(paths, folded, strict=True) if search(f)]
    return paths


def _resolve(root: str, cwd: str) -> str:
    return root if os.path.isabs(root) else os.path.join(cwd, root)


# A walked root: the root as given, its absolute path, the files under it.
Walked = tuple[str, str, list[str]]


def walk_roots(roots: list[str], cwd: str,
               cancel: threading.Event | None = None) -> list[Walked]:
    """The files under each of `roots` (relative roots against `cwd`)."""
    return [(root, os.path.abspath(_resolve(root, cwd)),
             walk_files(os.path.abspath(_resolve(root, cwd)), cancel)) for root in roots]


def rank(query: str, walked: list[Walked], cancel: threading.Event | None = None) -> list[Match]:
    """The best matches of `query` among walked files.

    A file under several roots is reported once per root, each time with the
    last root that contains it (as the reference does). When `cancel` is set
    the ranking stops and returns what it ranked so far.
    """
    atoms = parse(query)
    if not atoms or not any(not a.negated for a in atoms):
        return []
    roots = [root for root, _, _ in walked]
    absolute = [base for _, base, _ in walked]
    found_all: list[Match] = []
    for _, base, paths in walked:
        for path in _candidates(atoms, paths):
            if cancel is not None and cancel.is_set():
                break
            found = score_path(atoms, path)
            if found is not None:
                owner, rel = _owner(roots, absolute, os.path.join(base, path))
                found_all.append(Match(owner, rel, found[0], found[1]))
    return heapq.nsmallest(LIMIT, found_all, key=lambda m: (-m.score, m.path))


def search(query: str, roots: list[str], cwd: str,
           cancel: threading.Event | None = None) -> list[Match]:
    """The best matches of `query` under `roots` (walked now; see `rank`)."""
    if not parse(query):
        return []
    return rank(query, walk_roots(roots, cwd, cancel), cancel)


def _owner(roots: list[str], absolute: list[str], full: str) -> tuple[str, str]:
    """The last root containing `full`, and the path under it."""
    for root, base in zip(reversed(roots), reversed(absolute), strict=True):
        prefix = base.rstrip("/") + "/"
        if full.startswith(prefix):
            return root, full[len(prefix):]
    return roots[-1], full
