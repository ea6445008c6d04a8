"""Throughput and memory of ceasefire-sim (run by `make bench`, never by the tests).

0. The reference on this machine now: 365 steps of an empty Mesa model and of a
   12-agent toy (the issue quotes about 2 and 7 ms; the machines are shared and noisy).
1. One 365-day replicate of the default scenario, on one core: median and 90th
   percentile wall time over many replicates (target: median <= 10 ms).
2. `python -m sim` with 10,000 replicates and run.n_jobs=2: wall time and the peak
   resident memory of the whole process tree (targets: < 60 s, < 500 MB).
3. `mesa.batch_run` on the same model and replicate count, collecting with a Mesa
   DataCollector as its documentation shows: wall time, and its ratio to (2).
4. The mechanism_designs experiment at full size (6 designs x 1,000 replicates x 365
   days, sweep, aggregation, report): wall time (target: < 2 min).
5. A sweep of 20 points x 200 replicates with Hydra's basic launcher (one job after the
   other, each on all cores) and with the joblib launcher (the default): wall times and
   their ratio (target: joblib at least 1.6x faster).

Usage: python benchmarks/bench.py [--replicates 10000] [--single 300] [--skip-batch-run]
                                  [--only ensemble|sweeps]
Results are printed and written to benchmarks/results/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import mesa

from sim import outputs
from sim.io import read_parquet
from sim.model import CeasefireModel, replicate_seeds
from sim.run.config import default_config, with_values

RESULTS = Path(__file__).resolve().parent / "results"


def bench_single(n: int) -> dict:
    """Time default-scenario replicates; report those that ran all 365 days apart (a
    truce that collapses early stops early, which would flatter the median)."""
    config = default_config()
    times, full = [], []
    for seed in replicate_seeds(config.run.seed, n):
        t0 = time.perf_counter()
        row, _ = CeasefireModel(config, rng=seed).run()
        dt = time.perf_counter() - t0
        times.append(dt)
        if not row["collapsed"]:
            full.append(dt)
    times.sort()
    return {
        "replicates": n,
        "median_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * times[int(0.9 * (n - 1))],
        "full_365_day_replicates": len(full),
        "full_365_day_median_ms": 1000 * statistics.median(full) if full else None,
    }


class _Toy(mesa.Model):
    """The reference: a Mesa model with n agents that each draw one number a day."""

    def __init__(self, n: int, rng: int) -> None:
        super().__init__(rng=rng)
        for _ in range(n):
            _ToyAgent(self)

    def step(self) -> None:
        self.agents.do("step")


class _ToyAgent(mesa.Agent):
    def step(self) -> None:
        self.x = self.random.random()


def bench_reference(n: int = 100) -> dict:
    """365 steps of an empty Mesa model and of a 12-agent toy, on this machine now."""
    out = {}
    for agents in (0, 12):
        times = []
        for seed in range(n):
            t0 = time.perf_counter()
            model = _Toy(agents, seed)
            for _ in range(365):
                model.step()
            times.append(time.perf_counter() - t0)
        out[f"mesa_{agents}_agents_ms"] = 1000 * statistics.median(times)
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: private pages plus a fair share of shared ones."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_memory_mb(root: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, from /proc. RSS counts pages
    shared between the processes (libraries) once per process; PSS shares them out."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        pid = int(entry)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(statm[1]) * page
    total_rss, total_pss, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        total_rss += rss.get(pid, 0)
        total_pss += _pss_kb(pid) * 1024
        stack += children.get(pid, [])
    return total_rss / 2**20, total_pss / 2**20


def bench_cli(replicates: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "sim",
            f"run.replicates={replicates}",
            "run.n_jobs=2",
            "run.progress=false",
            f"hydra.run.dir={tmp}/out",
        ]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak_rss = peak_pss = 0.0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak_rss, peak_pss
            while not done.is_set():
                r, p = _tree_memory_mb(proc.pid)
                peak_rss, peak_pss = max(peak_rss, r), max(peak_pss, p)
                time.sleep(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
        done.set()
        poller.join()
        if proc.returncode:
            raise SystemExit(f"python -m sim failed:\n{err}")
    return {
        "replicates": replicates,
        "n_jobs": 2,
        "wall_s": wall,
        "peak_pss_mb": peak_pss,
        "peak_rss_mb": peak_rss,
        "per_replicate_ms": 1000 * wall / replicates,
    }


class BatchRunModel(CeasefireModel):
    """The same model with a Mesa DataCollector, as mesa.batch_run requires."""

    def __init__(self, config, rng=None):
        super().__init__(config, rng=rng)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "alive": lambda m: m.truce.alive,
                "trade_index": outputs.series_reader("trade_index"),
                "hostility": lambda m: m.truce.hostility,
            }
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def bench_batch_run(replicates: int) -> dict:
    config = with_values(default_config(), {"run.progress": False})
    t0 = time.perf_counter()
    results = mesa.batch_run(
        BatchRunModel,
        parameters={"config": [config]},
        number_processes=2,
        rng=replicate_seeds(config.run.seed, replicates),
        max_steps=config.run.horizon_days,
        data_collection_period=-1,
        display_progress=False,
    )
    wall = time.perf_counter() - t0
    assert len(results) == replicates
    return {"replicates": replicates, "number_processes": 2, "wall_s": wall}


def bench_experiment() -> dict:
    """python -m experiments.mechanism_designs at full size, from nothing (a fresh results folder)."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "experiments.mechanism_designs", "--out", f"{tmp}/out"],
            capture_output=True,
            text=True,
            cwd=root,
        )
        wall = time.perf_counter() - t0
        if proc.returncode:
            raise SystemExit(f"mechanism_designs failed:\n{proc.stderr}")
        points = read_parquet(Path(tmp) / "out" / "sweep" / "sweep.parquet")
        size = f"{len(points)} designs x {int(points['replicates'].iloc[0]):,} replicates x 365 days"
    return {"size": size, "wall_s": wall}


