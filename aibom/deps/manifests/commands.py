"""Install commands (kind COMMAND) in docs, agent rules, Dockerfiles, shell scripts, notebooks.

Recognised commands: ``pip|pip3 install``, ``python|python3|py -m pip install`` (also
``{sys.executable}``), ``uv pip install``, ``uv add``, ``uv tool install``, ``poetry add``,
``pipx install`` (PyPI); ``npm i|install|add``, ``pnpm add|i|install``, ``yarn [global] add``,
``bun add|i|install`` (npm). Not ``conda``, ``npx``. ``sudo``, ``env``, ``VAR=value``,
``RUN``, ``!`` / ``%`` (notebook magics) and a ``$`` prompt before the command are skipped.
Arguments are split with ``shlex`` (plain whitespace splitting when the quoting is broken) and
end at ``&&``, ``||``, ``;``, ``|``, ``>``, ``<`` or a ``#`` comment. Options and their values
are skipped (``-r file``, ``--index-url URL``, ...); ``-e``/``--editable`` of pip gives a
direct reference; ``-D``/``--save-dev``/``--dev``/``--group G`` set the group. Shell
variables, templates (``$PKG``, ``{pkg}``) and all-capitals placeholders (``PACKAGE_NAME``)
are skipped. A logical line is read up to its first 20,000 characters.

Where commands are looked for (the rule for prose):

* Markdown / reStructuredText / agent rule files: every line of a fenced code block (and, in
  reStructuredText, of a ``::`` literal block or code directive), every inline code span, and
  a line of prose that *starts* with a command (after list markers, ``>`` quotes and a ``$``
  prompt). In such a prose line the arguments also end at the first word that ends with
  sentence punctuation (``.``, ``,``, ``:``, ``!``, ``?``; that word still counts) or at a
  common English word ("to", "and", "then", ...), so "pip install foo to get started" gives
  only ``foo``. A command in the middle of a sentence, outside a code span, is not read.
* Dockerfiles: ``RUN`` instructions (shell and exec form, ``\\`` continuations, heredocs).
* Shell scripts: every line (``\\`` continuations joined).
* Notebooks: code-cell lines starting with ``!`` or ``%`` (``%pip install``), whole
  ``%%bash`` / ``%%sh`` cells, and markdown cells as Markdown. Lines are those of the
  ``.ipynb`` file where each source line sits.
"""

from __future__ import annotations

