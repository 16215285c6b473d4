"""Batch benchmark: many organisations against one model, `sbstrategy assess RULES many.csv --format csv`.

    python benchmarks/batch.py [--capabilities 200] [--rows 100k] [--repeat 3] [--seed 0]

Issue 7's target: 100,000 organisations against a 200-capability model in under 10 s, whole
process, with memory that does not depend on the number of rows. The model is generate.py's
(plain flavour, seed S); the CSV has one row per organisation with a column per capability, each
cell drawn from the same seeded stream (70 % yes, 20 % no, 5 % unknown, 5 % empty, i.e. unlisted).
Both are cached under --work-dir (default benchmarks/.work/, git-ignored).

Reported per row count (the full count and a tenth of it, to show that memory does not grow with
the rows): median wall time of `--repeat` runs of the whole process (`sys.executable -m
sbstrategy ...`, output to a file that is checked for one line per organisation), rows per second,
and peak memory (GNU time's %M when available, as run.py measures it). No target is asserted;
the exit status is 1 only if a run fails or its output has the wrong number of rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the sibling module, found through the line above)
import run  # noqa: E402

TARGET_SECONDS = 10.0


def workload(work_root: Path, capabilities: int, rows: int, seed: int) -> tuple[Path, Path]:
    """(model.sbr, many.csv), generated once per parameters and reused."""
    model_dir = run.workload_dir(work_root, capabilities, seed, "plain")
    target = work_root / f"batch-{generate.format_size(capabilities)}x{generate.format_size(rows)}-seed{seed}.csv"
    if not target.is_file():
        facts = json.loads((model_dir / "assessment.json").read_text(encoding="utf-8"))["facts"]
        names = list(facts)
        rng = random.Random(f"batch-{seed}")
        partial = target.with_suffix(".partial")
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["organisation", *names])
            draw = rng.random
            for row in range(rows):
                cells = []
                for _ in names:
                    x = draw()
                    cells.append("yes" if x < 0.70 else "no" if x < 0.90 else "unknown" if x < 0.95 else "")
                writer.writerow([f"org{row + 1}", *cells])
        partial.rename(target)
    return model_dir / "model.sbr", target


def measure_batch(model: Path, table: Path, rows: int, repeat: int, env: dict[str, str]) -> dict[str, object]:
    cmd = [sys.executable, "-m", "sbstrategy", "assess", str(model), str(table), "--format", "csv"]
    times: list[float] = []
    peak = 0
    problem = ""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "out.csv"
        for _ in range(repeat):
            result = run.measure(cmd, env, timeout=600, stdout_path=output)
            if not result.ok:
                problem = result.stderr.strip()[-300:] or f"exit status {result.returncode}"
                break
            with open(output, encoding="utf-8") as handle:
                lines = sum(1 for _ in handle) - 1
            if lines != rows:
                problem = f"{lines} rows of output for {rows} organisations"
                break
            times.append(result.seconds)
            peak = max(peak, result.peak_bytes)
    median = statistics.median(times) if times else None
    return {"rows": rows, "median_s": median, "peak_bytes": peak or None, "problem": problem}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--capabilities", default="200", help="model size (default 200)")
    parser.add_argument("--rows", default="100k", help="organisations (default 100k)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per row count (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work", help="cache of generated inputs")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    capabilities, rows = generate.parse_size(args.capabilities), generate.parse_size(args.rows)
    if capabilities < 1 or rows < 1 or args.repeat < 1:
        parser.error("need --capabilities, --rows and --repeat of at least 1")
    env = run.clean_env()
    results = []
    for count in sorted({max(1, rows // 10), rows}):
        model, table = workload(args.work_dir, capabilities, count, args.seed)
        run.log(f"{generate.format_size(count)} organisations × {capabilities} capabilities ({table.name})")
        results.append(measure_batch(model, table, count, args.repeat, env))
    lines = [
        f"# sbstrategy batch benchmark: {capabilities} capabilities",
        "",
        "| organisations | wall time (median) | organisations / s | peak memory | target |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    failed = False
    for result in results:
        count, median, peak = result["rows"], result["median_s"], result["peak_bytes"]
        if result["problem"] or median is None:
            failed = True
            lines.append(f"| {count:,} | failed: {result['problem']} | – | – | – |")
            continue
        assert isinstance(count, int) and isinstance(median, float)
        target = "–"
        if count == 100_000 and capabilities == 200:
            target = f"{'✓' if median < TARGET_SECONDS else '✗'} under {TARGET_SECONDS:.0f} s"
        memory = f"{peak / 1e6:.1f} MB" if isinstance(peak, int) else "–"
        lines.append(f"| {count:,} | {median:.2f} s | {count / median:,.0f} | {memory} | {target} |")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
