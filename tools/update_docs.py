"""Regenerate, or check, every generated block of the documentation.

    python tools/update_docs.py          # rewrite stale blocks in docs/**/*.md
    python tools/update_docs.py --check  # change nothing; exit 1 and list what is stale or broken

The conventions (see docs/development/docs.md):

* A marker line ``<!-- run: sbstrategy ARGS [exit=N] -->`` directly above a fenced block
  (```text, ```json, ```mermaid or ```markdown) makes the block the output of
  ``sbstrategy ARGS``, run in-process through ``sbstrategy.cli.main`` from the repository
  root. The exit status must be N (default 0). A ```text block starts with the command line
  (``$ sbstrategy ARGS``) so that a reader sees what was run.
* Every ```python block of a page runs, in order, in one namespace per page, with the
  repository root as working directory. What it prints must be shown: either as
  ``# -> text`` lines in the block, or in the ```text block that follows it under the
  marker ``<!-- python-output -->`` (that block is regenerated here).
* Every ```sbr block loads without errors or warnings and its scenarios pass, unless a
  marker says otherwise: ``<!-- sbr: error CODE -->``, ``<!-- sbr: warning CODE -->``,
  ``<!-- sbr: failing -->`` (loads, but a scenario fails) or ``<!-- sbr: fragment -->``
  (part of a file: loaded with its undeclared names declared; lines ``path:START:END`` of a
  file: that whole file must load). ``include`` paths in a
  block are relative to the repository root.
* A line ``--8<-- "path"`` inside a block is the file at ``path`` (pymdownx.snippets; the
  path is relative to the repository root): the file is shown, and checked, not pasted.

The functions here are also what tests/test_docs.py uses, so the check and the rewrite
cannot disagree.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Help text wraps at the terminal width; pin it so that generated text is stable.
ENVIRONMENT = {"COLUMNS": "100", "NO_COLOR": "1"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<lang>[\w+-]*)[^\n`]*$")
_MARKER = re.compile(r"^[ \t]*<!--\s*(?P<body>.*?)\s*-->[ \t]*$")
_SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"(?P<path>[^"]+)"[ \t]*$')
_EXPECTED = re.compile(r"^[ \t]*# -> ?(?P<text>.*)$")
_RUN = re.compile(r"^run:\s*sbstrategy(?:\s+(?P<args>.*))?$")


@dataclass
class Block:
    """A fenced code block of a Markdown page, with the marker comments just above it."""

    lang: str
    body: str  # without the indentation of the fence
    indent: str
    start: int  # index of the opening fence line
    end: int  # index of the closing fence line
    markers: list[str] = field(default_factory=list)
    line: int = 0  # 1-based line number of the opening fence, for messages

    def marker(self, prefix: str) -> str | None:
        """The text after `prefix` of the first marker starting with it, or None."""
        for marker in self.markers:
            if marker == prefix or marker.startswith(prefix + ":") or marker.startswith(prefix + " "):
                return marker[len(prefix) :].lstrip(": ").strip()
        return None


def blocks(text: str) -> list[Block]:
    """The fenced blocks of `text` in order (fences inside other fences are content)."""
    lines = text.split("\n")
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, ticks = opening["indent"], opening["ticks"]
        close = index + 1
        while close < len(lines) and lines[close].strip() != ticks:
            close += 1
        body_lines = [
            line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines[index + 1 : close]
        ]
        markers: list[str] = []
        above = index - 1
        while above >= 0 and (marker := _MARKER.match(lines[above])):
            markers.insert(0, marker["body"])
            above -= 1
        body = "\n".join(body_lines) + ("\n" if body_lines else "")
        found.append(Block(opening["lang"], body, indent, index, close, markers, index + 1))
        index = close + 1
    return found


def expand_snippets(body: str) -> str:
    """The block's text with each `--8<-- "path"` line replaced by that file."""
    out: list[str] = []
    for line in body.splitlines(keepends=True):
        match = _SNIPPET.match(line)
        if match:
            text = _snippet_text(match["path"])
            out.append(text if text.endswith("\n") else text + "\n")
        else:
            out.append(line)
    return "".join(out)


def _snippet_text(spec: str) -> str:
    """The text of `path` or `path:start:end` (1-based, inclusive, as pymdownx.snippets)."""
    match = re.fullmatch(r"(?P<path>.*?)(?::(?P<start>\d*)(?::(?P<end>\d*))?)?", spec)
    assert match is not None
    text = (ROOT / match["path"]).read_text(encoding="utf-8")
    if match["start"] is None:
        return text
    lines = text.splitlines(keepends=True)
    start = int(match["start"] or 1)
    end = int(match["end"]) if match["end"] else len(lines)
    return "".join(lines[start - 1 : end])


def snippet_path(body: str) -> Path | None:
    """The file a block consists of, if it is exactly one snippet line naming a whole file."""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) == 1 and (match := _SNIPPET.match(lines[0])) and ":" not in match["path"]:
        return ROOT / match["path"]
    return None


