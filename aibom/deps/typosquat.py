"""Typosquat detection: is a new dependency's name a look-alike of a popular project's name?

A name is compared with the shipped snapshot of the most downloaded projects
(:mod:`aibom.deps.popular`). Signals, strongest first:

* **homoglyph**: equal once look-alike characters are folded: ``0``/``o``, ``1``/``l``/``i``,
  ``rn``/``m``, ``vv``/``w`` and the Cyrillic and Greek letters that look Latin
  (``jeIlyfish``, ``reqսests``);
* **separator**: equal once ``-``, ``_`` and ``.`` are removed (``crossenv`` for
  ``cross-env``; on PyPI, where PEP 503 already equates the separators, ``setup-tools`` for
  ``setuptools``);
* **scope** (npm): equal once the scope's ``@`` and ``/`` are removed too (``types-node`` or
  ``typesnode`` for ``@types/node``);
* **transposition** and **edit**: an optimal-string-alignment (Damerau-Levenshtein) distance
  allowed by length, counted without separators on PyPI and on the whole name on npm. Short
  names are dense, one letter apart is often another real project (``scipy``/``scapy``,
  ``typer``/``hyper``): names of at most 4 characters get no plain edit, only an adjacent
  transposition (``idan`` for ``idna``); a 5-character popular name is reachable by one edit
  only when it is among the 200 most downloaded (500 on npm, whose ranking favours
  transitive dependencies). From 6 characters one edit is allowed, and two from 12 on PyPI,
  from 14 on npm, whose long names come in large families (``@types/*``,
  ``@babel/plugin-*``); a pair gets the smaller allowance of its two names. A plain edit
  must also look like a typo: it keeps the first character, does not merely add or change a
  version number (``gitdb2``, ``nvidia-cufft-cu11``; dropping one still counts: ``urllib``),
  and when the names differ in one word of several, that word keeps most of its letters
  (``mypy-boto3-kms`` is not a typo of ``mypy-boto3-rds``);
* **affix**: equal once a language affix is added or removed: ``py``, ``python``,
  ``python3`` (``python3-dateutil``, ``requests-py``) on PyPI; ``node-``, ``js-``, ``-js``,
  ``.js``, ``-node`` (``jquery.js``, ``noderequest``) on npm.

When several popular names match, the strongest kind of signal wins, then the most popular
name. A name that is itself popular, or allowlisted, is never reported.

Everything is indexed once per process (lazily, on first use): exact maps for the folded
forms and, for edits, a pigeonhole index: a name within ``k`` edits of a popular name of
length ``n`` contains one of that name's ``k + 1`` pieces unchanged, shifted by at most
``k``; transpositions are undone by trying each adjacent swap of the query. A query then
costs a few hundred dictionary look-ups and a handful of bounded distance computations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from aibom.deps.names import fold as normalize  # compare npm names case-blind
from aibom.deps.types import Ecosystem

HOMOGLYPH = "homoglyph"
SEPARATOR = "separator"
SCOPE = "scope"
TRANSPOSITION = "transposition"
EDIT = "edit"
AFFIX = "affix"

# Signal strength: a lower tier wins over a more popular target of a higher tier.
_TIER = {HOMOGLYPH: 0, SEPARATOR: 0, SCOPE: 0, TRANSPOSITION: 1, EDIT: 1, AFFIX: 1}

# When the suspect's own popularity is known (a legitimate but less downloaded project), the
# target must be this many times more popular by rank to count.
RANK_RATIO = 10


@dataclass(frozen=True)
class TyposquatMatch:
    target: str  # the popular name, normalised
    kind: str  # "edit" | "transposition" | "separator" | "affix" | "homoglyph" | "scope"
    distance: int  # edit distance between the normalised names (separators counted)
    target_rank: int  # 1 = the most downloaded


# --- folding -------------------------------------------------------------------------------

_CONFUSABLE = str.maketrans(
    {
        # ASCII look-alikes
        "0": "o",
        "1": "l",
        "i": "l",
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "н": "h",
        "і": "l",
        "ї": "l",
        "ӏ": "l",
        "ј": "j",
        "к": "k",
        "м": "m",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "с": "c",
        "ѕ": "s",
        "т": "t",
        "у": "y",
        "х": "x",
        "ԁ": "d",
        "ԝ": "w",
        "ս": "u",  # Armenian
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "l",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ω": "w",
    }
)
_SEPARATORS = str.maketrans("", "", "-_.")
_SCOPE_MARKS = str.maketrans("", "", "-_./@")


def _skeleton(flat: str) -> str:
    return flat.translate(_CONFUSABLE).replace("rn", "m").replace("vv", "w")


def _flat(name: str) -> str:
    """A normalised name without separators, nor scope marks."""
    return name.translate(_SCOPE_MARKS)


def _scoped(name: str) -> tuple[str, str]:
    if name.startswith("@") and "/" in name:
        scope, _, rest = name.partition("/")
        return scope + "/", rest
    return "", name


# Affixes as (text, at_start), longest first so that ``python3-`` is tried before ``py``.
_PY = ("python3", "python", "py3", "py")
_AFFIXES: dict[Ecosystem, tuple[tuple[str, bool], ...]] = {
    Ecosystem.PYPI: (
        *((word + "-", True) for word in _PY),
        *(("-" + word, False) for word in _PY),
        *((word, True) for word in _PY),
        *((word, False) for word in _PY),
    ),
    Ecosystem.NPM: (
        ("nodejs-", True),
        ("node-", True),
        ("node.", True),
        ("js-", True),
        ("nodejs", True),
        ("node", True),
        ("-nodejs", False),
        ("-node", False),
        (".node", False),
        ("-js", False),
        (".js", False),
        ("js", False),
    ),
}
_STARTS = {eco: tuple(text for text, start in table if start) for eco, table in _AFFIXES.items()}
_ENDS = {eco: tuple(text for text, start in table if not start) for eco, table in _AFFIXES.items()}
# A shorter core says nothing (``py-io`` is no squat of ``io``); npm's ``d3.js`` is of ``d3``.
_MIN_CORE = {Ecosystem.PYPI: 3, Ecosystem.NPM: 2}


def _cores(ecosystem: Ecosystem, name: str) -> list[str]:
    """The flat forms of ``name`` without one language affix (none when it has none)."""
    scope, rest = _scoped(name)
    if not (rest.startswith(_STARTS[ecosystem]) or rest.endswith(_ENDS[ecosystem])):
        return []
    cores: list[str] = []
    for text, at_start in _AFFIXES[ecosystem]:
        if at_start and rest.startswith(text):
            core = rest[len(text) :]
        elif not at_start and rest.endswith(text):
            core = rest[: -len(text)]
        else:
            continue
        flat = _flat(core)
        if len(flat) >= _MIN_CORE[ecosystem] and (core := _flat(scope) + flat) not in cores:
            cores.append(core)
    return cores


# --- distance ------------------------------------------------------------------------------


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein where a transposed pair is not
    edited again); any value above ``limit`` is returned as ``limit + 1``."""
    if a == b:
        return 0
    over = limit + 1
    start, stop = 0, min(len(a), len(b))
    while start < stop and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return over
    if not la or not lb:
        return la or lb
    before: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] * (lb + 1)
        ca = a[i - 1]
        lowest = i
        for j in range(1, lb + 1):
            cb = b[j - 1]
            value = previous[j - 1] if ca == cb else previous[j - 1] + 1
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and before[j - 2] + 1 < value:
                value = before[j - 2] + 1
            current[j] = value
            if value < lowest:
                lowest = value
        if lowest > limit:
            return over
        before, previous = previous, current
    return previous[lb] if previous[lb] <= limit else over