import json
import re
import shlex

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import load_json
from aibom.deps.manifests._locate import JsonLines, clip, strip_bom
from aibom.deps.manifests._npm import argument as npm_argument
from aibom.deps.manifests._pep508 import is_reference, parse_requirement, reference_name
from aibom.deps.types import (
    Dependency,
    DepKind,
    Ecosystem,
    Location,
    ParseProblem,
    ParseResult,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

Parts = list[tuple[int, str]]  # (1-based line number, text) of the lines of one logical line

MAX_LOGICAL_LINE = 20_000
_KEYWORDS = ("pip", "uv", "poetry", "npm", "pnpm", "yarn", "bun")
_PUNCTUATION = frozenset("();<>|&")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PREFIXES = frozenset(
    {"sudo", "run", "time", "exec", "command", "nohup", "env", "then", "do", "if", "else"}
)
_PROSE_STOP = frozenset({
    "to", "and", "or", "the", "then", "for", "if", "with", "in", "of", "from", "before",
    "after", "as", "on", "using", "via", "instead", "which", "that", "is", "are", "will", "you",
    "it", "this", "into", "your", "inside", "also", "again", "first", "once", "when", "where",
    "now", "here", "there", "only", "but", "so", "because", "since", "until", "while",
    "without", "by", "at", "like", "e.g.", "i.e.", "etc"
})  # fmt: skip
_SENTENCE_END = ".,:!?"
_RST_CODE = (".. code-block::", ".. code::", ".. sourcecode::", ".. prompt::")

_PYPI_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
    "--index", "--default-index", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--platform", "--python-platform", "--python-version", "--implementation", "--abi", "--src",
    "--upgrade-strategy", "--progress-bar", "--log", "--log-file", "--proxy", "--retries",
    "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir",
    "--no-binary", "--only-binary", "--config-settings", "-C", "--global-option",
    "--install-option", "--report", "--python", "-p", "--keyring-provider", "--use-feature",
    "--use-deprecated", "--root-user-action", "--override", "--build-constraint", "--extra",
    "--package", "--rev", "--tag", "--branch", "--bounds", "--marker", "-m", "--script",
    "--source", "--markers", "--pip-args", "--suffix", "--spec", "--upgrade-package", "-P",
    "--resolution", "--prerelease", "--exclude-newer", "--link-mode", "--config-file",
    "--directory", "--project", "--with", "-E", "--extras"
})  # fmt: skip
_NPM_VALUE_OPTIONS = frozenset({
    "--registry", "--prefix", "--tag", "-w", "--workspace", "--omit", "--include",
    "--install-strategy", "--cache", "--userconfig", "--globalconfig", "--loglevel", "--before",
    "--filter", "-F", "-C", "--dir", "--cwd", "--modules-folder", "--network-timeout",
    "--mutex", "-c", "--config", "--cache-dir", "--backend", "--save-prefix", "--otp", "--scope"
})  # fmt: skip
_GROUP_OPTIONS = frozenset({"--group", "-G", "--optional"})
_DEV_FLAGS = frozenset({"-D", "--dev", "--save-dev"})
_NPM_GROUP_FLAGS = {
    "-O": "optional",
    "--save-optional": "optional",
    "--optional": "optional",
    "-P": "peer",
    "--save-peer": "peer",
    "--peer": "peer",
}

# (command, subcommand(s)) -> (ecosystem, style)
_COMMANDS: dict[str, tuple[Ecosystem, dict[str, str]]] = {
    "pip": (Ecosystem.PYPI, {"install": "pip"}),
    "uv": (Ecosystem.PYPI, {"add": "uv-add"}),
    "poetry": (Ecosystem.PYPI, {"add": "poetry"}),
    "pipx": (Ecosystem.PYPI, {"install": "pipx"}),
    "npm": (Ecosystem.NPM, {"i": "npm", "install": "npm", "add": "npm", "in": "npm"}),
    "pnpm": (Ecosystem.NPM, {"add": "npm", "i": "npm", "install": "npm"}),
    "yarn": (Ecosystem.NPM, {"add": "npm"}),
    "bun": (Ecosystem.NPM, {"add": "npm", "a": "npm", "i": "npm", "install": "npm"}),
}


class _Command:
    __slots__ = ("arguments", "ecosystem", "editables", "group", "style", "word")

    def __init__(self, ecosystem: Ecosystem, style: str, word: str) -> None:
        self.ecosystem = ecosystem
        self.style = style
        self.word = word  # the subcommand as written, to place the cursor after it
        self.arguments: list[str] = []
        self.editables: list[str] = []
        self.group: str | None = None


def tokenize(text: str) -> list[str]:
    """Shell words and operators (``&&``, ``|``, ``;``, ``>``...) of one line."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: split on whitespace, operators kept apart
        tokens: list[str] = []
        for word in text.split():
            core = word.rstrip(";&|")
            if core:
                tokens.append(core.strip("\"'"))
            if core != word:
                tokens.append(word[len(core) :])
        return tokens


def _segments(tokens: list[str]) -> list[list[str]]:
    """Simple commands: the words between operators, up to a ``#`` comment."""
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token.startswith("#"):
            break
        if token and all(char in _PUNCTUATION for char in token):
            segments.append([])
        else:
            segments[-1].append(token)
    return [segment for segment in segments if segment]


def _base(word: str) -> str:
    word = word.lstrip("!%")
    base = word.replace("\\", "/").rpartition("/")[2].lower()
    return base[:-4] if base.endswith(".exe") else base


