"""Every example of the language reference (LANGUAGE.md) behaves as it says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sbstrategy

HERE = Path(__file__).resolve().parent
FIRST = HERE / "golden" / "language-first-example.sbr"
SHARED = HERE.parent.parent / "shared" / "LANGUAGE.md"


def test_committed_copy_matches_the_contract() -> None:
    if not SHARED.is_file():
        pytest.skip("shared/LANGUAGE.md is not beside this checkout")
    first_block = re.search(r"```\n(.*?)```", SHARED.read_text(encoding="utf-8"), re.S)
    assert first_block is not None
    assert first_block.group(1) == FIRST.read_text(encoding="utf-8")


def test_first_example_loads_cleanly_and_its_scenario_passes() -> None:
    rules = sbstrategy.load(FIRST)
    assert rules.framework == "Seven success factors"
    assert [c.name for c in rules.capabilities][:3] == ["business goals", "executive sponsorship", "roadmap"]
    assert [s.name for s in rules.stages] == ["bolt on", "optimizing social media", "optimizing the business"]
    (result,) = rules.run_scenarios()
    assert result.passed


def test_first_example_meaning() -> None:
    rules = sbstrategy.load(FIRST)
    result = rules.evaluate({"executive sponsorship": "yes", "budget": 2}, unlisted="no")
    roadmap = result.capability("roadmap")
    assert roadmap.status == "blocked" and roadmap.root_causes == ("business goals",)
    assert roadmap.blockers[0].because == "a plan without a sponsor is not carried out"
    stage = result.stage("optimizing social media")
    assert stage.status == "blocked"
    assert stage.root_causes == ("business goals", "staff and funding")
    assert result.stage("bolt on").status == "reached"
    business = result.stage("optimizing the business")
    assert {b.kind for b in business.blockers} == {"after", "at-least", "level"}


def test_names_in_any_case_and_spacing_are_one_node() -> None:
    rules = sbstrategy.loads("capability Executive  Sponsorship\nstage s\ns requires executive sponsorship\n")
    assert [c.name for c in rules.capabilities] == ["Executive Sponsorship"]
    assert rules.evaluate({"EXECUTIVE sponsorship": "yes"}).stage("s").status == "reached"


def test_json_result_has_the_documented_keys(tmp_path: Path) -> None:
    import io

    from sbstrategy.cli import main

    facts = tmp_path / "org.json"
    facts.write_text(json.dumps({"organisation": "X", "facts": {"executive sponsorship": "yes"}}))
    out = io.StringIO()
    assert main(["assess", str(FIRST), str(facts), "--format", "json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["framework"] == "Seven success factors"
    assert [s["name"] for s in data["stages"]] == [
        "bolt on",
        "optimizing social media",
        "optimizing the business",
    ]
    roadmap = next(c for c in data["capabilities"] if c["name"] == "roadmap")
    assert roadmap["status"] == "unknown" and roadmap["in_place"] == "unknown"
    for entry in data["stages"] + data["capabilities"]:
        assert entry["root_causes"] == sorted(entry["root_causes"])
        assert entry["open_questions"] == sorted(entry["open_questions"])
