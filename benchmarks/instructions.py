"""Instructions executed, not seconds: is the growth from 100k to 1M work, or waiting for memory?

    python benchmarks/instructions.py [--sizes 100k,1m] [--contestants cold,kconfiglib]

Runs each contestant's command (the same commands as run.py: `sbstrategy assess --format summary`
with no cache, and kconfig_eval.py) once per size under Valgrind's cachegrind without its cache
simulation, which counts every machine instruction the process executes, and prints a Markdown
table of the counts and their growth from one size to the next. The count does not depend on the
machine's caches, its load or its clock: an algorithm that does ten times the work for ten times
the input executes about ten times the instructions, however much longer each memory access takes
once the data no longer fits in the caches. Compare the growth here with the growth of wall time in
run.py's report (see README.md, *Why 1M grows more than 12×*).

Needs `valgrind` (`apt-get install valgrind`); a process under cachegrind runs about 20 times
slower than alone (1M: 10 to 15 minutes for either contestant on the machine of 2026-12-04).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the sibling module, found through the line above)
import run  # noqa: E402

CONTESTANTS = ("cold", "kconfiglib", "floor")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instruction_count(valgrind_stderr: str) -> int | None:
    """The `I refs` total that cachegrind prints at the end of a run, or None."""
    found = _REFS.findall(valgrind_stderr)
    return int(found[-1].replace(",", "")) if found else None


def valgrind_cmd(valgrind: str, cmd: list[str]) -> list[str]:
    # no cache simulation (counting only, and faster); no output file (the total is on stderr)
    return [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *cmd]


def count(valgrind: str, cmd: list[str], env: dict[str, str]) -> int:
    proc = subprocess.run(
        valgrind_cmd(valgrind, cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    total = instruction_count(proc.stderr)
    if proc.returncode != 0 or total is None:
        raise RuntimeError(f"{' '.join(cmd)} failed under valgrind:\n{proc.stderr[-2000:]}")
    return total


def table(sizes: list[int], chosen: list[str], counts: dict[tuple[str, int], int]) -> str:
    labels = {"cold": "sbstrategy (cold)", "kconfiglib": "Kconfiglib", "floor": "floor"}
    head = "| N | " + " | ".join(f"{labels[c]} | growth" for c in chosen) + " |"
    rule = "| ---: | " + " | ".join("---: | ---:" for _ in chosen) + " |"
    lines = [head, rule]
    for k, n in enumerate(sizes):
        cells = [generate.format_size(n)]
        for c in chosen:
            cells.append(f"{counts[c, n] / 1e9:.2f} G")
            cells.append(f"{counts[c, n] / counts[c, sizes[k - 1]]:.2f}×" if k else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated (default 100k,1m)")
    parser.add_argument("--contestants", default="cold,kconfiglib", help="subset of " + ",".join(CONTESTANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flavour", choices=("plain", "rich"), default="plain")
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work", help="workload cache (as run.py)")
    args = parser.parse_args(argv)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("instructions.py: valgrind not found (apt-get install valgrind)", file=sys.stderr)
        return 2
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    chosen = [c.strip() for c in args.contestants.split(",") if c.strip()]
    unknown = sorted(set(chosen) - set(CONTESTANTS))
    if unknown or not sizes or min(sizes) < 1:
        parser.error(f"unknown contestants {unknown}" if unknown else "need sizes ≥ 1")
    counts: dict[tuple[str, int], int] = {}
    with tempfile.TemporaryDirectory(prefix="sbstrategy-instructions-") as scratch:
        for n in sizes:
            work = run.workload_dir(args.work_dir, n, args.seed, args.flavour)
            commands = run.commands(work)
            for name in chosen:
                env = run.cold_env(run.clean_env(), Path(scratch)) if name == "cold" else run.clean_env()
                run.log(f"  {generate.format_size(n):>5} {name} under valgrind")
                try:
                    counts[name, n] = count(valgrind, commands[name], env)
                except RuntimeError as problem:
                    print(f"instructions.py: {problem}", file=sys.stderr)
                    return 1
    print(table(sizes, chosen, counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
