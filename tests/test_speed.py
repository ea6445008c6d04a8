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


def test_few_collections_restores_the_collector_and_changes_no_result(small):
    config = with_values(small, {"run.replicates": 6})
    seeds = replicate_seeds(config.run.seed, 6)
    gc.unfreeze()  # nothing frozen before: the block thaws what it froze
    threshold = gc.get_threshold()
    plain = run_chunk(config, 0, seeds)  # run_chunk tunes the collector itself
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    with few_collections():
        assert gc.get_threshold()[0] == 20_000 and gc.get_freeze_count() > 0
        frozen = gc.get_freeze_count()
        tuned = run_chunk(config, 0, seeds)  # nested: what the outer block froze stays frozen
        assert gc.get_threshold()[0] == 20_000 and gc.get_freeze_count() >= frozen
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
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


def test_the_routine_size_tables_kept_are_bounded():
    """An unbounded cache grew a worker by 16 MB every 1,000 calibrated replicates."""
    routine_sizes.cache_clear()
    for i in range(200):
        routine_sizes(0.1 + i / 1000, 1.0, 10, 64)
    assert routine_sizes.cache_info().currsize <= 64


@pytest.mark.parametrize(
    ("name", "has_file", "expected"),
    [("sim.__main__", True, True), ("experiments.rolling", True, True), ("mytool", True, False), (None, True, False)],
)
def test_the_fork_server_only_where_the_main_module_may_be_imported(monkeypatch, name, has_file, expected):
    import types

    main = types.ModuleType("__main__")
    main.__spec__ = None if name is None else types.SimpleNamespace(name=name)
    if has_file:
        main.__file__ = "/somewhere/script.py"
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert processes._main_may_be_imported() is expected


def test_an_interactive_session_may_use_the_fork_server(monkeypatch):
    import types

    main = types.ModuleType("__main__")  # a notebook's: no file, no spec
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert processes._main_may_be_imported()


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
