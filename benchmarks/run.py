"""Run the benchmark: every contestant as a whole process, medians and peak memory, one Markdown report.

    python benchmarks/run.py [--sizes 1k,10k,100k,1m] [--repeat 5] [--quick]

Contestants, each a fresh `sys.executable` process per measurement (see README.md for the method):
  floor        benchmarks/floor.py: read model.sbr and assessment.json, split into words
  Kconfiglib   benchmarks/kconfig_eval.py: the same structure as Kconfig, every symbol evaluated
  cold         python -m sbstrategy assess model.sbr assessment.json --format summary, no cache
  warm         the same with a compiled-model cache filled by an untimed run before
  json         the cold run with --format json (every node's blockers and root causes in full),
               up to 100k: the output itself grows faster than the model (see README.md)
  share        benchmarks/share.py: one evaluation as the summary makes it, its parts timed inside
               the process: root causes, blockers and open questions against the rest
Workloads come from generate.py and are cached under benchmarks/.work/ (git-ignored).

Measurement: wall time from spawning to reaping the process (interpreter start-up included), peak
resident memory from os.wait4's rusage for that one child. Rounds are interleaved (every contestant
once per round) so drift on the machine spreads over all of them. Targets from issue 7 are checked
and shown with ✓/✗; missing a target does not change the exit status, a failing contestant does.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the sibling module, found through the line above)

CONTESTANTS = ("floor", "kconfiglib", "cold", "warm", "json", "share")
LABELS = {
    "floor": "floor",
    "kconfiglib": "Kconfiglib",
    "cold": "sbstrategy (cold)",
    "warm": "sbstrategy (warm)",
    "json": "sbstrategy (json)",
    "share": "root-cause share",
}
SBSTRATEGY = ("cold", "warm", "json", "share")
# share.py's parts (seconds): the rest of the evaluation, and what is shared across the stages
REST = ("read", "evaluate", "statuses")
SHARED = ("counts", "blocker_counts", "next_lists")
SHARE_TARGET = 0.5
DEFAULT_SIZES = "1k,10k,100k,1m"
CHECK_MAX_N = 10_000_000  # the summary is small at any size: checked wherever it runs
JSON_MAX_N = 100_000  # the full JSON format is timed up to here (183 MB of output at 100k)
VALIDATE_LIMIT = 300 * 1024 * 1024  # skip parsing sbstrategy's JSON output above this size
MEMORY_TARGET = 1500  # bytes per capability ("1.5 KB"), checked from 100k up
MEMORY_MIN_SIZE = 100_000  # below this the interpreter's own ~10-20 MB dominate any per-capability figure


@dataclass
class Run:
    seconds: float
    peak_bytes: int
    returncode: int
    timed_out: bool = False
    stderr: str = ""
    parts: dict | None = None  # what share.py printed

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)
    status: str = "ok"  # ok | timeout | error | n/a | skipped
    detail: str = ""

    @property
    def median(self) -> float | None:
        good = [r.seconds for r in self.runs if r.ok]
        return statistics.median(good) if good and self.status == "ok" else None

    @property
    def peak(self) -> int | None:
        good = [r.peak_bytes for r in self.runs if r.ok]
        return max(good) if good and self.status == "ok" else None

    def part(self, which: str, names: tuple[str, ...]) -> float | None:
        """The median over runs of the sum of share.py's `names` in its `which` evaluation."""
        good = [sum(r.parts[which][name] for name in names) for r in self.runs if r.ok and r.parts]
        return statistics.median(good) if good and self.status == "ok" else None


# --- measuring ----------------------------------------------------------------------------------


def _gnu_time() -> str | None:
    path = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if not path:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], check=False, capture_output=True, text=True)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = _gnu_time()


