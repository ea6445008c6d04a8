"""What issue 30 (speed for inference) changed, checked to give the same results: the
garbage collector's tuning, the Beta prior's quantiles, the calibration's rows, the
worker pools' start method (a fork server for the project's commands, loky's own for a
user's script)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.stats import beta

from sim.analysis import sequential as sq
from sim.analysis.calibration import calibrated_factors, from_unit
from sim.analysis.sensitivity import Factor, design_rows, design_table
from sim.core import processes
from sim.core.collection import few_collections
from sim.core.io import read_parquet
from sim.model import replicate_seeds
from sim.model.militants import routine_sizes
from sim.run.config import with_values
from sim.run.ensemble import run_chunk
from tests.helpers import sim


def test_few_collections_restores_the_collector_and_changes_no_result(small, monkeypatch):
    import contextlib

    from sim.run import ensemble

    config = with_values(small, {"run.replicates": 6})
    seeds = replicate_seeds(config.run.seed, 6)
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    tuned = run_chunk(config, 0, seeds)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == frozen  # nothing left frozen
    with pytest.raises(RuntimeError), few_collections():
        assert gc.get_threshold()[0] == 20_000
        raise RuntimeError
    assert gc.get_threshold() == threshold
    monkeypatch.setattr(ensemble, "few_collections", contextlib.nullcontext)
    plain = run_chunk(config, 0, seeds)  # Python's own thresholds
    assert [r["truce_days"] for r in plain.rows] == [r["truce_days"] for r in tuned.rows]
    assert plain.events.equals(tuned.events)


def test_the_beta_quantiles_are_scipys_to_the_bit():
    u = np.random.default_rng(3).random(20_000)
    u[:2] = 0.0, 1.0
    for a, b in ((0.7, 2.3), (3.1, 1.4), (12.0, 30.0)):
        ours = Factor("x", 0.0, 1.0, False, 0.5, True, a, b).quantile(u)
        assert np.array_equal(ours.view(np.int64), beta.ppf(u, a, b).view(np.int64))


def test_design_rows_are_the_design_tables_rows(config):
    chosen = calibrated_factors(config)
    z = sq.prior_population(chosen, 25, seed=4).z
    from scipy.special import ndtr

    x = from_unit(chosen, ndtr(z))
    table = design_table(chosen, x).to_dict("records")
    rows = design_rows(chosen, x)
    assert rows == table
    integer = [f.key for f in chosen if f.integer]
    assert integer and all(type(r[k]) is int for r in rows for k in integer)
    assert sq.values_of(chosen, z) == rows


def test_the_routine_size_tables_kept_are_bounded_and_right():
    """An unbounded cache grew a worker by 16 MB every 1,000 calibrated replicates."""
    import math
    from statistics import NormalDist

    routine_sizes.cache_clear()
    for i in range(200):
        routine_sizes(0.1 + i / 1000, 1.0, 10, 64)
    assert routine_sizes.cache_info().currsize <= 64
    below, table = routine_sizes(0.3, 0.9, 10, 64)
    dist = NormalDist()
    direct = [min(9, math.floor(math.exp(0.3 + 0.9 * dist.inv_cdf(below * (i + 0.5) / 64)))) for i in range(64)]
    assert math.isclose(below, dist.cdf((math.log(10) - 0.3) / 0.9), rel_tol=1e-12)
    assert list(table) == direct and all(type(d) is int for d in table)


@pytest.mark.parametrize(
    ("name", "has_file", "expected"),
    [
        ("sim.__main__", True, True),  # python -m sim
        ("experiments.rolling", True, True),  # a study
        ("mytool", True, False),  # a user's module run with -m
        (None, True, False),  # a user's script
        (None, False, True),  # a notebook, an interactive session
    ],
)
def test_the_fork_server_only_where_the_main_module_may_be_imported(monkeypatch, name, has_file, expected):
    import types

    import experiments  # noqa: F401  (the project's own, as python -m experiments.NAME has it)

    main = types.ModuleType("__main__")
    main.__spec__ = None if name is None else types.SimpleNamespace(name=name)
    if has_file:
        main.__file__ = "/somewhere/script.py"
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert processes._main_may_be_imported() is expected


def test_another_package_named_like_a_command_is_not_the_projects(monkeypatch):
    import types

    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name="experiments.foo")
    main.__file__ = "/elsewhere/experiments/foo.py"
    theirs = types.ModuleType("experiments")
    theirs.__file__ = "/elsewhere/experiments/__init__.py"
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setitem(sys.modules, "experiments", theirs)
    assert not processes._main_may_be_imported()


@pytest.mark.parametrize("already", [None, "loky"])
def test_the_start_method_is_set_once_and_never_over_another(monkeypatch, already):
    import multiprocessing

    from joblib.externals.loky.backend import context

    calls = []
    monkeypatch.setattr(processes, "_main_may_be_imported", lambda: True)
    monkeypatch.setattr(context, "get_start_method", lambda: already)
    monkeypatch.setattr(context, "set_start_method", lambda method: calls.append(("method", method)))
    monkeypatch.setattr(multiprocessing, "set_forkserver_preload", lambda mods: calls.append(("preload", mods)))
    processes.start_pools_from_a_fork_server()
    expected = [("preload", [processes.PRELOAD]), ("method", "forkserver")] if already is None else []
    assert calls == expected


@pytest.mark.slow
def test_a_users_script_without_a_main_guard_runs_on_two_workers(tmp_path):
    """A script need not guard its top level (``if __name__ == "__main__"``): its pools
    keep loky's start method, which does not import the script in the workers, and the
    results are those of ``python -m sim`` (whose workers come from the fork server)."""
    script = tmp_path / "mine.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from sim.run.config import default_config
            from sim.run.ensemble import run_ensemble
            config = default_config(["run.replicates=60", "run.n_jobs=2", "run.chunk_size=10", "run.progress=false"])
            run_ensemble(config, runs_path=__import__("pathlib").Path({str(tmp_path / "script.parquet")!r}))
            """
        )
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "cli"
    cli = sim(
        "run.replicates=60",
        "run.n_jobs=2",
        "run.chunk_size=10",
        "run.progress=false",
        "run.figures=false",
        f"hydra.run.dir={out}",
    )
    assert cli.returncode == 0, cli.stderr[-2000:]
    mine, theirs = read_parquet(tmp_path / "script.parquet"), read_parquet(out / "runs.parquet")
    assert mine.equals(theirs)
