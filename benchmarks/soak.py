"""Soak test of the output folder's contract (run by `make soak`, never by the tests).

Single runs and sweeps of the same configuration, each killed at a random moment
(SIGKILL, SIGTERM or SIGINT, after 0.5 to 7 s for a run, 1 to 12 s for a sweep), then
resumed by running the same command into the same folder. Every resumed folder must be
complete and hold the very bytes of an uninterrupted run (runs.parquet, daily.parquet,
summary.json, config.yaml; for a sweep, those of every job, and the sweep's runs.parquet
and comparison.csv), and no process the command started (its workers, the joblib
launcher's jobs and their workers, loky's resource trackers) may outlive it by more than
10 s.

Usage: python benchmarks/soak.py [--runs 40] [--sweeps 10] [--replicates 200] [--seed 1]
Prints one line a kill and a summary; exits 1 if any broke the contract.
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
from dataclasses import dataclass
from pathlib import Path

COMPARED = ("runs.parquet", "daily.parquet", "summary.json", "config.yaml")
SWEEP_COMPARED = ("runs.parquet", "comparison.csv")
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
SWEEP = ("mvm=none,joint",)


@dataclass(frozen=True)
class Kind:
    """A single run or a sweep: its command, the files compared, when it is killed."""

    name: str
    sweep: bool
    delays: tuple[float, float]

    def command(self, folder: Path, replicates: int) -> list[str]:
        where = f"hydra.sweep.dir={folder}" if self.sweep else f"hydra.run.dir={folder}"
        return [
            sys.executable,
            "-m",
            "sim",
            *(("-m", *SWEEP) if self.sweep else ()),
            f"run.replicates={replicates}",
            "run.chunk_size=20",
            "run.n_jobs=2",
            "run.figures=false",
            "run.progress=false",
            where,
        ]

    def files(self, folder: Path) -> list[Path]:
        """The files compared with the uninterrupted reference, relative to ``folder``."""
        if not self.sweep:
            return [Path(n) for n in COMPARED]
        jobs = sorted(p.name for p in folder.iterdir() if p.name.isdigit())
        return [Path(n) for n in SWEEP_COMPARED] + [Path(j) / n for j in jobs for n in COMPARED]


RUN = Kind("run", False, (0.5, 7.0))
SWEEP_KIND = Kind("sweep", True, (1.0, 12.0))


def default_sigint() -> None:
    """In the child: Ctrl-C's default disposition (a shell running this in the background
    ignores SIGINT, and children inherit that), so that SIGINT interrupts it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def session(pid: int) -> list[int]:
    """Every process of the session ``pid`` leads (the command and all it started)."""
    out = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if int(p) != pid]


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False


def describe(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:160].decode(errors="replace")
    except OSError:
        return "?"


def kill_and_watch(proc: subprocess.Popen, sig: signal.Signals, grace: float = 10.0) -> tuple[list[int], list[int]]:
    """Send ``sig`` to the command, wait for it, then up to ``grace`` seconds for every
    process it started; returns (started, left). What is left is reported and stopped."""
    started = session(proc.pid)
    proc.send_signal(sig)
    proc.wait()
    deadline = time.monotonic() + grace
    while any(alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    started = sorted(set(started) | set(session(proc.pid)))
    left = [p for p in started if alive(p)]
    for p in left:  # say what it is, then stop it so that the next kill starts clean
        print(f"  left behind: {p} {describe(p)!r}")
        os.kill(p, signal.SIGKILL)
    return started, left


def soak_one(kind: Kind, folder: Path, reference: Path, replicates: int, rng: random.Random) -> tuple[bool, str]:
    """Kill one command at a random moment, resume it; whether the contract held, and a line."""
    proc = subprocess.Popen(
        kind.command(folder, replicates),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own session: every process it starts is found
        preexec_fn=default_sigint,
    )
    delay, sig = rng.uniform(*kind.delays), rng.choice(SIGNALS)
    time.sleep(delay)
    finished_first = proc.poll() is not None
    started, left = kill_and_watch(proc, sig)
    resumed = subprocess.run(kind.command(folder, replicates), capture_output=True, text=True)
    same = resumed.returncode == 0 and all(
        (folder / f).exists() and (folder / f).read_bytes() == (reference / f).read_bytes()
        for f in kind.files(reference)
    )
    ok = same and not left
    line = (
        f"{kind.name:5s} {sig.name:7s} after {delay:4.1f} s ({'finished before' if finished_first else 'mid-run'}),"
        f" {len(started)} processes, {len(left)} left after 10 s; resumed: exit {resumed.returncode}, "
        f"{'identical' if same else 'DIFFERENT'} {'OK' if ok else 'FAIL'}"
    )
    return ok, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="single runs killed (default: %(default)s)")
    parser.add_argument("--sweeps", type=int, default=10, help="sweeps killed (default: %(default)s)")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    kills = [RUN] * args.runs + [SWEEP_KIND] * args.sweeps
    broken = 0
    with tempfile.TemporaryDirectory() as tmp:
        references = {}
        for kind in {k.name: k for k in kills}.values():
            references[kind.name] = Path(tmp) / f"reference_{kind.name}"
            subprocess.run(kind.command(references[kind.name], args.replicates), check=True, capture_output=True)
        started = time.perf_counter()
        for i, kind in enumerate(kills):
            ok, line = soak_one(kind, Path(tmp) / f"{kind.name}{i}", references[kind.name], args.replicates, rng)
            broken += not ok
            print(f"{i:2d} {line}", flush=True)
        elapsed = time.perf_counter() - started
    print(
        f"soak: {len(kills) - broken} of {len(kills)} killed commands ({args.runs} runs, {args.sweeps} sweeps) resumed "
        f"to byte-identical folders with no process left behind ({elapsed:.0f} s)"
        + ("" if not broken else f"; {broken} FAILED")
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