def measure(cmd: list[str], env: dict[str, str], timeout: float, stdout_path: Path | None = None) -> Run:
    """Run cmd once as a child; wall time from spawn to reap, peak RSS of that process alone.

    The peak comes from GNU time's %M when /usr/bin/time exists, else from os.wait4's rusage. Linux
    carries the spawning process's high-water RSS over an exec into the child's ru_maxrss, so
    wait4 alone would report at least this script's own ~25 MB for every contestant; GNU time is a
    small C process, so the child it spawns starts from its ~2 MB instead.
    """
    with (
        tempfile.TemporaryDirectory() as tmp,
        open(Path(tmp) / "stderr", "w+b") as err,
        open(stdout_path or os.devnull, "wb") as out,
    ):
        rss_file = Path(tmp) / "rss"
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME else cmd
        start = time.perf_counter()
        # a session of its own, so a timeout kills the measured process and not only the wrapper
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            # os.wait4 reaps exactly this child and returns its own rusage (RUSAGE_CHILDREN would be
            # the maximum over every child so far).
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        # ru_maxrss and %M are in kilobytes on Linux (bytes on macOS)
        peak_kb = usage.ru_maxrss
        if GNU_TIME:
            # "Command exited with non-zero status N" may come first; the number is last
            with contextlib.suppress(OSError, ValueError, IndexError):
                peak_kb = int(rss_file.read_text().split()[-1])
    scale = 1 if sys.platform == "darwin" else 1024
    return Run(seconds, peak_kb * scale, proc.returncode, killed.is_set(), stderr[-2000:])


def sbstrategy_cmd(work: Path, fmt: str = "summary") -> list[str]:
    return [
        sys.executable,
        "-m",
        "sbstrategy",
        "assess",
        str(work / "model.sbr"),
        str(work / "assessment.json"),
        "--format",
        fmt,
    ]


def commands(work: Path) -> dict[str, list[str]]:
    return {
        "floor": [
            sys.executable,
            str(HERE / "floor.py"),
            str(work / "model.sbr"),
            str(work / "assessment.json"),
        ],
        "kconfiglib": [sys.executable, str(HERE / "kconfig_eval.py"), str(work)],
        "cold": sbstrategy_cmd(work),
        "warm": sbstrategy_cmd(work),
        "json": sbstrategy_cmd(work, "json"),
        "share": [sys.executable, str(HERE / "share.py"), str(work)],
    }


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SBSTRATEGY_NO_CACHE", "SBSTRATEGY_CACHE_DIR"):
        env.pop(name, None)
    env.pop("srctree", None)
    return env


def cold_env(base: dict[str, str], scratch: Path) -> dict[str, str]:
    """`base` for a cold run: the cache switched off, and a fresh empty cache directory
    under `scratch` as well, so that the run is cold even if one of them were ignored."""
    return dict(base, SBSTRATEGY_NO_CACHE="1", SBSTRATEGY_CACHE_DIR=tempfile.mkdtemp(prefix="cold-", dir=scratch))


# --- workloads ----------------------------------------------------------------------------------


def workload_dir(work_root: Path, n: int, seed: int, flavour: str) -> Path:
    """Generate the workload once per (size, seed, flavour, generator source) and reuse it."""
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:10]
    target = work_root / f"{flavour}-{generate.format_size(n)}-seed{seed}-{digest}"
    if (target / "expected.json").is_file():  # written last: its presence means complete
        return target
    work_root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=work_root))
    start = time.perf_counter()
    generate.generate(n, seed, flavour=flavour).write(partial)
    log(f"  generated {target.name} in {time.perf_counter() - start:.1f} s")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    # workloads from an earlier generate.py for the same size and seed are stale: reclaim the space
    for stale in work_root.glob(f"{flavour}-{generate.format_size(n)}-seed{seed}-*"):
        if stale != target and "." not in stale.name:
            shutil.rmtree(stale, ignore_errors=True)
    return target


