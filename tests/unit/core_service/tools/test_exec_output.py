"""tools.exec_output: the model's texts of shell and unified exec calls, checked against
texts the reference produced (0.104, gpt-5.1-codex)."""

from __future__ import annotations

from core_service.sandbox.process import ExecResult
from core_service.tools import exec_output as eo

SEQ = "".join(f"{i}\n" for i in range(1, 100_001))  # `seq 1 100000`: 588 895 bytes


def test_shell_text_of_a_long_output_is_the_references() -> None:
    """`seq 1 100000` through `shell`: 20 000 bytes of head, the marker with the removed
    tokens, 20 000 bytes of tail, and the line count before "Output:"."""
    text = eo.shell_text(0, 30, SEQ)
    head = "Exit code: 0\nWall time: 0 seconds\nTotal output lines: 100000\nOutput:\n"
    assert text.startswith(head + "1\n2\n3\n")
    body = text[len(head):]
    assert body == SEQ[:20_000] + "…137224 tokens truncated…" + SEQ[-20_000:]
    assert body[19_990:20_000] == "20\n4221\n42"


def test_unified_text_of_a_long_output_is_the_references() -> None:
    """`seq 1 100000` through `exec_command`: the token count of the whole output, the
    line count inside the output followed by a blank line."""
    text = eo.unified_text(SEQ, 51, exit_code=0, session_id=None, chunk="fa277f")
    assert text == ("Chunk ID: fa277f\nWall time: 0.0510 seconds\nProcess exited with code 0\n"
                    "Original token count: 147224\nOutput:\nTotal output lines: 100000\n\n"
                    + SEQ[:20_000] + "…137224 tokens truncated…" + SEQ[-20_000:])


def test_max_output_tokens_sets_the_budget() -> None:
    """max_output_tokens 100 keeps 200 bytes each side (the reference's answer to
    `seq 1 2000; echo b >&2; sleep 0.2; echo a`)."""
    out = "".join(f"{i}\n" for i in range(1, 2001)) + "b\na\n"
    text = eo.unified_text(out, 104, exit_code=0, session_id=None, max_tokens=100, chunk="49058e")
    assert text.startswith("Chunk ID: 49058e\nWall time: 0.1040 seconds\nProcess exited with "
                           "code 0\nOriginal token count: 2225\nOutput:\nTotal output lines: "
                           "2002\n\n1\n2\n")
    assert "\n69\n70…2125 tokens truncated…\n1962\n" in text and text.endswith("2000\nb\na\n")


def test_running_session_and_short_output() -> None:
    """A session still running names its id; short output is untouched and counted."""
    assert eo.unified_text("x\n", 251, exit_code=None, session_id=7220, chunk="ae376a") == (
        "Chunk ID: ae376a\nWall time: 0.2510 seconds\nProcess running with session ID 7220\n"
        "Original token count: 1\nOutput:\nx\n")
    assert len(eo.chunk_id()) == 6 and int(eo.chunk_id(), 16) >= 0


def test_shell_wall_time_rounds_to_tenths_written_shortest() -> None:
    """0.049 s is "0", 0.05 s "0.1", 0.508 s "0.5", 12 s "12", 12.345 s "12.3"."""
    assert [eo.shell_wall_time(ms) for ms in (0, 49, 50, 508, 12_000, 12_345)] == [
        "0", "0", "0.1", "0.5", "12", "12.3"]


def test_timed_out_and_signalled_results() -> None:
    """A timed-out shell command reads as the reference's (exit 124, the timeout line
    first); one killed by a signal reads as its execution error."""
    timed_out = ExecResult(124, "start\n", "", "start\n", 508, True, False, 9)
    assert eo.shell_output(timed_out) == (
        "Exit code: 124\nWall time: 0.5 seconds\nOutput:\n"
        "command timed out after 508 milliseconds\nstart\n")
    killed = ExecResult(137, "", "", "", 3, False, False, 9)
    assert eo.shell_output(killed) == "execution error: Sandbox(Signal(9))"
    done = ExecResult(3, "a\n", "b\n", "a\nb\n", 5, False, False)
    assert eo.shell_output(done) == "Exit code: 3\nWall time: 0 seconds\nOutput:\na\nb\n"


def test_truncation_cuts_on_character_boundaries() -> None:
    """Multi-byte characters are never split by the head/tail cut."""
    cut = eo.truncate_middle("é" * 100, eo.TruncationPolicy("tokens", 5))
    assert cut is not None and "\ufffd" not in cut
    assert cut.startswith("é" * 5) and cut.endswith("é" * 5)
    assert eo.truncate_middle("short", eo.TruncationPolicy("tokens", 10)) is None
    assert eo.approx_tokens("hello\r\nhello\r\n") == 4 and eo.line_count("a\nb") == 2


def test_byte_policy_models_count_chars() -> None:
    """gpt-5.1 (a byte-policy model) cuts `seq 1 100000` to 5 000 bytes each side with
    "…578895 chars truncated…"; codex models count tokens."""
    assert eo.policy_for_model("gpt-5.1") == eo.BYTES_10K == eo.policy_for_model("gpt-5")
    assert eo.policy_for_model("gpt-5.1-codex") == eo.TOKENS_10K
    assert eo.truncate_middle(SEQ, eo.BYTES_10K) == (
        SEQ[:5_000] + "…578895 chars truncated…" + SEQ[-5_000:])


def test_history_cut_is_one_point_two_times_the_policy() -> None:
    """A function output kept in the history is cut to 1.2 times the policy: the
    reference keeps 6 000 bytes each side of a gpt-5.1 exec_command's 40 160-char text
    ("…28160 chars truncated…"); under a token policy that text fits untouched."""
    text = eo.unified_text(SEQ, 51, exit_code=0, session_id=None, chunk="a6ce90")
    assert len(text) == 40_160
    kept = eo.history_text(text, eo.BYTES_10K)
    assert kept == text[:6_000] + "…28160 chars truncated…" + text[-6_000:]
    assert eo.history_text(text, eo.TOKENS_10K) == text