def _is_transposition(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    first, second = diff
    return a[first] == b[second] and a[second] == b[first]


# Allowed distance by length of the compared form (separators removed on PyPI).
_LONG = {Ecosystem.PYPI: 12, Ecosystem.NPM: 14}
_TRANSPOSE_FROM = 4


_SHORT = 5  # names this short get no plain edit, but against the most popular few
_TOP_SHORT = {Ecosystem.PYPI: 200, Ecosystem.NPM: 500}


def allowed_distance(ecosystem: Ecosystem, length: int, rank: int | None = None) -> int:
    """The edit distance allowed from a name of ``length`` characters (separators removed
    on PyPI); ``rank`` is the name's popularity when it is a popular one."""
    if length < _SHORT or (length == _SHORT and rank is not None and rank > _TOP_SHORT[ecosystem]):
        return 0
    if length >= _LONG[ecosystem]:
        return 2
    return 1


@cache
def _pieces(length: int, count: int) -> list[tuple[int, int]]:
    """``count`` contiguous (start, size) pieces covering ``length`` characters."""
    base, extra = divmod(length, count)
    out, start = [], 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        out.append((start, size))
        start += size
    return out


# --- the popular names ---------------------------------------------------------------------


class PopularNames:
    """The most downloaded names of one ecosystem, normalised, most popular first."""

    def __init__(
        self, ecosystem: Ecosystem, names: Iterable[str], *, normalized: bool = False
    ) -> None:
        """``names`` most popular first; ``normalized`` when they already are (the shipped
        snapshot), which saves normalising them again."""
        self.ecosystem = ecosystem
        rank: dict[str, int] = {}
        for name in names:
            key = name if normalized else normalize(ecosystem, name)
            if key and key not in rank:
                rank[key] = len(rank) + 1
        self._rank = rank
        self.names: tuple[str, ...] = tuple(rank)
        self._frozen = frozenset(rank)
        self._index: _Index | None = None

    def rank(self, name: str) -> int | None:
        """1 for the most downloaded; None when ``name`` is not in the snapshot."""
        return self._rank.get(normalize(self.ecosystem, name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize(self.ecosystem, name) in self._frozen

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def index(self) -> _Index:
        """The look-up structures, built on first use."""
        if self._index is None:
            import gc

            collecting = gc.isenabled()
            gc.disable()  # the build allocates many small lists; collecting them halves its speed
            try:
                self._index = _Index(self.ecosystem, self.names)
            finally:
                if collecting:
                    gc.enable()
        return self._index


_LOADED: dict[Ecosystem, PopularNames] = {}


def load_popular(ecosystem: Ecosystem) -> PopularNames:
    """The shipped snapshot of ``ecosystem``, read once per process."""
    popular = _LOADED.get(ecosystem)
    if popular is None:
        from aibom.deps.popular import popular_lines

        popular = _LOADED[ecosystem] = PopularNames(
            ecosystem, popular_lines(ecosystem), normalized=True
        )
    return popular


class _Index:
    """Look-up structures over one snapshot; values are 1-based ranks, ascending."""

    def __init__(self, ecosystem: Ecosystem, names: tuple[str, ...]) -> None:
        self.ecosystem = ecosystem
        self.names = names
        self.keys: list[str] = []  # by rank - 1: the form edits are measured on
        self.exact: dict[str, list[int]] = {}
        self.flat: dict[str, list[int]] = {}
        self.skeleton: dict[str, list[int]] = {}
        self.core: dict[str, list[int]] = {}
        # (length, piece number) -> piece -> ranks of the names of that length having it
        self.pieces: dict[tuple[int, int], dict[str, list[int]]] = {}
        keys, exact, flats, skeletons = self.keys, self.exact, self.flat, self.skeleton
        cores, pieces = self.core, self.pieces
        splits: dict[int, list[tuple[int, int, dict[str, list[int]]]]] = {}
        for rank, name in enumerate(names, 1):
            key = self.key(name)
            keys.append(key)
            flat = _flat(name)
            for table, form in ((exact, key), (flats, flat), (skeletons, _skeleton(flat))):
                if form in table:
                    table[form].append(rank)
                else:
                    table[form] = [rank]
            for core in _cores(ecosystem, name):
                if core in cores:
                    cores[core].append(rank)
                else:
                    cores[core] = [rank]
            length = len(key)
            if length == _SHORT and rank > _TOP_SHORT[ecosystem]:
                continue
            split = splits.get(length)
            if split is None:
                allowed = allowed_distance(ecosystem, length)
                split = splits[length] = [
                    (start, size, pieces.setdefault((length, number), {}))
                    for number, (start, size) in enumerate(_pieces(length, allowed + 1))
                    if allowed
                ]
            for start, size, table in split:
                piece = key[start : start + size]
                if piece in table:
                    table[piece].append(rank)
                else:
                    table[piece] = [rank]

    def key(self, name: str) -> str:
        return name.translate(_SEPARATORS) if self.ecosystem is Ecosystem.PYPI else name

    def near(self, key: str) -> Iterator[tuple[int, int]]:
        """(rank, distance) of the popular names within the allowed edit distance of ``key``
        (distance >= 1; the smaller allowance of the two lengths), transpositions included."""
        length = len(key)
        reach = allowed_distance(self.ecosystem, length)
        seen: set[int] = set()
        if length >= _TRANSPOSE_FROM:
            for at in range(length - 1):
                if key[at] == key[at + 1]:
                    continue
                swapped = key[:at] + key[at + 1] + key[at] + key[at + 2 :]
                for rank in self.exact.get(swapped, ()):
                    if rank not in seen:
                        seen.add(rank)
                        yield rank, 1
                if reach >= 2:  # a transposition and one more edit
                    yield from self._pigeonhole(swapped, 1, key, reach, seen)
        if reach:
            yield from self._pigeonhole(key, reach, key, reach, seen)

    def _pigeonhole(
        self, probe: str, shift: int, key: str, reach: int, seen: set[int]
    ) -> Iterator[tuple[int, int]]:
        """Candidates sharing a piece with ``probe`` (at most ``shift`` edits away), checked
        against ``key``."""
        length = len(probe)
        for target_length in range(max(1, length - shift), length + shift + 1):
            allowed = allowed_distance(self.ecosystem, target_length)
            near = min(shift, allowed)
            if not near:
                continue
            limit = min(reach, allowed)
            for number, (start, size) in enumerate(_pieces(target_length, allowed + 1)):
                table = self.pieces.get((target_length, number))
                if not table:
                    continue
                for at in range(max(0, start - near), min(length - size, start + near) + 1):
                    for rank in table.get(probe[at : at + size], ()):
                        if rank in seen:
                            continue
                        seen.add(rank)
                        distance = osa_distance(key, self.keys[rank - 1], limit)
                        if 0 < distance <= limit:
                            yield rank, distance


def _normalize_all(ecosystem: Ecosystem, names: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize(ecosystem, name) for name in names)


def find_typosquat(
    ecosystem: Ecosystem,
    name: str,
    popular: PopularNames,
    allow: frozenset[str] = frozenset(),
    *,
    exempt_popular: bool = True,
    suspect_rank: int | None = None,
) -> TyposquatMatch | None:
    """The popular name that ``name`` most likely imitates, or None.

    None when ``name`` (normalised) is popular itself or in ``allow``. With
    ``exempt_popular=False`` a popular name is checked against the others (its own entry is
    skipped): that is how the false-positive rate is measured. ``suspect_rank``, when the
    suspect's own popularity is known, requires the target to be ``RANK_RATIO`` times more
    popular.
    """
    normal = normalize(ecosystem, name)
    if not normal or (allow and normal in _normalize_all(ecosystem, allow)):
        return None
    own = popular.rank(normal)
    if own is not None and exempt_popular:
        return None
    index = popular.index()
    found: list[tuple[int, int, int, str]] = []  # (tier, rank, distance, kind)

    def consider(rank: int, kind: str, distance: int) -> None:
        if rank == own:
            return
        if suspect_rank is not None and rank * RANK_RATIO > suspect_rank:
            return
        found.append((_TIER[kind], rank, distance, kind))

    key = index.key(normal)
    flat = _flat(normal)
    scope = _scoped(normal)[0]
    for rank in index.flat.get(flat, ()):
        target = index.names[rank - 1]
        kind = SCOPE if _scoped(target)[0] != scope else SEPARATOR
        consider(rank, kind, _distance(normal, target))
    for rank in index.skeleton.get(_skeleton(flat), ()):
        target = index.names[rank - 1]
        if _flat(target) != flat:
            consider(rank, HOMOGLYPH, _distance(normal, target))
    for rank, distance in index.near(key):
        target_key = index.keys[rank - 1]
        if _is_transposition(key, target_key):
            consider(rank, TRANSPOSITION, distance)
        elif _plausible_edit(normal, index.names[rank - 1], key, target_key):
            consider(rank, EDIT, distance)
    cores = _cores(ecosystem, normal)
    probes = [(index.core, flat)] + [
        (table, core) for core in cores for table in (index.flat, index.core)
    ]
    for table, probe in probes:
        for rank in table.get(probe, ()):
            target = index.names[rank - 1]
            if _flat(target) != flat:
                consider(rank, AFFIX, _distance(normal, target))
    if not found:
        return None
    _, rank, distance, kind = min(found)
    return TyposquatMatch(index.names[rank - 1], kind, distance, rank)


def _plausible_edit(name: str, target: str, key: str, target_key: str) -> bool:
    """Whether a plain edit between two names looks like a typo rather than a naming scheme:
    typos keep the first character; a version number added or changed (``gitdb2``,
    ``nvidia-cufft-cu11``) is a convention, though one dropped is not (``urllib``); and when
    the names differ in one word of several, that word must be mostly kept
    (``mypy-boto3-kms`` is no typo of ``mypy-boto3-rds``)."""
    if key[0] != target_key[0]:
        return False
    added, removed = _difference(key, target_key)
    if added.isdigit() and (not removed or removed.isdigit()):
        return False
    words, target_words = _words(name), _words(target)
    if len(words) > 1 and len(words) == len(target_words):
        changed = [(w, t) for w, t in zip(words, target_words, strict=True) if w != t]
        if len(changed) == 1:
            word, target_word = changed[0]
            return 3 * osa_distance(word, target_word, len(target_word)) < len(target_word)
    return True


def _difference(a: str, b: str) -> tuple[str, str]:
    """What is left of ``a`` and of ``b`` once their common prefix and suffix are removed."""
    start, stop = 0, min(len(a), len(b))
    while start < stop and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    return a[start:end_a], b[start:end_b]


_WORD_SPLIT = str.maketrans("_./@", "----")


def _words(name: str) -> list[str]:
    return [word for word in name.translate(_WORD_SPLIT).split("-") if word]


def _distance(a: str, b: str) -> int:
    return osa_distance(a, b, max(len(a), len(b)))


def explain(match: TyposquatMatch, name: str) -> str:
    """One line: why ``name`` looks like a typosquat of ``match.target``."""
    target, d = f"`{match.target}`", match.distance
    if match.kind == TRANSPOSITION:
        why = f"is {d} transposition from {target}"
    elif match.kind == EDIT:
        why = f"is {d} {'edit' if d == 1 else 'edits'} from {target}"
    elif match.kind == SEPARATOR:
        why = f"differs from {target} only in separators"
    elif match.kind == SCOPE:
        why = f"differs from {target} only in its scope and separators"
    elif match.kind == AFFIX:
        why = f"is {target} with a language prefix or suffix added or removed"
    elif match.kind == HOMOGLYPH:
        why = f"spells {target} with look-alike characters"
    else:
        why = f"is close to {target}"
    return f"`{name}` {why} (#{match.target_rank} most downloaded)"


def hint(match: TyposquatMatch) -> str:
    """The fix to suggest."""
    return f"did you mean `{match.target}`?"