def validate(output: Path, expected: dict) -> str:
    """Compare sbstrategy's output (summary or full JSON) with the generator's expected counts; ''
    when they agree."""
    size = output.stat().st_size
    if size > VALIDATE_LIMIT:
        return f"not checked ({size / 1e6:.0f} MB of output)"
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
        caps = dict.fromkeys(expected["capability_status"], 0)
        if "capability_status" in data:  # the summary format counts them itself
            caps.update(data["capability_status"])
        else:
            for cap in data["capabilities"]:
                caps[cap["status"]] = caps.get(cap["status"], 0) + 1
        stages = dict.fromkeys(expected["stage_status"], 0)
        for stage in data["stages"]:
            stages[stage["status"]] = stages.get(stage["status"], 0) + 1
    except (ValueError, KeyError, TypeError) as exc:
        return f"unreadable output: {exc!r}"
    problems = []
    if caps != expected["capability_status"]:
        problems.append(f"capabilities {caps} != expected {expected['capability_status']}")
    if stages != expected["stage_status"]:
        problems.append(f"stages {stages} != expected {expected['stage_status']}")
    return "; ".join(problems)


# --- the run ------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sbstrategy_version(env: dict[str, str]) -> str | None:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sbstrategy", "--version"],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    text = proc.stdout.strip() or proc.stderr.strip() or "?"
    return text.removeprefix("sbstrategy").strip()  # `sbstrategy --version` may name itself


def bench_size(n: int, args: argparse.Namespace, chosen: list[str], scratch: Path) -> dict:
    work = workload_dir(args.work_dir, n, args.seed, args.flavour)
    expected = json.loads((work / "expected.json").read_text(encoding="utf-8"))
    cmds = commands(work)
    base = clean_env()
    results = {name: Result() for name in CONTESTANTS}
    for name in CONTESTANTS:
        if name not in chosen or (name == "json" and n > JSON_MAX_N):
            results[name].status = "skipped"
    check = ""

    warm_cache = scratch / f"warm-{n}"
    if set(SBSTRATEGY) & set(chosen):
        # Untimed: fills the warm cache, and its output is checked against expected.json.
        env = dict(base, SBSTRATEGY_CACHE_DIR=str(warm_cache))
        out = scratch / f"output-{n}.json" if n <= CHECK_MAX_N else None
        first = measure(cmds["cold"], env, args.timeout, stdout_path=out)
        if first.ok and out is None:
            check = f"not checked (N > {generate.format_size(CHECK_MAX_N)})"
        elif first.ok and out is not None:
            check = validate(out, expected)
            if check:
                log(f"  sbstrategy output check at {n}: {check}")
        if out is not None:
            out.unlink(missing_ok=True)
        if not first.ok:
            for name in SBSTRATEGY:
                if name in chosen:
                    results[name].status = "timeout" if first.timed_out else "error"
                    results[name].detail = first.stderr.strip()[-500:]

    for round_ in range(args.repeat):
        for name in chosen:
            result = results[name]
            if result.status != "ok":
                continue
            if name in ("cold", "json"):
                env = cold_env(base, scratch)
            elif name == "warm":
                env = dict(base, SBSTRATEGY_CACHE_DIR=str(warm_cache))
            else:
                env = dict(base)
            printed = scratch / "share.json" if name == "share" else None
            run = measure(cmds[name], env, args.timeout, stdout_path=printed)
            if printed is not None and run.ok:
                try:
                    run.parts = json.loads(printed.read_text(encoding="utf-8"))
                except ValueError as exc:
                    run.returncode, run.stderr = 1, f"share.py printed no JSON: {exc}"
            result.runs.append(run)
            if name in ("cold", "json"):
                shutil.rmtree(env["SBSTRATEGY_CACHE_DIR"], ignore_errors=True)
            if run.timed_out:
                result.status = "timeout"
            elif not run.ok:
                result.status = "error"
                result.detail = run.stderr.strip()[-500:]
            log(
                f"  {generate.format_size(n):>5} round {round_ + 1}/{args.repeat} {LABELS[name]:<18} "
                f"{'timeout' if run.timed_out else f'{run.seconds:8.3f} s'} "
                f"{run.peak_bytes / 1e6:8.1f} MB" + ("" if run.ok or run.timed_out else " ERROR")
            )
    shutil.rmtree(warm_cache, ignore_errors=True)
    return {"n": n, "work": work, "expected": expected, "results": results, "check": check}


