"""The documentation cannot lie: every example runs, every shown output is current.

The rules for pages are in docs/development/docs.md; the machinery is
tools/update_docs.py, which rewrites what these tests find stale.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import json
import pkgutil
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import sbstrategy

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FIX = "run `python tools/update_docs.py` and review the diff"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_docs", ROOT / "tools" / "update_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _tool()
PAGES = tool.pages()
PAGE_IDS = [str(p.relative_to(DOCS)) for p in PAGES]


def _blocks(path: Path) -> list:  # list[tool.Block]
    return tool.blocks(path.read_text(encoding="utf-8"))


def test_the_site_has_its_pages() -> None:
    names = set(PAGE_IDS)
    for required in (
        "index.md",
        "tutorials/first-rule-file.md",
        "tutorials/python.md",
        "reference/language.md",
        "reference/cli.md",
        "reference/api.md",
        "reference/diagnostics.md",
        "development/browser-check.md",
    ):
        assert required in names


# Generated output and Python examples ---------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_generated_output_is_current_and_python_examples_run(page: Path) -> None:
    result = tool.process(page)
    assert not result.problems, "\n\n".join(result.problems)
    assert not result.stale, f"{page.relative_to(ROOT)}: generated blocks are out of date; {FIX}"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_shown_output_is_generated(page: Path) -> None:
    """A ```text block is output, and output is never typed by hand."""
    for block in _blocks(page):
        if block.lang == "text" and tool.snippet_path(block.body) is None:
            assert block.marker("run") is not None or block.marker("python-output") is not None, (
                f"{page.relative_to(ROOT)}:{block.line}: a ```text block must be generated "
                "(a `<!-- run: sbstrategy … -->` or `<!-- python-output -->` marker above it)"
            )


def test_the_run_markers_see_what_a_terminal_would() -> None:
    status, output = tool.run_command(["check", "docs/examples/diagnostics/cycle.sbr"])
    assert status == 1
    assert "[cycle]" in output and "checked 1 file: 1 error" in output
    status, output = tool.run_command(["check", "--help"])
    assert status == 0 and output.startswith("usage: sbstrategy check")
    status, output = tool.run_command(["assess", "readiness", "no-such-file.yaml"])
    assert status == 2 and "no such file" in output  # stderr is shown too


def test_a_stale_block_is_found_and_rewritten(tmp_path: Path) -> None:
    page = DOCS / "reference" / "diagnostics.md"
    text = page.read_text(encoding="utf-8")
    stale = text.replace("checked 1 file: 1 error, 0 warnings", "checked 1 file: no errors", 1)
    assert stale != text
    copy = tmp_path / "page.md"
    copy.write_text(stale, encoding="utf-8")
    result = tool.process(copy)
    assert result.stale and result.new_text == text


def test_a_wrong_exit_status_is_a_problem(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- run: sbstrategy check docs/examples/diagnostics/cycle.sbr -->\n```text\n```\n", encoding="utf-8"
    )
    (problem,) = tool.process(page).problems
    assert "exited 1, the marker expects exit=0" in problem


# Rule-language examples -------------------------------------------------------------------------------


def _sbr_blocks() -> list[tuple[str, object]]:
    found = []
    for path in [*PAGES, ROOT / "README.md"]:
        for block in _blocks(path):
            if block.lang == "sbr":
                found.append((f"{path.relative_to(ROOT)}:{block.line}", block))
    return found


SBR_BLOCKS = _sbr_blocks()


@pytest.mark.parametrize(("where", "block"), SBR_BLOCKS, ids=[w for w, _ in SBR_BLOCKS])
def test_rule_examples_load_and_their_scenarios_pass(where: str, block: object) -> None:
    problems = tool.check_sbr(block, where)
    assert not problems, "\n".join(problems)


def test_the_sbr_markers_are_enforced() -> None:
    def check(text: str, marker: str | None = None) -> list[str]:
        (block,) = tool.blocks((f"<!-- {marker} -->\n" if marker else "") + f"```sbr\n{text}```\n")
        return tool.check_sbr(block, "t")

    good = "capability a\nstage s\ns requires a\n"
    assert check(good) == []
    assert check("capability a\nstage s\ns requires b\n")  # does not load
    assert check("capability a\nstage s\ns requires b\n", "sbr: error undeclared-name") == []
    assert check(good, "sbr: error undeclared-name")  # loads, but should fail
    assert check("capability a, b\nstage s\ns requires a\n")  # an unmarked warning
    assert check("capability a, b\nstage s\ns requires a\n", "sbr: warning unused-capability") == []
    assert check("s requires a and b\n", "sbr: fragment") == []
    assert check("s requires (a and\n", "sbr: fragment")
    failing = good + 'scenario "x"\n  expect s is reached\n'
    assert check(failing)
    assert check(failing, "sbr: failing") == []


def test_every_sbr_block_is_highlighted_without_errors() -> None:
    from pygments.token import Error

    from sbstrategy.pygments_lexer import SbrLexer

    lexer = SbrLexer()
    texts = [tool.expand_snippets(b.body) for _, b in SBR_BLOCKS]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "rules").glob("*.sbr")]
    for text in texts:
        errors = [value for token, value in lexer.get_tokens(text) if token in Error]
        assert not errors


