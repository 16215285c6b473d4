"""Checks: every problem of a file in one run, with position and suggestion."""

from __future__ import annotations

import pytest

import sbstrategy

from .conftest import errors_of, loads


def test_undeclared_name_suggests_the_close_one() -> None:
    (error,) = errors_of("capability roadmap\ncapability governance\ngovernance requires roadmapp\n")
    assert error.code == "undeclared-name"
    assert error.suggestion == "did you mean 'roadmap'?"
    assert (error.span.line, error.span.column) == (3, 21)  # type: ignore[union-attr]


def test_every_error_is_collected() -> None:
    found = errors_of("capability a\nb requires a\na requires c\nstage s after a\n")
    assert sorted(d.code for d in found) == ["undeclared-name", "undeclared-name", "wrong-kind"]


def test_capability_and_stage_with_one_name() -> None:
    (error,) = errors_of("capability bolt on\nstage Bolt  On\n")
    assert error.code == "kind-conflict"


def test_a_capability_declared_again_keeps_its_first_place_and_gains_attributes() -> None:
    rules = loads("capability a\ncapability b\ncapability a\n  effort 3\ncapability b\nstage s\ns requires a, b\n")
    assert [(c.name, c.effort, c.span.line) for c in rules.capabilities] == [("a", 3, 1), ("b", 1, 2)]
    (error,) = errors_of("capability a\nstage x\nstage a\n")
    assert error.code == "kind-conflict"
    assert error.message == "'a' is declared as a stage here and as a capability at t.sbr:1"


def test_cycle_is_shown_whole_with_every_edge() -> None:
    (error,) = errors_of("capability a, b, c\na requires b\nb requires c\nc requires a\nstage s\ns requires a\n")
    assert error.code == "cycle"
    assert error.message == "dependency cycle: a -> b -> c -> a"
    assert error.notes == (
        "t.sbr:2: 'a' requires 'b'",
        "t.sbr:3: 'b' requires 'c'",
        "t.sbr:4: 'c' requires 'a'",
    )


def test_stage_cycle_through_after() -> None:
    (error,) = errors_of("stage one after two\nstage two after one\n")
    assert error.code == "cycle" and "comes after" in error.notes[0]


def test_level_comparison_is_not_a_dependency() -> None:
    rules = loads(
        "capability budget, plan\nbudget requires plan level >= 2\nplan requires budget\nstage s\ns requires plan\n"
    )
    assert rules.diagnostics == ()
    assert rules.evaluate({"budget": "yes", "plan": 3}).stage("s").status == "reached"
    assert rules.evaluate({"budget": "yes", "plan": 1}).stage("s").status == "blocked"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("capability a\n  effort high\nstage s\ns requires a\n", "bad-attribute"),
        ('capability a\n  because "x"\nstage s\ns requires a\n', "bad-attribute"),
        ('capability a\n  met at "two"\nstage s\ns requires a\n', "bad-attribute"),
        ("capability a, b\nstage s\ns requires 3 of (a, b)\n", "bad-count"),
        ('framework "x"\nframework "y"\n', "duplicate-framework"),
        ('capability a\nstage s\ns requires a\nscenario "t"\n  expect s is met\n', "bad-status"),
        ("stage s\nstage t\nt requires s level >= 2\n", "wrong-kind"),
    ],
)
def test_bad_values(text: str, code: str) -> None:
    assert code in [d.code for d in errors_of(text)]


def test_warnings_unused_unreachable_conflicting() -> None:
    rules = loads(
        "capability a\n  effort 2\ncapability a\n  effort 3\ncapability spare\n"
        "stage never\nnever requires a and not a\nstage later after never\n"
    )
    codes = sorted(d.code for d in rules.diagnostics)
    assert codes == ["conflicting-declaration", "unreachable-stage", "unreachable-stage", "unused-capability"]
    assert all(d.severity == "warning" for d in rules.diagnostics)


def test_contradicting_levels_make_a_stage_unreachable() -> None:
    rules = loads("capability budget\nstage s\ns requires budget level >= 3 and budget level < 2\n")
    assert [d.code for d in rules.diagnostics] == ["unreachable-stage"]


def test_include_read_once_and_loop_warned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.sbr").write_text('include "b.sbr"\ncapability a\nstage s\ns requires a, b\n')
    (tmp_path / "b.sbr").write_text('include "a.sbr"\ncapability b\n')
    rules = sbstrategy.load(tmp_path / "a.sbr")
    assert [d.code for d in rules.diagnostics] == ["include-loop"]
    assert [c.name for c in rules.capabilities] == ["b", "a"]


def test_missing_include_suggests_a_sibling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.sbr").write_text('include "comon.sbr"\n')
    (tmp_path / "common.sbr").write_text("capability c\n")
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.load(tmp_path / "main.sbr")
    (error,) = info.value.diagnostics
    assert error.code == "include-not-found" and error.suggestion == "did you mean 'common.sbr'?"


def test_loads_reads_no_file_without_a_resolver(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "secret.sbr").write_text("capability secret\n")
    (error,) = errors_of(f'include "{tmp_path / "secret.sbr"}"\n')
    assert error.code == "include-refused"


def test_root_restricted_resolver_refuses_escapes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.sbr").write_text("capability o\n")
    (inner / "main.sbr").write_text('include "../outside.sbr"\n')
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.load(inner / "main.sbr")
    assert [d.code for d in info.value.diagnostics] == ["include-refused"]


def test_memory_resolver_includes_without_disk() -> None:
    resolver = sbstrategy.MemoryResolver({"common.sbr": "capability c\n"})
    rules = sbstrategy.loads('include "common.sbr"\nstage s\ns requires c\n', resolver=resolver)
    assert [c.name for c in rules.capabilities] == ["c"]


def test_unreadable_inputs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "bin.sbr"
    binary.write_bytes(b"capability a\n\xff\xfe\x00garbage")
    for target, code in (
        (binary, "encoding"),
        (tmp_path, "unreadable-file"),
        (tmp_path / "nope.sbr", "file-not-found"),
    ):
        with pytest.raises(sbstrategy.SbStrategyError) as info:
            sbstrategy.load(target)
        assert info.value.diagnostics[0].code == code


def test_limits_name_the_limit() -> None:
    limits = sbstrategy.Limits(max_name_length=10, max_depth=5)
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.loads("capability " + "a" * 11 + "\n", limits=limits)
    assert "max_name_length" in info.value.diagnostics[0].message
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.loads("capability a\nstage s\ns requires " + "not " * 10 + "a\n", limits=limits)
    assert "max_depth" in info.value.diagnostics[0].message


def test_rendered_diagnostic_has_position_line_and_caret() -> None:
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.loads("capability roadmap\nstage s\ns requires roadmapp\n", path="r.sbr")
    assert str(info.value).splitlines() == [
        "r.sbr:3:12: error: undeclared name 'roadmapp' [undeclared-name]",
        "    s requires roadmapp",
        "               ^^^^^^^^",
        "    help: did you mean 'roadmap'?",
    ]
