"""Worker processes that die with their parent, however it ends (Linux's parent-death
signal); every pool the project starts arms it in its workers: the ensemble's
(sim/run/ensemble.py), the joblib launcher's of a sweep (sim/run/workers.py), the
calibration's reference table and pyabc's processes (sim/analysis/calibration.py)."""

from __future__ import annotations

import os
import sys

_ARMED: set[int] = set()  # the parents this process already watches


def die_with_parent(parent: int) -> None:
    """Make this worker process die when its parent does, however the parent ends
    (SIGKILL included): Linux's parent-death signal (prctl PR_SET_PDEATHSIG), set once
    per process as the worker starts (the loky executor's initializer); if the parent is
    already gone, exit now. Elsewhere, a no-op."""
    if parent in _ARMED or parent == os.getpid():
        return
    _ARMED.add(parent)
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def die_with_child_of(parent: int) -> None:
    """:func:`die_with_parent` in a process that may or may not be ``parent``'s child
    (a pyabc worker forked here, or one a cluster's scheduler started elsewhere): armed
    only in a child of ``parent``."""
    if os.getpid() != parent and os.getppid() == parent:
        die_with_parent(parent)


def parallel(tasks, n_jobs: int, generator: bool = False):
    """joblib's delayed ``tasks`` in loky workers armed with :func:`die_with_parent` as
    each starts (results in the tasks' order; a generator if ``generator``), or in this
    process when ``n_jobs`` is 1."""
    if n_jobs == 1:
        results = (t[0](*t[1], **t[2]) for t in tasks)
        return results if generator else list(results)
    from joblib import Parallel, parallel_config

    with parallel_config(backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)):
        return Parallel(n_jobs=n_jobs, return_as="generator" if generator else "list")(tasks)
