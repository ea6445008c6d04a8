"""Reproducibility: same config and seed, identical outputs, whatever the number of workers."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.io import read_parquet
from sim.core.outputs import SERIES_NAMES
from sim.model import replicate_seeds
from sim.run.config import with_values
from sim.run.ensemble import DailyAccumulator, run_ensemble, trade_bin


@pytest.fixture(scope="module")
def base(small):
    return with_values(small, {"run.replicates": 60, "run.horizon_days": 150})


def test_seeds_are_spawned_independently_of_the_count():
    assert replicate_seeds(42, 10) == replicate_seeds(42, 25)[:10]
    assert len(set(replicate_seeds(42, 1000))) == 1000
    assert replicate_seeds(42, 5) != replicate_seeds(43, 5)


@pytest.mark.slow
def test_same_seed_identical_files_with_one_or_two_workers(base, tmp_path):
    one = run_ensemble(base, runs_path=tmp_path / "a.parquet")
    again = run_ensemble(base, runs_path=tmp_path / "b.parquet")
    two = run_ensemble(with_values(base, {"run.n_jobs": 2}), runs_path=tmp_path / "c.parquet")
    a, b, c = (read_parquet(tmp_path / f"{x}.parquet") for x in "abc")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "c.parquet").read_bytes()
    pd.testing.assert_frame_equal(one.daily, two.daily)
    pd.testing.assert_frame_equal(one.daily, again.daily)


@pytest.mark.slow
def test_another_seed_gives_other_results(base):
    a = run_ensemble(base).runs
    b = run_ensemble(with_values(base, {"run.seed": base.run.seed + 1})).runs
    assert not a["seed"].equals(b["seed"])
    assert not a[["truce_days", "incidents"]].equals(b[["truce_days", "incidents"]])


def test_daily_means_match_the_replicates(base):
    res = run_ensemble(base)
    runs, daily = res.runs, res.daily
    for d in (1, 50, 150):
        alive = ((~runs["collapsed"]) | (runs["truce_days"] > d)).mean()
        assert daily.loc[d, "alive_share"] == pytest.approx(alive)


def test_trade_percentiles_from_the_histogram_are_within_a_bin():
    import numpy as np

    rng = np.random.default_rng(0)
    acc = DailyAccumulator(days=3)
    values = np.concatenate([np.zeros(30), rng.uniform(0, 1.25, 170)])
    for v in values:
        acc.add(
            {k: np.full(3, v) for k in SERIES_NAMES},
            truce_days=3,
            collapsed=False,
        )
    for q in (0.05, 0.5, 0.95):
        exact = np.quantile(values, q, method="inverted_cdf")
        assert 0 <= exact - acc.trade_percentile(q)[0] < 0.0025
    assert trade_bin(np.array([0.0]))[0] == 0


def test_an_interrupted_run_leaves_no_file_that_looks_complete(base, tmp_path, monkeypatch):
    import sim.run.ensemble as ens

    calls = {"n": 0}
    real = ens.run_chunk

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(ens, "run_chunk", failing)
    path = tmp_path / "runs.parquet"
    with pytest.raises(KeyboardInterrupt):
        ens.run_ensemble(base, runs_path=path)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
