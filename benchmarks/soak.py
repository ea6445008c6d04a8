"""Soak test of the output folder's contract (run by `make soak`, never by the tests).

N runs of the same configuration, each killed at a random moment (SIGKILL, SIGTERM or
SIGINT, after 0.5 to 7 s), then resumed by running the same command into the same
folder. Every resumed folder must be complete and hold the very bytes of an
uninterrupted run (runs.parquet, daily.parquet, summary.json, config.yaml), and no
worker process may outlive its killed parent by more than 10 s.

Usage: python benchmarks/soak.py [--runs 50] [--replicates 200] [--seed 1]
Prints one line a run and a summary; exits 1 if any run broke the contract.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPARED = ("runs.parquet", "daily.parquet", "summary.json", "config.yaml")
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)


def command(folder: Path, replicates: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sim",
        f"run.replicates={replicates}",
        "run.chunk_size=20",
        "run.n_jobs=2",
        "run.figures=false",
        "run.progress=false",
        f"hydra.run.dir={folder}",
    ]


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    broken = 0
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference"
        subprocess.run(command(reference, args.replicates), check=True, capture_output=True)
        expected = {name: (reference / name).read_bytes() for name in COMPARED}
        started = time.perf_counter()
        for i in range(args.runs):
            folder = Path(tmp) / f"run{i}"
            proc = subprocess.Popen(
                command(folder, args.replicates), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            delay, sig = rng.uniform(0.5, 7.0), rng.choice(SIGNALS)
            time.sleep(delay)
            workers = children(proc.pid)
            finished_first = proc.poll() is not None
            proc.send_signal(sig)
            proc.wait()
            deadline = time.monotonic() + 10
            while any(alive(w) for w in workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            left = [w for w in workers if alive(w)]
            for w in left:  # say what it is, then stop it so that the next run starts clean
                print(f"  left behind: {w} {Path(f'/proc/{w}/cmdline').read_bytes().replace(b'\0', b' ')[:160]!r}")
                os.kill(w, signal.SIGKILL)
            resumed = subprocess.run(command(folder, args.replicates), capture_output=True, text=True)
            same = resumed.returncode == 0 and all(
                (folder / name).exists() and (folder / name).read_bytes() == expected[name] for name in COMPARED
            )
            ok = same and not left
            broken += not ok
            print(
                f"run {i:2d}: {sig.name:7s} after {delay:.1f} s ({'finished before' if finished_first else 'mid-run'}),"
                f" {len(workers)} workers, {len(left)} left after 10 s; resumed: exit {resumed.returncode}, "
                f"{'identical' if same else 'DIFFERENT'} {'OK' if ok else 'FAIL'}",
                flush=True,
            )
        elapsed = time.perf_counter() - started
    print(
        f"soak: {args.runs - broken} of {args.runs} killed runs resumed to byte-identical folders with no worker "
        f"left behind ({elapsed:.0f} s)" + ("" if not broken else f"; {broken} FAILED")
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
