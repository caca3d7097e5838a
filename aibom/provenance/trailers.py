"""aibom's trailers, read and written with git's own trailer rules.

Parsing and placement are git's (``git interpret-trailers``), so aibom never disagrees with
git about where the trailer block is or what counts as a comment. ``--no-divider``: a commit
message has no patch, and git reads a commit's trailers (``%(trailers)``) without treating a
``---`` line as one; placing trailers above such a line would hide them.

Git re-formats trailers it touches (``Key:value`` becomes ``Key: value``, CRs are dropped);
aibom therefore keeps git's *placement* but splices only the new lines into the original
bytes, so the user's text is kept byte for byte.
"""

from __future__ import annotations

import os

from aibom import gitutil
from aibom._value import Value
from aibom.provenance.types import Detection, Origin, Trailer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

ORIGIN = "AI-Origin"
MODEL = "AI-Model"
AGENT = "AI-Agent"
SESSION = "AI-Session"


TRAILER_TIMEOUT = 10.0  # git interpret-trailers is fast; a stall must not hold up a commit
SCISSORS = b" ------------------------ >8 ------------------------"


def split_scissors(message: bytes) -> tuple[bytes, bytes]:
    """(what git reads for trailers, the scissors line and everything after it).

    Git ignores all that follows the scissors line of ``git commit -v``; handing it to
    ``interpret-trailers`` anyway can make git 2.39 loop forever (a ``---`` line before the
    scissors). Any one-character comment prefix is accepted, as ``core.commentChar`` may be.
    """
    pos = 0
    while True:
        found = message.find(SCISSORS, pos)
        if found == -1:
            return message, b""
        start = message.rfind(b"\n", 0, found) + 1
        end = found + len(SCISSORS)
        if found - start == 1 and message[end : end + 1] in (b"\n", b""):
            return message[:start], message[start:]
        pos = end


def parse_trailers(
    message: bytes, cwd: str | os.PathLike[str] | None = None
) -> tuple[Trailer, ...]:
    """The message's trailers as git parses them (unfolded, comments ignored)."""
    head, _ = split_scissors(message)
    proc = gitutil.git(
        ["interpret-trailers", "--no-divider", "--parse"],
        cwd=cwd,
        input=_terminated(head),
        timeout=TRAILER_TIMEOUT,
    )
    return parse_kv_lines(proc.stdout.decode("utf-8", "surrogateescape"))


def parse_kv_lines(text: str) -> tuple[Trailer, ...]:
    """Parse ``Key: value`` lines as printed by ``--parse`` or ``%(trailers:unfold)``."""
    result: list[Trailer] = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            result.append(Trailer(key.strip(), value.strip()))
    return tuple(result)


def values(trailers: Sequence[Trailer], key: str) -> list[str]:
    lowered = key.lower()
    return [t.value for t in trailers if t.key.lower() == lowered]


def declared_origins(trailers: Sequence[Trailer]) -> list[Origin]:
    found: list[Origin] = []
    for value in values(trailers, ORIGIN):
        try:
            found.append(Origin(value.strip().lower()))
        except ValueError:
            continue
    return found


def wanted_trailers(detection: Detection, existing: Sequence[Trailer]) -> list[Trailer]:
    """The aibom trailers to add so the message states ``detection``; idempotent.

    Existing AI-* trailers are never changed. An existing ``AI-Origin: human`` with AI evidence
    now gets the AI origin added (readers combine the two as ai-assisted); any other existing
    origin is kept as it is.
    """
    add: list[Trailer] = []
    declared = declared_origins(existing)
    if not declared or (detection.origin.is_ai and all(o is Origin.HUMAN for o in declared)):
        add.append(Trailer(ORIGIN, detection.origin.value))
    if detection.origin.is_ai or not declared:
        present_models = {_model_key(v) for v in values(existing, MODEL)}
        for model in detection.models:
            if _model_key(model.slug) not in present_models:
                add.append(Trailer(MODEL, model.slug))
        if detection.agent is not None and not values(existing, AGENT):
            add.append(Trailer(AGENT, detection.agent.slug))
        if detection.session and not values(existing, SESSION):
            add.append(Trailer(SESSION, detection.session))
    if not detection.origin.is_ai:
        add = [t for t in add if t.key == ORIGIN]
    return add


def _model_key(value: str) -> str:
    """One key for a model however spelled: ``Claude Opus 4.5`` = ``anthropic/claude-opus-4-5``."""
    from aibom.provenance.modelid import normalize_model

    model = normalize_model(value)
    return model.slug.lower() if model is not None else value.strip().lower()


class StampResult(Value):
    __slots__ = ("added", "changed", "message")
    message: bytes
    added: tuple[Trailer, ...]
    changed: bool

    def __init__(self, message: bytes, added: tuple[Trailer, ...], changed: bool) -> None:
        self._set(message=message, added=tuple(added), changed=changed)