# --- the report ---------------------------------------------------------------------------------


def fmt_time(result: Result) -> str:
    if result.status != "ok":
        return result.status
    return f"{result.median:.3f} s" if result.median is not None else "n/a"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def fmt_bytes(value: float | None) -> str:
    if value is None:
        return "–"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def targets(rows: list[dict]) -> list[tuple[int, str, str, bool | None]]:
    """(size, target, measured, met) for each target of issue 7 that this run can check."""
    by_n = {row["n"]: row["results"] for row in rows}
    out: list[tuple[int, str, str, bool | None]] = []

    def ratio(n: int, a: str, b: str, limit: float, label: str) -> None:
        if n not in by_n:
            return
        x, y = by_n[n][a].median, by_n[n][b].median
        if x is None or not y:
            out.append((n, label, "–", None))
        else:
            out.append((n, label, f"{x / y:.2f}×", x / y <= limit))

    ratio(1_000, "cold", "kconfiglib", 1.5, "sbstrategy ≤ 1.5× Kconfiglib")
    ratio(100_000, "cold", "kconfiglib", 0.5, "sbstrategy ≤ 0.5× Kconfiglib")
    ratio(100_000, "cold", "floor", 30, "sbstrategy ≤ 30× floor")
    ratio(100_000, "warm", "kconfiglib", 0.1, "second load (warm) ≤ 0.1× Kconfiglib")
    if 1_000_000 in by_n and 100_000 in by_n:
        big, small = by_n[1_000_000], by_n[100_000]

        def growth(name: str) -> float | None:
            x, y = big[name].median, small[name].median
            return x / y if x is not None and y else None

        label = "linear growth: 1M ≤ 12× the 100k time"
        ours = growth("cold")
        # The same step for Kconfiglib and the floor in this run, beside it: how much a larger
        # heap costs on this machine today (it varies from run to run) is part of every growth.
        references = [
            f"{title} {g:.1f}×" for title, g in (("Kconfiglib", growth("kconfiglib")), ("floor", growth("floor"))) if g
        ]
        measured = "–" if ours is None else f"{ours:.1f}×" + (f" ({', '.join(references)})" if references else "")
        out.append((1_000_000, label, measured, None if ours is None else ours <= 12))
    for row in rows:
        share = row["results"]["share"]
        rest, shared = share.part("first", REST), share.part("first", SHARED)
        if share.status not in {"skipped", "n/a"}:
            label = f"root causes, blockers, open questions ≤ {SHARE_TARGET}× the rest"
            out.append(
                (row["n"], label, "–", None)
                if rest is None or shared is None
                else (row["n"], label, f"{shared / rest:.2f}×", shared / rest <= SHARE_TARGET)
            )
    for row in rows:
        n = row["n"]
        if n >= MEMORY_MIN_SIZE:
            peak = row["results"]["cold"].peak
            label = "peak memory ≤ 1.5 kB per capability"
            out.append(
                (n, label, "–", None) if peak is None else (n, label, f"{peak / n:.0f} B", peak / n <= MEMORY_TARGET)
            )
    return out


def mark(met: bool | None) -> str:
    return "–" if met is None else ("✓" if met else "✗")


def interpreter_start(env: dict[str, str]) -> float:
    """Median wall time of `python -c pass`: the part of every cell that no contestant controls."""
    runs = [measure([sys.executable, "-c", "pass"], env, 60).seconds for _ in range(5)]
    return statistics.median(runs)


def machine(sbs_version: str | None, startup: float) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores; memory {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {sys.executable}; "
        f"interpreter start-up (`python -c pass`) {startup:.3f} s",
        f"- sbstrategy {sbs_version or 'not available'}; lark {version('lark')}; "
        f"networkx {version('networkx')}; kconfiglib {version('kconfiglib')}",
    ]


