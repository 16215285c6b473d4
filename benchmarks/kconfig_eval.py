"""The Kconfiglib contestant: the same evaluation done by the Linux kernel's configuration logic.

Loads the generated Kconfig and .config, computes the value of every symbol (a capability symbol is
y exactly when the capability is met: a symbol whose dependencies fail is forced to n; in the rich
flavour m is "unknown") and whether each stage is enabled, and prints a JSON summary of the counts,
which match expected.json of the workload (checked with --check).

Usage: python benchmarks/kconfig_eval.py DIR [--check]   (DIR holds Kconfig and .config)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def evaluate(directory: Path, *, warn: bool = True) -> dict[str, dict[str, int]]:
    # Kconfiglib resolves file names against $srctree when it is set; use absolute paths and clear
    # it so an inherited value cannot redirect the load.
    os.environ.pop("srctree", None)
    # Kconfiglib walks dependencies recursively (the dependency-loop check at load, tri_value on
    # demand); the stage chain alone is N/500 deep.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    import kconfiglib  # a benchmark-only dependency: fail here, not at import

    # Kconfiglib's defaults: warnings on (its checks of the model, the counterpart of sbstrategy's
    # diagnostics; the generated model triggers none). warn=False parses about 20 % faster.
    kconf = kconfiglib.Kconfig(str(directory.resolve() / "Kconfig"), warn=warn)
    kconf.load_config(str(directory.resolve() / ".config"))
    counts = {"capabilities": {"y": 0, "m": 0, "n": 0}, "stages": {"y": 0, "m": 0, "n": 0}}
    # Definition order is dependency order (capabilities only depend on earlier ones, each stage on
    # the one before), so every tri_value finds its dependencies' values already cached.
    for sym in kconf.unique_defined_syms:
        kind = sym.name[0]
        if kind == "C":
            counts["capabilities"]["nmy"[sym.tri_value]] += 1
        elif kind == "S":
            counts["stages"]["nmy"[sym.tri_value]] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with expected.json")
    parser.add_argument("--no-warn", action="store_true", help="Kconfig(warn=False): skip its checks")
    args = parser.parse_args(argv)
    counts = evaluate(args.directory, warn=not args.no_warn)
    print(json.dumps(counts))
    if args.check:
        expected = json.loads((args.directory / "expected.json").read_text(encoding="utf-8"))
        if counts != expected["kconfig"]:
            print(f"mismatch: expected {expected['kconfig']}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