# Running the command line -----------------------------------------------------------------


@contextlib.contextmanager
def _at_root() -> Iterator[None]:
    old_cwd = os.getcwd()
    old_env = {key: os.environ.get(key) for key in ENVIRONMENT}
    os.chdir(ROOT)
    os.environ.update(ENVIRONMENT)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def parse_run(spec: str) -> tuple[list[str], int]:
    """`check x.sbr exit=1` -> (["check", "x.sbr"], 1)."""
    words = shlex.split(spec)
    expected = 0
    if words and (match := re.fullmatch(r"exit=(\d+)", words[-1])):
        expected = int(match.group(1))
        words.pop()
    return words, expected


def run_command(argv: list[str]) -> tuple[int, str]:
    """Run `sbstrategy ARGV` in-process from the repository root: (status, stdout + stderr)."""
    from sbstrategy.cli import main

    buffer = io.StringIO()
    with _at_root(), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        status = main(argv)
    return status, buffer.getvalue()


def run_output(block: Block, spec: str) -> tuple[str, list[str]]:
    """The body a run-marker block should have, and any problem running it."""
    argv, expected = parse_run(spec)
    try:
        status, output = run_command(argv)
    except Exception:  # a crash of the tool is reported with the page and line, not raised
        return block.body, [f"`sbstrategy {shlex.join(argv)}` raised:\n{traceback.format_exc(limit=-3)}"]
    problems = []
    if status != expected:
        problems.append(f"`sbstrategy {shlex.join(argv)}` exited {status}, the marker expects exit={expected}")
    output = output.rstrip("\n")
    if block.lang == "text":
        output = f"$ sbstrategy {shlex.join(argv)}\n{output}" if output else f"$ sbstrategy {shlex.join(argv)}"
    return (output + "\n" if output else ""), problems


# Running Python examples ------------------------------------------------------------------------


