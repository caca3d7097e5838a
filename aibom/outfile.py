"""Output files of the release commands (a BOM, Sigstore bundles): written whole or not at all.

A regular file (new or existing) is written to a temporary file beside it and renamed into
place, with the mode a file written in place would have (an existing file's, else 0666 less
the umask: mkstemp's 0600 would hide a release artefact from everyone else). A file that
exists and is not a regular file (``/dev/stdout``, a FIFO, a device) is written in place:
renaming over it would replace the device or pipe with a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class OutputFile:
    """``reserve`` (a temporary file beside the target, so an unwritable place fails before
    the work), ``write``, then ``commit`` (rename into place) or ``discard``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.in_place = path.exists() and not path.is_file()
        self.target = path if self.in_place else path.resolve()
        self._tmp: str | None = None

    def reserve(self) -> None:
        if self.in_place or self._tmp is not None:
            return
        fd, self._tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent
        )
        os.close(fd)

    def write(self, text: str, errors: str = "strict") -> None:
        """``text`` as UTF-8 (``errors="surrogateescape"`` writes the bytes of names that
        are not UTF-8 back as they were read)."""
        if self.in_place:
            with open(self.path, "w", encoding="utf-8", errors=errors, newline="\n") as handle:
                handle.write(text)
            return
        self.reserve()
        assert self._tmp is not None
        with open(self._tmp, "w", encoding="utf-8", errors=errors, newline="\n") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), _mode_for(self.target))

    def commit(self) -> None:
        if self._tmp is not None:
            os.replace(self._tmp, self.target)
            self._tmp = None

    def discard(self) -> None:
        if self._tmp is not None:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None


def write_file(path: Path, text: str, errors: str = "strict") -> None:
    """Write ``text`` to ``path`` whole or not at all (OSError when it cannot be written)."""
    out = OutputFile(path)
    try:
        out.write(text, errors)
        out.commit()
    finally:
        out.discard()
