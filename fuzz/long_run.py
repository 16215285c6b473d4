"""The long fuzz run: millions of generated and mutated inputs through the parser and the
assessment loader, in several processes, seeded so that any finding can be replayed.

    PYTHONPATH=src python fuzz/long_run.py --inputs 1000000 --processes 2

Each input goes either to `loads` (a rule file from tests/fuzz_inputs.py: generated from the
grammar, mutated, or noise; 60 %) or to `parse_assessment` in YAML, JSON or TOML followed by an
evaluation (40 %). A rule file that loads is evaluated with random facts and its scenarios are
run. A *finding* is any exception other than `SbStrategyError`, a diagnostic whose position
lies outside its file, or one input that takes longer than `--slow` seconds. Each finding is
written to `--findings` (the input and the traceback), and the summary, also written as JSON
to `--report`, counts inputs, outcomes, time and findings. The exit status is 1 if anything
was found. See fuzz/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "src")]

from tests import fuzz_inputs as F  # noqa: E402

import sbstrategy  # noqa: E402 - after the path is set

RULES = sbstrategy.loads(F.ASSESSED_RULES)
NAMES = F.ASSESSED_NAMES


def _outside(error: sbstrategy.SbStrategyError, texts: dict[str, str]) -> str | None:
    for diagnostic in error.diagnostics:
        span = diagnostic.span
        if span is None or span.path not in texts:
            continue
        lines = texts[span.path].split("\n")
        line = lines[span.line - 1] if 1 <= span.line <= len(lines) else ""
        if not (1 <= span.line <= len(lines) + 1 and span.end_line >= span.line and 1 <= span.column <= len(line) + 2):
            return f"diagnostic outside its file: {diagnostic!r}"
    return None


def _rule_input(rnd: random.Random) -> tuple[str, str]:
    text = F.rule_text(rnd)
    try:
        rules = sbstrategy.loads(text, path="fuzz.sbr")
    except sbstrategy.SbStrategyError as error:
        str(error)
        return "rules-error", _outside(error, {"fuzz.sbr": text}) or ""
    names = [c.name for c in rules.capabilities]
    facts = {n: rnd.choice(["yes", "no", "unknown", 0, 1, 2, 3]) for n in names if rnd.random() < 0.8}
    try:
        evaluation = rules.evaluate(facts)
    except sbstrategy.SbStrategyError as error:
        str(error)
        return "rules-ok", ""
    json.dumps(evaluation.to_dict())
    if evaluation.stages and rnd.random() < 0.2:
        sbstrategy.explain(rules, evaluation, evaluation.stages[0].name)
    rules.run_scenarios()
    return "rules-ok", ""


def _assessment_input(rnd: random.Random) -> tuple[str, str]:
    fmt, text = F.assessment_text(rnd, NAMES)
    path = f"fuzz.{fmt}"
    try:
        evaluation = RULES.evaluate(sbstrategy.parse_assessment(text, path))
    except sbstrategy.SbStrategyError as error:
        str(error)
        return f"{fmt}-error", _outside(error, {path: text}) or ""
    json.dumps(evaluation.to_dict())
    return f"{fmt}-ok", ""


def _worker(job: tuple[int, int, int, float, str]) -> dict[str, object]:
    index, seed, count, slow, findings = job
    master = random.Random(f"{seed}/{index}")
    counts: dict[str, int] = {}
    found: list[dict[str, object]] = []
    started = time.monotonic()
    for number in range(count):
        case_seed = master.getrandbits(64)
        rnd = random.Random(case_seed)
        target = _rule_input if rnd.random() < 0.6 else _assessment_input
        began = time.monotonic()
        try:
            outcome, problem = target(rnd)
        except Exception:  # a finding: anything but our error escaped
            outcome, problem = "crash", traceback.format_exc()
        took = time.monotonic() - began
        if not problem and took > slow:
            problem = f"took {took:.1f}s"
        counts[outcome] = counts.get(outcome, 0) + 1
        if problem:
            found.append(_record(findings, target.__name__, case_seed, problem))
        if index == 0 and number and number % 20_000 == 0:
            rate = number / (time.monotonic() - started)
            print(f"  worker 0: {number:,} inputs, {rate:,.0f}/s", file=sys.stderr, flush=True)
    return {"counts": counts, "findings": found, "seconds": time.monotonic() - started}


def _record(folder: str, target: str, case_seed: int, problem: str) -> dict[str, object]:
    """Write the input that found something (regenerated from its seed) and the problem."""
    rnd = random.Random(case_seed)
    rnd.random()  # the draw that chose the target
    if target == "_rule_input":
        text, name = F.rule_text(rnd), "input.sbr"
    else:
        fmt, text = F.assessment_text(rnd, NAMES)
        name = f"input.{fmt}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    where = Path(folder) / digest
    where.mkdir(parents=True, exist_ok=True)
    (where / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    (where / "problem.txt").write_text(f"seed {case_seed}\n{problem}", encoding="utf-8")
    return {"target": target, "seed": case_seed, "problem": problem.strip().splitlines()[-1][:300], "saved": str(where)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs in all (default 1,000,000)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=10.0, help="seconds for one input that count as a finding")
    parser.add_argument("--findings", default=str(HERE / "findings"), help="folder for inputs that found something")
    parser.add_argument("--report", help="write the summary as JSON to this file")
    args = parser.parse_args()

    chunk = max(1, args.inputs // (args.processes * 8))
    jobs = []
    left = args.inputs
    while left > 0:
        jobs.append((len(jobs), args.seed, min(chunk, left), args.slow, args.findings))
        left -= chunk
    print(f"fuzzing {args.inputs:,} inputs in {len(jobs)} jobs on {args.processes} processes", file=sys.stderr)
    started = time.monotonic()
    counts: dict[str, int] = {}
    findings: list[dict[str, object]] = []
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        for done, result in enumerate(pool.imap_unordered(_worker, jobs), start=1):
            for key, value in result["counts"].items():  # type: ignore[attr-defined]
                counts[key] = counts.get(key, 0) + value
            findings += result["findings"]  # type: ignore[arg-type]
            total = sum(counts.values())
            elapsed = time.monotonic() - started
            print(
                f"{done}/{len(jobs)} jobs, {total:,} inputs, {elapsed / 60:.1f} min, {len(findings)} findings",
                file=sys.stderr,
                flush=True,
            )
    summary = {
        "inputs": sum(counts.values()),
        "seconds": round(time.monotonic() - started, 1),
        "processes": args.processes,
        "seed": args.seed,
        "outcomes": dict(sorted(counts.items())),
        "findings": findings,
        "sbstrategy": sbstrategy.__version__,
        "python": sys.version.split()[0],
    }
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
