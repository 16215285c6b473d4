"""Parsing: names, keywords in context, expressions, attributes, scenarios."""

from __future__ import annotations

import pytest

from sbstrategy import ast
from sbstrategy._parser import parse_text
from sbstrategy._transform import name_key

from .conftest import errors_of


def parse(text: str) -> tuple[ast.Statement, ...]:
    statements, problems = parse_text(text, "t.sbr")
    assert problems == [], problems
    return statements


def rule(text: str) -> ast.Expr:
    (statement,) = parse(text)
    assert isinstance(statement, ast.Rule)
    return statement.requirement


def ref(name: str) -> ast.Ref:
    return ast.Ref(ast.Name(name, name_key(name), None))  # type: ignore[arg-type]


def test_multi_word_and_unicode_names() -> None:
    (decl,) = parse("capability Führungsunterstützung, KPI controlling, open-source thinking\n")
    assert isinstance(decl, ast.CapabilityDecl)
    assert [n.text for n in decl.names] == [
        "Führungsunterstützung",
        "KPI controlling",
        "open-source thinking",
    ]


def test_names_compare_case_and_space_insensitively() -> None:
    assert name_key("Executive  Sponsorship") == name_key("executive sponsorship")
    assert name_key("STRASSE") == name_key("straße")


def test_quoted_and_unquoted_spellings_are_one_name() -> None:
    assert rule('x requires "executive sponsorship"\n') == rule("x requires executive sponsorship\n")


def test_keywords_are_words_where_no_keyword_is_expected() -> None:
    (decl,) = parse("capability definition of goals, at home office, stage gate\n")
    assert [n.text for n in decl.names] == ["definition of goals", "at home office", "stage gate"]


def test_after_is_a_keyword_in_a_stage_declaration() -> None:
    (stage,) = parse("stage optimizing social media after bolt on\n")
    assert isinstance(stage, ast.StageDecl)
    assert stage.name.text == "optimizing social media"
    assert stage.after is not None and stage.after.text == "bolt on"


def test_precedence_or_loosest_then_and_then_not() -> None:
    expr = rule("x requires not a or b, c and d\n")
    assert expr == ast.Any((ast.Not(ref("a")), ast.All((ref("b"), ref("c"), ref("d")))))


def test_count_items_are_separated_by_commas() -> None:
    expr = rule("x requires 2 of (a, b and c, d or e)\n")
    assert expr == ast.AtLeast(2, (ref("a"), ast.All((ref("b"), ref("c"))), ast.Any((ref("d"), ref("e")))))


@pytest.mark.parametrize(
    "text", ["x requires budget level >= 3\n", "x requires budget >= 3\n", 'x requires "budget" level >= 3\n']
)
def test_level_keyword_is_optional(text: str) -> None:
    expr = rule(text)
    assert isinstance(expr, ast.Compare)
    assert (expr.name.key, expr.op, expr.value) == ("budget", ">=", 3)


def test_parenthesis_continues_a_statement_onto_next_lines() -> None:
    expr = rule("x requires 2 of (\n    a,\n    b,\n    c\n)\n")
    assert isinstance(expr, ast.AtLeast) and len(expr.items) == 3


def test_attribute_lines_and_comments() -> None:
    (decl,) = parse(
        '# heading\ncapability roadmap  # trailing\n  description "plan"\n  # between\n  effort 3\n  met at 2\n  tags "a", "b"\n'
    )
    assert isinstance(decl, ast.CapabilityDecl)
    assert [(a.key, a.values) for a in decl.attributes] == [
        ("description", ("plan",)),
        ("effort", (3,)),
        ("met at", (2,)),
        ("tags", ("a", "b")),
    ]


def test_string_escapes() -> None:
    (decl,) = parse('capability x\n  description "say \\"hi\\" \\\\ bye"\n')
    assert isinstance(decl, ast.CapabilityDecl)
    assert decl.attributes[0].values == ('say "hi" \\ bye',)


def test_scenario_lines() -> None:
    (scenario,) = parse(
        'scenario "s"\n  given a, b\n  given budget = 3\n  given unknown c\n  expect x is at-risk\n  expect y is blocked by a, b\n'
    )
    assert isinstance(scenario, ast.Scenario)
    kinds = [(type(line).__name__, getattr(line, "state", getattr(line, "status", None))) for line in scenario.lines]
    assert kinds == [
        ("Given", "yes"),
        ("Given", "level"),
        ("Given", "unknown"),
        ("Expect", "at-risk"),
        ("Expect", "blocked"),
    ]


def test_spans_point_at_the_text() -> None:
    (statement,) = parse("roadmap requires executive sponsorship\n")
    assert isinstance(statement, ast.Rule)
    span = statement.requirement.span
    assert (span.line, span.column, span.end_column) == (1, 18, 39)


def test_positions_are_not_part_of_equality() -> None:
    assert parse("capability a\n") == parse("\n\ncapability    a\n")


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("roadmap require x\n", 1, 9, "unknown word 'require'"),
        ("capabilty foo\n", 1, 1, "unknown word 'capabilty'"),
        ('capability x\n  descripton "y"\n', 2, 3, "unknown word 'descripton'"),
        ("capability foo and bar\n", 1, 16, "'and' is a reserved word"),
        ("x requires\n", 1, 11, "unexpected end of line"),
        ("x requires (a and\n\ny requires c\n", 1, 12, "'(' is never closed"),
        ("capability 2nd\n", 1, 12, "cannot start with a digit"),
        ('capability "x\n', 1, 12, "string is not closed"),
    ],
)
def test_syntax_errors_in_plain_words(text: str, line: int, column: int, fragment: str) -> None:
    (error,) = errors_of(text)
    assert error.code == "syntax"
    assert fragment in error.message
    assert (error.span.line, error.span.column) == (line, column)  # type: ignore[union-attr]
    for internal in ("_NL", "$END", "_INDENT", "NEWLINE", "WORD"):
        assert internal not in error.message


def test_every_syntax_error_of_a_file_is_reported() -> None:
    found = errors_of("capability a\na requir b\ncapability c d e\ncapabilty f\nc requires (a\n")
    assert [d.span.line for d in found] == [2, 4, 5]  # type: ignore[union-attr]


def test_after_and_is_are_keywords_only_where_the_grammar_expects_them() -> None:
    import sbstrategy

    rules = sbstrategy.loads(
        "capability review after launch, what is expected\n"
        "stage s\ns requires review after launch and what is expected\n"
        'scenario "t"\n  given review after launch, what is expected\n  expect s is reached\n'
    )
    assert [c.name for c in rules.capabilities] == ["review after launch", "what is expected"]
    assert all(result.passed for result in rules.run_scenarios())
