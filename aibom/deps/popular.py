"""The name lists shipped with the dependency gate, and the script that rebuilds the snapshot.

``data/popular-pypi.txt`` and ``data/popular-npm.txt`` hold the most downloaded project names
of each registry, most popular first, one per line after a ``# source: ...`` comment line.
Rebuild them from tab-separated package lists::

    python -m aibom.deps.popular --pypi pypi.tsv --npm npm.tsv [--out DIR]
        [--pypi-count 15000] [--npm-count 10000] [--date YYYY-MM-DD]

A PyPI list needs the columns ``name`` and ``rank_among_15000_most_downloaded`` (rows with an
empty rank are skipped); an npm list needs ``name`` and ``downloads_a_month``. The output only
depends on the input: names are normalised (PEP 503 for PyPI, lower case for npm), duplicates
keep their best position, ties are broken by name, and the date in the header is the input
file's modification date unless ``--date`` is given.

``data/hallucinated-*.txt`` list names that published research and security reports saw
code-generating models invent; :func:`known_hallucinated` reads them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from aibom.deps.names import fold as normalize  # compare npm names case-blind
from aibom.deps.types import Ecosystem

PYPI_RANK_COLUMN = "rank_among_15000_most_downloaded"
NPM_DOWNLOADS_COLUMN = "downloads_a_month"
DEFAULT_PYPI_COUNT = 15_000
DEFAULT_NPM_COUNT = 10_000
REGISTERED = "registered"

_DATA_DIR = Path(__file__).resolve().parent / "data"
_POPULAR_FILES = {Ecosystem.PYPI: "popular-pypi.txt", Ecosystem.NPM: "popular-npm.txt"}
_HALLUCINATED_FILES = {
    Ecosystem.PYPI: "hallucinated-pypi.txt",
    Ecosystem.NPM: "hallucinated-npm.txt",
}


class SourceError(Exception):
    """A source list that cannot be used: missing, unreadable, or without a needed column."""


def data_text(filename: str) -> str:
    """The text of one file of ``aibom/deps/data``, shipped with the package. Read next to
    this module when installed as files (importing importlib.resources costs more than
    reading the file: this runs in git hooks); through importlib.resources otherwise."""
    try:
        with open(_DATA_DIR / filename, encoding="utf-8") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        from importlib.resources import files

        return (files("aibom.deps") / "data" / filename).read_text(encoding="utf-8")


def popular_lines(ecosystem: Ecosystem) -> list[str]:
    """The shipped snapshot of ``ecosystem``: normalised names, most popular first."""
    return _names(data_text(_POPULAR_FILES[ecosystem]))


def _names(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _hallucinated_entries(ecosystem: Ecosystem) -> list[tuple[str, bool]]:
    entries = []
    for raw in data_text(_HALLUCINATED_FILES[ecosystem]).splitlines():
        fields = raw.split("#", 1)[0].split()
        if fields:
            entries.append((normalize(ecosystem, fields[0]), REGISTERED in fields[1:]))
    return entries


def known_hallucinated(ecosystem: Ecosystem, extra: Iterable[str] = ()) -> frozenset[str]:
    """Names documented as invented by code-generating models, normalised, plus ``extra`` (a
    user's own list). Whether someone has registered a name since does not make it safe."""
    shipped = (name for name, _ in _hallucinated_entries(ecosystem))
    return frozenset(shipped) | {normalize(ecosystem, name) for name in extra if name}


def registered_hallucinations(ecosystem: Ecosystem) -> frozenset[str]:
    """The shipped hallucinated names that were reported as registered afterwards
    (slopsquatting, or a researcher's placeholder)."""
    return frozenset(name for name, registered in _hallucinated_entries(ecosystem) if registered)


# --- rebuilding the snapshot ---------------------------------------------------------------


def _read_table(path: Path, needed: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from None
    lines = text.splitlines()
    header = lines[0].split("\t") if lines else []
    missing = [column for column in needed if column not in header]
    if missing:
        found = ", ".join(header) if header else "none"
        raise SourceError(f"{path}: no column {', '.join(missing)} (columns: {found})")
    return header, [line.split("\t") for line in lines[1:] if line]


def _integer(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def pypi_names(path: Path, count: int = DEFAULT_PYPI_COUNT) -> list[str]:
    """The ranked names of a PyPI list, normalised, in rank order (ties by name)."""
    header, rows = _read_table(path, ("name", PYPI_RANK_COLUMN))
    name_at, rank_at = header.index("name"), header.index(PYPI_RANK_COLUMN)
    ranked = []
    for row in rows:
        if len(row) > max(name_at, rank_at) and (rank := _integer(row[rank_at])) is not None:
            ranked.append((rank, normalize(Ecosystem.PYPI, row[name_at].strip())))
    return _first(sorted(ranked), count)


def npm_names(path: Path, count: int = DEFAULT_NPM_COUNT) -> list[str]:
    """The names of an npm list with the most monthly downloads, lower-cased, most first
    (ties by name)."""
    header, rows = _read_table(path, ("name", NPM_DOWNLOADS_COLUMN))
    name_at, dl_at = header.index("name"), header.index(NPM_DOWNLOADS_COLUMN)
    counted = []
    for row in rows:
        if len(row) > max(name_at, dl_at) and (downloads := _integer(row[dl_at])) is not None:
            counted.append((-downloads, normalize(Ecosystem.NPM, row[name_at].strip())))
    return _first(sorted(counted), count)


def _first(ordered: Iterable[tuple[int, str]], count: int) -> list[str]:
    seen: dict[str, None] = {}
    for _, name in ordered:
        if name and name not in seen:
            seen[name] = None
            if len(seen) >= count:
                break
    return list(seen)


def render(source: Path, names: Sequence[str], date: str) -> str:
    header = f"# source: {source.name}, built {date}, {len(names)} names"
    return "\n".join([header, *names]) + "\n"


def _source_date(path: Path) -> str:
    stamp = path.stat().st_mtime
    return _dt.datetime.fromtimestamp(stamp, _dt.UTC).date().isoformat()


def default_out() -> Path:
    return _DATA_DIR


def build(
    pypi: Path,
    npm: Path,
    out: Path,
    *,
    pypi_count: int = DEFAULT_PYPI_COUNT,
    npm_count: int = DEFAULT_NPM_COUNT,
    date: str | None = None,
) -> list[Path]:
    """Write both snapshot files into ``out``; returns their paths. Raises SourceError."""
    outputs = []
    for ecosystem, source, names in (
        (Ecosystem.PYPI, pypi, pypi_names(pypi, pypi_count)),
        (Ecosystem.NPM, npm, npm_names(npm, npm_count)),
    ):
        target = out / _POPULAR_FILES[ecosystem]
        text = render(source, names, date or _source_date(source))
        target.write_text(text, encoding="utf-8", newline="\n")
        outputs.append(target)
    return outputs


def _date(value: str) -> str:
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _count(value: str) -> int:
    number = _integer(value)
    if not number:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aibom.deps.popular",
        description="Rebuild the popular-name snapshot from tab-separated package lists.",
    )
    parser.add_argument("--pypi", type=Path, required=True, help="PyPI list (.tsv)")
    parser.add_argument("--npm", type=Path, required=True, help="npm list (.tsv)")
    parser.add_argument("--out", type=Path, default=None, help="output directory")
    parser.add_argument("--pypi-count", type=_count, default=DEFAULT_PYPI_COUNT)
    parser.add_argument("--npm-count", type=_count, default=DEFAULT_NPM_COUNT)
    parser.add_argument("--date", type=_date, default=None, help="date for the header")
    args = parser.parse_args(argv)
    out: Path = args.out if args.out is not None else default_out()
    if not out.is_dir():
        print(f"error: {out}: not a directory", file=sys.stderr)
        return 2
    try:
        written = build(
            args.pypi,
            args.npm,
            out,
            pypi_count=args.pypi_count,
            npm_count=args.npm_count,
            date=args.date,
        )
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
