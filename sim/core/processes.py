"""Worker processes that die with their parent, however it ends (Linux's parent-death
signal); every pool the project starts arms it in its workers: the ensemble's
(sim/run/ensemble.py), the joblib launcher's of a sweep (sim/run/workers.py), the
calibration's reference table and pyabc's processes (sim/analysis/calibration.py).

The pools of :func:`parallel` are started from a fork server that has imported the model
once (:data:`PRELOAD`): the workers share those pages with it rather than each holding
its own copy of Mesa, pandas and pyarrow (measured on 2,000 default replicates on 2
workers: each worker 166 MB of proportional memory when it imported them itself). That
is for the project's commands run as modules (``python -m sim``, ``python -m
experiments.NAME``) and interactive sessions; the others keep loky's own start method:
a user's script, the ``ceasefire-sim`` console script, plain pytest, and the jobs of a
sweep under Hydra's joblib launcher (whose main module is loky's). The server, once
started, serves the process to its end (a notebook's workers run the code as it was
when the server started: restart the kernel after editing the model).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ARMED: set[tuple[int, int]] = set()  # (this process, a parent it already watches)

#: What the fork server imports before it forks the first worker (sim/run/preload.py).
PRELOAD = "sim.run.preload"
#: The project's commands (python -m sim, python -m experiments.NAME): their main modules
#: run nothing when imported (``if __name__ == "__main__"``).
COMMANDS = ("sim", "experiments")
#: The folder that holds the project's packages (sim/, and experiments/ in a checkout).
PROJECT = Path(__file__).resolve().parents[2]


def die_with_parent(parent: int) -> None:
    """Make this worker process die when ``parent`` (the process that started its pool)
    does, however it ends (SIGKILL included): Linux's parent-death signal (prctl
    PR_SET_PDEATHSIG), set once per process as the worker starts (the loky executor's
    initializer). The signal is tied to the worker's own parent: ``parent`` itself, or
    the fork server it started the worker from, which has the same signal armed on
    ``parent`` (sim/run/preload.py). If the parent is already gone, exit now.
    Elsewhere, a no-op."""
    if (os.getpid(), parent) in _ARMED or parent == os.getpid():
        return
    _ARMED.add((os.getpid(), parent))
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    direct = os.getppid()  # the process the signal watches
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != direct or not _exists(parent):  # a parent died before the signal was armed
        os._exit(1)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_pools_from_a_fork_server() -> None:
    """Have loky start this process's pools from a fork server that imports
    :data:`PRELOAD` once (the standard library's ``forkserver`` start method: the server
    runs no thread of ours or loky's, so forking from it is safe where forking this one
    is not; its numerical libraries are held to one thread: sim/run/preload.py). Set
    once per process, and only where the workers may import this program's main module
    (:func:`_main_may_be_imported`); elsewhere, or without ``fork`` (Windows), or where
    a start method is already set, loky's own."""
    if not hasattr(os, "fork") or not _main_may_be_imported():
        return
    import multiprocessing

    from joblib.externals.loky.backend.context import get_start_method, set_start_method

    if get_start_method() is None:
        multiprocessing.set_forkserver_preload([PRELOAD])
        set_start_method("forkserver")


def _main_may_be_imported() -> bool:
    """Whether a worker may import this program's main module, as the fork server's
    workers do (and every start method's but loky's): when it is one of the project's
    commands (the project's own packages, not another of the same name), or there is
    none to import (an interactive session, a notebook). A user's script need not guard
    its top level, and keeps loky's own start method, which does not import it."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        top = spec.name.split(".")[0]
        package = getattr(sys.modules.get(top), "__file__", None)
        return top in COMMANDS and package is not None and Path(package).resolve().parents[1] == PROJECT
    return getattr(main, "__file__", None) is None


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

    start_pools_from_a_fork_server()
    with parallel_config(backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)):
        return Parallel(n_jobs=n_jobs, return_as="generator" if generator else "list")(tasks)