#: 20 points: 5 detection levels x 4 penalties.
SWEEP_20 = ("mvm.detection_prob=0.2,0.4,0.6,0.8,0.95", "mvm.penalty=0,0.33,0.67,1")


def bench_launchers(replicates: int = 200) -> dict:
    """The same 20-point sweep with the basic and the joblib launcher."""
    out = {}
    for launcher in ("basic", "joblib"):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [
                sys.executable,
                "-m",
                "sim",
                "-m",
                f"hydra/launcher={launcher}",
                *SWEEP_20,
                f"run.replicates={replicates}",
                "run.progress=false",
                f"hydra.sweep.dir={tmp}/sweep",
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            out[f"{launcher}_s"] = time.perf_counter() - t0
            if proc.returncode:
                raise SystemExit(f"sweep with the {launcher} launcher failed:\n{proc.stderr}")
    out["speedup"] = out["basic_s"] / out["joblib_s"]
    out["points"], out["replicates"] = 20, replicates
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--skip-batch-run", action="store_true")
    parser.add_argument("--only", choices=("ensemble", "sweeps"), help="run sections 0-3 or 4-5 only")
    args = parser.parse_args(argv)

    report = {"cores": os.cpu_count(), "mesa": mesa.__version__}
    if args.only != "ensemble":
        report["mechanism_designs"] = e = bench_experiment()
        print(
            f"python -m experiments.mechanism_designs at full size ({e['size']}): {e['wall_s']:.1f} s wall "
            f"(target: < 120 s)",
            flush=True,
        )
        report["launchers"] = la = bench_launchers()
        print(
            f"sweep of {la['points']} points x {la['replicates']} replicates: basic launcher {la['basic_s']:.1f} s, "
            f"joblib launcher {la['joblib_s']:.1f} s; speed-up {la['speedup']:.2f}x (target: >= 1.6x)",
            flush=True,
        )
    if args.only == "sweeps":
        return write_report(report)
    report["reference"] = ref = bench_reference()
    print(
        f"reference, 365 steps: empty Mesa model {ref['mesa_0_agents_ms']:.2f} ms, 12-agent toy "
        f"{ref['mesa_12_agents_ms']:.2f} ms (the issue quotes about 2 and 7 ms)",
        flush=True,
    )
    report["single_replicate"] = s = bench_single(args.single)
    print(
        f"one 365-day replicate (the {s['full_365_day_replicates']} of {s['replicates']} that ran all 365 days): "
        f"median {s['full_365_day_median_ms']:.2f} ms (target: <= 10 ms); all replicates: median "
        f"{s['median_ms']:.2f} ms, p90 {s['p90_ms']:.2f} ms; full replicate / toy = "
        f"{s['full_365_day_median_ms'] / ref['mesa_12_agents_ms']:.2f}",
        flush=True,
    )
    report["cli"] = c = bench_cli(args.replicates)
    print(
        f"python -m sim, {c['replicates']} replicates, n_jobs=2: {c['wall_s']:.1f} s wall, "
        f"peak memory of the process tree {c['peak_pss_mb']:.0f} MB PSS ({c['peak_rss_mb']:.0f} MB summed RSS) "
        f"(targets: < 60 s, < 500 MB)",
        flush=True,
    )
    if not args.skip_batch_run:
        report["batch_run"] = b = bench_batch_run(args.replicates)
        report["batch_run_over_ours"] = ratio = b["wall_s"] / c["wall_s"]
        print(
            f"mesa.batch_run, same model and replicates, 2 processes: {b['wall_s']:.1f} s wall; "
            f"batch_run / ours = {ratio:.2f}",
            flush=True,
        )
    return write_report(report)


def write_report(report: dict) -> int:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
