"""Seeded generator of benchmark workloads: one structure, written for every contestant.

A workload of size N is a random DAG of N capabilities (each requires 0-4 earlier ones, a quarter
of the terms being `or` groups), a chain of max(1, N // 500) stages, and an assessment with 70 % of
the capabilities in place. It is written as

  model.sbr        the rule file, for `sbstrategy assess` (and for floor.py)
  assessment.json  the facts, for `sbstrategy assess` (and for floor.py)
  Kconfig          the same structure as Kconfig `depends on`, for kconfig_eval.py
  .config          the same facts as a Kconfig configuration
  expected.json    what a correct evaluation finds: status counts, for checking every contestant

The generator is built to stream: it writes the four files in one pass over the capabilities and
keeps only a few bytes per capability (its three-valued "met" value, whether anything references
it, its level), so a million capabilities need seconds and tens of megabytes, not a model in memory.
Every capability only requires earlier ones, so the expected evaluation is computed in the same
pass, in index order, with Kleene logic on 0 (no) / 1 (unknown) / 2 (yes) - which is also exactly
Kconfig's n / m / y with `&&` = min, `||` = max.

Determinism: the random stream is `random.Random` seeded with a string (hashed with SHA-512, the
same on every Python version) and only `random()` is drawn from it (its output is fixed across
versions, unlike `randrange`/`choice`/`sample`). Same N, seed and flavour give the same bytes.

Flavours: "plain" is the workload of issue 7 (`capability c123`, `and`/`or` only, facts yes/no).
"rich" adds what real rule files have: multi-word and Unicode names (some quoted because they
contain a reserved word or start with a keyword, referenced in other letter case and spacing),
`N of (...)` terms, `NAME level OP N` comparisons on capabilities with `met at`, descriptions,
effort, `because`, several `requires` lines for one subject, and unknown or unlisted facts. In
Kconfig the rich flavour uses tristate symbols with `m` standing for "unknown" (MODULES on), an
`int` symbol `L123` for each level, relational operators for comparisons, and the exact boolean
expansion of `N of` (the generator only writes `N of` over at most four items, so the expansion
is small and exact - no approximation is needed).

Usage: python benchmarks/generate.py N [--seed S] [--flavour plain|rich] --out DIR
(N may be written 1k, 100k, 1m.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TextIO

# Bump when the bytes written for a given (n, seed, flavour) change; run.py keys its cache on it.
GENERATOR_VERSION = 1

STAGE_SPAN = 500  # one stage per this many capabilities
P_IN_PLACE = 0.70
P_OR = 0.25  # share of requirement terms that are `or` groups
MAX_TERMS = 4
STAGE_EXTRA = 3  # capabilities each stage requires besides those nothing else requires
STAGE_LINE = 12  # names per `requires` line of a stage
# rich flavour only
P_N_OF = 0.06
P_COMPARISON = 0.06
P_LEVELED = 0.05
P_NO_RICH = 0.20  # after P_IN_PLACE: yes 70 %, no 20 %, unknown 5 %, unlisted 5 %
P_UNKNOWN_RICH = 0.05
OPS = (">=", ">", "<=", "<", "=", "!=")
MAX_LEVEL = 5

FILES = ("model.sbr", "assessment.json", "Kconfig", ".config", "expected.json")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words for rich names. None is a reserved word or a keyword anywhere in the language, so a name
# only needs quotes when the generator deliberately builds one that does (see _rich_name).
_ADJECTIVES = _words(
    """
    agile lean digital shared central open secure cloud customer data-driven cross-team executive
    global local continuous Automated Strategic KPI Öffentliche qualité Führungs o'reilly
    self_service green
    """
)
_NOUNS = _words(
    """
    governance roadmap sponsorship culture budget portal pipeline review training metrics community
    platform strategy guidelines Monitoring Steuerung Unterstützung feedback analytics onboarding
    compliance tooling
    """
)
_FORBIDDEN = frozenset(
    _words(
        """
    and or not requires framework capability stage include scenario after of level given expect is
    by description source effort owner tags met at because unknown yes no
    """
    )
)
assert not _FORBIDDEN & {w.casefold() for w in _ADJECTIVES + _NOUNS}


@dataclass(frozen=True)
class Workload:
    """The parameters of one workload; `write` produces its files, `render` returns them."""

    n: int
    seed: int = 0
    flavour: str = "plain"

    @property
    def stages(self) -> int:
        return max(1, self.n // STAGE_SPAN)

    def write(self, out_dir: str | Path) -> dict[str, object]:
        """Write the files into out_dir (created if missing); return the expected results."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            handles = {
                name: stack.enter_context(open(out / name, "w", encoding="utf-8", newline="\n", buffering=1 << 20))
                for name in FILES[:4]
            }
            expected = _Writer(self, handles).run()
        (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
        return expected

    def render(self) -> dict[str, str]:
        """All files as strings (for small workloads and tests)."""
        buffers = {name: io.StringIO() for name in FILES[:4]}
        expected = _Writer(self, buffers).run()
        texts = {name: buf.getvalue() for name, buf in buffers.items()}
        texts["expected.json"] = json.dumps(expected, indent=2) + "\n"
        return texts


def generate(n: int, seed: int = 0, *, flavour: str = "plain") -> Workload:
    if n < 1:
        raise ValueError("a workload needs at least one capability")
    if flavour not in ("plain", "rich"):
        raise ValueError(f"unknown flavour {flavour!r} (plain or rich)")
    return Workload(n, seed, flavour)


def parse_size(text: str) -> int:
    """'200' -> 200, '1k' -> 1000, '1.5k' -> 1500, '1m' -> 1000000."""
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def format_size(n: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{suffix}"
    return str(n)


# --- names ------------------------------------------------------------------------------------


def _mix(i: int, salt: int) -> int:
    # A cheap integer hash, so the name of capability i is a function of i (no name table kept).
    x = (i * 0x9E3779B1 + salt * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    return x ^ (x >> 12)


def _rich_name(i: int, seed: int) -> tuple[str, bool]:
    """(declared spelling, needs quotes) of rich capability i; the tag `k<i>` keeps names unique."""
    h = _mix(i, seed)
    adjective = _ADJECTIVES[h % len(_ADJECTIVES)]
    noun = _NOUNS[(h >> 8) % len(_NOUNS)]
    kind = (h >> 16) % 40
    if kind == 0:  # contains a reserved word
        return f"{adjective} and {noun} k{i}", True
    if kind == 1:  # starts with a statement keyword
        return f"stage {noun} k{i}", True
    if kind == 2:  # a word starting with a digit
        return f"{noun} 2.0 k{i}", True
    if kind < 8:
        return f"{noun} k{i}", False
    if kind < 12:
        return f"{adjective} {noun} {_NOUNS[(h >> 24) % len(_NOUNS)]} k{i}", False
    return f"{adjective} {noun} k{i}", False


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the writer -------------------------------------------------------------------------------

# A term: ("name", j) | ("or", [j, ...]) | ("of", k, [j, ...]) | ("cmp", j, op, value)
Term = tuple


class _Writer:
    def __init__(self, workload: Workload, out: dict[str, TextIO]) -> None:
        self.w = workload
        self.rich = workload.flavour == "rich"
        self.rng = random.Random(f"sbstrategy-bench:{workload.flavour}:{workload.n}:{workload.seed}")
        self.sbr = out["model.sbr"]
        self.facts = out["assessment.json"]
        self.kconfig = out["Kconfig"]
        self.dotconfig = out[".config"]
        n = workload.n
        self.met = bytearray(n + 1)  # 0 no, 1 unknown, 2 yes (Kleene), per capability
        self.referenced = bytearray(n + 1)
        self.level = bytearray(n + 1)  # level + 1 for leveled capabilities, 0 otherwise
        self.leveled: list[int] = []

    # random helpers: only rng.random() is used (see the module docstring)
    def below(self, k: int) -> int:
        return int(self.rng.random() * k)

    def name(self, i: int, *, reference: bool = True) -> str:
        if not self.rich:
            return f"c{i}"
        text, quoted = _rich_name(i, self.w.seed)
        if reference:
            # Names compare case-insensitively with white space collapsed: exercise that.
            u = self.rng.random()
            if u < 0.15:
                text = text.lower()
            elif u < 0.20:
                text = text.replace(" ", "  ", 1)
        return _quote(text) if quoted else text

    def stage_name(self, j: int) -> str:
        return f"maturity step s{j}" if self.rich else f"s{j}"

    def pick(self, i: int, used: set[int]) -> int | None:
        """A random earlier capability (1..i-1) not yet used in this capability's requirements."""
        for _ in range(8):
            j = 1 + self.below(i - 1)
            if j not in used:
                used.add(j)
                return j
        return None

    # --- terms ---
    def make_terms(self, i: int) -> list[Term]:
        count = self.below(min(MAX_TERMS, i - 1) + 1)
        used: set[int] = set()
        terms: list[Term] = []
        for _ in range(count):
            u = self.rng.random()
            if u < P_OR:
                items = [j for j in (self.pick(i, used) for _ in range(2 + self.below(2))) if j]
                if len(items) >= 2:
                    terms.append(("or", items))
                    continue
                if items:
                    terms.append(("name", items[0]))
                continue
            if self.rich and u < P_OR + P_N_OF:
                size = 3 + self.below(2)
                items = [j for j in (self.pick(i, used) for _ in range(size)) if j]
                if len(items) >= 3:
                    terms.append(("of", 1 + self.below(len(items) - 1), items))
                    continue
                for j in items:
                    terms.append(("name", j))
                continue
            if self.rich and u < P_OR + P_N_OF + P_COMPARISON and self.leveled:
                j = self.leveled[self.below(len(self.leveled))]
                if j not in used:
                    used.add(j)
                    terms.append(("cmp", j, OPS[self.below(len(OPS))], self.below(MAX_LEVEL + 1)))
                    continue
            j = self.pick(i, used)
            if j:
                terms.append(("name", j))
        return terms

    def value(self, term: Term) -> int:
        kind = term[0]
        met = self.met
        if kind == "name":
            return met[term[1]]
        if kind == "or":
            return max(met[j] for j in term[1])
        if kind == "of":
            # at least k of the items: the k-th largest value (Kleene)
            return sorted((met[j] for j in term[2]), reverse=True)[term[1] - 1]
        _, j, op, bound = term
        return 2 if _compare(self.level[j] - 1, op, bound) else 0

    def sbr_term(self, term: Term, alone: bool) -> str:
        kind = term[0]
        if kind == "name":
            return self.name(term[1])
        if kind == "or":
            text = " or ".join(self.name(j) for j in term[1])
            return text if alone else f"({text})"
        if kind == "of":
            return f"{term[1]} of ({', '.join(self.name(j) for j in term[2])})"
        _, j, op, bound = term
        word = " level" if self.rng.random() < 0.7 else ""
        return f"{self.name(j)}{word} {op} {bound}"

    def kconfig_term(self, term: Term) -> str:
        kind = term[0]
        if kind == "name":
            return f"C{term[1]}"
        if kind == "or":
            return "(" + " || ".join(f"C{j}" for j in term[1]) + ")"
        if kind == "of":
            groups = combinations(term[2], term[1])
            return "(" + " || ".join("(" + " && ".join(f"C{j}" for j in g) + ")" for g in groups) + ")"
        _, j, op, bound = term
        return f"L{j} {op} {bound}"

    def sbr_expression(self, terms: list[Term]) -> str:
        alone = len(terms) == 1
        parts = [self.sbr_term(t, alone) for t in terms]
        if not self.rich:
            return " and ".join(parts)
        text = parts[0]
        for part in parts[1:]:
            text += (", " if self.rng.random() < 0.5 else " and ") + part
        return text

    # --- the pass ---
    def run(self) -> dict[str, object]:
        w, rich = self.w, self.rich
        sbr, kconfig, dotconfig = self.sbr, self.kconfig, self.dotconfig
        cap_status = dict.fromkeys(("met", "at-risk", "ready", "blocked", "unknown"), 0)
        in_place_count = dict.fromkeys(("yes", "no", "unknown"), 0)
        tristate = "tristate" if rich else "bool"

        sbr.write(
            f"# Generated by benchmarks/generate.py: n={w.n} seed={w.seed} "
            f"flavour={w.flavour} (generator {GENERATOR_VERSION})\n"
        )
        sbr.write(f'framework "Benchmark {w.flavour} {format_size(w.n)}"\n\n')
        kconfig.write(f"# Generated by benchmarks/generate.py: n={w.n} seed={w.seed} flavour={w.flavour}\n")
        dotconfig.write("# Generated by benchmarks/generate.py\n")
        if rich:
            # m (Kconfig's "module") stands for "unknown"; it only exists with MODULES on.
            kconfig.write('config MODULES\n\tbool "modules"\n\tdefault y\n\toption modules\n\n')
            dotconfig.write("CONFIG_MODULES=y\n")
        self.facts.write(json.dumps({"organisation": f"Benchmark organisation {w.seed}"})[:-1])
        if rich:
            self.facts.write(', "unlisted": "unknown"')
        self.facts.write(', "facts": {')
        first_fact = True

        for i in range(1, w.n + 1):
            # the fact
            u = self.rng.random()
            leveled = rich and self.rng.random() < P_LEVELED
            if u < P_IN_PLACE:
                in_place, fact = 2, "yes"
            elif not rich or leveled or u < P_IN_PLACE + P_NO_RICH:
                in_place, fact = 0, "no"
            elif u < P_IN_PLACE + P_NO_RICH + P_UNKNOWN_RICH:
                in_place, fact = 1, "unknown"
            else:
                in_place, fact = 1, None  # unlisted: unknown
            fact_value: object = fact
            met_at = 0
            if leveled:
                met_at = 1 + self.below(3)
                lvl = met_at + self.below(MAX_LEVEL + 1 - met_at) if in_place == 2 else self.below(met_at)
                self.level[i] = lvl + 1
                self.leveled.append(i)
                fact_value = lvl

            terms = self.make_terms(i)
            for term in terms:
                kind = term[0]
                for j in (term[1],) if kind in ("name", "cmp") else term[-1]:
                    self.referenced[j] = 1
            requirements = min((self.value(t) for t in terms), default=2)
            met = min(in_place, requirements)
            self.met[i] = met
            cap_status[_STATUS[in_place][requirements]] += 1
            in_place_count[("no", "unknown", "yes")[in_place]] += 1

            # model.sbr
            decl = self.name(i, reference=False)
            sbr.write(f"capability {decl}\n")
            if rich:
                u = self.rng.random()
                if u < 0.25:
                    sbr.write(f'  description "What capability {i} puts in place, in a sentence."\n')
                if u < 0.10:
                    sbr.write(f"  effort {1 + self.below(5)}\n")
                if leveled:
                    sbr.write(f"  met at {met_at}\n")
            if terms:
                if rich and len(terms) >= 3 and self.rng.random() < 0.2:
                    # several requires lines for one subject all apply (and)
                    sbr.write(f"{self.name(i)} requires {self.sbr_expression(terms[:1])}\n")
                    sbr.write(f"{self.name(i)} requires {self.sbr_expression(terms[1:])}\n")
                else:
                    sbr.write(f"{self.name(i)} requires {self.sbr_expression(terms)}\n")
                if rich and self.rng.random() < 0.05:
                    sbr.write('  because "the benchmark says so"\n')

            # assessment.json
            if fact_value is not None:
                sep = "" if first_fact else ","
                first_fact = False
                plain_name = _rich_name(i, w.seed)[0] if rich else decl
                self.facts.write(f"{sep}\n  {json.dumps(plain_name, ensure_ascii=False)}: {json.dumps(fact_value)}")

            # Kconfig and .config
            prompt = _rich_name(i, w.seed)[0] if rich else decl
            if leveled:
                kconfig.write(f'config L{i}\n\tint "level of {prompt}"\n\tdefault 0\n\n')
                dotconfig.write(f"CONFIG_L{i}={fact_value}\n")
            kconfig.write(f'config C{i}\n\t{tristate} "{prompt}"\n')
            if terms:
                kconfig.write(f"\tdepends on {' && '.join(self.kconfig_term(t) for t in terms)}\n")
            kconfig.write("\n")
            if in_place == 2:
                dotconfig.write(f"CONFIG_C{i}=y\n")
            elif in_place == 1:
                dotconfig.write(f"CONFIG_C{i}=m\n")
            else:
                dotconfig.write(f"# CONFIG_C{i} is not set\n")

        self.facts.write("\n}}\n")
        stage_status = self.write_stages()
        kconfig_caps = {"y": 0, "m": 0, "n": 0}
        for v in self.met[1:]:
            kconfig_caps["nmy"[v]] += 1
        return {
            "generator": GENERATOR_VERSION,
            "n": w.n,
            "seed": w.seed,
            "flavour": w.flavour,
            "stages": w.stages,
            "in_place": in_place_count,
            "capability_status": cap_status,
            "stage_status": stage_status,
            "kconfig": {
                "capabilities": kconfig_caps,
                "stages": {
                    "y": stage_status["reached"],
                    "m": stage_status["unknown"],
                    "n": stage_status["blocked"],
                },
            },
        }

    def write_stages(self) -> dict[str, int]:
        w, sbr, kconfig = self.w, self.sbr, self.kconfig
        status = {"reached": 0, "blocked": 0, "unknown": 0}
        tristate = "tristate" if self.rich else "bool"
        sbr.write("\n")
        previous = 2
        for s in range(1, w.stages + 1):
            lo, hi = (s - 1) * w.n // w.stages + 1, s * w.n // w.stages
            # the capabilities nothing else requires, so that no capability is unused, and a few more
            members = [i for i in range(lo, hi + 1) if not self.referenced[i]]
            chosen = set(members)
            for _ in range(STAGE_EXTRA):
                j = lo + self.below(hi - lo + 1)
                if j not in chosen:
                    chosen.add(j)
                    members.append(j)
            after = f" after {self.stage_name(s - 1)}" if s > 1 else ""
            sbr.write(f"stage {self.stage_name(s)}{after}\n")
            for k in range(0, len(members), STAGE_LINE):
                names = ", ".join(self.name(j) for j in members[k : k + STAGE_LINE])
                sbr.write(f"{self.stage_name(s)} requires {names}\n")
            value = min([previous, *(self.met[j] for j in members)])
            status[("blocked", "unknown", "reached")[value]] += 1
            previous = value
            deps = ([f"S{s - 1}"] if s > 1 else []) + [f"C{j}" for j in members]
            kconfig.write(f'config S{s}\n\t{tristate} "{self.stage_name(s)}"\n')
            if deps:
                kconfig.write(f"\tdepends on {' && '.join(deps)}\n")
            kconfig.write("\n")
            self.dotconfig.write(f"CONFIG_S{s}=y\n")
        return status


# status of a capability by (in place, requirements), both 0 no / 1 unknown / 2 yes
_STATUS = (
    ("blocked", "unknown", "ready"),
    ("blocked", "unknown", "unknown"),
    ("at-risk", "unknown", "met"),
)

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _compare(level: int, op: str, bound: int) -> bool:
    return _COMPARE[op](level, bound)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=parse_size, help="number of capabilities (200, 1k, 100k, 1m)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flavour", choices=("plain", "rich"), default="plain")
    parser.add_argument("--out", required=True, type=Path, help="directory to write into")
    args = parser.parse_args(argv)
    expected = generate(args.n, args.seed, flavour=args.flavour).write(args.out)
    json.dump(expected, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
