"""The benchmark suite runs and its workloads are sound; no timing is asserted (issue 7).

Everything is found relative to this file; generated workloads go to pytest's tmp_path.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load_script(name: str):
    """A benchmark script as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


generate = _load_script("generate")


def _run_script(
    script: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """One of the benchmark scripts, with its workloads under `tmp_path`."""
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--work-dir", str(tmp_path / "work"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


@pytest.mark.parametrize("flavour", ["plain", "rich"])
def test_generator_is_deterministic(flavour: str) -> None:
    first = generate.generate(1200, 7, flavour=flavour).render()
    again = generate.generate(1200, 7, flavour=flavour).render()
    other = generate.generate(1200, 8, flavour=flavour).render()
    assert first == again
    assert first["model.sbr"] != other["model.sbr"]
    expected = json.loads(first["expected.json"])
    assert expected["stages"] == 2
    assert sum(expected["capability_status"].values()) == 1200
    facts = json.loads(first["assessment.json"])["facts"]
    assert sum(v == "yes" for v in facts.values()) / 1200 == pytest.approx(0.7, abs=0.05)


def test_generator_writes_the_same_bytes_as_it_renders(tmp_path: Path) -> None:
    workload = generate.generate(600, 3, flavour="rich")
    workload.write(tmp_path)
    for name, text in workload.render().items():
        assert (tmp_path / name).read_bytes() == text.encode("utf-8"), name


@pytest.mark.parametrize("flavour", ["plain", "rich"])
def test_kconfig_agrees_with_expected(tmp_path: Path, flavour: str) -> None:
    pytest.importorskip("kconfiglib")
    generate.generate(1500, 1, flavour=flavour).write(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "kconfig_eval.py"), str(tmp_path), "--check"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    expected = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    assert json.loads(proc.stdout) == expected["kconfig"]


def test_run_py_without_sbstrategy(tmp_path: Path) -> None:
    proc = _run_script("run.py", tmp_path, "--sizes", "200", "--repeat", "1", "--contestants", "floor,kconfiglib")
    assert proc.returncode == 0, proc.stderr
    assert "| 200 |" in proc.stdout
    assert "| N | floor | Kconfiglib |" in proc.stdout


def _sbstrategy_env() -> dict[str, str]:
    """The test's environment, with the directory sbstrategy was imported from on PYTHONPATH, so the
    benchmark's child processes find the same package (a src/ checkout or an installed wheel)."""
    try:
        import sbstrategy
    except ImportError:
        pytest.skip("sbstrategy is not importable yet")
    env = dict(os.environ)
    parent = str(Path(sbstrategy.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (parent, env.get("PYTHONPATH")) if p)
    return env


@pytest.mark.parametrize("flavour", ["plain", "rich"])
def test_run_py_with_sbstrategy(tmp_path: Path, flavour: str) -> None:
    env = _sbstrategy_env()
    proc = _run_script(
        "run.py",
        tmp_path,
        "--sizes",
        "200",
        "--repeat",
        "1",
        "--flavour",
        flavour,
        "--json",
        str(tmp_path / "results.json"),
        env=env,
    )
    # exit status 1 means a contestant failed or sbstrategy's statuses differ from expected.json
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (size,) = results["sizes"]
    assert size["check"] == ""
    for name in ("floor", "kconfiglib", "cold", "warm", "json", "share"):
        assert size["contestants"][name]["status"] in ("ok", "n/a"), name
    assert size["contestants"]["cold"]["status"] == "ok"
    # share.py timed each part of the evaluation, and the report checks the share's target
    (share,) = size["contestants"]["share"]["runs"]
    assert set(share["parts"]["first"]) >= {"read", "evaluate", "statuses", "counts", "blocker_counts"}
    assert share["parts"]["first"]["blocker_object_count"] > 0
    assert any(t["target"].startswith("root causes, blockers, open questions") for t in results["targets"])
    assert "Root-cause share" in proc.stdout


def test_the_growth_target_is_shown_beside_the_references_growth() -> None:
    run = _load_script("run")

    def results(**medians: float) -> dict:
        found = {name: run.Result(status="n/a") for name in ("floor", "kconfiglib", "cold", "warm", "json", "share")}
        for name, seconds in medians.items():
            found[name] = run.Result(runs=[run.Run(seconds, 1000, 0)])
        return found

    rows = [
        {"n": 100_000, "results": results(floor=0.1, kconfiglib=4.0, cold=2.0)},
        {"n": 1_000_000, "results": results(floor=0.7, kconfiglib=50.0, cold=25.0)},
    ]
    (growth,) = [t for t in run.targets(rows) if t[1].startswith("linear growth")]
    assert growth == (1_000_000, "linear growth: 1M ≤ 12× the 100k time", "12.5× (Kconfiglib 12.5×, floor 7.0×)", False)
    rows[1]["results"] = results(cold=23.0)
    (growth,) = [t for t in run.targets(rows) if t[1].startswith("linear growth")]
    assert growth[2:] == ("11.5×", True)


def test_batch_py_runs_at_a_tiny_size(tmp_path: Path) -> None:
    env = _sbstrategy_env()
    proc = _run_script(
        "batch.py",
        tmp_path,
        "--capabilities",
        "30",
        "--rows",
        "40",
        "--repeat",
        "1",
        "--json",
        str(tmp_path / "batch.json"),
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "batch.json").read_text(encoding="utf-8"))
    assert [r["rows"] for r in results] == [4, 40]
    assert all(r["problem"] == "" and r["median_s"] > 0 for r in results)


def test_whatif_py_runs_at_a_tiny_size(tmp_path: Path) -> None:
    env = _sbstrategy_env()
    proc = _run_script(
        "whatif.py",
        tmp_path,
        "--size",
        "300",
        "--changes",
        "5",
        "--repeat",
        "1",
        "--json",
        str(tmp_path / "whatif.json"),
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((tmp_path / "whatif.json").read_text(encoding="utf-8"))
    assert result["mismatches"] == 0 and result["ratio"] > 0


def test_instructions_py_reads_cachegrinds_total_and_shows_the_growth() -> None:
    instructions = _load_script("instructions")
    stderr = "==1== \n==1== I   refs:      14,431,526,358\n==1== \n"
    assert instructions.instruction_count(stderr) == 14_431_526_358
    assert instructions.instruction_count("valgrind: no such tool") is None
    counts = {("cold", 100_000): 14_000_000_000, ("cold", 1_000_000): 140_700_000_000}
    assert instructions.table([100_000, 1_000_000], ["cold"], counts).splitlines()[2:] == [
        "| 100k | 14.00 G | – |",
        "| 1M | 140.70 G | 10.05× |",
    ]


def test_instructions_py_runs_at_a_tiny_size(tmp_path: Path) -> None:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    env = _sbstrategy_env()
    proc = _run_script("instructions.py", tmp_path, "--sizes", "200", "--contestants", "cold", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (row,) = [line for line in proc.stdout.splitlines() if line.startswith("| 200 |")]
    assert float(row.split("|")[2].strip().removesuffix(" G")) > 0.01  # over ten million instructions
