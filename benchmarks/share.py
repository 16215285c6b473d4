"""Root-cause share: one evaluation's root causes, blockers and open questions against the rest of it.

    python benchmarks/share.py WORKDIR

Issue 7's target: root causes, blockers and open questions for all stages, shared rather than
worked out stage by stage, cost at most half of the rest of the evaluation. This process does
what `sbstrategy assess WORKDIR/model.sbr WORKDIR/assessment.json --format summary` does, once,
with the collector set up as the command sets it, and times its parts (wall time):

- loading the rule set and compiling it: not timed (the model, not the evaluation);
- the rest of the evaluation: reading and checking the assessment (`read`), facts to arrays and
  the pass (`evaluate`), the capabilities' and stages' statuses and the next stage (`statuses`);
- the shared part: every stage's number of root causes and of open questions (`counts`), of
  blockers (`blocker_counts`), and the next stage's root causes and open questions in full
  (`next_lists`), which is what the summary shows of them.

For comparison, not part of the share: every stage's blockers as `Blocker` objects
(`blocker_objects`: one object per failing term, as an API caller reading `stage.blockers` for
every stage gets them), and the same evaluation done `again` in this process (the assessment
already read, as in a program that evaluates one organisation after another). Prints one JSON
object, times in seconds.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python benchmarks/share.py WORKDIR", file=sys.stderr)
        return 2
    work = Path(args[0])

    import sbstrategy
    from sbstrategy.cli import CLI_LIMITS

    # As `sbstrategy assess`: a collection every 100,000 new objects, and the loaded rule set
    # frozen out of every later collection (see cli.main and cli._load_or_report).
    gc.set_threshold(100_000, 50, 50)
    gc.disable()
    rules = sbstrategy.load(work / "model.sbr", limits=CLI_LIMITS, cache=False)
    rules.compiled  # noqa: B018  (compiling belongs to loading the model: done before timing)
    gc.freeze()
    gc.enable()

    first, evaluation, assessment = timed_evaluation(
        rules, lambda: sbstrategy.load_assessment(work / "assessment.json", CLI_LIMITS)
    )
    start = time.perf_counter()
    first["blocker_object_count"] = sum(len(stage.blockers) for stage in evaluation.stages)
    first["blocker_objects"] = time.perf_counter() - start
    again, _, _ = timed_evaluation(rules, lambda: assessment)
    print(json.dumps({"first": first, "again": again}))
    return 0


def timed_evaluation(rules: Any, read: Callable[[], Any]) -> tuple[dict[str, float], Any, Any]:
    """The parts of one evaluation as `assess --format summary` makes it (`read` gives the
    assessment); the evaluation and the assessment."""
    from sbstrategy.evaluation import _Evaluator

    clock = time.perf_counter
    times: dict[str, float] = {}
    mark = clock()

    def lap(name: str) -> None:
        nonlocal mark
        now = clock()
        times[name] = now - mark
        mark = now

    assessment = read()
    lap("read")
    evaluation = rules.evaluate(assessment)
    lap("evaluate")
    run = evaluation._run
    stages = run.program.stages
    run.capability_counts()
    for i in stages:
        run.status(i)
    evaluation.highest_reached  # noqa: B018
    upcoming = evaluation.next_stage
    lap("statuses")
    run.stage_counts("causes")
    run.stage_counts("questions")
    lap("counts")
    evaluator = _Evaluator(run)
    for i in stages:
        if run.holds[i] == 0:  # a stage that is not blocked has no blockers
            evaluator.node_blocker_count(i)
    lap("blocker_counts")
    if upcoming is not None:
        upcoming.root_causes  # noqa: B018
        upcoming.open_questions  # noqa: B018
    lap("next_lists")
    return times, evaluation, assessment


if __name__ == "__main__":
    sys.exit(main())
