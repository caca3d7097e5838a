"""Agent hook payloads -> checkpoints: agent, model and session identity, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aibom.provenance import checkpoint as cp


def test_claude_code_model_from_transcript(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(
        json.dumps({"type": "user", "message": {"role": "user"}})
        + "\n"
        + json.dumps({"type": "assistant", "message": {"model": "claude-opus-4-5-20251101"}})
        + "\n"
    )
    payload = {
        "session_id": "9f1c",
        "transcript_path": str(transcript),
        "cwd": str(tmp_path),
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {"file_path": "a.py"},
    }
    point, warnings = cp.parse_payload("claude-code", json.dumps(payload).encode(), now=1.0)
    assert warnings == []
    assert (point.agent, point.model, point.session, point.event) == (
        "claude-code",
        "claude-opus-4-5-20251101",
        "9f1c",
        "PostToolUse",
    )


def test_a_transcript_that_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    # /dev/zero never ends and a FIFO without a writer never opens: either hung the hook
    import os
    import subprocess
    import sys

    os.mkfifo(tmp_path / "fifo")
    script = "from aibom.provenance import checkpoint as cp; print(cp.model_from_transcript(%r))"
    for path in ("/dev/zero", str(tmp_path / "fifo"), str(tmp_path)):
        proc = subprocess.run(
            [sys.executable, "-c", script % path], capture_output=True, text=True, timeout=20
        )
        assert proc.stdout == "None\n", proc.stderr


@pytest.mark.parametrize(
    ("agent", "payload", "model", "session"),
    [
        (  # Cursor: camelCase events, conversation id, model in newer builds
            "cursor",
            {
                "conversation_id": "c-1",
                "generation_id": "g-1",
                "model": "gpt-5",
                "hook_event_name": "afterFileEdit",
                "workspace_roots": ["/w"],
            },
            "gpt-5",
            "c-1",
        ),
        (  # Gemini CLI: BeforeTool / AfterTool with session id
            "gemini-cli",
            {
                "session_id": "s-9",
                "transcript_path": "/nonexistent",
                "cwd": "/w",
                "hook_event_name": "AfterTool",
                "timestamp": "2026-11-21T12:00:00Z",
                "tool_name": "write_file",
            },
            None,
            "s-9",
        ),
        (  # Codex notify: kebab-case thread id
            "codex",
            {
                "type": "agent-turn-complete",
                "thread-id": "t-3",
                "turn-id": "1",
                "cwd": "/w",
                "input-messages": ["x"],
                "last-assistant-message": "done",
            },
            None,
            "t-3",
        ),
        (  # GitHub Copilot CLI: camelCase session id
            "copilot",
            {
                "sessionId": "cp-7",
                "timestamp": 1,
                "cwd": "/w",
                "toolName": "edit",
                "model": {"id": "claude-sonnet-4.5"},
            },
            "claude-sonnet-4.5",
            "cp-7",
        ),
    ],
)
def test_payload_shapes(
    agent: str, payload: dict[str, object], model: str | None, session: str
) -> None:
    point, warnings = cp.parse_payload(agent, json.dumps(payload).encode(), now=1.0)
    assert warnings == []
    assert point.known_shape
    assert (point.agent, point.model, point.session) == (agent, model, session)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b"null",
        b"42",
        b'"text"',
        b'{"unrelated": true}',
        b"\xff\xfe garbage",
        b"{" * 5000,
    ],
)
def test_bad_payloads_never_raise(raw: bytes) -> None:
    point, warnings = cp.parse_payload("some-agent", raw, now=1.0)
    assert point.agent == "some-agent"
    if raw.strip():
        assert warnings
        assert not point.known_shape


def test_flags_override_payload() -> None:
    point, _ = cp.parse_payload("aider", b"", model="gpt-4o", session="s", now=1.0)
    assert (point.model, point.session, point.known_shape) == ("gpt-4o", "s", True)


def test_pending_skips_stale_and_half_written(tmp_path: Path) -> None:
    cp.record(str(tmp_path), cp.Checkpoint("codex", at=1000.0))
    cp.record(str(tmp_path), cp.Checkpoint("codex", at=1000.0 - cp.STALE_AFTER - 1))
    with open(tmp_path / cp.PENDING, "ab") as fh:
        fh.write(b'{"agent": "half-writ')  # a crashed writer
    found = cp.pending(str(tmp_path), now=1000.0)
    assert [c.at for c in found] == [1000.0]
    cp.consume(str(tmp_path))
    assert cp.pending(str(tmp_path), now=1000.0) == []
    assert (tmp_path / cp.CONSUMED).read_bytes().count(b"\n") == 2


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["claude-code"], ("claude-code", None, None)),
        (["aider", "--model", "gpt-4o", "--session=s1"], ("aider", "gpt-4o", "s1")),
        ([], None),
        (["a", "b"], None),
        (["a", "--model"], None),
        (["a", "--bogus", "x"], None),
    ],
)
def test_lean_entry_arguments(argv: list[str], expected: object) -> None:
    from aibom.hookentry.checkpoint import parse_args

    assert parse_args(argv) == expected


def test_lean_entry_records_without_heavy_imports(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    report = tmp_path / "modules.txt"
    payload = json.dumps({"session_id": "s-1", "hook_event_name": "PostToolUse"})
    root = str(Path(__file__).resolve().parents[2])
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1))\n"
        "from aibom.hookentry.checkpoint import main; sys.exit(main())"
    )
    proc = subprocess.run(
        [sys.executable, "-E", "-S", "-c", code, root, "claude-code", "--model", "gpt-4o"],
        cwd=tmp_path,
        input=payload,
        text=True,
        capture_output=True,
        env={**os.environ, "AIBOM_DEBUG_MODULES": str(report)},
    )
    assert proc.returncode == 0, proc.stderr
    (point,) = cp.pending(str(tmp_path / ".git" / "aibom"))
    assert (point.agent, point.model, point.session) == ("claude-code", "gpt-4o", "s-1")
    loaded = set(report.read_text().split())
    assert not loaded & {"click", "re", "json", "dataclasses", "typing", "subprocess"}
