"""The stats line replay against ``git blame -w`` on random branchy histories: every commit
is credited with exactly the lines blame gives it at the tip (merges, conflicts resolved in
the merge, side branches that edit and delete, files added on branches)."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from aibom.forensics import stats as st
from aibom.gitutil import discover

FILES = ("a.py", "b.py", "pkg/c.py")


class _History:
    def __init__(self, path: Path, seed: int) -> None:
        self.path = path
        self.rnd = random.Random(seed)

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(proc.stderr)
        return proc.stdout

    def edit(self) -> None:
        target = self.path / self.rnd.choice(FILES)
        target.parent.mkdir(exist_ok=True)
        lines = target.read_text().splitlines() if target.exists() else []
        for _ in range(self.rnd.randint(1, 4)):
            op = self.rnd.random()
            if op < 0.5 or not lines:
                lines.insert(self.rnd.randint(0, len(lines)), f"l{self.rnd.getrandbits(40)}")
            elif op < 0.8:
                lines[self.rnd.randrange(len(lines))] = f"m{self.rnd.getrandbits(40)}"
            else:
                del lines[self.rnd.randrange(len(lines))]
        target.write_text("".join(f"{line}\n" for line in lines))
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "edit")

    def merge(self, branch: str) -> None:
        self.git("merge", "-q", "--no-ff", "-m", "merge", branch, check=False)
        if not self.git("diff", "--name-only", "--diff-filter=U"):
            return
        for name in FILES:  # a conflict: keep both sides' text outside the markers
            target = self.path / name
            if target.exists() and "<<<<<<<" in target.read_text():
                kept = [
                    line
                    for line in target.read_text().splitlines()
                    if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
                ]
                target.write_text("".join(f"{line}\n" for line in kept))
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "merge with a resolution")

    def build(self, steps: int) -> None:
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "T")
        self.git("config", "user.email", "t@example.com")
        self.edit()
        for step in range(steps):
            if self.rnd.random() < 0.25:
                self.git("checkout", "-q", "-b", f"topic{step}")
                for _ in range(self.rnd.randint(1, 3)):
                    self.edit()
                self.git("checkout", "-q", "main")
                for _ in range(self.rnd.randint(0, 2)):
                    self.edit()
                self.merge(f"topic{step}")
            else:
                self.edit()

    def blamed(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for name in self.git("ls-tree", "-r", "--name-only", "HEAD").split():
            for line in self.git("blame", "-w", "--line-porcelain", "HEAD", "--", name).split("\n"):
                head = line.split(" ")
                sha = head[0]
                if len(head) >= 3 and len(sha) == 40 and not set(sha) - set("0123456789abcdef"):
                    counts[head[0]] += 1
        return counts


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_replay_gives_every_commit_its_blamed_lines(tmp_path: Path, seed: int) -> None:
    history = _History(tmp_path, seed)
    history.build(30)
    assert int(history.git("rev-list", "--merges", "--count", "HEAD")) >= 3
    fates = st.line_fates(discover(str(tmp_path)), "HEAD", lambda sha: "human")
    assert +fates.alive == history.blamed()


def test_a_merge_deletes_nothing_on_its_own(tmp_path: Path) -> None:
    """A branch's deletion is counted once, on the branch, not again at the merge."""
    history = _History(tmp_path, 0)
    history.git("init", "-q", "-b", "main")
    history.git("config", "user.name", "T")
    history.git("config", "user.email", "t@example.com")
    (tmp_path / "a.py").write_text("one\ntwo\nthree\n")
    history.git("add", "-A")
    history.git("commit", "-q", "-m", "ai")
    first = history.git("rev-parse", "HEAD").strip()
    history.git("checkout", "-q", "-b", "topic")
    (tmp_path / "a.py").write_text("one\nthree\n")
    history.git("commit", "-q", "-am", "person deletes two")
    person = history.git("rev-parse", "HEAD").strip()
    history.git("checkout", "-q", "main")
    (tmp_path / "b.py").write_text("b\n")
    history.git("add", "-A")
    history.git("commit", "-q", "-m", "elsewhere")
    history.merge("topic")
    origins = {first: "ai-generated", person: "human"}
    fates = st.line_fates(discover(str(tmp_path)), "HEAD", lambda s: origins.get(s, "unknown"))
    assert fates.alive[first] == 2
    assert fates.by_people[first] == 1 and fates.by_unknown[first] == 0
