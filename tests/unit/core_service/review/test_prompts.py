"""Review texts: hints, prompts, refusals, and results, as the reference words them."""

from __future__ import annotations

import json

import pytest

from app_server_protocol.errors import ProtocolError
from app_server_protocol.wire_types import ReviewTarget
from core_service.review.prompts import (
    NO_OUTPUT,
    UNCOMMITTED_PROMPT,
    interrupted_action,
    result_text,
    review_request,
    user_action,
    validate,
)


def _finding(title: str) -> dict[str, object]:
    return {"title": title, "body": "Line one.\nLine two.", "confidence_score": 0.5,
            "priority": 1, "code_location": {"absolute_file_path": "/w/a.py",
                                             "line_range": {"start": 4, "end": 4}}}


def test_hints_and_prompts_per_target() -> None:
    """Each target's hint and prompt, observed on the reference: the short sha in the
    hint, the full one in the prompt, the merge base named when known, the git recipe
    when not, custom instructions trimmed and used for both."""
    plain = review_request({"type": "uncommittedChanges"})
    assert (plain.hint, plain.prompt) == ("current changes", UNCOMMITTED_PROMPT)
    commit = review_request({"type": "commit", "sha": "0123456789abcdef", "title": None})
    assert commit.hint == "commit 0123456"
    assert commit.prompt == ("Review the code changes introduced by commit 0123456789abcdef. "
                             "Provide prioritized, actionable findings.")
    titled = review_request({"type": "commit", "sha": "HEAD", "title": "second commit"})
    assert titled.hint == "commit HEAD: second commit"
    assert '(\"second commit\")' in titled.prompt
    known = review_request({"type": "baseBranch", "branch": "main"}, "abc123")
    assert known.hint == "changes against 'main'"
    assert known.prompt == (
        "Review the code changes against the base branch 'main'. The merge base commit for "
        "this comparison is abc123. Run `git diff abc123` to inspect the changes relative "
        "to main. Provide prioritized, actionable findings.")
    unknown = review_request({"type": "baseBranch", "branch": "nosuch"})
    assert unknown.prompt == (
        "Review the code changes against the base branch 'nosuch'. Start by finding the "
        "merge diff between the current branch and nosuch's upstream e.g. (`git merge-base "
        "HEAD \"$(git rev-parse --abbrev-ref \"nosuch@{upstream}\")\"`), then run `git diff` "
        "against that SHA to see what changes we would merge into the nosuch branch. "
        "Provide prioritized, actionable findings.")
    custom = review_request({"type": "custom", "instructions": "  spaced  "})
    assert (custom.hint, custom.prompt) == ("spaced", "spaced")


@pytest.mark.parametrize(("target", "message"), [
    ({"type": "baseBranch", "branch": " "}, "branch must not be empty"),
    ({"type": "commit", "sha": "", "title": None}, "sha must not be empty"),
    ({"type": "custom", "instructions": "\n"}, "instructions must not be empty"),
])
def test_blank_targets_are_refused(target: ReviewTarget, message: str) -> None:
    """A blank branch, sha or instructions is refused with the reference's text."""
    with pytest.raises(ProtocolError) as err:
        validate(target)
    assert err.value.message == message


def test_results_as_the_reference_formats_them() -> None:
    """One finding is a `Review comment:`, several `Full review comments:`, bodies
    indented; the explanation is trimmed; JSON inside a fence is found; an answer that
    is not the JSON is shown as it is; nothing at all is the reference's notice."""
    one = json.dumps({"findings": [_finding("[P3] Only")], "overall_explanation": ""})
    assert result_text(one) == "Review comment:\n\n- [P3] Only \u2014 /w/a.py:4-4\n" \
                               "  Line one.\n  Line two."
    two = json.dumps({"findings": [_finding("[P1] A"), _finding("[P2] B")],
                      "overall_explanation": "  Two bugs.  "})
    assert result_text(two).startswith("Two bugs.\n\nFull review comments:\n\n- [P1] A")
    fenced = "Here:\n```json\n" + json.dumps({"findings": [],
                                              "overall_explanation": "Fenced."}) + "\n```"
    assert result_text(fenced) == "Fenced."
    assert result_text("plain text review") == "plain text review"
    assert result_text(json.dumps({"findings": [], "overall_explanation": ""})) == NO_OUTPUT


def test_user_action_wraps_the_result() -> None:
    """The thread keeps the result inside the reference's <user_action> message."""
    assert user_action("R") == (
        "<user_action>\n  <context>User initiated a review task. Here's the full review "
        "output from reviewer model. User may select one or more comments to resolve."
        "</context>\n  <action>review</action>\n  <results>\n  R\n  </results>\n"
        "  </user_action>\n\n")


def test_interrupted_action_as_the_reference_words_it() -> None:
    """An interrupted review's <user_action> (its closing tag not indented, as there)."""
    assert interrupted_action() == (
        "<user_action>\n  <context>User initiated a review task, but was interrupted. If "
        "user asks about this, tell them to re-initiate a review with `/review` and wait "
        "for it to complete.</context>\n  <action>review</action>\n  <results>\n  None.\n"
        "  </results>\n</user_action>\n\n")
