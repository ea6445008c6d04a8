"""Global sensitivity analysis with SALib: which parameters move the forecast?

Two stages (Saltelli et al., *Global Sensitivity Analysis: The Primer*, 2008):

1. **Morris screening** (Morris 1991; Campolongo, Cariboni & Saltelli 2007) over every
   knob of the parameter table that has a sensitivity range (``sa`` in
   :mod:`sim.core.schema`): ``r`` one-at-a-time trajectories; mu* (mean absolute elementary
   effect) ranks influence, sigma flags non-linearity and interactions.
2. **Sobol indices** (Sobol 2001; SALib's estimators: Saltelli et al. 2010 for S1, Jansen
   1999 for ST) over the
   most influential ones: first-order S1 (the share of the output's variance a
   parameter explains alone) and total-order ST (with every interaction), with
   bootstrap 95% intervals.

The outputs are the restricted mean survival time of the truce at the horizon (RMST,
days) and the restricted mean days to 90% trade recovery (a replicate that never gets
there counts at the horizon). Each design is a table of parameter vectors
(``design.csv``); ``python -m sim -m parameters.table=design.csv
'parameters.row=range(0,n)'`` runs it as an ordinary Hydra sweep, one point a row, so
it runs on any launcher (joblib here, SLURM or Ray on a cluster).
Every point runs the same replicate seeds (common random numbers), so the elementary
effects and the Sobol differences are not swamped by replicate noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from ..core.io import write_csv
from ..core.outputs import SENSITIVITY_OUTPUTS as OUTPUTS
from ..core.schema import Config, leaves


@dataclass(frozen=True)
class Factor:
    key: str  # dotted key, e.g. states.blame_gain
    lo: float
    hi: float
    integer: bool
    default: float
    calibrated: bool = False  # the schema's role: estimated by the calibration (sim/core/schema)
    #: the prior's shape on [lo, hi]: Beta(a, b) (1, 1: uniform), set by the outside view
    #: (sim/analysis/outside_view.py) where the reference classes inform the knob
    a: float = 1.0
    b: float = 1.0

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Points of [0, 1] through the prior's shape (the identity for a uniform prior):
        the Beta's quantile function, as the inverse of the regularized incomplete beta
        function (the ufunc behind ``scipy.stats.beta.ppf``, bit for bit the same values,
        without the distribution's checks: 1 ms a call, half of the calibration's inner
        loop)."""
        if self.a == 1.0 and self.b == 1.0:
            return u
        from scipy.special import betaincinv

        return betaincinv(self.a, self.b, u)


def factors(config: Config) -> list[Factor]:
    """Every knob with a sensitivity range, in the order of the parameter table
    (per-party and per-mediator knobs once for each party and mediator)."""
    return [
        Factor(
            leaf.key,
            float(leaf.meta["sa"][0]),
            float(leaf.meta["sa"][1]),
            leaf.type is int,
            float(leaf.value),
            bool(leaf.meta.get("calibrated")),
        )
        for leaf in leaves(config)
        if leaf.meta.get("sa")
    ]


def problem(chosen: list[Factor]) -> dict:
    """The SALib problem of these factors."""
    return {"num_vars": len(chosen), "names": [f.key for f in chosen], "bounds": [[f.lo, f.hi] for f in chosen]}


def design_table(chosen: list[Factor], x: np.ndarray) -> pd.DataFrame:
    """SALib's sample as a parameter table: one column per key, integers rounded, every
    value clipped to its range (SALib's scaling can overshoot the bound by 1e-16)."""
    table = pd.DataFrame(clipped(chosen, x), columns=[f.key for f in chosen])
    for f in chosen:
        if f.integer:
            table[f.key] = table[f.key].astype(np.int64)
    return table


def design_rows(chosen: list[Factor], x: np.ndarray) -> list[dict[str, int | float]]:
    """The rows of :func:`design_table` as the values a history runs with (:func:`typed`),
    without building the table: reading a pandas table row by row took a sixth of the
    calibration's inner loop."""
    keys = [f.key for f in chosen]
    return [typed(chosen, dict(zip(keys, row, strict=True))) for row in clipped(chosen, x).tolist()]


def typed(chosen: list[Factor], row: Mapping[str, float]) -> dict[str, int | float]:
    """A row's values as a history runs with them: integers as ``int``, the rest as ``float``."""
    return {f.key: (int(row[f.key]) if f.integer else float(row[f.key])) for f in chosen}


