"""`graph`: the dependency graph as Mermaid, DOT, GraphML and JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

import sbstrategy
from sbstrategy.export import FORMATS, export_graph

ROOT = Path(__file__).resolve().parent.parent
RULES = sbstrategy.loads(
    'capability goals, "staff and funding", chaos\ncapability budget\n  effort 2\n'
    "stage planned\nstage funded after planned\n"
    'planned requires goals, not chaos\nfunded requires "staff and funding", budget level >= 2\n',
    path="t.sbr",
)
FACTS = {"goals": "yes", "staff and funding": "no", "chaos": "no", "budget": 1}


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(fmt: str) -> None:
    evaluation = RULES.evaluate(FACTS)
    assert export_graph(RULES, evaluation, fmt) == export_graph(RULES, RULES.evaluate(FACTS), fmt)
    assert export_graph(RULES, fmt=fmt) == export_graph(RULES, fmt=fmt)


def test_mermaid() -> None:
    text = export_graph(RULES, RULES.evaluate(FACTS), "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  c2["staff and funding<br/><i>ready</i>"]' in lines
    assert '  s1{{"planned<br/><i>reached</i>"}}' in lines  # stages are hexagons
    assert '  s1 ==>|"after"| s2' in lines
    assert '  c3 -.->|"not"| s1' in lines
    assert '  c4 -->|"level #gt;= 2"| s2' in lines
    assert "  class s1,s2 stage" in lines
    assert "  class c2,c3 ready" in lines
    plain = export_graph(RULES)
    assert "<i>" not in plain and "classDef ready" not in plain


def test_dot() -> None:
    text = export_graph(RULES, RULES.evaluate(FACTS), "dot")
    assert text.startswith('digraph "Rule set" {\n')
    assert 's1 [label="planned\\nreached", shape=hexagon, penwidth=2.5, fillcolor="#c8e6c9", color="#2e7d32"];' in text
    assert 'c4 -> s2 [label="level >= 2"];' in text
    assert 'c3 -> s1 [label="not", style=dashed, arrowhead=tee];' in text
    assert text.endswith("}\n")


def test_json() -> None:
    data = json.loads(export_graph(RULES, RULES.evaluate(FACTS), "json"))
    assert [(n["id"], n["name"], n["kind"], n["status"]) for n in data["nodes"]] == [
        ("c1", "goals", "capability", "met"),
        ("c2", "staff and funding", "capability", "ready"),
        ("c3", "chaos", "capability", "ready"),
        ("c4", "budget", "capability", "met"),
        ("s1", "planned", "stage", "reached"),
        ("s2", "funded", "stage", "blocked"),
    ]
    assert [(e["from_name"], e["to_name"], e["kind"], e["label"]) for e in data["edges"]] == [
        ("planned", "funded", "after", "after"),
        ("goals", "planned", "requires", ""),
        ("chaos", "planned", "not", "not"),
        ("staff and funding", "funded", "requires", ""),
        ("budget", "funded", "level", "level >= 2"),
    ]
    assert all("status" not in n for n in json.loads(export_graph(RULES, fmt="json"))["nodes"])


def test_graphml_reads_back_with_networkx() -> None:
    text = export_graph(RULES, RULES.evaluate(FACTS), "graphml")
    graph = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert set(graph.nodes) == {"goals", "staff and funding", "chaos", "budget", "planned", "funded"}
    assert graph.nodes["funded"]["status"] == "blocked"
    assert graph.nodes["planned"]["kind"] == "stage"
    assert graph.edges["budget", "funded"]["kind"] == "level"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown graph format"):
        export_graph(RULES, fmt="png")


def test_cli_graph_of_the_combined_model(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("graph", "readiness", "--assessment", "examples/sme-bakery.yaml")
    assert run.status == 0, run.err
    assert run.out.startswith("flowchart TD\n")
    assert "classDef blocked" in run.out
    target = tmp_path / "model.dot"
    run = cli("graph", "readiness", "--format", "dot", "--output", str(target))
    assert run.status == 0 and run.out == ""
    assert target.read_text(encoding="utf-8").startswith("digraph ")
    assert cli("graph", "readiness", "--format", "png").status == 2
