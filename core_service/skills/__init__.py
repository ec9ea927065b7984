"""SkillsService: skills discovered from `SKILL.md` folders, their enablement, remote skills."""