def test_the_lexer_marks_keywords_where_the_language_has_them() -> None:
    from pygments.token import Keyword, Name, Operator

    from sbstrategy.pygments_lexer import SbrLexer

    text = 'capability roadmap\n  met at 3\nstage s after t\ns requires roadmap level >= 3\nscenario "x"\n  given unknown roadmap\n  expect s is blocked by roadmap\n'
    tokens = [(token, value) for token, value in SbrLexer().get_tokens(text) if value.strip()]
    assert (Keyword.Declaration, "capability") in tokens
    assert (Keyword, "met at") in tokens
    assert (Keyword, "given unknown") in tokens
    assert (Keyword, "expect") in tokens
    assert (Operator.Word, "requires") in tokens
    assert (Name.Constant, "blocked") in tokens
    assert (Name, "roadmap") in tokens


def test_the_lexer_is_registered_with_pygments() -> None:
    from importlib.metadata import PackageNotFoundError, entry_points, version

    try:
        version("sbstrategy")
    except PackageNotFoundError:
        pytest.skip("sbstrategy is not installed: its entry points are not registered")
    names = [e.name for e in entry_points(group="pygments.lexers")]
    if "sbr" not in names:
        pytest.skip("the installed sbstrategy predates the lexer entry point")
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    assert type(get_lexer_by_name("sbr")).__name__ == "SbrLexer"
    assert type(get_lexer_for_filename("rules.sbr")).__name__ == "SbrLexer"


# Other examples -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_data_examples_parse(page: Path) -> None:
    for block in _blocks(page):
        if block.marker("run") is not None:
            continue
        text = tool.expand_snippets(block.body)
        where = f"{page.relative_to(ROOT)}:{block.line}"
        if block.lang == "yaml":
            assert yaml.safe_load(text) is not None or not text.strip(), where
        elif block.lang == "json":
            json.loads(text)
        elif block.lang == "toml":
            tomllib.loads(text)


def test_docstring_examples_run() -> None:
    modules = [sbstrategy] + [
        importlib.import_module(f"sbstrategy.{m.name}")
        for m in pkgutil.iter_modules(sbstrategy.__path__)
        if m.name != "__main__"  # runs the command line when imported
    ]
    for module in modules:
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0, module.__name__


def test_the_cli_reference_shows_every_command() -> None:
    from sbstrategy.cli import _parser

    parser = _parser()
    (commands,) = (a for a in parser._actions if a.dest == "command")
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert "<!-- run: sbstrategy --help -->" in page
    for name in commands.choices:
        assert f"<!-- run: sbstrategy {name} --help -->" in page, f"reference/cli.md lacks `{name} --help`"


# Diagnostics and navigation ---------------------------------------------------------------------------------

_CODE_PATTERNS = (
    re.compile(r'Diagnostic\(\s*"(?:error|warning)",\s*"([a-z]+(?:-[a-z]+)*)"'),
    re.compile(r'\b(?:SourceError|_error)\(\s*"([a-z]+(?:-[a-z]+)*)",'),
)


def _emitted_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "src" / "sbstrategy").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in _CODE_PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def test_every_diagnostic_code_is_documented_with_an_example() -> None:
    codes = _emitted_codes()
    assert len(codes) >= 20, sorted(codes)  # the patterns still find the codes
    page = (DOCS / "reference" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([a-z-]+)`$", page, re.M))
    assert codes <= documented, f"undocumented diagnostic codes: {sorted(codes - documented)}"
    assert documented <= codes, f"documented codes the code base no longer emits: {sorted(documented - codes)}"
    sections = re.split(r"^### ", page, flags=re.M)[1:]
    for section in sections:
        code = section.split("`")[1]
        example = f"sbr: error {code}" in section or f"sbr: warning {code}" in section
        example = example or "exit=" in section or "python-output" in section
        example = example or "<!-- no example: " in section  # a safeguard that cannot be triggered
        assert example, f"diagnostic {code} has no failing example"
        assert "**Fix:**" in section, f"diagnostic {code} has no fix"


def _nav_pages() -> list[str]:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config.split("\nnav:\n", 1)[1]
    return re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?([\w./-]+\.md)\s*$", nav, re.M)


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "tools" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    # docs/commands/*.md join the nav through tools/mkdocs_hooks.py
    commands = [path for entry in _hooks().command_pages(DOCS) for path in entry.values()]
    listed = _nav_pages() + commands
    assert len(listed) == len(set(listed))
    assert set(listed) == set(PAGE_IDS), (
        f"not in the nav: {sorted(set(PAGE_IDS) - set(listed))}; missing files: {sorted(set(listed) - set(PAGE_IDS))}"
    )


def test_links_between_pages_point_at_pages() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", text):
            assert (page.parent / target).resolve().is_file(), f"{page.relative_to(ROOT)}: broken link {target}"


def test_the_three_assessment_formats_agree() -> None:
    """reference/assessments.md shows one assessment as YAML, JSON and TOML."""
    rules = sbstrategy.load(ROOT / "rules" / "readiness-stages.sbr")
    folder = DOCS / "examples" / "organisations"
    results = [
        rules.evaluate(sbstrategy.load_assessment(folder / f"hotel-seeblick.{ext}")).to_dict()
        for ext in ("yaml", "json", "toml")
    ]
    assert results[0] == results[1] == results[2]
