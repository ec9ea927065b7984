"""The apply_patch machinery: grammar, planning, matching, diffs, atomic apply, approvals.

`parser` turns patch text into hunks, `planner` (with `matching`) computes
every file's new content without writing, `safety` decides whether the
user is asked and what the sandbox would refuse, `applier` writes all or
nothing, `textdiff` and `turn_diff` render the diffs clients see. The tool
handler that ties them to a turn is `core_service.tools.patch`.
"""
