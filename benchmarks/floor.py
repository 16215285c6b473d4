"""The floor: the least work any tool must do - read the two input files and split them into words.

No parsing, no evaluation: whatever sbstrategy spends beyond this is its own cost. Prints line and
word counts so the work cannot be optimised away.

Usage: python benchmarks/floor.py MODEL.sbr ASSESSMENT.json
"""

from __future__ import annotations

import sys


def count(path: str) -> tuple[int, int]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    lines = words = 0
    for line in text.splitlines():
        lines += 1
        words += len(line.split())
    return lines, words


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for path in paths:
        lines, words = count(path)
        print(f"{path}: {lines} lines, {words} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
