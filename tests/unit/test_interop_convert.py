"""Foreign traces -> attribution records: blob lookup, clipping, hashes, prompts, idempotence."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aibom import gitutil
from aibom.attribution import model
from aibom.interop import convert
from aibom.interop.convert import ForeignConversation, ForeignFile, ForeignRange, ForeignTrace
from tests.conftest import GitRepo

APP = "".join(f"line {n}\n" for n in range(1, 9))  # 8 lines


@pytest.fixture
def work(make_repo: Callable[..., GitRepo]) -> tuple[GitRepo, str]:
    repo = make_repo()
    sha = repo.commit(
        "one",
        files={"src/app.py": APP, "bin.dat": "a\x00b\n", "sp ace.txt": "x\ny\n"},
    )
    return repo, sha


def _trace(rev: str, path: str, *convs: ForeignConversation) -> ForeignTrace:
    return ForeignTrace(rev, (ForeignFile(path, convs),), where="t:1", ref="r")


def _ai(*spans: tuple[int, int], **kw: object) -> ForeignConversation:
    ranges = tuple(ForeignRange(s, e) for s, e in spans)
    return ForeignConversation("ai", ranges, **kw)  # type: ignore[arg-type]


def test_record_carries_blob_hashes_model_and_evidence(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    conv = _ai((1, 3), (7, 7), model="claude-4.5-opus", agent="cursor", session="c-1")
    result = convert.build(git, [_trace(sha[:10], "src/app.py", conv)], "git-ai")
    assert result.problems == ()
    (record,) = result.records[sha]
    assert record.data["source"] == {"type": "git-ai", "ref": "r"}
    (f,) = model.from_data(record.data)
    assert f.blob == repo.git("rev-parse", f"{sha}:src/app.py").stdout.strip()
    (c,) = f.conversations
    assert (c.contributor, c.model_id, c.agent, c.session) == (
        "ai",
        "anthropic/claude-opus-4-5",
        "cursor",
        "c-1",
    )
    assert c.evidence == "imported" and c.confidence == convert.IMPORTED_CONFIDENCE
    lines = APP.splitlines()
    assert [(r.start, r.end, r.content_hash) for r in c.ranges] == [
        (1, 3, model.content_hash(lines[0:3])),
        (7, 7, model.content_hash(lines[6:7])),
    ]


def test_ranges_beyond_the_blob_are_clipped_and_reported(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    result = convert.build(git, [_trace(sha, "src/app.py", _ai((6, 20), (30, 31)))], "git-ai")
    (record,) = result.records[sha]
    (f,) = model.from_data(record.data)
    assert [(r.start, r.end) for r in f.conversations[0].ranges] == [(6, 8)]
    messages = [p.message for p in result.problems]
    assert "lines 6-20 clipped to 6-8" in messages
    assert "lines 30-31 are beyond the blob's 8 lines" in messages


@pytest.mark.parametrize(
    ("rev", "path", "fragment"),
    [
        ("0" * 40, "src/app.py", "is not a commit here"),
        ("HEAD", "missing.py", "is not a file in that commit"),
        ("HEAD", "src", "is not a file in that commit"),  # a tree
        ("HEAD", "bin.dat", "is binary"),
        ("HEAD", "../etc/passwd", "is not usable"),
        ("HEAD", "/etc/passwd", "is not usable"),
    ],
)
def test_unusable_targets_are_reported_not_fatal(
    work: tuple[GitRepo, str], rev: str, path: str, fragment: str
) -> None:
    repo, _ = work
    git = gitutil.discover(repo.path)
    result = convert.build(git, [_trace(rev, path, _ai((1, 1)))], "agent-trace")
    assert result.records == {}
    assert any(fragment in p.message for p in result.problems), result.problems


def test_path_with_space_and_several_traces_use_one_lookup(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    traces = [_trace(sha, "sp ace.txt", _ai((1, 2))), _trace(sha, "src/app.py", _ai((2, 2)))]
    result = convert.build(git, traces, "agent-trace")
    assert len(result.records[sha]) == 2
    assert (result.ranges, result.lines) == (2, 3)


def test_prompts_are_digests_unless_opted_in(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    secret = b"deploy with password=Sup3rS3cretValue!9 please"
    conv = _ai((1, 1), prompt=secret)
    plain = convert.build(git, [_trace(sha, "src/app.py", conv)], "git-ai")
    body = plain.records[sha][0].data["files"][0]["conversations"][0]
    assert set(body["prompt"]) == {"digest"}
    assert body["prompt"]["digest"].startswith("sha256:")
    kept = convert.build(git, [_trace(sha, "src/app.py", conv)], "git-ai", keep_text=True)
    prompt = kept.records[sha][0].data["files"][0]["conversations"][0]["prompt"]
    assert prompt["digest"] == body["prompt"]["digest"]
    assert "Sup3rS3cretValue" not in prompt["text"] and prompt["redactions"] >= 1


def test_same_input_same_record_and_write_is_idempotent(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    trace = _trace(sha, "src/app.py", _ai((1, 2), model="gpt-4o"))
    first = convert.build(git, [trace], "git-ai").records
    assert convert.build(git, [trace, trace], "git-ai").records == first
    assert convert.count_new(git, first) == 1
    assert convert.write(git, first, "import") == 1
    assert convert.count_new(git, first) == 0
    assert convert.write(git, first, "import") == 0
    assert repo.note(sha).strip() == first[sha][0].line


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (b"a\nb\n", ["a", "b"]),
        (b"a\nb", ["a", "b"]),
        (b"a\r\nb\r\n", ["a\r", "b\r"]),
        (b"\xff\xfe\n", ["\udcff\udcfe"]),
        (b"a\x00", None),
    ],
)
def test_blob_lines(data: bytes, expected: list[str] | None) -> None:
    assert convert.blob_lines(data) == expected


def test_overlapping_ranges_count_once(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    conv = _ai((5, 6), (1, 3), (2, 4), (2, 3), (7, 7))
    result = convert.build(git, [_trace(sha, "src/app.py", conv)], "git-ai")
    (f,) = model.from_data(result.records[sha][0].data)
    assert [(r.start, r.end) for r in f.conversations[0].ranges] == [(1, 4), (5, 6), (7, 7)]
    assert result.lines == 7


def test_overlong_path_is_reported(work: tuple[GitRepo, str]) -> None:
    repo, sha = work
    git = gitutil.discover(repo.path)
    result = convert.build(git, [_trace(sha, "a/" * 2100 + "x", _ai((1, 1)))], "git-ai")
    assert result.records == {} and "is not usable" in result.problems[0].message