@dataclass
class PythonRun:
    block: Block
    output: str
    error: str | None


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def run_python(path: Path, page_blocks: list[Block]) -> list[PythonRun]:
    """Run the page's ```python blocks in order in one namespace; what each printed."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    runs = []
    shown = _shown(path)
    for block in page_blocks:
        if block.lang != "python":
            continue
        buffer = io.StringIO()
        error = None
        with _at_root(), contextlib.redirect_stdout(buffer):
            try:
                exec(compile(expand_snippets(block.body), f"{shown}:{block.line}", "exec"), namespace)
            except Exception:  # a broken example is reported, not raised
                error = traceback.format_exc(limit=-3)
        runs.append(PythonRun(block, buffer.getvalue(), error))
    return runs


def expected_lines(body: str) -> str | None:
    """The output a block shows with `# -> ` lines, or None if it shows none."""
    lines = [m["text"] for line in body.splitlines() if (m := _EXPECTED.match(line))]
    return "\n".join(lines) + "\n" if lines else None


# Regenerating and checking a page ----------------------------------------------------------------


@dataclass
class PageResult:
    path: Path
    new_text: str
    problems: list[str]

    @property
    def stale(self) -> bool:
        return self.new_text != self.path.read_text(encoding="utf-8")


def _replace(lines: list[str], block: Block, body: str) -> None:
    new = [block.indent + line if line else line for line in body.rstrip("\n").split("\n")] if body else []
    lines[block.start + 1 : block.end] = new


def process(path: Path) -> PageResult:
    """Regenerate the generated blocks of one page and check its Python examples."""
    text = path.read_text(encoding="utf-8")
    page_blocks = blocks(text)
    problems: list[str] = []
    shown = _shown(path)
    replacements: dict[int, str] = {}

    for block in page_blocks:
        spec = block.marker("run")
        if spec is None:
            continue
        match = _RUN.match("run: " + spec)
        if match is None or block.lang not in ("text", "json", "mermaid", "markdown"):
            problems.append(
                f"{shown}:{block.line}: a run marker runs `sbstrategy ...` into a text, json, mermaid or markdown block"
            )
            continue
        body, run_problems = run_output(block, match["args"] or "")
        problems.extend(f"{shown}:{block.line}: {p}" for p in run_problems)
        if not run_problems:  # a failed run leaves the block as it was
            replacements[block.start] = body

    runs = run_python(path, page_blocks) if any(b.lang == "python" for b in page_blocks) else []
    for run in runs:
        where = f"{shown}:{run.block.line}"
        if run.error:
            problems.append(f"{where}: the Python example raised:\n{run.error}")
            continue
        position = page_blocks.index(run.block)
        following = page_blocks[position + 1] if position + 1 < len(page_blocks) else None
        shows_output = following is not None and following.marker("python-output") is not None
        inline = expected_lines(run.block.body)
        if shows_output:
            assert following is not None
            replacements[following.start] = run.output
            if inline is not None:
                problems.append(
                    f"{where}: show the output either as `# -> ` lines or in a python-output block, not both"
                )
        elif inline is not None:
            if inline != run.output:
                problems.append(
                    f"{where}: the `# -> ` lines say\n{inline}but the example printed\n{run.output or '(nothing)'}"
                )
        elif run.output:
            problems.append(f"{where}: the example prints output that the page does not show:\n{run.output}")

    for block in page_blocks:
        if block.marker("python-output") is not None and block.start not in replacements:
            problems.append(f"{shown}:{block.line}: a python-output block must follow a ```python block")

    lines = text.split("\n")
    for block in sorted(page_blocks, key=lambda b: b.start, reverse=True):
        if block.start in replacements:
            _replace(lines, block, replacements[block.start])
    return PageResult(path, "\n".join(lines), problems)


# Rule-language examples ---------------------------------------------------------------------------------


def _declare_missing(text: str, error: object) -> str | None:
    """`text` with the names it uses but does not declare declared, or None if
    the error is not only undeclared names."""
    diagnostics = [d for d in error.diagnostics if d.severity == "error"]  # type: ignore[attr-defined]
    if not diagnostics or any(d.code != "undeclared-name" for d in diagnostics):
        return None
    declarations = []
    for diagnostic in diagnostics:
        match = re.match(r"undeclared (\w+) '(.*)'$", diagnostic.message)
        if match is None:
            return None
        kind, name = match.groups()
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        declarations.append(f"{'stage' if kind == 'stage' else 'capability'} {quoted}")
    return "\n".join(dict.fromkeys(declarations)) + "\n" + text


def check_sbr(block: Block, where: str) -> list[str]:
    """Problems of one ```sbr block, judged by its marker."""
    import sbstrategy

    marker = block.marker("sbr")
    file = snippet_path(block.body)
    text = expand_snippets(block.body)

    def load(source: str) -> sbstrategy.RuleSet:
        if file is not None and source == text:
            return sbstrategy.load(file)
        return sbstrategy.loads(
            source, path=str(ROOT / "example.sbr"), resolver=sbstrategy.FileResolver(root=str(ROOT))
        )

    kind, _, code = (marker or "").partition(" ")
    code = code.strip()
    lines = [line for line in block.body.splitlines() if line.strip()]
    part = _SNIPPET.match(lines[0]) if len(lines) == 1 else None
    if kind == "fragment" and part is not None and ":" in part["path"]:
        # Lines of a file: the file they come from is what must load.
        whole = ROOT / part["path"].split(":", 1)[0]
        try:
            sbstrategy.load(whole)
        except sbstrategy.SbStrategyError as error:
            return [f"{where}: {whole.relative_to(ROOT)}, which the fragment is part of, does not load:\n{error}"]
        return [] if text.strip() else [f"{where}: the fragment's lines are not in the file"]
    try:
        rules = load(text)
    except sbstrategy.SbStrategyError as error:
        codes = sorted({d.code for d in error.errors})
        if kind == "error":
            if codes != [code]:
                return [f"{where}: the example should fail with [{code}] alone, it fails with {codes}:\n{error}"]
            return []
        if kind == "fragment":
            harnessed = _declare_missing(text, error)
            if harnessed is None:
                return [f"{where}: the fragment does not load even with its names declared:\n{error}"]
            try:
                load(harnessed)
            except sbstrategy.SbStrategyError as again:
                return [f"{where}: the fragment does not load even with its names declared:\n{again}"]
            return []
        return [f"{where}: the example does not load:\n{error}"]
    if kind == "error":
        return [f"{where}: the example should fail with [{code}], but it loads"]
    if kind == "fragment":
        return []
    warnings = sorted({d.code for d in rules.diagnostics})
    expected_warnings = [code] if kind == "warning" else []
    if warnings != expected_warnings:
        shown = "\n".join(str(d.message) for d in rules.diagnostics)
        return [f"{where}: the example's warnings are {warnings}, expected {expected_warnings}:\n{shown}"]
    failed = [r.title for r in rules.run_scenarios() if not r.passed]
    if kind == "failing":
        return [] if failed else [f"{where}: the example is marked failing, but its scenarios pass"]
    if kind not in ("", "warning"):
        return [f"{where}: unknown marker `sbr: {marker}` (error CODE, warning CODE, failing, fragment)"]
    return [f"{where}: scenario {title!r} fails" for title in failed]


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    sys.path.insert(0, str(ROOT / "src"))
    status = 0
    for path in pages():
        result = process(path)
        shown = _shown(path)
        for block in blocks(path.read_text(encoding="utf-8")):
            if block.lang == "sbr":
                result.problems.extend(check_sbr(block, f"{shown}:{block.line}"))
        for problem in result.problems:
            print(problem, file=sys.stderr)
            status = 1
        if result.stale:
            if check_only:
                print(f"{path.relative_to(ROOT)}: generated blocks are out of date", file=sys.stderr)
                status = 1
            else:
                path.write_text(result.new_text, encoding="utf-8")
                print(f"updated {path.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
