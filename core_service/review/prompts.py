"""What a review says: its target's texts, the reviewer's instructions, the result.

Pure functions. A target gives two texts: the hint shown to the client
(`enteredReviewMode.review`, the turn's user message) and the prompt the
reviewer model gets (for a base branch it names the merge base, which the
caller computes with git). The reviewer answers a JSON object (findings and
an overall verdict, the format `REVIEW_INSTRUCTIONS` asks for); the result
shown (`exitedReviewMode.review`) is its explanation and findings as text, or
the answer itself when it is not that JSON. The thread then keeps the result
as a `<user_action>` user message followed by the result as an assistant
message, as the reference records it; an interrupted review keeps its own
`<user_action>` and a notice to run it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app_server_protocol.errors import invalid_request
from app_server_protocol.wire_types import ReviewTarget

UNCOMMITTED_PROMPT = (
    "Review the current code changes (staged, unstaged, and untracked files) "
    "and provide prioritized findings."
)
NO_OUTPUT = "Reviewer failed to output a response."
INTERRUPTED = "Review was interrupted. Please re-run /review and wait for it to complete."

# Our own words (as for the base instructions); the output format is the
# reference's, so that its findings read the same.
REVIEW_INSTRUCTIONS = """# Review guidelines

You are reviewing a code change written by another engineer. Report the
issues the author would want to fix before merging: bugs, security problems,
broken behaviour, missing error handling, significant performance problems.
Do not report style preferences, pre-existing issues the change did not
touch, or speculation you cannot tie to a concrete line. Inspect the change
with read-only commands (git diff, git show, reading files).

For each finding give a short title starting with its priority tag ([P0]
release-blocking, [P1] urgent, [P2] normal, [P3] low), a one-paragraph body
explaining why it is a problem and when it happens, your confidence, and the
smallest line range (in the changed lines) that shows it.

Then give an overall verdict: "patch is correct" or "patch is incorrect",
with a short explanation and your confidence.

## Output format

Answer with exactly one JSON object and nothing else:

{
  "findings": [
    {
      "title": "<= 80 chars, imperative, with its [Px] tag>",
      "body": "<valid Markdown explaining the problem>",
      "confidence_score": <float 0.0-1.0>,
      "priority": <int 0-3>,
      "code_location": {
        "absolute_file_path": "<absolute path of the file>",
        "line_range": {"start": <int>, "end": <int>}
      }
    }
  ],
  "overall_correctness": "patch is correct" | "patch is incorrect",
  "overall_explanation": "<1-3 sentences explaining the verdict>",
  "overall_confidence_score": <float 0.0-1.0>
}
"""


@dataclass(frozen=True)
class ReviewRequest:
    """A resolved review: the client's hint and the reviewer's prompt."""

    hint: str
    prompt: str


def validate(target: ReviewTarget) -> None:
    """Refuse a target with a blank required field, with the reference's texts."""
    if target["type"] == "baseBranch" and not target["branch"].strip():
        raise invalid_request("branch must not be empty")
    if target["type"] == "commit" and not target["sha"].strip():
        raise invalid_request("sha must not be empty")
    if target["type"] == "custom" and not target["instructions"].strip():
        raise invalid_request("instructions must not be empty")


def review_request(target: ReviewTarget, merge_base: str | None = None) -> ReviewRequest:
    """The hint and prompt of `target` (`merge_base`: of HEAD and a base branch)."""
    if target["type"] == "uncommittedChanges":
        return ReviewRequest("current changes", UNCOMMITTED_PROMPT)
    if target["type"] == "baseBranch":
        branch = target["branch"]
        if merge_base is None:
            prompt = (
                f"Review the code changes against the base branch '{branch}'. Start by "
                f"finding the merge diff between the current branch and {branch}'s upstream "
                f"e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref "
                f"\"{branch}@{{upstream}}\")\"`), then run `git diff` against that SHA to "
                f"see what changes we would merge into the {branch} branch. Provide "
                "prioritized, actionable findings."
            )
        else:
            prompt = (
                f"Review the code changes against the base branch '{branch}'. The merge "
                f"base commit for this comparison is {merge_base}. Run `git diff "
                f"{merge_base}` to inspect the changes relative to {branch}. Provide "
                "prioritized, actionable findings."
            )
        return ReviewRequest(f"changes against '{branch}'", prompt)
    if target["type"] == "commit":
        sha, title = target["sha"], target.get("title")
        short = sha[:7]
        if title:
            return ReviewRequest(
                f"commit {short}: {title}",
                f"Review the code changes introduced by commit {sha} (\"{title}\"). "
                "Provide prioritized, actionable findings.",
            )
        return ReviewRequest(
            f"commit {short}",
            f"Review the code changes introduced by commit {sha}. "
            "Provide prioritized, actionable findings.",
        )
    text = target["instructions"].strip()
    return ReviewRequest(text, text)


def _parse(answer: str) -> dict[str, Any] | None:
    """The reviewer's JSON object: the whole answer, or the outermost braces in it."""
    for candidate in (answer, answer[answer.find("{"):answer.rfind("}") + 1]):
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    return None


def _finding(finding: Any) -> str:
    if not isinstance(finding, dict):
        return ""
    where = finding.get("code_location") or {}
    lines = where.get("line_range") or {}
    head = (f"- {finding.get('title', '')} \u2014 {where.get('absolute_file_path', '')}:"
            f"{lines.get('start', 0)}-{lines.get('end', 0)}")
    body = "\n".join("  " + line for line in str(finding.get("body", "")).splitlines())
    return f"{head}\n{body}" if body else head


def result_text(answer: str) -> str:
    """The review result shown to the client, from the reviewer's final answer."""
    parsed = _parse(answer)
    if parsed is None:
        return answer.strip() or NO_OUTPUT
    explanation = str(parsed.get("overall_explanation") or "").strip()
    findings = [f for f in parsed.get("findings") or [] if isinstance(f, dict)]
    parts = [explanation] if explanation else []
    if findings:
        heading = "Review comment:" if len(findings) == 1 else "Full review comments:"
        parts.append(heading + "\n\n" + "\n\n".join(_finding(f) for f in findings))
    return "\n\n".join(parts) or NO_OUTPUT


def user_action(result: str) -> str:
    """The user message the reviewed thread keeps for a finished review."""
    return (
        "<user_action>\n"
        "  <context>User initiated a review task. Here's the full review output from "
        "reviewer model. User may select one or more comments to resolve.</context>\n"
        "  <action>review</action>\n"
        f"  <results>\n  {result}\n  </results>\n"
        "  </user_action>\n\n"
    )


def interrupted_action() -> str:
    """The user message the thread keeps for a review cut short by turn/interrupt."""
    return (
        "<user_action>\n"
        "  <context>User initiated a review task, but was interrupted. If user asks about "
        "this, tell them to re-initiate a review with `/review` and wait for it to "
        "complete.</context>\n"
        "  <action>review</action>\n"
        "  <results>\n  None.\n  </results>\n"
        "</user_action>\n\n"
    )