def _is_python(base: str) -> bool:
    if base in ("python", "python3", "py", "{sys.executable}", "sys.executable"):
        return True
    return base.startswith("python") and base[6:].replace(".", "").isdigit()


def _is_pip(base: str) -> bool:
    return base == "pip" or (base.startswith("pip") and base[3:].replace(".", "").isdigit())


def _skip_options(words: list[str], index: int, values: frozenset[str]) -> int:
    while index < len(words) and words[index].startswith("-"):
        option = words[index]
        index += 1
        if option in values and index < len(words):
            index += 1
    return index


def _match(words: list[str]) -> tuple[_Command, list[str]] | None:
    """The install command that ``words`` (one segment) starts with, and its arguments."""
    index = 0
    while index < len(words):
        word = words[index]
        prefix = word in ("!", "%", "$") or word.lower() in _PREFIXES
        if prefix or _ASSIGNMENT.match(word) or (word.startswith("-") and index > 0):
            index += 1  # sudo, env, VAR=value, RUN, magics, and the options of sudo / env
        else:
            break
    if index >= len(words):
        return None
    base = _base(words[index])
    index += 1
    if _is_python(base):
        module = ""
        while index < len(words) and words[index].startswith("-"):
            option = words[index]
            index += 1
            if option == "-m":
                module = words[index] if index < len(words) else ""
                index += 1
                break
            if option.startswith("-m"):
                module = option[2:]
                break
        base = _base(module)
        if not (_is_pip(base) or base in ("uv", "pipx")):
            return None
    if _is_pip(base):
        base = "pip"
    if base not in _COMMANDS:
        return None
    ecosystem, subcommands = _COMMANDS[base]
    values = _PYPI_VALUE_OPTIONS if ecosystem is Ecosystem.PYPI else _NPM_VALUE_OPTIONS
    index = _skip_options(words, index, values)
    if index >= len(words):
        return None
    sub = words[index]
    if base == "uv" and sub == "pip":
        index = _skip_options(words, index + 1, values)
        if index >= len(words) or words[index] != "install":
            return None
        return _Command(ecosystem, "pip", "install"), words[index + 1 :]
    if base == "uv" and sub == "tool":
        index = _skip_options(words, index + 1, values)
        if index >= len(words) or words[index] != "install":
            return None
        return _Command(ecosystem, "pipx", "install"), words[index + 1 :]
    if base == "yarn" and sub == "global":
        index += 1
        if index >= len(words):
            return None
        sub = words[index]
    style = subcommands.get(sub)
    if style is None:
        return None
    return _Command(ecosystem, style, sub), words[index + 1 :]


def _prose_arguments(arguments: list[str]) -> list[str]:
    """Arguments of a command found in a line of prose: up to the end of the sentence."""
    kept: list[str] = []
    for argument in arguments:
        if argument.lower() in _PROSE_STOP:
            break
        if len(argument) > 1 and argument[-1] in _SENTENCE_END and argument != "..":
            kept.append(argument[:-1])
            break
        kept.append(argument)
    return kept


def find_commands(text: str, prose: bool = False) -> list[_Command]:
    """The install commands in one logical shell line."""
    if not any(keyword in text for keyword in _KEYWORDS):
        return []
    text = text[:MAX_LOGICAL_LINE]
    tokens = tokenize(text.replace("`", "") if prose else text)
    segments = _segments(tokens)
    if prose:  # only a command that starts the line
        starts = bool(tokens) and not all(char in _PUNCTUATION for char in tokens[0])
        segments = segments[:1] if starts else []
    commands: list[_Command] = []
    for words in segments:
        matched = _match(words)
        if matched is None:
            continue
        command, arguments = matched
        if prose:
            arguments = _prose_arguments(arguments)
        _read_arguments(command, arguments)
        commands.append(command)
    return commands


