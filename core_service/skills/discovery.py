"""Skills on disk: the roots scanned for a working directory and what each
`SKILL.md` under them declares.

A skill is a folder holding `SKILL.md`, whose YAML front matter gives its
`name` and `description` (and `metadata.short-description`); an optional
`agents/openai.yaml` beside it gives its `interface` and `dependencies`.
Roots, in the order the reference lists them: the project's `.codex/skills`
from the working directory up to its git root (repo), `$CODEX_HOME/skills`
and any extra user roots (user), `$CODEX_HOME/skills/.system` (system),
`/etc/codex/skills` (admin). A file that cannot be read as a skill is an
error of the listing, worded as the reference words it. Scanning is
blocking file work: callers run it in a worker thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app_server_protocol.wire_types import (
    SkillDependencies,
    SkillErrorInfo,
    SkillInterface,
    SkillMetadata,
    SkillScope,
    SkillToolDependency,
)
from core_service.skills import frontmatter

SKILL_FILE = "SKILL.md"
SYSTEM_FOLDER = ".system"
ADMIN_ROOT = Path("/etc/codex/skills")
# The reference's limits on the front matter (the description's by analogy).
MAX_NAME_CHARS = 64
MAX_DESCRIPTION_CHARS = 1024
# Bounds on one scan, so a huge or cyclic tree under a root cannot stall it.
MAX_DEPTH = 6
MAX_SKILLS_PER_ROOT = 2000
_SCOPE_ORDER: dict[SkillScope, int] = {"repo": 0, "user": 1, "system": 2, "admin": 3}
_TOOL_KEYS = ("description", "transport", "command", "url")


@dataclass(frozen=True)
class Root:
    """One folder scanned for skills, with the scope its skills get."""

    path: Path
    scope: SkillScope


@dataclass
class Discovered:
    """What the roots of one working directory hold (enablement is applied later)."""

    skills: list[SkillMetadata] = field(default_factory=list)
    errors: list[SkillErrorInfo] = field(default_factory=list)


class SkillError(Exception):
    """A `SKILL.md` that is no skill; `str()` is the reference's message."""


def roots_for(cwd: Path, codex_home: Path, extra_user_roots: Iterable[Path] = (),
              admin_root: Path = ADMIN_ROOT) -> list[Root]:
    """The roots scanned for `cwd`, in listing order."""
    out = [Root(d / ".codex" / "skills", "repo") for d in _project_dirs(cwd)]
    out.append(Root(codex_home / "skills", "user"))
    out.extend(Root(p, "user") for p in extra_user_roots)
    out.append(Root(codex_home / "skills" / SYSTEM_FOLDER, "system"))
    out.append(Root(admin_root, "admin"))
    return out


def _project_dirs(cwd: Path) -> list[Path]:
    """`cwd` and its parents up to the git root; `cwd` alone outside a repository."""
    chain = [cwd, *cwd.parents]
    for i, d in enumerate(chain):
        if (d / ".git").exists():
            return chain[:i + 1]
    return [cwd]


def discover(roots: Iterable[Root]) -> Discovered:
    """Every skill and every broken skill file under `roots` (blocking)."""
    found = Discovered()
    seen: set[str] = set()
    for root in roots:
        for path in _skill_files(root.path):
            key = str(path)
            if key in seen:
                continue
            seen.add(key)
            try:
                found.skills.append(load_skill(path, root.scope))
            except SkillError as exc:
                found.errors.append({"path": key, "message": str(exc)})
    found.skills.sort(key=lambda s: (_SCOPE_ORDER[s["scope"]], s["name"], s["path"]))
    return found


def _skill_files(root: Path) -> Iterator[Path]:
    """`SKILL.md` files under `root`, breadth first in directory order (as the
    reference walks, so errors come in its order); hidden folders skipped, a
    skill's own subfolders searched too."""
    level = [root]
    count = 0
    for _depth in range(MAX_DEPTH):
        below: list[Path] = []
        for folder in level:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                below.append(Path(entry.path))
                skill = Path(entry.path) / SKILL_FILE
                if skill.is_file():
                    count += 1
                    if count > MAX_SKILLS_PER_ROOT:
                        return
                    yield skill
        level = below


def load_skill(path: Path, scope: SkillScope) -> SkillMetadata:
    """The skill `path` declares; `SkillError` in the reference's words."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SkillError(f"failed to read file: {exc}") from None
    parts = frontmatter.split_front_matter(text)
    if parts is None:
        raise SkillError("missing YAML frontmatter delimited by ---")
    try:
        meta = frontmatter.parse(parts[0])
    except frontmatter.YamlError as exc:
        raise SkillError(f"invalid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise SkillError("invalid YAML: invalid type: expected struct SkillFrontmatter")
    for key in ("name", "description"):
        if meta.get(key) is None:
            raise SkillError(f"invalid YAML: missing field `{key}`")
        if not isinstance(meta[key], str):
            raise SkillError(f"invalid YAML: {key}: invalid type, expected a string")
        if not meta[key].strip():
            # Read, then found empty: the reference words it without the YAML prefix.
            raise SkillError(f"missing field `{key}`")
    for key, limit in (("name", MAX_NAME_CHARS), ("description", MAX_DESCRIPTION_CHARS)):
        if len(meta[key]) > limit:
            raise SkillError(f"invalid {key}: exceeds maximum length of {limit} characters")
    skill: SkillMetadata = {"name": meta["name"], "description": meta["description"],
                            "path": str(path), "scope": scope, "enabled": True}
    extra = meta.get("metadata")
    if isinstance(extra, dict) and isinstance(extra.get("short-description"), str):
        skill["shortDescription"] = extra["short-description"]
    agents = _agents_file(path.parent)
    interface = _interface(agents.get("interface"), path.parent)
    if interface is not None:
        skill["interface"] = interface
    dependencies = _dependencies(agents.get("dependencies"))
    if dependencies is not None:
        skill["dependencies"] = dependencies
    return skill


def _agents_file(folder: Path) -> dict[str, Any]:
    """`agents/openai.yaml` of a skill folder; empty when absent or unreadable."""
    try:
        data = frontmatter.parse((folder / "agents" / "openai.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, frontmatter.YamlError):
        return {}
    return data if isinstance(data, dict) else {}


def _interface(raw: Any, folder: Path) -> SkillInterface | None:
    if not isinstance(raw, dict):
        return None
    def text(key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) else None
    def icon(key: str) -> str | None:
        value = text(key)
        return None if value is None else str((folder / value).resolve())
    result: SkillInterface = {}
    for wire, value in (("displayName", text("display_name")),
                        ("shortDescription", text("short_description")),
                        ("iconSmall", icon("icon_small")), ("iconLarge", icon("icon_large")),
                        ("brandColor", text("brand_color")),
                        ("defaultPrompt", text("default_prompt"))):
        if value is not None:
            result[wire] = value  # type: ignore[literal-required]
    return result


def _dependencies(raw: Any) -> SkillDependencies | None:
    tools = raw.get("tools") if isinstance(raw, dict) else None
    if not isinstance(tools, list):
        return None
    out: list[SkillToolDependency] = []
    for tool in tools:
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str) \
                or not isinstance(tool.get("value"), str):
            continue
        dep: SkillToolDependency = {"type": tool["type"], "value": tool["value"]}
        for key in _TOOL_KEYS:
            if isinstance(tool.get(key), str):
                dep[key] = tool[key]  # type: ignore[literal-required]
        out.append(dep)
    return {"tools": out}
