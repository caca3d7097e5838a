"""Typosquat detection, the popular-name snapshot and its rebuild script, hallucinated names.

The snapshot shipped in ``aibom/deps/data`` is always there. Tests that need the full package
lists (``pypi.tsv``, ``npm.tsv``) skip cleanly on a machine without them. No network.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.deps import popular as popular_mod
from aibom.deps.names import normalize
from aibom.deps.types import Ecosystem
from aibom.deps.typosquat import (
    AFFIX,
    EDIT,
    HOMOGLYPH,
    SCOPE,
    SEPARATOR,
    TRANSPOSITION,
    PopularNames,
    TyposquatMatch,
    _is_transposition,
    allowed_distance,
    explain,
    find_typosquat,
    hint,
    load_popular,
    osa_distance,
)

PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM
LISTS = Path("/work/.library/env/packages")
PYPI_TSV, NPM_TSV = LISTS / "pypi.tsv", LISTS / "npm.tsv"
needs_pypi_tsv = pytest.mark.skipif(not PYPI_TSV.is_file(), reason="no pypi.tsv here")
needs_tsvs = pytest.mark.skipif(
    not (PYPI_TSV.is_file() and NPM_TSV.is_file()), reason="no package lists here"
)
FP_LIMIT = 0.01  # at most 1% of popular names flagged as a squat of another popular name


@pytest.fixture(scope="module")
def pypi() -> PopularNames:
    return load_popular(PYPI)


@pytest.fixture(scope="module")
def npm() -> PopularNames:
    return load_popular(NPM)


def popular_of(ecosystem: Ecosystem) -> PopularNames:
    return load_popular(ecosystem)


# --- known attacks -------------------------------------------------------------------------

# Documented malicious typosquats: (name, the project it imitated). Sources, by title:
# [SK] SK-CSIRT advisory "Malicious software libraries in the official Python package
#      repository" (2017), relayed by the PSF's "Typo squatting and malicious packages on
#      PyPI" security announcement (2017)
# [BK] "Detecting Cyber Attacks in the Python Package Index (PyPI)" (Bertus, 2018)
# [DU] reports of December 2019 on two PyPI packages stealing SSH and GPG keys
#      ("python3-dateutil", "jeIlyfish")
# [AS] "How To Detect Typosquatting With Python" (ActiveState, 2022): "request", July 2020
# [SN] Sonatype's report on "pymafka" (2022), a squat of PyKafka
# [CE] "`crossenv` malware on the npm registry" (npm blog, 2017): packages of one account
# [S2] Sonatype's report of four npm packages collecting host data (2020): "electorn",
#      "lodashs", "loadyaml", "loadyml"
DOCUMENTED_PYPI = [
    ("urlib3", "urllib3"),  # [SK]
    ("urllib", "urllib3"),  # [SK]
    ("setup-tools", "setuptools"),  # [SK]
    ("acqusition", "acquisition"),  # [SK]
    ("colourama", "colorama"),  # [BK]
    ("python3-dateutil", "python-dateutil"),  # [DU]
    ("jeIlyfish", "jellyfish"),  # [DU], a capital I for the first l
    ("request", "requests"),  # [AS]
    ("pymafka", "pykafka"),  # [SN]
]
DOCUMENTED_NPM = [
    ("crossenv", "cross-env"),  # [CE], and all below up to d3.js
    ("cross-env.js", "cross-env"),
    ("gruntcli", "grunt-cli"),
    ("http-proxy.js", "http-proxy"),
    ("jquery.js", "jquery"),
    ("mongose", "mongoose"),
    ("mssql.js", "mssql"),
    ("mssql-node", "mssql"),
    ("mysqljs", "mysql"),
    ("nodemailer-js", "nodemailer"),
    ("nodemailer.js", "nodemailer"),
    ("nodesass", "node-sass"),
    ("noderequest", "request"),
    ("d3.js", "d3"),
    ("electorn", "electron"),  # [S2]
    ("lodashs", "lodash"),  # [S2]
]
# Constructed by us to cover each signal (no claim that these were seen in the wild).
CONSTRUCTED_PYPI = [
    ("reqeusts", "requests", TRANSPOSITION),
    ("pandsa", "pandas", TRANSPOSITION),
    ("idan", "idna", TRANSPOSITION),
    ("numpi", "numpy", EDIT),
    ("matplotlb", "matplotlib", EDIT),
    ("tensorfow", "tensorflow", EDIT),
    ("beautifulsop4", "beautifulsoup4", EDIT),
    ("pythondateutil", "python-dateutil", SEPARATOR),
    ("scikitlearn", "scikit-learn", SEPARATOR),
    ("py-yaml", "pyyaml", SEPARATOR),
    ("requests-py", "requests", AFFIX),
    ("python-requests", "requests", AFFIX),
    ("b0to3", "boto3", HOMOGLYPH),
    ("bοto3", "boto3", HOMOGLYPH),  # Greek omicron
    ("rеquests", "requests", HOMOGLYPH),  # Cyrillic ie
    ("s1x", "six", HOMOGLYPH),
    ("rnatplotlib", "matplotlib", HOMOGLYPH),
    ("vvheel", "wheel", HOMOGLYPH),
]
CONSTRUCTED_NPM = [
    ("axois", "axios", TRANSPOSITION),
    ("expres", "express", EDIT),
    ("webpak", "webpack", EDIT),
    ("@types/nodee", "@types/node", EDIT),
    ("@babel/cor", "@babel/core", EDIT),
    ("cross_env", "cross-env", SEPARATOR),
    ("cross.env", "cross-env", SEPARATOR),
    ("reactdom", "react-dom", SEPARATOR),
    ("typesnode", "@types/node", SCOPE),
    ("types-node", "@types/node", SCOPE),
    ("@typesnode", "@types/node", SCOPE),
    ("chalk-js", "chalk", AFFIX),
    ("node-axios", "axios", AFFIX),
    ("lodash.js", "lodash", AFFIX),
    ("l0dash", "lodash", HOMOGLYPH),
    ("rеact", "react", HOMOGLYPH),  # Cyrillic ie
]


@pytest.mark.parametrize(("name", "target"), DOCUMENTED_PYPI + [c[:2] for c in CONSTRUCTED_PYPI])
def test_pypi_attack_names_are_caught(pypi: PopularNames, name: str, target: str) -> None:
    match = find_typosquat(PYPI, name, pypi)
    assert match is not None and match.target == target, match
    assert match.target_rank == pypi.rank(target)


@pytest.mark.parametrize(("name", "target"), DOCUMENTED_NPM + [c[:2] for c in CONSTRUCTED_NPM])
def test_npm_attack_names_are_caught(npm: PopularNames, name: str, target: str) -> None:
    match = find_typosquat(NPM, name, npm)
    assert match is not None and match.target == target, match


@pytest.mark.parametrize(
    ("ecosystem", "name", "target", "kind"),
    [(PYPI, *case) for case in CONSTRUCTED_PYPI] + [(NPM, *case) for case in CONSTRUCTED_NPM],
)
def test_signal_kinds(ecosystem: Ecosystem, name: str, target: str, kind: str) -> None:
    match = find_typosquat(ecosystem, name, popular_of(ecosystem))
    assert match is not None and (match.target, match.kind) == (target, kind), match


def test_detection_summary(pypi: PopularNames, npm: PopularNames) -> None:
    for ecosystem, popular, cases in (
        (PYPI, pypi, DOCUMENTED_PYPI),
        (NPM, npm, DOCUMENTED_NPM),
    ):
        hits = sum(
            1
            for name, target in cases
            if (m := find_typosquat(ecosystem, name, popular)) and m.target == target
        )
        print(f"{ecosystem}: documented squats caught with the right target: {hits}/{len(cases)}")
        assert hits == len(cases)


# --- what is not flagged -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["requests", "Requests", "python_dateutil", "Python.DateUtil"])
def test_popular_names_are_exempt(pypi: PopularNames, name: str) -> None:
    assert find_typosquat(PYPI, name, pypi) is None


@pytest.mark.parametrize("name", ["cross-env", "@types/node", "lodash", "React"])
def test_popular_npm_names_are_exempt(npm: PopularNames, name: str) -> None:
    assert find_typosquat(NPM, name, npm) is None


@pytest.mark.parametrize("name", ["", "aibom-internal-thing", "zq", "xylophone-orchestra-kit"])
def test_unrelated_names(pypi: PopularNames, name: str) -> None:
    assert find_typosquat(PYPI, name, pypi) is None


def test_allowlist(pypi: PopularNames, npm: PopularNames) -> None:
    assert find_typosquat(PYPI, "reqeusts", pypi) is not None
    assert find_typosquat(PYPI, "reqeusts", pypi, frozenset({"reqeusts"})) is None
    # the allowlist is compared normalised
    assert find_typosquat(PYPI, "setup-tools", pypi, frozenset({"Setup_Tools"})) is None
    assert find_typosquat(NPM, "crossenv", npm, frozenset({"CrossEnv"})) is None
    assert find_typosquat(NPM, "crossenv", npm, frozenset({"cross-env"})) is not None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sixx", None),  # 4 characters: no plain edit
        ("sx", None),
        ("sxi", None),  # 3 characters: not even a transposition
        ("flsk", None),
        ("idan", "idna"),  # 4 characters: an adjacent transposition counts
        ("s1x", "six"),  # homoglyphs count at any length
        ("numpi", "numpy"),  # 5 characters: one edit, from a top-200 name only
        ("scaoy", None),  # scapy is not in the top 200, and scipy is 2 edits away
    ],
)
def test_short_names(pypi: PopularNames, name: str, expected: str | None) -> None:
    match = find_typosquat(PYPI, name, pypi)
    assert (match.target if match else None) == expected


def test_short_names_only_against_the_most_popular() -> None:
    names = PopularNames(PYPI, ["alpha", "betas", "gamma"])
    assert allowed_distance(PYPI, 5) == 1
    assert allowed_distance(PYPI, 5, 1) == 1
    assert allowed_distance(PYPI, 5, 201) == 0
    assert allowed_distance(PYPI, 4) == 0
    assert allowed_distance(PYPI, 11) == 1 and allowed_distance(PYPI, 12) == 2
    assert allowed_distance(NPM, 13) == 1 and allowed_distance(NPM, 14) == 2
    match = find_typosquat(PYPI, "alpho", names)
    assert match is not None and match.target == "alpha"
    many = PopularNames(PYPI, [f"filler{i}" for i in range(300)] + ["alpha"])
    assert find_typosquat(PYPI, "alpho", many) is None  # alpha is #301
    assert find_typosquat(PYPI, "lapha", many) is not None  # transpositions still count


def test_plausible_edits_only(pypi: PopularNames) -> None:
    assert find_typosquat(PYPI, "elasticsearch10", pypi) is None  # a version appended
    assert find_typosquat(PYPI, "nvidia-cufft-cu14", pypi) is None  # a version changed
    assert find_typosquat(PYPI, "xumpy", pypi) is None  # the first letter differs


# --- separators, affixes, scopes -----------------------------------------------------------


def test_separators_pypi(pypi: PopularNames) -> None:
    # PEP 503: '-', '_' and '.' are the same name; a removed or added separator is not
    for name in ("pythondateutil", "python-date-util", "python_date.util"):
        match = find_typosquat(PYPI, name, pypi)
        assert match is not None and (match.target, match.kind) == ("python-dateutil", SEPARATOR)


def test_separators_npm(npm: PopularNames) -> None:
    for name in ("crossenv", "cross_env", "cross.env", "cross--env"):
        match = find_typosquat(NPM, name, npm)
        assert match is not None and (match.target, match.kind) == ("cross-env", SEPARATOR)


@pytest.mark.parametrize(
    "name", ["python3-dateutil", "py-dateutil", "dateutil-python", "python-dateutil-py"]
)
def test_affixes_pypi(pypi: PopularNames, name: str) -> None:
    match = find_typosquat(PYPI, name, pypi)
    assert match is not None and match.target == "python-dateutil"


@pytest.mark.parametrize("name", ["requests-py", "pyrequests", "python-requests", "requestspy"])
def test_affixes_add(pypi: PopularNames, name: str) -> None:
    match = find_typosquat(PYPI, name, pypi)
    assert match is not None and match.target == "requests"


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("jquery.js", "jquery"),
        ("node-request", "request"),
        ("js-chalk", "chalk"),
        ("mysqljs", "mysql"),
    ],
)
def test_affixes_npm(npm: PopularNames, name: str, target: str) -> None:
    match = find_typosquat(NPM, name, npm)
    assert match is not None and (match.target, match.kind) == (target, AFFIX)


def test_scopes() -> None:
    names = PopularNames(NPM, ["@types/node", "@babel/core", "left-pad"])
    for name in ("typesnode", "types-node", "types_node", "@typesnode", "@types-node"):
        match = find_typosquat(NPM, name, names)
        assert match is not None and (match.target, match.kind) == ("@types/node", SCOPE), name
    match = find_typosquat(NPM, "@left/pad", names)
    assert match is not None and (match.target, match.kind) == ("left-pad", SCOPE)
    match = find_typosquat(NPM, "@types/nod", names)
    assert match is not None and (match.target, match.kind) == ("@types/node", EDIT)


def test_homoglyphs() -> None:
    names = PopularNames(PYPI, ["requests", "jellyfish", "wheel", "modin", "colorama"])
    cases = {
        "jeIlyfish": "jellyfish",  # capital I for l
        "je1lyfish": "jellyfish",  # digit one
        "reqυests": "requests",  # Greek upsilon
        "rеquеsts": "requests",  # Cyrillic ie twice
        "vvheel": "wheel",  # vv for w
        "rnodin": "modin",  # rn for m
        "c0l0rama": "colorama",  # zeros
    }
    for name, target in cases.items():
        match = find_typosquat(PYPI, name, names)
        assert match is not None and (match.target, match.kind) == (target, HOMOGLYPH), name


# --- choosing among several targets ---------------------------------------------------------


def test_most_popular_target_wins() -> None:
    names = PopularNames(PYPI, ["colorama", "coloramb", "xcolorama"])
    match = find_typosquat(PYPI, "coloramc", names)
    assert match is not None and (match.target, match.target_rank) == ("colorama", 1)
    names = PopularNames(PYPI, ["coloramb", "colorama"])
    match = find_typosquat(PYPI, "coloramc", names)
    assert match is not None and match.target == "coloramb"


def test_stronger_signal_wins_over_popularity() -> None:
    names = PopularNames(NPM, ["sass", "node-sass"])
    match = find_typosquat(NPM, "nodesass", names)  # separator beats the affix to sass
    assert match is not None and (match.target, match.kind) == ("node-sass", SEPARATOR)


def test_rank_ratio_when_the_suspect_is_known() -> None:
    names = PopularNames(PYPI, ["requests"] + [f"pad{i}" for i in range(30)] + ["requestz"])
    assert find_typosquat(PYPI, "requestz", names) is None  # popular itself
    match = find_typosquat(PYPI, "requestz", names, exempt_popular=False)
    assert match is not None and match.target == "requests"  # rank 1 vs 32
    assert find_typosquat(PYPI, "requestz", names, exempt_popular=False, suspect_rank=32)
    assert not find_typosquat(PYPI, "requestz", names, exempt_popular=False, suspect_rank=9)


# --- explain, hint -------------------------------------------------------------------------


def test_explain_and_hint(pypi: PopularNames, npm: PopularNames) -> None:
    match = find_typosquat(PYPI, "reqeusts", pypi)
    assert match is not None
    rank = pypi.rank("requests")
    assert explain(match, "reqeusts") == (
        f"`reqeusts` is 1 transposition from `requests` (#{rank} most downloaded)"
    )
    assert hint(match) == "did you mean `requests`?"
    texts = {
        "urlib3": "is 1 edit from `urllib3`",
        "setup-tools": "differs from `setuptools` only in separators",
        "requests-py": "is `requests` with a language prefix or suffix added or removed",
        "jeIlyfish": "spells `jellyfish` with look-alike characters",
    }
    for name, text in texts.items():
        match = find_typosquat(PYPI, name, pypi)
        assert match is not None
        line = explain(match, name)
        assert line.startswith(f"`{name}` {text} (#") and line.endswith(" most downloaded)")
        assert "\n" not in line
    match = find_typosquat(NPM, "types-node", npm)
    assert match is not None
    assert "only in its scope" in explain(match, "types-node")


# --- distance and candidate generation ------------------------------------------------------


def reference_osa(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_osa_distance_examples() -> None:
    assert osa_distance("requests", "requests", 2) == 0
    assert osa_distance("reqeusts", "requests", 2) == 1
    assert osa_distance("urlib3", "urllib3", 2) == 1
    assert osa_distance("ca", "abc", 5) == 3  # OSA, not unrestricted Damerau-Levenshtein (2)
    assert osa_distance("kitten", "sitting", 5) == 3
    assert osa_distance("kitten", "sitting", 1) == 2  # above the limit: limit + 1


@given(st.text("abcd", max_size=9), st.text("abcd", max_size=9), st.integers(0, 4))
def test_osa_distance_matches_reference(a: str, b: str, limit: int) -> None:
    assert osa_distance(a, b, limit) == min(reference_osa(a, b), limit + 1)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([PYPI, NPM]),
    st.lists(st.text("abcde", min_size=3, max_size=16), min_size=1, max_size=25, unique=True),
    st.text("abcde", min_size=1, max_size=16),
    st.data(),
)
def test_candidates_are_complete(
    ecosystem: Ecosystem, names: list[str], query: str, data: st.DataObject
) -> None:
    """The index finds exactly the names a brute-force scan finds."""
    if data.draw(st.booleans()):  # often derive the query from a popular name
        base = data.draw(st.sampled_from(names))
        for _ in range(data.draw(st.integers(1, 2))):
            at = data.draw(st.integers(0, len(base)))
            op = data.draw(st.sampled_from(["sub", "ins", "del", "swap"]))
            char = data.draw(st.sampled_from("abcde"))
            if op == "sub" and at < len(base):
                base = base[:at] + char + base[at + 1 :]
            elif op == "ins":
                base = base[:at] + char + base[at:]
            elif op == "del" and at < len(base):
                base = base[:at] + base[at + 1 :]
            elif op == "swap" and at + 1 < len(base):
                base = base[:at] + base[at + 1] + base[at] + base[at + 2 :]
        query = base or query
    popular = PopularNames(ecosystem, names)
    index = popular.index()
    found = set(index.near(query))
    expected = set()
    for rank, target in enumerate(index.keys, 1):
        distance = reference_osa(query, target)
        allowed = min(
            allowed_distance(ecosystem, len(query)),
            allowed_distance(ecosystem, len(target), rank),
        )
        if 0 < distance <= allowed or (
            distance == 1 and len(query) >= 4 and _is_transposition(query, target)
        ):
            expected.add((rank, distance))
    assert found == expected


# --- false positives, measured -------------------------------------------------------------


def flagged_popular(ecosystem: Ecosystem, *, use_rank: bool) -> list[tuple[str, TyposquatMatch]]:
    """Each popular name checked against the others (itself skipped, no exemption)."""
    popular = popular_of(ecosystem)
    out = []
    for rank, name in enumerate(popular.names, 1):
        match = find_typosquat(
            ecosystem,
            name,
            popular,
            exempt_popular=False,
            suspect_rank=rank if use_rank else None,
        )
        if match is not None:
            out.append((name, match))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_false_positive_rate(ecosystem: Ecosystem) -> None:
    popular = popular_of(ecosystem)
    flagged = flagged_popular(ecosystem, use_rank=True)
    rate = len(flagged) / len(popular)
    print(
        f"\n{ecosystem}: {len(flagged)} of {len(popular)} popular names flagged as a squat of "
        f"a >= 10x more popular one: {rate:.2%}"
    )
    for name, match in flagged[:15]:
        print(f"  {name} -> {match.target} ({match.kind})")
    assert rate <= FP_LIMIT, f"{len(flagged)}/{len(popular)} = {rate:.2%}"


@pytest.mark.slow
@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_false_positive_rate_without_popularity(ecosystem: Ecosystem) -> None:
    """Reported, not asserted: no popularity rule at all, so a popular name may even be
    flagged against a less popular one (``tqdm`` against ``tdqm``)."""
    popular = popular_of(ecosystem)
    flagged = flagged_popular(ecosystem, use_rank=False)
    print(
        f"\n{ecosystem}: without the popularity rule {len(flagged)} of {len(popular)} "
        f"flagged: {len(flagged) / len(popular):.2%}"
    )


@needs_pypi_tsv
@pytest.mark.slow
def test_long_tail_flag_rate(pypi: PopularNames) -> None:
    """Reported, not asserted: 2,000 real non-popular PyPI names, drawn evenly from the
    sorted list (deterministic). Some are squats, most are look-alikes by design."""
    names = []
    with PYPI_TSV.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        name_at = header.index("name")
        rank_at = header.index(popular_mod.PYPI_RANK_COLUMN)
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > rank_at and not fields[rank_at].strip():
                names.append(fields[name_at])
    names.sort()
    sample = [name for name in names[:: len(names) // 2000] if name not in pypi][:2000]
    started = time.perf_counter()
    flagged = [name for name in sample if find_typosquat(PYPI, name, pypi)]
    per_query = (time.perf_counter() - started) / len(sample)
    print(
        f"\nlong tail: {len(flagged)} of {len(sample)} non-popular names flagged "
        f"({len(flagged) / len(sample):.1%}); {per_query * 1e6:.0f} us per query"
    )
    assert len(sample) == 2000


# --- speed ---------------------------------------------------------------------------------


def test_load_and_index_speed() -> None:
    for ecosystem in (PYPI, NPM):
        started = time.perf_counter()
        popular = PopularNames(ecosystem, popular_mod.popular_lines(ecosystem), normalized=True)
        loaded = time.perf_counter()
        popular.index()
        built = time.perf_counter()
        print(
            f"\n{ecosystem}: load {1e3 * (loaded - started):.1f} ms, "
            f"index {1e3 * (built - loaded):.1f} ms, {len(popular)} names"
        )
        assert loaded - started < 1.0
        assert built - loaded < 3.0
    assert load_popular(PYPI) is load_popular(PYPI)  # cached per process


def test_query_speed(pypi: PopularNames, npm: PopularNames) -> None:
    pypi.index()
    npm.index()
    queries = [name for name, _ in DOCUMENTED_PYPI] + [c[0] for c in CONSTRUCTED_PYPI]
    queries += [f"{name}x" for name in pypi.names[:200]] + [f"z{name}" for name in pypi.names[:200]]
    started = time.perf_counter()
    for name in queries:
        find_typosquat(PYPI, name, pypi)
    per_query = (time.perf_counter() - started) / len(queries)
    npm_queries = [name for name, _ in DOCUMENTED_NPM] + [f"{n}-x" for n in npm.names[:300]]
    started = time.perf_counter()
    for name in npm_queries:
        find_typosquat(NPM, name, npm)
    npm_per_query = (time.perf_counter() - started) / len(npm_queries)
    print(f"\nper query: PyPI {per_query * 1e6:.0f} us, npm {npm_per_query * 1e6:.0f} us")
    assert per_query < 0.005 and npm_per_query < 0.005  # generous: the target is < 1 ms


# --- popular names container ----------------------------------------------------------------


def test_popular_names_container(pypi: PopularNames) -> None:
    assert pypi.rank("Requests") == pypi.rank("requests") and pypi.rank("requests") is not None
    assert "Python_DateUtil" in pypi and "reqeusts" not in pypi and 3 not in pypi
    assert next(iter(pypi)) == pypi.names[0] and pypi.rank(pypi.names[0]) == 1
    assert pypi.rank("no-such-project-anywhere") is None
    names = PopularNames(PYPI, ["A_B", "a-b", "c"])
    assert names.names == ("a-b", "c") and names.rank("c") == 2


def test_shipped_snapshot_shape() -> None:
    for ecosystem, source, size in ((PYPI, "pypi.tsv", 10_000), (NPM, "npm.tsv", 10_000)):
        text = popular_mod.data_text(f"popular-{ecosystem}.txt")
        header, *names = text.splitlines()
        assert header.startswith(f"# source: {source}, built ")
        assert header.endswith(f", {len(names)} names")
        assert len(names) >= size and len(set(names)) == len(names)
        assert all(normalize(ecosystem, name) == name for name in names)


# --- the rebuild script --------------------------------------------------------------------


@needs_tsvs
@pytest.mark.slow
def test_snapshot_is_what_the_script_builds(tmp_path: Path) -> None:
    shipped = {e: popular_mod.data_text(f"popular-{e}.txt") for e in (PYPI, NPM)}
    dates = {text.split(", built ", 1)[1].split(",", 1)[0] for text in shipped.values()}
    assert len(dates) == 1  # both lists were built together
    popular_mod.build(PYPI_TSV, NPM_TSV, tmp_path, date=dates.pop())
    for ecosystem, text in shipped.items():
        assert (tmp_path / f"popular-{ecosystem}.txt").read_text(encoding="utf-8") == text


def write_tsv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_lists(tmp_path: Path) -> tuple[Path, Path]:
    pypi = write_tsv(
        tmp_path / "p.tsv",
        "name\tversion\tmonth\trank_among_15000_most_downloaded\tsummary",
        [
            "Zeta_Pkg\t1\t2024-01\t3\tz",
            "alpha\t1\t2024-01\t1\ta",
            "unranked\t1\t2024-01\t\tu",
            "zeta.pkg\t1\t2024-01\t7\tduplicate once normalised",
            "beta\t1\t2024-01\t2\tb",
        ],
    )
    npm = write_tsv(
        tmp_path / "n.tsv",
        "name\tversion\tdownloads_a_month\tsummary",
        ["b\t1\t50\t", "a\t1\t50\t", "@s/C\t1\t90\t", "d\t1\t\tno count", "e\t1\t10\t"],
    )
    return pypi, npm


def test_script_builds_deterministically(small_lists: tuple[Path, Path], tmp_path: Path) -> None:
    pypi, npm = small_lists
    out = tmp_path / "out"
    out.mkdir()
    args = ["--pypi", str(pypi), "--npm", str(npm), "--out", str(out), "--date", "2026-01-02"]
    assert popular_mod.main([*args, "--npm-count", "3"]) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert popular_mod.main([*args, "--npm-count", "3"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert first["popular-pypi.txt"].decode() == (
        "# source: p.tsv, built 2026-01-02, 3 names\nalpha\nbeta\nzeta-pkg\n"
    )
    assert first["popular-npm.txt"].decode() == (
        "# source: n.tsv, built 2026-01-02, 3 names\n@s/c\na\nb\n"
    )


def test_script_runs_as_a_module(small_lists: tuple[Path, Path], tmp_path: Path) -> None:
    pypi, npm = small_lists
    out = tmp_path / "out"
    out.mkdir()
    cmd = [sys.executable, "-m", "aibom.deps.popular", "--pypi", str(pypi), "--npm", str(npm)]
    done = subprocess.run(
        [*cmd, "--out", str(out), "--pypi-count", "2"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    text = (out / "popular-pypi.txt").read_text(encoding="utf-8")
    assert text.splitlines()[1:] == ["alpha", "beta"] and ", 2 names" in text


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("pypi", None, "no such file"),
        ("npm", None, "no such file"),
        ("pypi", "name\tversion\tsummary\nx\t1\ts\n", "no column rank_among_15000_most_downloaded"),
        ("npm", "package\tdownloads_a_month\nx\t3\n", "no column name"),
        ("npm", "", "no column name, downloads_a_month"),
    ],
)
def test_script_errors(
    small_lists: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    which: str,
    content: str | None,
    message: str,
) -> None:
    pypi, npm = small_lists
    bad = tmp_path / "bad.tsv"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    paths = {"pypi": pypi, "npm": npm, which: bad}
    out = tmp_path / "out"
    out.mkdir()
    code = popular_mod.main(
        ["--pypi", str(paths["pypi"]), "--npm", str(paths["npm"]), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err and str(bad) in err
    assert not list(out.iterdir())


def test_script_rejects_a_missing_output_dir(
    small_lists: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pypi, npm = small_lists
    args = ["--pypi", str(pypi), "--npm", str(npm), "--out", str(tmp_path / "nope")]
    assert popular_mod.main(args) == 2
    assert "not a directory" in capsys.readouterr().err


# --- known hallucinated names --------------------------------------------------------------


def test_known_hallucinated() -> None:
    pypi = popular_mod.known_hallucinated(PYPI)
    npm = popular_mod.known_hallucinated(NPM)
    assert "huggingface-cli" in pypi and "react-codeshift" in npm
    assert popular_mod.registered_hallucinations(PYPI) <= pypi
    assert "huggingface-cli" in popular_mod.registered_hallucinations(PYPI)
    assert popular_mod.registered_hallucinations(NPM) <= npm
    extra = popular_mod.known_hallucinated(PYPI, ["My_Fake.Pkg", ""])
    assert "my-fake-pkg" in extra and pypi < extra and "" not in extra
    assert popular_mod.known_hallucinated(NPM, ["Left-Pad-Pro"]) == npm | {"left-pad-pro"}


def test_hallucinated_files_cite_their_sources() -> None:
    for ecosystem in (PYPI, NPM):
        text = popular_mod.data_text(f"hallucinated-{ecosystem}.txt")
        comments = [line for line in text.splitlines() if line.startswith("#")]
        assert text.startswith("#") and any("Sources:" in line for line in comments)
        assert "We Have a Package for You!" in text
        assert "://" not in text  # titles, not addresses
        entries = [line for line in text.splitlines() if line and not line.startswith("#")]
        assert entries and all("#" in line for line in entries)  # each cites its source