def _read_arguments(command: _Command, arguments: list[str]) -> None:
    pypi = command.ecosystem is Ecosystem.PYPI
    values = _PYPI_VALUE_OPTIONS if pypi else _NPM_VALUE_OPTIONS
    index = 0
    options_done = False
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word.startswith("-") and not options_done and len(word) > 1:
            if word == "--":
                options_done = True
                continue
            option, equals, value = word.partition("=")
            editable = command.style == "pip" and option in ("-e", "--editable")
            grouping = pypi and option in _GROUP_OPTIONS
            if (option in values or grouping or editable) and not equals:
                if index >= len(arguments):
                    break
                value = arguments[index]
                index += 1
            if editable:
                command.editables.append(value)
            elif grouping:
                command.group = value
            elif option in _DEV_FLAGS:
                command.group = "dev"
            elif not pypi and option in _NPM_GROUP_FLAGS:
                command.group = _NPM_GROUP_FLAGS[option]
            continue
        if not word or word == "\\" or word.startswith("$") or "{" in word or "}" in word:
            continue  # shell variables, templates
        if word.isupper() and all(char.isalnum() or char in "_-" for char in word):
            continue  # a placeholder: PACKAGE, YOUR_PACKAGE_NAME
        command.arguments.append(word)


class _LineCursor:
    """Finds successive words in the lines of one logical line."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.index = 0
        self.offset = 0

    def line_of(self, needle: str) -> int:
        for index in range(self.index, len(self.parts)):
            start = self.offset if index == self.index else 0
            found = self.parts[index][1].find(needle, start) if needle else -1
            if found >= 0:
                self.index, self.offset = index, found + len(needle)
                return self.parts[index][0]
        return self.parts[self.index][0]


class Collector:
    """Turns install commands into dependencies of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.dependencies: list[Dependency] = []
        self.problems: list[ParseProblem] = []

    def result(self) -> ParseResult:
        return ParseResult(tuple(self.dependencies), tuple(self.problems))

    def shell(self, parts: Parts, prose: bool = False) -> None:
        if not parts:
            return
        text = " ".join(part for _, part in parts)
        commands = find_commands(text, prose)
        if not commands:
            return
        cursor = _LineCursor(parts)
        for command in commands:
            cursor.line_of(command.word)
            for editable in command.editables:
                url = editable
                if url.endswith("]") and "[" in url:
                    url = url[: url.rindex("[")]
                self._add(cursor.line_of(editable), command, reference_name(url), "", url)
            for argument in command.arguments:
                self._argument(cursor, command, argument)

    def _argument(self, cursor: _LineCursor, command: _Command, argument: str) -> None:
        if command.ecosystem is Ecosystem.NPM:
            name, spec, url = npm_argument(argument)
            if name:
                self._add(cursor.line_of(name), command, name, spec, url)
            return
        if command.style == "poetry" and "@" in argument and not is_reference(argument):
            name, _, constraint = argument.partition("@")
            if name and "://" not in constraint:
                self._add(cursor.line_of(name), command, name, constraint, None)
                return
        parsed = parse_requirement(argument)
        if isinstance(parsed, str):
            line = cursor.line_of(argument)
            message = f"{parsed}: {clip(argument)}"
            self.problems.append(ParseProblem(Location(self.path, line), message))
            return
        line = cursor.line_of(parsed.name if parsed.url is None else parsed.url)
        self._add(line, command, parsed.name, parsed.spec, parsed.url)

    def _add(self, line: int, command: _Command, name: str, spec: str, url: str | None) -> None:
        self.dependencies.append(
            Dependency(
                command.ecosystem,
                name,
                Location(self.path, line),
                DepKind.COMMAND,
                spec=spec,
                url=url,
                group=command.group,
            )
        )

    def shell_lines(self, lines: Parts) -> None:
        """Lines of a shell script: ``\\`` continuations joined, comment lines skipped."""
        pending: Parts = []
        for number, raw in lines:
            line = raw[:-1] if raw.endswith("\r") else raw
            if line.lstrip().startswith("#") and not pending:
                continue
            if line.endswith("\\"):
                pending.append((number, line[:-1]))
                continue
            pending.append((number, line))
            self.shell(pending)
            pending = []
        self.shell(pending)

    def markdown_lines(self, lines: Parts, rst: bool = False) -> None:
        fence = ""
        block: Parts = []
        literal_indent = -1  # reStructuredText literal block: the directive's indentation
        for number, raw in lines:
            line = raw[:-1] if raw.endswith("\r") else raw
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            if fence:
                if stripped.startswith(fence) and not stripped[len(fence) :].strip(
                    fence[0] + " \t"
                ):
                    self.shell_lines(block)
                    fence, block = "", []
                else:
                    block.append((number, line.lstrip().removeprefix("$ ")))
                continue
            if stripped.startswith(("```", "~~~")):
                char = stripped[0]
                fence = char * (len(stripped) - len(stripped.lstrip(char)))
                continue
            if rst and literal_indent >= 0:
                if not stripped or indent > literal_indent:
                    if stripped:
                        self.shell_lines([(number, stripped.removeprefix("$ "))])
                    continue
                literal_indent = -1
            if rst and (stripped.endswith("::") or stripped.startswith(_RST_CODE)):
                literal_indent = indent
            self._spans(number, line)
            self._line_start(number, stripped)
        if fence:
            self.shell_lines(block)

    def _spans(self, number: int, line: str) -> None:
        for span in code_spans(line[:MAX_LOGICAL_LINE]):
            self.shell([(number, span)])

    def _line_start(self, number: int, stripped: str) -> None:
        text = stripped
        while True:
            before = text
            for marker in ("- ", "* ", "+ ", "> ", "$ ", "% ", ">>> "):
                if text.startswith(marker):
                    text = text[len(marker) :].lstrip()
            head, dot, rest = text.partition(". ")
            if dot and head.isdigit():
                text = rest.lstrip()
            if text == before:
                break
        if text and not text.startswith("`"):
            self.shell([(number, text)], prose=True)


