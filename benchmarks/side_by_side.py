"""The code now against the code just before issue 30 (speed for inference), side by side
in one run (``make bench`` section 1c, ``--only ensemble``): the ratio of their times,
measured on this machine now, so that the machine's speed and load cancel out.

The code before is the commit :data:`BEFORE_ISSUE_30`, unpacked from this checkout's git
history into a temporary folder (``git archive``); each side is timed in a fresh process
of this environment with its own tree first on the path, in alternating rounds (best of
each side), on one core:

* one replicate as the ensemble runs it (chunk by chunk: ``sim.run.ensemble.run_chunk``,
  with its event log turned into Arrow rows), as the calibrated default (its posterior
  row, its history replayed to 5 November, then its own seed) and at fixed parameters;
* the calibration's inner loop: histories drawn from the prior, replayed from day 0 to
  day 17 and checked against the record (``sim.analysis.sequential.simulate``), in days a
  second; and the rolling forecast's, the same to day 24.

Each side runs its own model (the code before is the model as it was then), as the issue
asks: the same question answered by the code before and after.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The last commit before issue 30's changes (issue 30's first commit is its child).
BEFORE_ISSUE_30 = "cd56a21433aed229d3329875fe976de3faa55e3b"

#: What each side runs, in a fresh process with its tree first on the path; prints JSON.
_TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import sim
assert sim.__file__.startswith(sys.argv[1]), sim.__file__
from sim.model import replicate_seeds
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_chunk

n, histories = int(sys.argv[2]), int(sys.argv[3])
out = {}
base = with_values(default_config(), {"run.replicates": n, "run.progress": False})
for name, config in (("calibrated", base), ("fixed", with_values(base, {"parameters.table": None}))):
    seeds, size = replicate_seeds(config.run.seed, n), config.run.chunk_size
    run_chunk(config, 0, seeds[:10])  # imports and caches warm
    t0 = time.perf_counter()
    for start in range(0, n, size):
        run_chunk(config, start, seeds[start : start + size])
    out[name] = 1000 * (time.perf_counter() - t0) / n

from sim.analysis import sequential as sq
from sim.analysis.calibration import calibrated_factors
from sim.run import forecast

config = default_config(["forecast.record_to=2025-11-12", "forecast.as_of=24"])
chosen = calibrated_factors(config, shapes=forecast.installed_priors())
evidence = forecast.evidence(config)
start = sq.prior_population(chosen, histories, seed=5)
sq.simulate(config, chosen, start.z[:20], start.seeds[:20], (24,), evidence, 1)
from sim.model import militants

for day in (17, 24):
    militants.routine_sizes.cache_clear()  # each loop from cold: the same histories twice
    t0 = time.perf_counter()
    sq.simulate(config, chosen, start.z, start.seeds, (day,), evidence, 1)
    out[f"day{day}_days_per_s"] = histories * day / (time.perf_counter() - t0)
print(json.dumps(out))
"""


def _unpack(commit: str, into: Path) -> Path:
    """The tree of ``commit`` from this checkout's history, unpacked into ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _time(tree: Path, replicates: int, histories: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _TIMER, str(tree), str(replicates), str(histories)],
        capture_output=True,
        text=True,
        cwd=tree,
    )
    if proc.returncode:
        raise SystemExit(f"the side-by-side timer failed in {tree}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_side_by_side(replicates: int = 150, histories: int = 300, rounds: int = 3) -> dict:
    """Before and now in alternating rounds; the best of each side's rounds, and now's
    speed-up over before (above 1: now is faster)."""
    with tempfile.TemporaryDirectory() as tmp:
        before = _unpack(BEFORE_ISSUE_30, Path(tmp))
        runs = {"before": [], "now": []}
        for _ in range(rounds):
            runs["before"].append(_time(before, replicates, histories))
            runs["now"].append(_time(ROOT, replicates, histories))
    best = {
        side: {
            "calibrated_ms": min(r["calibrated"] for r in rs),
            "fixed_ms": min(r["fixed"] for r in rs),
            "day17_days_per_s": max(r["day17_days_per_s"] for r in rs),
            "day24_days_per_s": max(r["day24_days_per_s"] for r in rs),
        }
        for side, rs in runs.items()
    }
    b, n = best["before"], best["now"]
    return {
        "commit_before": BEFORE_ISSUE_30,
        "replicates": replicates,
        "histories": histories,
        "rounds": rounds,
        **best,
        "speedup": {
            "calibrated": b["calibrated_ms"] / n["calibrated_ms"],
            "fixed": b["fixed_ms"] / n["fixed_ms"],
            "day17": n["day17_days_per_s"] / b["day17_days_per_s"],
            "day24": n["day24_days_per_s"] / b["day24_days_per_s"],
        },
    }


if __name__ == "__main__":
    print(json.dumps(bench_side_by_side(*(int(a) for a in sys.argv[1:])), indent=1))
