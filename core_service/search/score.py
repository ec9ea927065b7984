"""The score of one atom against one path, as the reference's matcher scores it.

fzf's scoring (as in the nucleo matcher, configured for paths): each matched
character is worth 16; the character after a `/` (or at the start) earns a
bonus of 9, after another non-word character or a space 8, a camelCase or
letter-to-digit step 5; a run of consecutive matches carries the bonus of
its first character (at least 4 each); the first character of the atom
counts its bonus twice; a gap costs 3 for its first character and 1 for each
further one, and the running score never drops below 0. A fuzzy atom takes
the best alignment (the rightmost of equal ones), a substring the best
occurrence (the leftmost of equal ones). Indices are character positions.
"""

from __future__ import annotations

from core_service.search.pattern import Atom, Kind

SCORE_MATCH = 16
GAP_START = 3
GAP_EXTENSION = 1
BONUS_BOUNDARY = 8
BONUS_DELIMITER = 9
BONUS_CAMEL = 5
BONUS_CONSECUTIVE = 4

# Character classes, ordered as the matcher orders them (word classes last).
WHITE, NON_WORD, DELIMITER, LOWER, UPPER, LETTER, NUMBER = range(7)


def _class(ch: str) -> int:
    if ch == "/":
        return DELIMITER
    if ch.isspace():
        return WHITE
    if ch.isdigit() or ch.isnumeric():
        return NUMBER
    if ch.islower():
        return LOWER
    if ch.isupper():
        return UPPER
    if ch.isalpha():
        return LETTER
    return NON_WORD


_ASCII_CLASS = [_class(chr(c)) for c in range(128)]


def char_class(ch: str) -> int:
    """The matcher's class of `ch`."""
    code = ord(ch)
    return _ASCII_CLASS[code] if code < 128 else _class(ch)


def _bonus_for(prev: int, cls: int) -> int:
    if cls > DELIMITER:
        if prev == WHITE or prev == NON_WORD:
            return BONUS_BOUNDARY
        if prev == DELIMITER:
            return BONUS_DELIMITER
    if (prev == LOWER and cls == UPPER) or (prev != NUMBER and cls == NUMBER):
        return BONUS_CAMEL
    if cls == WHITE or cls == NON_WORD:
        return BONUS_BOUNDARY
    return 0


_BONUS = [[_bonus_for(p, c) for c in range(7)] for p in range(7)]


# Class of each ASCII character as a byte, for `bytes.translate`.
_ASCII_TABLE = bytes(_ASCII_CLASS) + bytes(128)
# Bonus of a character of class `c` after one of class `p`, at [p * 8 + c].
_PAIR = [_BONUS[p][c] if p < 7 and c < 7 else 0 for p in range(8) for c in range(8)]


def bonuses(text: str) -> list[int]:
    """The bonus of a match at each position of `text` (the start counts as after `/`)."""
    if text.isascii():
        classes = text.encode("ascii").translate(_ASCII_TABLE)
    else:
        classes = bytes(char_class(ch) for ch in text)
    pair = _PAIR
    # Each character paired with the one before it (the start: a `/`).
    before = bytes([DELIMITER]) + classes[:-1]
    return [pair[p * 8 + c] for p, c in zip(before, classes, strict=True)]


def score_atom(atom: Atom, text: str, subject: str) -> tuple[int, list[int]] | None:
    """`atom`'s score and matched indices in path `text` (`subject`: the text as
    the atom compares it, same length), or None when it does not match."""
    if atom.kind is Kind.FUZZY:
        return _fuzzy(atom.text, subject, bonuses(text))
    return _substring(atom, subject, bonuses(text))


def _run_score(bonus: list[int], start: int, length: int) -> int:
    """The score of `length` consecutive matches from `start`."""
    first = bonus[start]
    total = SCORE_MATCH + first * 2
    chunk = first
    for j in range(start + 1, start + length):
        b = bonus[j]
        if b >= BONUS_BOUNDARY and b > chunk:
            chunk = b
        else:
            b = max(b, BONUS_CONSECUTIVE, chunk)
        total += SCORE_MATCH + b
    return total


def _substring(atom: Atom, subject: str, bonus: list[int]) -> tuple[int, list[int]] | None:
    needle, size = atom.text, len(atom.text)
    if atom.kind is Kind.PREFIX or atom.kind is Kind.EXACT:
        starts = [0] if subject.startswith(needle) else []
        if atom.kind is Kind.EXACT and len(subject) != size:
            starts = []
    elif atom.kind is Kind.POSTFIX:
        starts = [len(subject) - size] if subject.endswith(needle) else []
    else:
        starts = []
        at = subject.find(needle)
        while at >= 0:
            starts.append(at)
            at = subject.find(needle, at + 1)
    best: tuple[int, int] | None = None
    for start in starts:
        value = _run_score(bonus, start, size)
        if best is None or value > best[0]:
            best = (value, start)
    if best is None:
        return None
    return best[0], list(range(best[1], best[1] + size))


def _fuzzy(pattern: str, subject: str, bonus: list[int]) -> tuple[int, list[int]] | None:
    """fzf's optimal alignment of `pattern` in `subject` (a Smith-Waterman matrix)."""
    n, m = len(subject), len(pattern)
    firsts: list[int] = []
    at = -1
    for ch in pattern:
        at = subject.find(ch, at + 1)
        if at < 0:
            return None
        firsts.append(at)
    last = subject.rfind(pattern[-1])
    # Row by row: H the best score with this prefix matched ending at or before
    # a column, C the length of the run of consecutive matches ending there.
    rows_c: list[list[int]] = []
    h_prev: list[int] = [0] * n
    c_prev: list[int] = [0] * n
    best, best_at = -1, -1
    for i, pch in enumerate(pattern):
        h = [0] * n
        c = [0] * n
        in_gap = False
        left = 0
        first_row, last_row = i == 0, i == m - 1
        # Columns past this bound leave too little room for the rest of the pattern.
        for j in range(firsts[i], last - (m - 1 - i) + 1):
            gap = left - 1 if in_gap else left - 3
            if subject[j] != pch:
                in_gap = True
                left = gap if gap > 0 else 0
                h[j] = left
                continue
            b = bonus[j]
            if first_row:
                matched, run = SCORE_MATCH + b + b, 1
            else:
                run = c_prev[j - 1] + 1
                if run > 1:
                    chunk = bonus[j - run + 1]
                    if b >= BONUS_BOUNDARY and b > chunk:
                        run = 1
                    else:
                        b = chunk if chunk > b else b
                        b = BONUS_CONSECUTIVE if b < BONUS_CONSECUTIVE else b
                matched = h_prev[j - 1] + SCORE_MATCH
                if matched + b < gap:
                    matched += bonus[j]
                    run = 0
                else:
                    matched += b
            if matched >= gap:
                c[j] = run
                in_gap = False
                left = matched if matched > 0 else 0
                if last_row and matched >= best:
                    best, best_at = matched, j
            else:
                in_gap = True
                left = gap if gap > 0 else 0
            h[j] = left
        rows_c.append(c)
        h_prev, c_prev = h, c
    if best_at < 0:
        return None
    return best, _backtrack(rows_c, best_at, m)


def _backtrack(rows_c: list[list[int]], end: int, m: int) -> list[int]:
    """The matched columns of the alignment ending at `end` on the last row."""
    found: list[int] = []
    i, j = m - 1, end
    while i >= 0 and j >= 0:
        if rows_c[i][j] > 0:
            found.append(j)
            i -= 1
        j -= 1
    found.reverse()
    return found