def _run_end(line: str, start: int) -> int:
    end = start
    while end < len(line) and line[end] == "`":
        end += 1
    return end


def code_spans(line: str) -> list[str]:
    """The contents of the inline code spans of one line (a backtick run closed by a run of
    the same length; an unclosed run is literal text)."""
    spans: list[str] = []
    index = line.find("`")
    while index >= 0:
        opened = _run_end(line, index)
        size = opened - index
        close = line.find("`", opened)
        while close >= 0 and _run_end(line, close) - close != size:
            close = line.find("`", _run_end(line, close))
        if close < 0:
            index = line.find("`", opened)
            continue
        spans.append(line[opened:close].strip())
        index = line.find("`", close + size)
    return spans


def _lines(text: str) -> Parts:
    return list(enumerate(strip_bom(text).split("\n"), 1))


class MarkdownParser(ManifestParser):
    name = "markdown"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        out = Collector(path)
        out.markdown_lines(_lines(text), rst=path.lower().endswith(".rst"))
        return out.result()


class ShellParser(ManifestParser):
    name = "shell"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        out = Collector(path)
        out.shell_lines(_lines(text))
        return out.result()


def _escape_directive(lines: Parts) -> str:
    for _, line in lines:
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        key, equals, value = stripped[1:].partition("=")
        if equals and key.strip().lower() == "escape" and value.strip() in ("`", "\\"):
            return value.strip()
    return "\\"


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


