"""`sbstrategy assess RULES many.csv --format csv|jsonl`, and `--format summary` (issue 7)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy._batch import assess_rows
from sbstrategy._render import json_text

RULES = """\
framework "Mini"
capability roadmap, sponsor, goals
capability budget
  met at 2
stage one
stage two after one
one requires roadmap
roadmap requires sponsor and goals
two requires budget level >= 3
"""

TABLE = """\
organisation,roadmap,sponsor,goals,budget
acme,yes,yes,yes,3
beta,no,yes,no,1
gamma,,unknown,yes,
"eps, inc",Yes,Y,TRUE,4
"""

HEADER = [
    "organisation",
    "highest_reached",
    "next_stage",
    "stage: one",
    "stage: two",
    "capabilities met",
    "capabilities at-risk",
    "capabilities ready",
    "capabilities blocked",
    "capabilities unknown",
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "rules.sbr").write_text(RULES, encoding="utf-8")
    (tmp_path / "many.csv").write_text(TABLE, encoding="utf-8")
    return tmp_path


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_in_csv_out_one_row_per_organisation(cli, files: Path) -> None:
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 0, run.err
    rows = _rows(run.out)
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["acme", "two", "", "reached", "reached", "4", "0", "0", "0", "0"],
        ["beta", "", "one", "blocked", "blocked", "1", "0", "2", "1", "0"],
        ["gamma", "", "one", "unknown", "unknown", "1", "0", "0", "0", "3"],
        ["eps, inc", "two", "", "reached", "reached", "4", "0", "0", "0", "0"],
    ]
    assert run.err == ""  # no progress bar: standard error is not a terminal


def test_each_row_is_what_evaluate_gives(cli, files: Path) -> None:
    rules = sbstrategy.load(files / "rules.sbr")
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "jsonl")
    assert run.status == 0, run.err
    lines = [json.loads(line) for line in run.out.splitlines()]
    source = list(csv.DictReader(io.StringIO(TABLE)))
    assert len(lines) == len(source) == 4
    for line, row in zip(lines, source, strict=True):
        organisation = row.pop("organisation")
        facts = {k: v for k, v in row.items() if v}
        expected = rules.evaluate({"organisation": organisation, "facts": facts})
        assert line["organisation"] == organisation
        assert line["stages"] == {s.name: s.status for s in expected.stages}
        assert line["capability_status"] == expected.status_counts()
        assert line["highest_reached"] == (expected.highest_reached.name if expected.highest_reached else None)
        assert line["next_stage"] == (expected.next_stage.name if expected.next_stage else None)


def test_unlisted_no(cli, files: Path) -> None:
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv", "--unlisted", "no")
    gamma = _rows(run.out)[3]
    assert gamma[:5] == ["gamma", "", "one", "blocked", "blocked"]


def test_a_bad_cell_is_reported_at_its_line_and_column(cli, files: Path) -> None:
    (files / "many.csv").write_text(TABLE + "delta,yes,maybe,yes,2\nzeta,yes,yes,yes,yes\nomega,no,no,no,0\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 1
    assert f"{files / 'many.csv'}:6:11: error: 'sponsor': 'maybe' is not yes, no, unknown or a number" in run.err
    assert "    delta,yes,maybe,yes,2\n              ^^^^^\n" in run.err
    assert f"{files / 'many.csv'}:7:18: error: 'budget' is compared by level" in run.err
    assert "2 rows left out" in run.err
    organisations = [row[0] for row in _rows(run.out)[1:]]
    assert organisations == ["acme", "beta", "gamma", "eps, inc", "omega"]  # the others go on


def test_a_row_of_the_wrong_width(cli, files: Path) -> None:
    (files / "many.csv").write_text(TABLE + "\nshort,yes\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 1
    assert ":7:1: error: this row has 2 cells, the header has 5" in run.err
    assert len(_rows(run.out)) == 5  # the blank line is skipped, the short row left out


def test_quoted_and_multi_line_cells_keep_their_position(cli, files: Path) -> None:
    (files / "many.csv").write_text('organisation,roadmap,sponsor,goals,budget\n"two\nlines",yes,"y, no",yes,3\n')
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 1
    assert ":3:12: error: 'sponsor': 'y, no' is not yes" in run.err
    assert '    lines",yes,"y, no",yes,3\n               ^^^^^^^\n' in run.err


def test_unknown_columns_are_errors_before_any_row(cli, files: Path) -> None:
    (files / "many.csv").write_text("organisation,roadmpa,two,goals,goals,\nacme,yes,yes,yes,yes,\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 1
    assert run.out == ""
    assert ":1:14: error: 'roadmpa' is not a capability of these rules" in run.err
    assert "help: did you mean 'roadmap'?" in run.err
    assert "'two' is a stage" in run.err
    assert "'goals' is given twice (also column 4)" in run.err
    assert "column 6 has no name" in run.err


def test_the_organisation_column_is_required(cli, files: Path) -> None:
    (files / "many.csv").write_text("name,roadmap\nacme,yes\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 1
    assert "the first column is 'organisation'" in run.err
    (files / "many.csv").write_text("")
    assert cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv").status == 1


def test_a_byte_order_mark_and_crlf_line_ends_are_read(cli, files: Path) -> None:
    (files / "many.csv").write_bytes(("\ufeff" + TABLE.replace("\n", "\r\n")).encode("utf-8"))
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv")
    assert run.status == 0, run.err
    assert len(_rows(run.out)) == 5


def test_a_csv_needs_a_row_format(cli, files: Path) -> None:
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"))
    assert run.status == 2
    assert "--format csv or --format jsonl" in run.err
    run = cli("assess", str(files / "rules.sbr"), str(files / "missing.csv"), "--format", "csv")
    assert run.status == 2


def test_one_assessment_as_one_row(cli, files: Path) -> None:
    (files / "acme.yaml").write_text("organisation: acme\nfacts:\n  roadmap: yes\n  sponsor: yes\n  goals: no\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "acme.yaml"), "--format", "csv")
    assert run.status == 0, run.err
    assert _rows(run.out) == [HEADER, ["acme", "", "one", "blocked", "blocked", "1", "1", "1", "0", "1"]]
    run = cli("assess", str(files / "rules.sbr"), str(files / "acme.yaml"), "--format", "jsonl")
    assert json.loads(run.out)["stages"] == {"one": "blocked", "two": "blocked"}


def test_output_to_a_file(cli, files: Path) -> None:
    target = files / "out.csv"
    run = cli("assess", str(files / "rules.sbr"), str(files / "many.csv"), "--format", "csv", "-o", str(target))
    assert run.status == 0, run.err
    assert run.out == ""
    assert len(_rows(target.read_text(encoding="utf-8"))) == 5
    assert [p.name for p in files.iterdir() if p.name.startswith(".sbstrategy-")] == []


def test_progress_bar_only_when_asked_or_on_a_terminal(files: Path) -> None:
    rules = sbstrategy.load(files / "rules.sbr")
    out, err = io.StringIO(), io.StringIO()
    assert assess_rows(rules, str(files / "many.csv"), out, "csv", err=err, progress=True) == 0
    assert "assess: [" in err.getvalue() and "4 organisations" in err.getvalue()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    assess_rows(rules, str(files / "many.csv"), io.StringIO(), "jsonl", err=terminal)
    assert "100%" in terminal.getvalue()


def test_summary_format(cli, files: Path) -> None:
    (files / "acme.yaml").write_text("organisation: acme\nfacts:\n  roadmap: no\n  sponsor: yes\n  goals: no\n")
    run = cli("assess", str(files / "rules.sbr"), str(files / "acme.yaml"), "--format", "summary")
    assert run.status == 0, run.err
    data = json.loads(run.out)
    assert data["framework"] == "Mini" and data["organisation"] == "acme"
    assert data["next_stage"] == "one" and data["next_stage_root_causes"] == ["goals"]
    assert data["stages"][0] == {
        "name": "one",
        "status": "blocked",
        "blocker_count": 1,
        "root_cause_count": 1,
        "open_question_count": 0,
    }
    assert data["capability_status"] == {"met": 1, "at-risk": 0, "ready": 1, "blocked": 1, "unknown": 1}
    full = json.loads(cli("assess", str(files / "rules.sbr"), str(files / "acme.yaml"), "--format", "json").out)
    assert [s["status"] for s in full["stages"]] == [s["status"] for s in data["stages"]]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children) | st.tuples(children, children),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_json_text_is_json_dumps_indented(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_assess_json_is_json_dumps_of_to_dict(cli, files: Path) -> None:
    (files / "acme.yaml").write_text("organisation: acme\nfacts:\n  roadmap: no\n  sponsor: yes\n  budget: 2\n")
    rules = sbstrategy.load(files / "rules.sbr")
    expected = json.dumps(
        rules.evaluate(sbstrategy.load_assessment(files / "acme.yaml")).to_dict(), indent=2, ensure_ascii=False
    )
    run = cli("assess", str(files / "rules.sbr"), str(files / "acme.yaml"), "--format", "json")
    assert run.out == expected + "\n"
