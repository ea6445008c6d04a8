"""The memory and wall time of ``python -m sim`` on 2 workers, measured from outside: the
peak PSS and summed RSS of the whole process tree, polled from /proc (section 2 of
benchmarks/bench.py, which imports it: run that, not this)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sim.core.io import read_parquet


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


def bench_cli(replicates: int, calibrated: bool) -> dict:
    """python -m sim on 2 workers: wall time, days simulated, peak memory of the tree."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "sim",
            f"run.replicates={replicates}",
            "run.n_jobs=2",
            "run.progress=false",
            f"hydra.run.dir={tmp}/out",
            *([] if calibrated else ["parameters.table=null"]),
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
        days = replicates * len(read_parquet(f"{tmp}/out/daily.parquet")) - replicates  # all to the horizon
        events_mb = Path(f"{tmp}/out/events.parquet").stat().st_size / 1e6
    return {
        "replicates": replicates,
        "n_jobs": 2,
        "wall_s": wall,
        "days": days,
        "days_per_s": days / wall,
        "peak_pss_mb": peak_pss,
        "peak_rss_mb": peak_rss,
        "per_replicate_ms": 1000 * wall / replicates,
        "events_parquet_mb": events_mb,
    }