class DockerfileParser(ManifestParser):
    name = "dockerfile"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        out = Collector(path)
        lines = [(n, line[:-1] if line.endswith("\r") else line) for n, line in _lines(text)]
        escape = _escape_directive(lines)
        index = 0
        while index < len(lines):
            number, line = lines[index]
            index += 1
            if not line.strip() or line.strip().startswith("#"):
                continue
            parts: Parts = []
            while True:
                body = line.rstrip()
                if not body.endswith(escape):
                    parts.append((number, line))
                    break
                parts.append((number, body[:-1]))
                while index < len(lines) and _blank_or_comment(lines[index][1]):
                    index += 1  # comments and blank lines inside an instruction are dropped
                if index >= len(lines):
                    break
                number, line = lines[index]
                index += 1
            index = self._instruction(out, parts, lines, index)
        return out.result()

    @staticmethod
    def _instruction(out: Collector, parts: Parts, lines: Parts, index: int) -> int:
        """Read one instruction; returns the index of the next line (after a heredoc)."""
        first_number, first = parts[0]
        words = first.split(None, 1)
        keyword = words[0].upper() if words else ""
        if keyword == "ONBUILD" and len(words) > 1:
            words = words[1].split(None, 1)
            keyword = words[0].upper() if words else ""
        if keyword != "RUN":
            return index
        start = first.upper().find("RUN") + 3
        body: Parts = [(first_number, first[start:]), *parts[1:]]
        head = body[0][1].lstrip()
        while head.startswith("--"):  # RUN flags: --mount=..., --network=...
            pieces = head.split(None, 1)
            head = pieces[1] if len(pieces) > 1 else ""
        body[0] = (first_number, head)
        joined = " ".join(part for _, part in body).strip()
        if joined.startswith("["):
            try:
                argv = json.loads(joined)
            except ValueError:
                argv = None
            if isinstance(argv, list) and all(isinstance(word, str) for word in argv):
                if len(argv) >= 3 and argv[0].endswith("sh") and argv[1] == "-c":
                    out.shell([(first_number, argv[2])])  # ["/bin/sh", "-c", "..."]
                else:
                    out.shell([(first_number, " ".join(shlex.quote(word) for word in argv))])
                return index
        heredocs = _HEREDOC.findall(joined)
        out.shell(body)
        for dash, _, delimiter in heredocs:
            document: Parts = []
            while index < len(lines):
                number, line = lines[index]
                index += 1
                if (line.strip() if dash else line) == delimiter:
                    break
                document.append((number, line))
            out.shell_lines(document)
        return index


def _magic_lines(lines: Parts) -> Parts:
    """The shell lines of a Python cell: ``!cmd`` / ``%magic`` and their continuations."""
    kept: Parts = []
    continued = False
    for number, line in lines:
        if continued or line.lstrip()[:1] in ("!", "%"):
            kept.append((number, line))
            continued = line.rstrip("\r").endswith("\\")
    return kept


class NotebookParser(ManifestParser):
    name = "notebook"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_json(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        cells = data.get("cells") if isinstance(data, dict) else None
        if not isinstance(cells, list):
            problem = ParseProblem(Location(path, 1), "not a notebook: no list of cells")
            return ParseResult(problems=(problem,))
        positions = JsonLines(
            strip_bom(text),
            lambda key: len(key) >= 3 and key[0] == "cells" and key[2] == "source",
        )
        out = Collector(path)
        for number, cell in enumerate(cells):
            if not isinstance(cell, dict):
                continue
            lines = self._source(positions, number, cell.get("source"))
            if cell.get("cell_type") == "markdown":
                out.markdown_lines(lines)
            elif cell.get("cell_type") == "code":
                first = lines[0][1].strip() if lines else ""
                if first.startswith(("%%bash", "%%sh", "%%script bash", "%%script sh")):
                    out.shell_lines(lines[1:])
                else:
                    out.shell_lines(_magic_lines(lines))
        return out.result()

    @staticmethod
    def _source(positions: JsonLines, cell: int, source: object) -> Parts:
        """(line in the .ipynb, text) of each source line of a cell."""
        if isinstance(source, str):
            line = positions.line("cells", cell, "source")
            return [(line, text) for text in source.split("\n")]
        if not isinstance(source, list):
            return []
        lines: Parts = []
        for index, item in enumerate(source):
            if isinstance(item, str):
                text = item[:-1] if item.endswith("\n") else item
                lines.append((positions.line("cells", cell, "source", index), text))
        return lines