def clipped(chosen: list[Factor], x: np.ndarray) -> np.ndarray:
    """Every value clipped to its range, integers rounded."""
    x = np.clip(x, [f.lo for f in chosen], [f.hi for f in chosen])
    for j, f in enumerate(chosen):
        if f.integer:
            x[:, j] = np.rint(x[:, j])
    return x


def morris_design(chosen: list[Factor], trajectories: int, levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """r Morris trajectories (r x (k + 1) points) on a ``levels``-level grid."""
    from SALib.sample import morris

    x = morris.sample(problem(chosen), N=trajectories, num_levels=levels, seed=seed)
    return design_table(chosen, x)


def sobol_design(chosen: list[Factor], base_n: int, seed: int = 0) -> pd.DataFrame:
    """Saltelli's sample for first and total order: base_n x (k + 2) points (base_n a
    power of two, for the scrambled Sobol sequence)."""
    from SALib.sample import sobol

    if base_n & (base_n - 1):
        raise ConfigError(f"sobol base sample: {base_n} is not a power of two.")
    x = sobol.sample(problem(chosen), N=base_n, calc_second_order=False, scramble=True, seed=seed)
    return design_table(chosen, x)


def outputs(runs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The two outputs of each design row from the sweep's runs (one row per replicate,
    with ``parameter_row``): RMST = mean truce days (truce days stop at the horizon, so
    their mean is the area under the Kaplan-Meier curve without censoring before it),
    and the restricted mean of days to 90% trade."""
    if (runs["parameter_row"] < 0).any():
        raise ConfigError("some replicates took no row of a parameter table: this is not a design sweep.")
    t90 = runs["trade_days_to_90"].fillna(horizon).clip(upper=horizon)
    frame = pd.DataFrame(
        {"row": runs["parameter_row"].astype(int), "rmst_days": runs["truce_days"], "trade90_days": t90}
    )
    out = frame.groupby("row")[["rmst_days", "trade90_days"]].mean().sort_index()
    return out


def check_complete(y: pd.DataFrame, n: int) -> None:
    missing = sorted(set(range(n)) - set(y.index))
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise ConfigError(
            f"{len(missing)} of the {n} design points have no result (rows {shown}); "
            "run the sweep again to finish them (finished points are kept)."
        )


def analyze_morris(chosen: list[Factor], design: pd.DataFrame, y: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """mu*, its bootstrap 95% interval, and sigma of each factor for each output."""
    from SALib.analyze import morris

    check_complete(y, len(design))
    x = design.to_numpy(dtype=float)
    rows = []
    for out in OUTPUTS:
        res = morris.analyze(
            problem(chosen), x, y[out].to_numpy(dtype=float), num_resamples=1000, conf_level=0.95, seed=seed
        )
        for i, f in enumerate(chosen):
            rows.append(
                {
                    "output": out,
                    "key": f.key,
                    "mu_star": res["mu_star"][i],
                    "mu_star_conf": res["mu_star_conf"][i],
                    "mu": res["mu"][i],
                    "sigma": res["sigma"][i],
                }
            )
    table = pd.DataFrame(rows)
    table["rank"] = table.groupby("output")["mu_star"].rank(ascending=False, method="first").astype(int)
    return table.sort_values(["output", "rank"]).reset_index(drop=True)


def most_influential(morris_table: pd.DataFrame, per_output: int) -> list[str]:
    """The union of the ``per_output`` highest mu* of each output, in order of rank."""
    top = morris_table.loc[morris_table["rank"] <= per_output].sort_values(["rank", "output"])
    return list(dict.fromkeys(top["key"]))


def analyze_sobol(chosen: list[Factor], y: pd.DataFrame, n_points: int, seed: int = 0) -> pd.DataFrame:
    """S1 and ST with bootstrap 95% intervals for each factor and output."""
    from SALib.analyze import sobol

    check_complete(y, n_points)
    rows = []
    for out in OUTPUTS:
        res = sobol.analyze(
            problem(chosen),
            y[out].to_numpy(dtype=float),
            calc_second_order=False,
            num_resamples=1000,
            conf_level=0.95,
            seed=seed,
        )
        for i, f in enumerate(chosen):
            rows.append(
                {
                    "output": out,
                    "key": f.key,
                    "S1": res["S1"][i],
                    "S1_conf": res["S1_conf"][i],
                    "ST": res["ST"][i],
                    "ST_conf": res["ST_conf"][i],
                }
            )
    return pd.DataFrame(rows)


def write_design(table: pd.DataFrame, path: Path) -> Path:
    """The design as a CSV a sweep reads with parameters.table (atomic)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, path)
    return path
