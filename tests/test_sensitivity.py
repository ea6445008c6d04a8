"""The sensitivity study's pieces (sim/analysis/sensitivity.py); the whole study runs at --quick
size in tests/test_experiments.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import sensitivity as sa
from sim.core.errors import ConfigError


def test_every_knob_with_a_sensitivity_range_is_a_factor(config):
    factors = sa.factors(config)
    keys = [f.key for f in factors]
    assert len(keys) == len(set(keys)) == 170
    for key in (
        "states.retaliation_threshold",
        "scenario.pakistan.blame_bias",
        "mediation.mediators.qatar.leverage",
        "mvm.detection_prob",
        "crossings.ramp_days",
    ):
        assert key in keys
    assert not any(k.startswith(("run.", "parameters.")) for k in keys)
    for f in factors:
        assert f.lo < f.hi
    assert {f.key for f in factors if f.integer} >= {
        "spoilers.cells",
        "crossings.ramp_days",
        "mvm.reporting_delay_days",
    }


def test_designs_stay_in_range_with_whole_integers(config):
    factors = sa.factors(config)
    morris = sa.morris_design(factors, trajectories=3, seed=1)
    assert morris.shape == (3 * (len(factors) + 1), len(factors))
    chosen = factors[:5]
    sobol = sa.sobol_design(chosen, base_n=16, seed=1)
    assert sobol.shape == (16 * (5 + 2), 5)
    for design, fs in ((morris, factors), (sobol, chosen)):
        for f in fs:
            assert design[f.key].between(f.lo, f.hi).all(), f.key
            if f.integer:
                assert pd.api.types.is_integer_dtype(design[f.key]), f.key
    with pytest.raises(ConfigError, match="power of two"):
        sa.sobol_design(chosen, base_n=12)


def test_outputs_are_restricted_means_by_design_row():
    runs = pd.DataFrame(
        {
            "parameter_row": [0, 0, 1, 1],
            "truce_days": [365, 100, 20, 40],
            "trade_days_to_90": [50.0, np.nan, np.nan, 400.0],
        }
    )
    y = sa.outputs(runs, horizon=365)
    assert y.loc[0, "rmst_days"] == 232.5 and y.loc[1, "rmst_days"] == 30
    assert y.loc[0, "trade90_days"] == (50 + 365) / 2 and y.loc[1, "trade90_days"] == 365
    with pytest.raises(ConfigError, match="2 of the 4 design points"):
        sa.check_complete(y, 4)


def test_morris_ranks_a_known_function(config):
    """On y = 10 x1 + x2 (other factors inert) the screening ranks x1, then x2, and gives
    the inert factors mu* = 0."""
    factors = sa.factors(config)[:6]
    design = sa.morris_design(factors, trajectories=8, seed=3)
    unit = (design - [f.lo for f in factors]) / [f.hi - f.lo for f in factors]
    y = pd.DataFrame({"rmst_days": 10 * unit.iloc[:, 0] + unit.iloc[:, 1], "trade90_days": unit.iloc[:, 2]})
    table = sa.analyze_morris(factors, design, y)
    rmst = table.loc[table["output"] == "rmst_days"].set_index("key")
    assert rmst.loc[factors[0].key, "rank"] == 1 and rmst.loc[factors[1].key, "rank"] == 2
    assert rmst.loc[factors[0].key, "mu_star"] == pytest.approx(10, rel=0.05)
    assert rmst.loc[[f.key for f in factors[3:]], "mu_star"].max() == pytest.approx(0, abs=1e-9)
    assert sa.most_influential(table, 1) == [factors[0].key, factors[2].key]
