"""What-if benchmark: one fact changed, re-evaluated incrementally, against a full evaluation.

    python benchmarks/whatif.py [--size 100k] [--changes 50] [--repeat 5] [--seed 0]

Issue 7's target: on a 100k model, re-evaluating after a change to one fact is at least 20 times
faster than a full evaluation. In one process: load generate.py's model and assessment (plain
flavour, cached under --work-dir like run.py's), then

- full: `rules.evaluate(assessment)` (facts to arrays, the pass; median of --repeat runs);
- incremental: for --changes capabilities drawn from a seeded stream, the fact flipped (yes <-> no)
  with `evaluation.with_facts({name: value})` (median over the changes).

Every incremental result is checked against a full evaluation of the changed assessment (each
node's status), so the speed-up is never bought with a wrong answer. Prints both medians, the
ratio and how many nodes a change touched on average; the exit status is 1 only on a mismatch.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the sibling module, found through the line above)
import run  # noqa: E402

TARGET = 20.0


def main(argv: list[str] | None = None) -> int:
    import sbstrategy

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="capabilities (default 100k)")
    parser.add_argument("--changes", type=int, default=50, help="single-fact changes timed (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="full evaluations timed (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work", help="cache of generated workloads")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    n = generate.parse_size(args.size)
    if n < 1 or args.changes < 1 or args.repeat < 1:
        parser.error("need --size, --changes and --repeat of at least 1")
    work = run.workload_dir(args.work_dir, n, args.seed, "plain")
    limits = sbstrategy.Limits(max_file_bytes=1 << 30, max_total_bytes=1 << 30)
    started = time.perf_counter()
    rules = sbstrategy.load(work / "model.sbr", limits=limits)
    assessment = sbstrategy.load_assessment(work / "assessment.json", limits)
    run.log(f"{generate.format_size(n)}: loaded in {time.perf_counter() - started:.1f} s")

    rules.evaluate(assessment)  # compiles the rule set once, as every later evaluation reuses it
    full_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        base = rules.evaluate(assessment)
        full_times.append(time.perf_counter() - started)

    rng = random.Random(f"whatif-{args.seed}")
    names = [c.name for c in rules.capabilities]
    facts = dict(assessment.facts)
    incremental_times = []
    mismatches = 0
    # the first change also builds the reverse-dependency index (once per rule set): timed apart
    started = time.perf_counter()
    base.with_facts({names[0]: facts.get(names[0], "unknown")})
    first_s = time.perf_counter() - started
    for _ in range(args.changes):
        name = names[int(rng.random() * len(names))]
        value = "no" if facts.get(name) == "yes" else "yes"
        started = time.perf_counter()
        changed = base.with_facts({name: value})
        incremental_times.append(time.perf_counter() - started)
        full = rules.evaluate(assessment.with_facts({name: value}))
        if [r.status for r in full.capabilities] != [r.status for r in changed.capabilities] or [
            r.status for r in full.stages
        ] != [r.status for r in changed.stages]:
            mismatches += 1
            run.log(f"  mismatch after changing {name} to {value}")

    full_s, incremental_s = statistics.median(full_times), statistics.median(incremental_times)
    ratio = full_s / incremental_s if incremental_s else float("inf")
    mark = "✓" if ratio >= TARGET else "✗"
    print(
        "\n".join(
            [
                f"# sbstrategy what-if benchmark: {generate.format_size(n)} capabilities",
                "",
                "| full evaluation (median) | one fact changed (median) | speed-up | target |",
                "| ---: | ---: | ---: | --- |",
                f"| {full_s * 1000:.1f} ms | {incremental_s * 1000:.2f} ms | {ratio:.0f}× | {mark} at least "
                f"{TARGET:.0f}× |",
                "",
                f"{args.changes} changes, each checked against a full evaluation: {mismatches} mismatches. "
                f"The first change of a rule set also builds its reverse-dependency index: {first_s * 1000:.1f} ms.",
            ]
        )
    )
    if args.json:
        data = {
            "n": n,
            "full_s": full_s,
            "incremental_s": incremental_s,
            "first_change_s": first_s,
            "ratio": ratio,
            "mismatches": mismatches,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
