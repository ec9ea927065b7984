"""core_service.skills.discovery: roots per cwd and what each SKILL.md declares."""

from __future__ import annotations

from pathlib import Path

from core_service.skills.discovery import Root, discover, load_skill, roots_for


def _skill(folder: Path, front: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(f"---\n{front}---\nbody\n")
    return folder / "SKILL.md"


def test_roots_run_from_cwd_to_the_git_root_then_home_then_system_and_admin(
    tmp_path: Path
) -> None:
    """Inside a repository every folder up to its root is a repo root; outside,
    the cwd alone."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    sub = repo / "a" / "b"
    sub.mkdir(parents=True)
    home, admin = tmp_path / "home", tmp_path / "admin"
    roots = roots_for(sub, home, [tmp_path / "extra"], admin)
    assert roots == [
        Root(sub / ".codex/skills", "repo"), Root(repo / "a/.codex/skills", "repo"),
        Root(repo / ".codex/skills", "repo"), Root(home / "skills", "user"),
        Root(tmp_path / "extra", "user"), Root(home / "skills/.system", "system"),
        Root(admin, "admin")]
    loose = tmp_path / "loose"
    assert roots_for(loose, home, (), admin)[0] == Root(loose / ".codex/skills", "repo")
    assert len(roots_for(loose, home, (), admin)) == 4


def test_discovery_orders_by_scope_and_name_skips_hidden_and_reports_errors(
    tmp_path: Path
) -> None:
    """Skills sorted by scope then name, nested folders found, hidden folders
    (the system root among them) skipped under the user root, errors by path."""
    user = tmp_path / "skills"
    _skill(user / "zeta", "name: zeta\ndescription: z\n")
    _skill(user / "group" / "alpha", "name: alpha\ndescription: a\n")
    _skill(user / ".system" / "sys", "name: sys\ndescription: s\n")
    _skill(user / "nodesc", "name: nodesc\n")
    repo = tmp_path / "repo"
    _skill(repo / "r", "name: r\ndescription: r\n")
    found = discover([Root(repo, "repo"), Root(user, "user"), Root(user / ".system", "system")])
    assert [(s["name"], s["scope"]) for s in found.skills] == [
        ("r", "repo"), ("alpha", "user"), ("zeta", "user"), ("sys", "system")]
    assert found.errors == [{"path": str(user / "nodesc" / "SKILL.md"),
                             "message": "invalid YAML: missing field `description`"}]


def test_a_skill_reads_its_short_description_interface_and_dependencies(tmp_path: Path) -> None:
    """metadata.short-description; agents/openai.yaml's interface (icons made
    absolute from the skill folder) and tool dependencies."""
    path = _skill(tmp_path / "s", "name: s\ndescription: d\nmetadata:\n  short-description: sd\n")
    (tmp_path / "s" / "agents").mkdir()
    (tmp_path / "s" / "agents" / "openai.yaml").write_text(
        "interface:\n  display_name: S\n  icon_large: assets/l.png\n  default_prompt: go\n"
        "dependencies:\n  tools:\n    - type: env_var\n      value: TOKEN\n"
        "      description: a token\n    - type: broken\n")
    assert load_skill(path, "user") == {
        "name": "s", "description": "d", "shortDescription": "sd", "path": str(path),
        "scope": "user", "enabled": True,
        "interface": {"displayName": "S", "iconLarge": str(tmp_path / "s/assets/l.png"),
                      "defaultPrompt": "go"},
        "dependencies": {"tools": [{"type": "env_var", "value": "TOKEN",
                                    "description": "a token"}]}}


def test_skills_inside_skills_and_the_references_limits(tmp_path: Path) -> None:
    """A skill folder's subfolders are searched too; a name over 64 characters, a
    description over 1024 or an empty name is an error in the reference's words
    (characters are counted, not bytes)."""
    root = tmp_path / "skills"
    _skill(root / "outer", "name: outer\ndescription: o\n")
    _skill(root / "outer" / "inner", "name: inner\ndescription: i\n")
    _skill(root / "wide", f"name: {'é' * 64}\ndescription: {'d' * 1024}\n")
    long_name = _skill(root / "long", f"name: {'n' * 65}\ndescription: d\n")
    long_desc = _skill(root / "longd", f"name: ld\ndescription: {'d' * 1025}\n")
    empty = _skill(root / "empty", "name: ''\ndescription: d\n")
    found = discover([Root(root, "user")])
    assert [s["name"] for s in found.skills] == ["inner", "outer", "é" * 64]
    assert sorted((e["path"], e["message"]) for e in found.errors) == sorted([
        (str(long_name), "invalid name: exceeds maximum length of 64 characters"),
        (str(long_desc), "invalid description: exceeds maximum length of 1024 characters"),
        (str(empty), "missing field `name`")])
