"""The shipped rule library (rules/*.sbr) and the example assessments (examples/).

These tests hold the content to its promises: every node cites one of the five seed articles,
every point that shared/DOMAIN.md lists for a seed is encoded in that seed's framework file,
every file checks clean and passes its scenarios, and each example assessment evaluates against
the combined model with the result its header comment describes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sbstrategy
from sbstrategy import ast

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
COMBINED = RULES / "social-business-readiness.sbr"

SEEDS = (
    "000_1d62d12803f569ab.txt",
    "001_9dd1a844ceae1cde.txt",
    "002_3b3f7ef7c8a4ad05.txt",
    "003_7af03632b8891d0c.txt",
    "004_df855e80e01bb9d4.txt",
)

RULE_FILES = sorted(RULES.glob("*.sbr"))
# The three example organisations assessed against the combined model (other files in examples/
# belong to the getting-started guide and use their own rules).
EXAMPLE_FILES = [EXAMPLES / "sme-bakery.yaml", EXAMPLES / "b2b-manufacturer.json", EXAMPLES / "corporate-group.toml"]

# For each seed: its framework file and, per point that DOMAIN.md lists for it, the names
# (capabilities or stages) chosen to encode that point. Each name must be declared in that file
# and its `source` must cite the seed.
DOMAIN_POINTS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "000_1d62d12803f569ab.txt": (
        "seven-success-factors.sbr",
        {
            "1 business goals defined, communicated to everyone": (
                "defined goals",
                "goals communicated to all staff",
            ),
            "2 future orientation": ("future orientation",),
            "3 executive support": ("executive sponsorship",),
            "4 roadmap for at least three years": ("roadmap",),
            "5 responsibilities and guidelines": ("defined responsibilities", "social media guidelines"),
            "6 staff and funding secured": ("staff and funding secured",),
            "7 focus on the essentials": ("focus on the essentials", "chasing new platforms"),
            "gap: media competence in staff development": ("social media expertise",),
            "cross-departmental: silos and hierarchy crossed": ("cross-departmental collaboration",),
            "change formats: jams, world café, barcamps": ("change formats",),
            "conclusion: strategic corporate development, a CEO topic": ("strategic social business development",),
        },
    ),
    "001_9dd1a844ceae1cde.txt": (
        "social-business-handbook.sbr",
        {
            "precisely defined goals": ("defined goals",),
            "roadmap: the Social Business Handbuch": ("social business handbook",),
            "decision-makers' strategy workshop": ("decision-maker strategy workshop",),
            "framework conditions before rollout": (
                "framework conditions",
                "prepared working environment",
                "prepared management",
                "technical rollout",
            ),
            "private skill is not social business skill": ("social business skills",),
            "80 % project design and accompaniment, 20 % technology": (
                "implementation support",
                "social business implementation",
            ),
        },
    ),
    "002_3b3f7ef7c8a4ad05.txt": (
        "b2b-seven-steps.sbr",
        {
            "1 strategic and communicative goals": ("defined goals",),
            "2 corporate governance extended": ("social media governance",),
            "3 guidelines for and with employees": ("social media guidelines",),
            "4 expertise built": ("social media expertise",),
            "5 open-source thinking in internal communication": ("open-source thinking",),
            "6 own budget, monitoring": ("social media budget", "social media monitoring"),
            "7 strategic KPIs in controlling": ("KPI controlling",),
            "survey: strategically anchored, few dialogue channels": (
                "B2B social media readiness",
                "dialogue channels",
            ),
        },
    ),
    "003_7af03632b8891d0c.txt": (
        "sme-prerequisites.sbr",
        {
            "first know what you want to achieve": ("defined goals",),
            "competences and cooperation of departments": (
                "social media expertise",
                "cross-departmental collaboration",
            ),
            "Roost: simple, authentic strategy": ("simple authentic strategy",),
            "Roost: supported by management, maintained by some, carried by all": (
                "executive sponsorship",
                "dedicated channel staff",
                "broad staff backing",
                "sustainable SME engagement",
            ),
            "Roost: information, training, responsibilities, guidelines, processes": (
                "internal information",
                "social media expertise",
                "defined responsibilities",
                "social media guidelines",
                "organisational processes",
            ),
            "Roost: budget, trust and patience": ("social media budget", "trust", "patience"),
            "Lesting: vision matures with the owner, consensus in the leadership": (
                "owner vision",
                "leadership consensus",
            ),
            "Lesting: organisational and product development means cultural change": (
                "dialogic organisation development",
                "cultural change",
            ),
        },
    ),
    "004_df855e80e01bb9d4.txt": (
        "readiness-stages.sbr",
        {
            "stage 1 bolt on": ("bolt on", "social media experiments", "uncoordinated experiments"),
            "stage 2 optimizing your social media": (
                "optimizing social media",
                "defined responsibilities",
                "right resources allocated",
                "organisational processes",
            ),
            "stage 3 optimizing your business": (
                "optimizing the business",
                "cultural change",
                "collaborative stakeholder relationships",
            ),
            "organisational alignment (external and internal fit)": ("organisational alignment",),
        },
    ),
}


def _load(path: Path) -> sbstrategy.RuleSet:
    return sbstrategy.load(path)


def _own(path: Path, span_path: str) -> bool:
    """Whether a statement was written in `path` (not in a file it includes)."""
    return Path(span_path).resolve() == path.resolve()


def test_the_library_is_complete() -> None:
    names = {p.name for p in RULE_FILES}
    assert names == {framework for framework, _points in DOMAIN_POINTS.values()} | {COMBINED.name}
    assert (RULES / "README.md").is_file()
    assert all(p.is_file() for p in EXAMPLE_FILES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_node_has_a_description_and_cites_a_seed(path: Path) -> None:
    rules = _load(path)
    nodes = [*rules.capabilities, *rules.stages]
    assert nodes
    for node in nodes:
        assert node.description, f"{node.name}: no description"
        assert node.source, f"{node.name}: no source"
        assert any(seed in node.source for seed in SEEDS), f"{node.name}: source names no seed file"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_gives_its_reason_and_source(path: Path) -> None:
    rules = _load(path)
    assert rules.requirements
    for rule in rules.requirements:
        assert rule.because, f"{rule.subject}: a requires-rule without 'because'"
        assert rule.source, f"{rule.subject}: a requires-rule without 'source'"
        assert any(seed in rule.source for seed in SEEDS), f"{rule.subject}: source names no seed file"


@pytest.mark.parametrize("seed", sorted(DOMAIN_POINTS))
def test_domain_points_are_encoded_in_their_framework(seed: str) -> None:
    framework, points = DOMAIN_POINTS[seed]
    rules = _load(RULES / framework)
    assert rules.model.framework_source and seed in rules.model.framework_source
    for point, names in points.items():
        for name in names:
            assert name in rules, f"{framework}: {point!r} needs {name!r}"
            node = rules.node(name)
            assert node.source and seed in node.source, f"{name!r} does not cite {seed}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_check_is_clean(path: Path) -> None:
    rules = _load(path)  # errors raise
    assert rules.diagnostics == ()


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_all_scenarios_pass(path: Path) -> None:
    rules = _load(path)
    results = rules.run_scenarios()  # the file's own scenarios; included files are tested on their own
    assert results, "every framework file has scenarios"
    failed = [r.title for r in results if not r.passed]
    assert not failed, failed


def test_every_stage_is_covered_reached_blocked_and_unknown() -> None:
    for path in RULE_FILES:
        rules = _load(path)
        statuses: dict[str, set[str]] = {}
        for scenario in rules.scenarios:
            if not _own(path, scenario.span.path):
                continue
            for line in scenario.lines:
                if isinstance(line, ast.Expect):
                    statuses.setdefault(line.name.key, set()).add(line.status)
        own_stages = [s for s in rules.stages if _own(path, s.span.path)]
        for stage in own_stages:
            assert {"reached", "blocked"} <= statuses.get(stage.key, set()), f"{path.name}: {stage.name}"
        assert "unknown" in set().union(*statuses.values()), f"{path.name}: no unknown case"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_evaluates_against_the_combined_model(path: Path) -> None:
    rules = _load(COMBINED)
    assessment = sbstrategy.load_assessment(path)
    assert assessment.organisation
    result = rules.evaluate(assessment)
    assert {s.name for s in result.stages} >= {
        "bolt on",
        "optimizing social media",
        "optimizing the business",
    }


def _evaluate(name: str) -> sbstrategy.Evaluation:
    return _load(COMBINED).evaluate(sbstrategy.load_assessment(EXAMPLES / name))


def test_sme_bakery_is_blocked_at_stage_2_by_three_root_causes() -> None:
    result = _evaluate("sme-bakery.yaml")
    assert result.stage("bolt on").status == "reached"
    stage2 = result.stage("optimizing social media")
    assert stage2.status == "blocked"
    assert set(stage2.root_causes) == {
        "social media budget",
        "social media expertise",
        "social media governance",
    }
    assert result.capability("right resources allocated").status == "at-risk"


def test_b2b_manufacturer_is_blocked_early_on_goals_and_governance() -> None:
    result = _evaluate("b2b-manufacturer.json")
    assert result.stage("bolt on").status == "reached"
    stage2 = result.stage("optimizing social media")
    assert stage2.status == "blocked"
    assert {"defined goals", "social media governance", "uncoordinated experiments"} <= set(stage2.root_causes)
    assert result.capability("social media guidelines").status == "at-risk"
    assert result.capability("technical rollout").status == "at-risk"


def test_corporate_group_reaches_stage_2_with_open_questions_on_stage_3() -> None:
    result = _evaluate("corporate-group.toml")
    assert result.stage("optimizing social media").status == "reached"
    stage3 = result.stage("optimizing the business")
    assert stage3.status == "unknown"
    assert {"cultural change", "collaborative stakeholder relationships"} <= set(stage3.open_questions)
    assert result.capability("technical rollout").status == "at-risk"
