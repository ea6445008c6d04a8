"""How many worker processes a run may start: the cores, shared among the jobs of a sweep.

Replicates run in fixed chunks whose results come back in order, so the number of
workers never changes the results; these functions only keep the machine from being
oversubscribed.
"""

from __future__ import annotations

import os
import sys

from ..core.processes import die_with_child_of, die_with_parent

#: Set by the sweep's driver for the jobs: its process id (a job in a worker process dies with it).
SWEEP_PID_ENV = "CEASEFIRE_SIM_SWEEP_PID"
JOBLIB_LAUNCHER = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
SUBMITIT_LOCAL_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"


def effective_jobs(n_jobs: int, replicates: int, chunk_size: int, max_workers: int | None = None) -> int:
    """Workers actually worth starting: no more than the cores (or ``max_workers``, a
    sweep job's share of them), nor than chunks."""
    cores = available_cores()
    wanted = cores if n_jobs == -1 else min(n_jobs, cores)
    if max_workers is not None:
        wanted = min(wanted, max_workers)
    return max(1, min(wanted, -(-replicates // chunk_size)))


def release_workers() -> None:
    """Stop joblib's idle worker processes now rather than after their timeout."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def available_cores() -> int:
    """Cores this process may use (joblib honours CPU affinity and cgroup quotas, as
    under SLURM or in a container)."""
    from joblib import cpu_count

    return max(1, cpu_count())


def launcher_workers(n_jobs: int, points: int | None, cores: int) -> int:
    """Jobs the joblib launcher runs at once (joblib's n_jobs convention: -1 = all
    cores, -2 = all but one)."""
    workers = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)
    return min(workers, points) if points else workers


def job_worker_budget(run_n_jobs: int, points: int | None) -> int:
    """Worker processes one sweep job may start, so that the jobs running at once and
    each job's own workers together fit the cores (no oversubscription).

    On this machine the cores are shared among the jobs running at once: under the
    joblib launcher ``cores // concurrent jobs``, under submitit's local executor (which
    starts every job at once) ``cores // points``, at least 1. Inside a Ray task, the
    CPUs Ray gave it; on SLURM, the CPUs of the allocation (joblib reads the affinity).
    An explicit ``run.n_jobs`` above the budget is lowered to it. ``points``: how many the
    sweep has (its design.json), None if unknown.
    """
    from hydra.core.hydra_config import HydraConfig

    cores = available_cores()
    wanted = cores if run_n_jobs == -1 else run_n_jobs
    launcher = HydraConfig.get().launcher
    target = launcher.get("_target_")
    if target == JOBLIB_LAUNCHER:
        budget = cores // launcher_workers(int(launcher.n_jobs), points, cores)
    elif target == SUBMITIT_LOCAL_LAUNCHER:
        budget = cores // (points or cores)
    else:
        budget = _ray_task_cpus() or cores
    return max(1, min(wanted, budget))


def _ray_task_cpus() -> int:
    if "ray" not in sys.modules:
        return 0
    try:
        import ray

        if not ray.is_initialized():
            return 0
        return int(ray.get_runtime_context().get_assigned_resources().get("CPU", 0))
    except Exception:  # not inside a Ray task
        return 0


def _worker_died() -> tuple[type[BaseException], ...]:
    from joblib.externals.loky.process_executor import BrokenProcessPool, TerminatedWorkerError

    return (TerminatedWorkerError, BrokenProcessPool)


#: What joblib raises when a worker process dies under it (killed by the out-of-memory killer, a signal).
WORKER_DIED = _worker_died()


def die_with_sweep() -> None:
    """In a sweep job that runs in a worker process of the sweep (the joblib launcher's
    loky workers, submitit's local processes): die when the sweep's process does, however
    it ends (:func:`die_with_parent`). A job in the sweep's own process, or started by a
    cluster's scheduler, is left alone."""
    sweep = int(os.environ.get(SWEEP_PID_ENV, "0") or 0)
    if sweep:
        die_with_child_of(sweep)


def arm_launcher_workers() -> None:
    """Make the workers of Hydra's joblib launcher (in this, the sweep's, process) die
    with it, however it ends, from the moment each starts: its ``loky`` backend gets
    :func:`die_with_parent` as the workers' initializer (joblib's public
    ``register_parallel_backend``; the launcher asks for the backend by that name).
    :func:`disarm_launcher_workers` restores joblib's own."""
    import functools

    from joblib import register_parallel_backend
    from joblib._parallel_backends import LokyBackend

    register_parallel_backend(
        "loky", functools.partial(LokyBackend, initializer=die_with_parent, initargs=(os.getpid(),))
    )


def disarm_launcher_workers() -> None:
    from joblib import register_parallel_backend
    from joblib._parallel_backends import LokyBackend

    register_parallel_backend("loky", LokyBackend)