def report(rows: list[dict], args: argparse.Namespace, sbs_version: str | None, startup: float) -> str:
    lines = [f"# sbstrategy benchmark ({time.strftime('%Y-%m-%d %H:%M')})", ""]
    lines += machine(sbs_version, startup)
    lines += [
        f"- workload: flavour {args.flavour}, seed {args.seed}; {args.repeat} run(s) per cell, "
        f"median wall time of the whole process; peak = largest max RSS of the runs "
        f"({'GNU time %M' if GNU_TIME else 'os.wait4 ru_maxrss, an upper bound: includes run.py at spawn'})",
        "",
        "| N | floor | Kconfiglib | sbstrategy cold | sbstrategy warm | cold / Kconfiglib | "
        "warm / Kconfiglib | cold / floor | peak memory (cold) | per capability | "
        "Kconfiglib peak | full JSON (cold) | full JSON peak | targets |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    checks = targets(rows)
    for row in rows:
        n, res = row["n"], row["results"]
        cold, warm, kc, fl, full = res["cold"], res["warm"], res["kconfiglib"], res["floor"], res["json"]
        peak = cold.peak
        own = [f"{mark(ok)} {label}" for size, label, _, ok in checks if size == n and ok is not None]
        lines.append(
            f"| {generate.format_size(n)} | {fmt_time(fl)} | {fmt_time(kc)} | {fmt_time(cold)} | "
            f"{fmt_time(warm)} | {fmt_ratio(cold.median, kc.median)} | "
            f"{fmt_ratio(warm.median, kc.median)} | {fmt_ratio(cold.median, fl.median)} | "
            f"{fmt_bytes(peak)} | {fmt_bytes(peak / n if peak else None)} | {fmt_bytes(kc.peak)} | "
            f"{fmt_time(full) if full.status != 'skipped' else '–'} | {fmt_bytes(full.peak)} | "
            f"{'; '.join(own) or '–'} |"
        )
    lines += share_table(rows)
    lines += ["", "| size | target | measured | met |", "| ---: | --- | ---: | :---: |"]
    for size, label, measured, ok in checks:
        lines.append(f"| {generate.format_size(size)} | {label} | {measured} | {mark(ok)} |")
    if not checks:
        lines.append("| – | (no target applies to the sizes run) | – | – |")
    notes = []
    for row in rows:
        if row["check"]:
            notes.append(f"- {generate.format_size(row['n'])}: sbstrategy output check: {row['check']}")
        for name, result in row["results"].items():
            if result.status == "error":
                detail = result.detail.replace("\n", " ⏎ ")[-300:]
                notes.append(f"- {generate.format_size(row['n'])}: {LABELS[name]} failed: {detail}")
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


def share_table(rows: list[dict]) -> list[str]:
    """share.py's parts, medians in milliseconds: the first evaluation (as `assess` makes it) and
    the same evaluation again in that process."""
    measured = [row for row in rows if row["results"]["share"].part("first", REST) is not None]
    if not measured:
        return []
    lines = [
        "",
        "Root-cause share (benchmarks/share.py; medians, ms): the rest of the evaluation is reading the "
        "assessment, facts to arrays and the pass, and the statuses; the shared part is every stage's "
        "number of root causes, open questions and blockers and the next stage's lists. "
        "Again: the same evaluation repeated in that process (the assessment already read).",
        "",
        "| N | read | evaluate | statuses | rest | root causes and open questions | blocker counts | "
        "next stage's lists | shared | share | again: rest | again: shared | again: share | "
        "every stage's blockers as objects |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in measured:
        share = row["results"]["share"]

        def ms(which: str, *names: str, share: Result = share) -> str:
            value = share.part(which, names)
            return "–" if value is None else f"{value * 1e3:.1f}"

        rest, shared = share.part("first", REST), share.part("first", SHARED)
        again_rest, again_shared = share.part("again", REST), share.part("again", SHARED)
        objects = [r.parts["first"]["blocker_object_count"] for r in share.runs if r.ok and r.parts]
        lines.append(
            f"| {generate.format_size(row['n'])} | {ms('first', 'read')} | {ms('first', 'evaluate')} | "
            f"{ms('first', 'statuses')} | {ms('first', *REST)} | {ms('first', 'counts')} | "
            f"{ms('first', 'blocker_counts')} | {ms('first', 'next_lists')} | {ms('first', *SHARED)} | "
            f"{fmt_ratio(shared, rest)} | {ms('again', *REST)} | {ms('again', *SHARED)} | "
            f"{fmt_ratio(again_shared, again_rest)} | {ms('first', 'blocker_objects')} "
            f"({objects[0] if objects else '–'}) |"
        )
    return lines


def as_json(rows: list[dict], sbs_version: str | None, startup: float) -> dict:
    return {
        "sbstrategy": sbs_version,
        "interpreter_start_s": startup,
        "sizes": [
            {
                "n": row["n"],
                "check": row["check"],
                "contestants": {
                    name: {
                        "status": r.status,
                        "median_s": r.median,
                        "peak_bytes": r.peak,
                        "runs": [vars(run) | {"stderr": ""} for run in r.runs],
                    }
                    for name, r in row["results"].items()
                },
            }
            for row in rows
        ],
        "targets": [{"n": n, "target": t, "measured": m, "met": ok} for n, t, m, ok in targets(rows)],
    }


def precompile(env: dict[str, str]) -> None:
    """Compile sbstrategy's bytecode once, as installing a wheel does: run from
    a source tree with PYTHONDONTWRITEBYTECODE set, every timed process would
    otherwise compile the package again and measure the compiler."""
    code = (
        "import importlib.util, compileall, sys; spec = importlib.util.find_spec('sbstrategy'); "
        "sys.exit(0 if spec is None else not compileall.compile_dir(spec.submodule_search_locations[0], quiet=1))"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per cell (default 5)")
    parser.add_argument("--quick", action="store_true", help="1k only, one run (as the test suite does)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flavour", choices=("plain", "rich"), default="plain")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    parser.add_argument("--contestants", default=",".join(CONTESTANTS), help="subset of " + ",".join(CONTESTANTS))
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=HERE / ".work",
        help="where generated workloads are cached (default benchmarks/.work)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "1k", 1
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    chosen = [c.strip() for c in args.contestants.split(",") if c.strip()]
    unknown = sorted(set(chosen) - set(CONTESTANTS))
    if unknown or args.repeat < 1 or not sizes or min(sizes) < 1:
        parser.error(f"unknown contestants {unknown}" if unknown else "need sizes ≥ 1 and --repeat ≥ 1")

    env = clean_env()
    sbs_version = sbstrategy_version(env) if set(SBSTRATEGY) & set(chosen) else None
    unavailable: dict[str, str] = {}
    if sbs_version is None:
        unavailable.update(dict.fromkeys(SBSTRATEGY, "n/a"))
        if set(SBSTRATEGY) & set(chosen):
            log(
                "sbstrategy is not importable by the benchmark's Python (python -m sbstrategy "
                "--version failed); its columns show n/a. Try PYTHONPATH=src."
            )
    if importlib.util.find_spec("kconfiglib") is None:
        unavailable["kconfiglib"] = "n/a"
        if "kconfiglib" in chosen:
            log("kconfiglib is not installed (pip install kconfiglib); its column shows n/a.")
    measured = [c for c in chosen if c not in unavailable]
    precompile(env)

    startup = interpreter_start(env)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sbstrategy-bench-") as scratch:
        for n in sizes:
            log(f"size {generate.format_size(n)}:")
            row = bench_size(n, args, measured, Path(scratch))
            for name, status in unavailable.items():
                if name in chosen:
                    row["results"][name].status = status
            rows.append(row)
    text = report(rows, args, sbs_version, startup)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(as_json(rows, sbs_version, startup), indent=2) + "\n", encoding="utf-8")
    failed = any(r.status == "error" for row in rows for r in row["results"].values())
    mismatch = any(row["check"] and not row["check"].startswith("not checked") for row in rows)
    return 1 if failed or mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
