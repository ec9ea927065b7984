"""The apply_patch grammar: patch text to hunks, with the reference's leniency and texts.

A patch is `*** Begin Patch`, hunks, `*** End Patch`. A hunk adds a file
(`*** Add File: p` then `+` lines), deletes one (`*** Delete File: p`) or
updates one (`*** Update File: p`, an optional `*** Move to: q`, then chunks:
`@@` or `@@ <context line>`, then ` `/`-`/`+` lines, optionally closed by
`*** End of File`). As the reference does, the text is trimmed first, the
boundary markers may carry surrounding blanks, a patch wrapped in a bare
heredoc (`<<EOF` ... `EOF` as its first and last lines) is unwrapped, the
first chunk of an update may omit its `@@`, blank lines between chunks are
skipped and an empty line inside a chunk is an empty context line. Errors
read exactly as the reference's (models react to them), see `ParseError`.
"""

from __future__ import annotations

from dataclasses import dataclass

BEGIN_PATCH = "*** Begin Patch"
END_PATCH = "*** End Patch"
ADD_FILE = "*** Add File: "
DELETE_FILE = "*** Delete File: "
UPDATE_FILE = "*** Update File: "
MOVE_TO = "*** Move to: "
END_OF_FILE = "*** End of File"
CONTEXT = "@@ "
EMPTY_CONTEXT = "@@"
_HEREDOC_OPENERS = frozenset({"<<EOF", "<<'EOF'", '<<"EOF"'})
_NO_LINES = "Update hunk does not contain any lines"


class ParseError(Exception):
    """A patch that does not follow the grammar; `str()` is the reference's text."""


class InvalidPatch(ParseError):
    """The patch as a whole is malformed (its boundary markers)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"invalid patch: {message}")


class InvalidHunk(ParseError):
    """One hunk is malformed; `line` is its 1-based line in the (unwrapped) patch."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"invalid hunk at line {line}, {message}")
        self.line = line


@dataclass(frozen=True)
class AddFile:
    """Create (or overwrite) `path` with `contents` (every line newline-terminated)."""

    path: str
    contents: str


@dataclass(frozen=True)
class DeleteFile:
    """Remove `path`."""

    path: str


@dataclass(frozen=True)
class Chunk:
    """One change of an update: replace `old_lines` by `new_lines`.

    `context` is the line of its `@@ <line>` marker (searched first; the
    change is looked for after it); `end_of_file` anchors the change at the
    end of the file.
    """

    context: str | None
    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    end_of_file: bool = False


@dataclass(frozen=True)
class UpdateFile:
    """Change `path` chunk by chunk, then move it to `move_to` when given."""

    path: str
    move_to: str | None
    chunks: tuple[Chunk, ...]


Hunk = AddFile | DeleteFile | UpdateFile


def parse_patch(text: str) -> tuple[Hunk, ...]:
    """The hunks of a patch text, in patch order; raises ParseError."""
    lines = _lines(text.strip())
    try:
        _check_boundaries(lines)
    except InvalidPatch:
        lines = _unwrap_heredoc(lines)
    hunks: list[Hunk] = []
    body = lines[1:-1]
    line_number = 2
    while body:
        hunk, used = _parse_hunk(body, line_number)
        hunks.append(hunk)
        line_number += used
        body = body[used:]
    return tuple(hunks)


def _lines(text: str) -> list[str]:
    # Rust's str::lines: split on "\n", drop a "\r" before it, no empty last line.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _check_boundaries(lines: list[str]) -> None:
    first = lines[0].strip() if lines else None
    last = lines[-1].strip() if lines else None
    if first == BEGIN_PATCH and last == END_PATCH:
        return
    if first is not None and first != BEGIN_PATCH:
        raise InvalidPatch("The first line of the patch must be '*** Begin Patch'")
    raise InvalidPatch("The last line of the patch must be '*** End Patch'")


def _unwrap_heredoc(lines: list[str]) -> list[str]:
    """The lines inside a bare heredoc wrapper; re-raises the boundary error otherwise."""
    if len(lines) >= 4 and lines[0] in _HEREDOC_OPENERS and lines[-1].endswith("EOF"):
        inner = lines[1:-1]
        _check_boundaries(inner)
        return inner
    _check_boundaries(lines)
    return lines


def _parse_hunk(lines: list[str], line_number: int) -> tuple[Hunk, int]:
    """One hunk at the start of `lines` and the number of lines it used."""
    first = lines[0].strip()
    if first.startswith(ADD_FILE):
        added: list[str] = []
        for line in lines[1:]:
            if not line.startswith("+"):
                break
            added.append(line[1:] + "\n")
        return AddFile(first[len(ADD_FILE):], "".join(added)), 1 + len(added)
    if first.startswith(DELETE_FILE):
        return DeleteFile(first[len(DELETE_FILE):]), 1
    if first.startswith(UPDATE_FILE):
        return _parse_update(first[len(UPDATE_FILE):], lines, line_number)
    raise InvalidHunk(
        f"'{first}' is not a valid hunk header. Valid hunk headers: "
        "'*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
        line_number,
    )


def _parse_update(path: str, lines: list[str], line_number: int) -> tuple[UpdateFile, int]:
    used = 1
    move_to = None
    if len(lines) > 1 and lines[1].startswith(MOVE_TO):
        move_to = lines[1][len(MOVE_TO):]
        used += 1
    chunks: list[Chunk] = []
    while used < len(lines):
        line = lines[used]
        if not line.strip():
            used += 1
            continue
        if line.startswith("***"):
            break
        chunk, chunk_lines = _parse_chunk(lines[used:], line_number + used, not chunks)
        chunks.append(chunk)
        used += chunk_lines
    if not chunks:
        raise InvalidHunk(f"Update file hunk for path '{path}' is empty", line_number)
    return UpdateFile(path, move_to, tuple(chunks)), used


def _parse_chunk(lines: list[str], line_number: int, first: bool) -> tuple[Chunk, int]:
    """One `@@` chunk at the start of `lines` and the number of lines it used."""
    if lines[0] == EMPTY_CONTEXT:
        context, start = None, 1
    elif lines[0].startswith(CONTEXT):
        context, start = lines[0][len(CONTEXT):], 1
    elif first:
        context, start = None, 0
    else:
        raise InvalidHunk(
            f"Expected update hunk to start with a @@ context marker, got: '{lines[0]}'",
            line_number,
        )
    if start >= len(lines):
        raise InvalidHunk(_NO_LINES, line_number + 1)
    old: list[str] = []
    new: list[str] = []
    end_of_file = False
    parsed = 0
    for line in lines[start:]:
        if line == END_OF_FILE:
            if parsed == 0:
                raise InvalidHunk(_NO_LINES, line_number + 1)
            end_of_file = True
            parsed += 1
            break
        if line == "":
            old.append("")
            new.append("")
        elif line[0] == " ":
            old.append(line[1:])
            new.append(line[1:])
        elif line[0] == "+":
            new.append(line[1:])
        elif line[0] == "-":
            old.append(line[1:])
        elif parsed == 0:
            raise InvalidHunk(
                f"Unexpected line found in update hunk: '{line}'. Every line should start "
                "with ' ' (context line), '+' (added line), or '-' (removed line)",
                line_number + 1,
            )
        else:
            break
        parsed += 1
    return Chunk(context, tuple(old), tuple(new), end_of_file), parsed + start