def stamp(
    message: bytes,
    add: Sequence[Trailer],
    cwd: str | os.PathLike[str] | None = None,
    existing: Sequence[Trailer] | None = None,
) -> StampResult:
    """Insert ``add`` into ``message`` where git would put them; keep every other byte.

    ``existing`` (the message's trailers as git parsed them) enables a check on message
    shapes where git's placement could split the trailer block: the result must parse as the
    old trailers followed by the new ones, or the message is left as it was.
    """
    if not add:
        return StampResult(message, (), False)
    head, tail = split_scissors(message)
    source = _terminated(head)
    args = ["interpret-trailers", "--no-divider", "--where", "end", "--if-exists", "addIfDifferent"]
    for trailer in add:
        args += ["--trailer", f"{trailer.key}: {_clean_value(trailer.value)}"]
    proc = gitutil.git(args, cwd=cwd, input=source, timeout=TRAILER_TIMEOUT)
    lines = [f"{t.key}: {_clean_value(t.value)}" for t in add]
    spliced = splice(source, proc.stdout, lines)
    inferred = spliced is None
    if inferred:
        spliced = splice_after_drops(source, proc.stdout, lines)
    if spliced is None:
        return StampResult(message, (), False)
    if inferred or _risky(source):
        before = tuple(existing) if existing is not None else parse_trailers(source, cwd)
        wanted = [*before, *(Trailer(t.key, _clean_value(t.value)) for t in add)]
        if list(parse_trailers(spliced, cwd)) != wanted:
            return StampResult(message, (), False)
    result = spliced + _terminated(tail)
    return StampResult(result, tuple(add), result != message)


def _risky(message: bytes) -> bool:
    """Shapes where git's placement could split the trailer block or hide a trailer:
    a ``(cherry picked from ...)`` line, a whitespace-only line, or a comment line amid text
    (the usual comment block at the end of an editor's template is not amid text).
    """
    if b"(cherry picked from commit" in message:
        return True
    lines = message.split(b"\n")
    if any(line.strip() == b"" and line != b"" for line in lines):
        return True
    seen_comment = False
    for line in lines:
        if line.startswith(b"#"):
            seen_comment = True
        elif seen_comment and line.strip():
            return True
    return False


def splice(original: bytes, git_output: bytes, new_lines: Sequence[str]) -> bytes | None:
    """Take the lines git inserted and put them into ``original`` at git's insertion point.

    Returns None when git's output cannot be explained as a pure insertion of ``new_lines``
    (plus blank separator lines); the caller then leaves the message untouched.
    """
    orig = original.split(b"\n")
    outl = git_output.split(b"\n")
    n_new = len(outl) - len(orig)
    if n_new < 1:
        return None
    suffix = 0
    limit = len(orig)
    while suffix < limit and orig[-1 - suffix] == outl[-1 - suffix]:
        suffix += 1
    insert_at = len(orig) - suffix
    start = len(outl) - suffix - n_new
    if start < 0:
        return None
    inserted = outl[start : start + n_new]
    expected = {line.encode("utf-8", "surrogateescape") for line in new_lines}
    seen = [line for line in inserted if line.strip()]
    if sorted(seen) != sorted(expected) or len(seen) != len(expected):
        return None
    return b"\n".join(orig[:insert_at] + inserted + orig[insert_at:])


def splice_after_drops(
    original: bytes, git_output: bytes, new_lines: Sequence[str]
) -> bytes | None:
    """Second chance for :func:`splice` when git also *dropped* lines.

    Git leaves out whitespace-only lines at the end of the message body and comment lines
    inside the trailer block. Here the new lines go right after the last line of text before
    the part git kept verbatim (comments, scissors); every original line is kept. Callers
    must check the result with git's parser: this placement is inferred, not observed.
    """
    if not original.endswith(b"\n") or not git_output.endswith(b"\n"):
        return None
    orig = original[:-1].split(b"\n")
    outl = git_output[:-1].split(b"\n")
    new = [line.encode("utf-8", "surrogateescape") for line in new_lines]
    start = _find_block(outl, new)
    if start is None:
        return None
    after = outl[start + len(new) :]
    if after and orig[len(orig) - len(after) :] != after:
        return None
    body = orig[: len(orig) - len(after)]
    text_end = len(body)
    while text_end > 0 and not body[text_end - 1].strip():
        text_end -= 1
    before = outl[:start]
    gap = len(before) - len(_rstrip_blank(before))
    empties = 0
    while text_end + empties < len(body) and body[text_end + empties] == b"":
        empties += 1
    if gap and empties:
        insert_at, inserted = text_end + min(gap, empties), new
    else:
        insert_at, inserted = text_end, ([b""] if gap else []) + new
    if len(_rstrip_blank(before)) > text_end or (before and body and before[0] != body[0]):
        return None
    return b"\n".join(orig[:insert_at] + inserted + orig[insert_at:]) + b"\n"


def _find_block(lines: list[bytes], block: list[bytes]) -> int | None:
    for i in range(len(lines) - len(block), -1, -1):
        if lines[i : i + len(block)] == block:
            return i
    return None


def _rstrip_blank(lines: list[bytes]) -> list[bytes]:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def _terminated(message: bytes) -> bytes:
    # git treats a last line without "\n" as part of the subject paragraph and would glue
    # the trailer to it; a final newline is what cleanup adds anyway.
    return message if not message or message.endswith(b"\n") else message + b"\n"


def _clean_value(value: str) -> str:
    return " ".join(value.split())
