"""Decision support: which futures break the truce, and which policy holds up across them.

Robust decision making (Lempert, Groves, Popper & Bankes, *Management Science* 52(4),
2006) turns the simulation round: instead of "what happens at this point", it asks
*under which combinations of circumstances* an outcome we fear happens (scenario
discovery: Bryant & Lempert, *Technological Forecasting & Social Change* 77, 2010), and
*which choice does acceptably well across all of them* (robustness: McPhail et al.,
*Earth's Future* 6, 2018). The vocabulary is Kwakkel's EMA Workbench (*Environmental
Modelling & Software* 96, 2017), whose PRIM this module uses.

* **Levers** are the choices of the parties and the mediators, declared in the
  parameter schema (``lever=True`` in :mod:`sim.core.schema`, and the option of the config
  groups :data:`sim.core.schema.LEVER_GROUPS`: the mechanism's design and the mediators'
  line-up).
* **Uncertainties** are everything else that moves the outcome. The behavioural
  magnitudes come from the calibrated posterior (``conf/calibration/posterior.csv``: a
  future takes one of its rows, with the history that row replays, so the ensemble is
  weighted by the posterior); the **deep uncertainties** (``deep=(lo, hi)`` in the
  schema: the militants' capability after 5 November 2025, how the mechanism is
  received, how fast the mediators' leverage fades) are things the record cannot
  inform, spread over their plausible range by a Latin hypercube (McKay, Beckman &
  Conover 1979).
* A **future** is one row of that table: a posterior draw plus a draw of the deep
  uncertainties. Each future is run for ``R`` replicates (its chance events), so its
  outcomes are probabilities, and every lever setting runs the same replicate seeds in
  the same futures (common random numbers), so regrets are paired.

Scenario discovery runs PRIM (Friedman & Fisher, *Statistics and Computing* 9, 1999)
on the futures, with the outcome "the feared event happens in at least half the replicates of this
future"; the box is chosen on the peeling trajectory and its restrictions are kept only
where their quasi-p-value (Bryant & Lempert 2010) says they are not chance. A CART tree
(Breiman et al. 1984) on the same data is the cross-check. Robustness is minimax regret
(Savage 1951) and satisficing (Simon 1956) across the futures.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ConfigError, require
from ..core.schema import LEVER_GROUPS, Config, leaves
from .sensitivity import Factor

#: The feared outcomes scenario discovery explains: per replicate, True if it happens.
FEARED = {
    "breakdown_60": "the truce breaks down within 60 days",
    "trade_below_50_day180": "trade is below half its baseline on day 180 (17 Apr 2026)",
}
#: Success of a replicate, for satisficing: the truce holds 90 days and trade is back to
#: half its baseline within 90 days.
SUCCESS_DAYS = 90
SUCCESS_TRADE = "trade_days_to_50"


# --------------------------------------------------------------------------- the schema's roles


def lever_keys(config: Config) -> list[str]:
    """The levers: the option of each lever group, then every knob declared ``lever``."""
    return [*LEVER_GROUPS, *(leaf.key for leaf in leaves(config) if leaf.meta.get("lever"))]


def deep_uncertainties(config: Config) -> list[Factor]:
    """Every knob declared a deep uncertainty, with its plausible range."""
    return [
        Factor(leaf.key, float(leaf.meta["deep"][0]), float(leaf.meta["deep"][1]), leaf.type is int, float(leaf.value))
        for leaf in leaves(config)
        if leaf.meta.get("deep")
    ]


def futures(posterior: pd.DataFrame, deep: list[Factor], n: int, seed: int) -> pd.DataFrame:
    """``n`` futures: rows of the posterior (drawn without replacement while there are
    enough, with their histories) and a Latin hypercube over the deep uncertainties."""
    from scipy.stats import qmc

    if n < 1:
        raise ConfigError(f"futures: need at least one, not {n}.")
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(posterior), size=n, replace=n > len(posterior))
    table = posterior.iloc[rows].reset_index(drop=True)
    if deep:
        unit = qmc.LatinHypercube(d=len(deep), seed=rng).random(n)
        for j, f in enumerate(deep):
            values = f.lo + unit[:, j] * (f.hi - f.lo)
            table[f.key] = np.rint(values).astype(np.int64) if f.integer else values
    return table


def uncertainty_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a futures table that vary (the history's seed and day are not
    uncertainties to explain with)."""
    cols = [c for c in table.columns if c not in ("record_seed", "record_day")]
    return [c for c in cols if table[c].nunique() > 1]


# --------------------------------------------------------------------------- outcomes of each future


def replicate_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """Per replicate: the feared events, truce days and success (see :data:`FEARED`)."""
    first = runs["first_breakdown_day"]
    out = pd.DataFrame(
        {
            "row": runs["parameter_row"].astype(int),
            "breakdown_60": first.notna() & (first <= 60),
            "trade_below_50_day180": runs["trade_share_day180"] < 0.5,
            "truce_days": runs["truce_days"].astype(float),
            "success": (runs["truce_days"] >= SUCCESS_DAYS)
            & (runs[SUCCESS_TRADE].notna() & (runs[SUCCESS_TRADE] <= SUCCESS_DAYS)),
            "trade_loss_usd": runs["trade_loss_usd"],
        }
    )
    return out


def per_future(runs: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The mean of each replicate outcome per future (and per ``by``, e.g. the sweep's
    job): probabilities of the events, the expected truce days."""
    if (runs["parameter_row"] < 0).any():
        raise ConfigError("some replicates took no row of a parameter table: these are not runs over futures.")
    rep = replicate_outcomes(runs)
    for col in by:
        rep[col] = runs[col].to_numpy()
    cols = [*FEARED, "truce_days", "success", "trade_loss_usd"]
    out = rep.groupby([*by, "row"])[cols].mean().astype(float)
    out["replicates"] = rep.groupby([*by, "row"]).size()
    return out


# --------------------------------------------------------------------------- scenario discovery


@dataclass
class Box:
    """A PRIM box: its statistics, its restrictions and the peeling trajectory it came from."""

    outcome: str
    stats: dict  # coverage, density, mass, res_dim, mean (the share of cases overall)
    limits: pd.DataFrame  # one row a restricted dimension: lo, hi, full_lo, full_hi, qp_lo, qp_hi
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim of each step; "chosen" marks the box
    cases: int  # futures where the outcome is of interest
    futures: int
    screened: list[str]  # the uncertainties PRIM peeled (the highest feature scores)

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        return within(x, self.limits)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.Series:
    """How much each uncertainty tells about ``y``: EMA Workbench's extra-trees feature
    scores (Jaxa-Rozen & Kwakkel, *Environmental Modelling & Software* 107, 2018), the
    largest first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feature_scoring = require("ema_workbench.analysis.feature_scoring")

        scores, _ = feature_scoring.get_ex_feature_scores(x, np.asarray(y, dtype=int), nr_trees=250, random_state=seed)
    return scores.iloc[:, 0].sort_values(ascending=False)


def choose_box(trajectory: pd.DataFrame, max_dims: int = 3, min_coverage: float = 0.5) -> int:
    """The densest box of the peeling trajectory that still holds ``min_coverage`` of the
    cases and restricts at most ``max_dims`` dimensions (a box a reader can hold in mind;
    Bryant & Lempert 2010 weigh coverage, density and interpretability)."""
    c, d = trajectory["coverage"].to_numpy(float), trajectory["density"].to_numpy(float)
    ok = (c >= min_coverage) & (trajectory["res_dim"].to_numpy() <= max_dims)
    return int(np.flatnonzero(ok)[np.argmax(d[ok])]) if ok.any() else 0


def prim_box(
    x: pd.DataFrame,
    y: np.ndarray,
    outcome: str = "",
    *,
    screen: int = 4,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    max_dims: int = 3,
    min_coverage: float = 0.5,
    qp_max: float = 0.05,
    seed: int = 0,
) -> Box:
    """PRIM (EMA Workbench) on futures ``x`` for the boolean ``y``.

    With many uncertainties PRIM peels a little off each of dozens of dimensions, and the
    box cannot be read; so it runs on the ``screen`` uncertainties with the highest
    feature scores (:func:`feature_scores`; the EMA Workbench's usual first step). The
    box is then chosen on the peeling trajectory by :func:`choose_box`, and each side of a
    restriction whose quasi-p-value is above ``qp_max`` (a restriction chance would make
    as often) is freed (:func:`free_chance_sides`); the statistics are those of the box
    that is left."""
    with warnings.catch_warnings():  # its package warns that optional parallel back ends are missing
        warnings.simplefilter("ignore")
        ema_prim = require("ema_workbench.analysis.prim")

    y = np.asarray(y, dtype=bool)
    if y.sum() == 0:
        raise ConfigError(f"{outcome or 'outcome'}: no future has it; PRIM has nothing to find.")
    x = x.reset_index(drop=True).astype(float)
    if screen and x.shape[1] > screen and 0 < y.sum() < len(y):
        x = x[list(feature_scores(x, y, seed).index[:screen])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = ema_prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        box = finder.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float).copy()
    i = choose_box(trajectory, max_dims, min_coverage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box.select(i)
        limits = free_chance_sides(restricted(box, i, x), qp_max)
    inside = within(x, limits)
    stats = {
        "coverage": float(y[inside].sum() / y.sum()),
        "density": float(y[inside].mean()) if inside.any() else 0.0,
        "mass": float(inside.mean()),
        "res_dim": float(len(limits)),
        "mean": float(y.mean()),
    }
    trajectory["chosen"] = False
    if np.allclose(
        [stats[k] for k in ("coverage", "density", "mass")],
        trajectory.loc[i, ["coverage", "density", "mass"]].to_numpy(float),
    ):
        trajectory.loc[i, "chosen"] = True
    else:  # the box after freeing the sides chance would restrict as often: the one reported
        final = pd.DataFrame([{**stats, "chosen": True}])
        trajectory = pd.concat([trajectory, final[trajectory.columns]], ignore_index=True)
    return Box(outcome, stats, limits, trajectory, int(y.sum()), len(y), list(x.columns))


def free_chance_sides(limits: pd.DataFrame, qp_max: float) -> pd.DataFrame:
    """Free each side of a restriction whose quasi-p-value is above ``qp_max`` (back to the
    full range, its quasi-p-value NaN); drop the uncertainties left unrestricted."""
    limits = limits.copy()
    for side, full in (("lo", "full_lo"), ("hi", "full_hi")):
        chance = limits[f"qp_{side}"] > qp_max
        limits.loc[chance, side] = limits.loc[chance, full]
        limits.loc[chance, f"qp_{side}"] = np.nan
    keep = (limits["lo"] > limits["full_lo"]) | (limits["hi"] < limits["full_hi"])
    return limits.loc[keep]


def within(x: pd.DataFrame, limits: pd.DataFrame) -> np.ndarray:
    """Which rows of ``x`` lie inside the limits (every restricted uncertainty in range)."""
    inside = np.ones(len(x), dtype=bool)
    for key, lim in limits.iterrows():
        inside &= (x[key] >= lim["lo"]).to_numpy() & (x[key] <= lim["hi"]).to_numpy()
    return inside


def restricted(box, i: int, x: pd.DataFrame) -> pd.DataFrame:
    """The restricted dimensions of box ``i`` of a PrimBox: its limits, the full range,
    and the quasi-p-values of the lower and upper restriction (NaN: not restricted)."""
    lims = box.box_lims[i]
    qps = box.p_values[i] if i < len(box.p_values) else {}
    rows = []
    for key in lims.columns:
        lo, hi = float(lims[key].iloc[0]), float(lims[key].iloc[1])
        full_lo, full_hi = float(x[key].min()), float(x[key].max())
        if lo <= full_lo and hi >= full_hi:
            continue
        qp = qps.get(key, [np.nan, np.nan])
        qp = [np.nan if (q is None or q == -1) else float(q) for q in qp]
        rows.append(
            {"key": key, "lo": lo, "hi": hi, "full_lo": full_lo, "full_hi": full_hi, "qp_lo": qp[0], "qp_hi": qp[1]}
        )
    cols = ["lo", "hi", "full_lo", "full_hi", "qp_lo", "qp_hi"]
    return pd.DataFrame(rows, columns=["key", *cols]).set_index("key")


def cart(x: pd.DataFrame, y: np.ndarray, *, max_depth: int = 3, min_leaf: float = 0.05, seed: int = 0):
    """A classification tree (scikit-learn) on the same futures: the cross-check of PRIM.
    Returns the fitted tree and its leaves as a table (rule, futures, share of them with
    the outcome), the leaf with the highest share first."""
    DecisionTreeClassifier = require("sklearn.tree").DecisionTreeClassifier  # noqa: N806

    y = np.asarray(y, dtype=bool)
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf * len(y))), random_state=seed
    )
    tree.fit(x.to_numpy(float), y)
    t = tree.tree_
    rows = []

    def walk(node: int, rule: list[str]) -> None:
        if t.children_left[node] == -1:
            idx = tree.apply(x.to_numpy(float)) == node
            rows.append(
                {
                    "rule": " and ".join(rule) or "all futures",
                    "futures": int(idx.sum()),
                    "share with outcome": float(y[idx].mean()),
                    "coverage": float(y[idx].sum() / max(1, y.sum())),
                }
            )
            return
        name, thr = x.columns[t.feature[node]], t.threshold[node]
        walk(t.children_left[node], [*rule, f"{name} <= {thr:.3g}"])
        walk(t.children_right[node], [*rule, f"{name} > {thr:.3g}"])

    walk(0, [])
    leaves_table = pd.DataFrame(rows).sort_values("share with outcome", ascending=False, ignore_index=True)
    return tree, leaves_table


def tree_variables(tree, columns: list[str]) -> list[str]:
    """The variables a tree splits on, by importance."""
    imp = pd.Series(tree.feature_importances_, index=columns)
    return list(imp[imp > 0].sort_values(ascending=False).index)


# --------------------------------------------------------------------------- robustness


def regret(values: pd.DataFrame, larger_is_better: bool = True) -> pd.DataFrame:
    """Regret of each setting (column) in each future (row): how far it falls short of the
    best setting in that future (Savage 1951). The best setting of a future has regret 0."""
    if larger_is_better:
        return values.max(axis=1).to_numpy()[:, None] - values
    return values - values.min(axis=1).to_numpy()[:, None]


def robustness(
    truce: pd.DataFrame, trade_loss: pd.DataFrame, success: pd.DataFrame, threshold: float = 0.5
) -> pd.DataFrame:
    """One row per setting (the columns of the futures x settings tables): the expected
    truce days and their regret (mean, 90th percentile), the expected trade lost and its
    regret (mean), how often the setting is the best for the truce, and satisficing: the
    share of futures in which the chance of success (the truce holds :data:`SUCCESS_DAYS`
    days and trade is back to half within them) is at least ``threshold``, with a Wilson
    95% interval. Sorted by the mean regret in truce days."""
    from scipy.stats import binomtest

    r, r_trade = regret(truce), regret(trade_loss, larger_is_better=False)
    n = len(truce)
    rows = []
    for s in truce.columns:
        ok = int((success[s] >= threshold).sum())
        ci = binomtest(ok, n).proportion_ci(0.95, method="wilson")
        rows.append(
            {
                "setting": s,
                "truce days": truce[s].mean(),
                "mean regret": r[s].mean(),
                "90th pct regret": r[s].quantile(0.9),
                "best in share of futures": float((r[s] == 0).mean()),
                "trade lost": trade_loss[s].mean(),
                "mean trade regret": r_trade[s].mean(),
                "satisficing": ok / n,
                "satisficing_lo": ci.low,
                "satisficing_hi": ci.high,
                "P(success)": success[s].mean(),
            }
        )
    return pd.DataFrame(rows).sort_values("mean regret", ignore_index=True)


def versus(values: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each setting's mean difference from ``reference`` across the futures, with a 95%
    t-interval (paired: the same futures and seeds)."""
    from scipy import stats

    diff = values.sub(values[reference], axis=0)
    n = len(diff)
    half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
    return pd.DataFrame({"diff": diff.mean(), "lo": diff.mean() - half, "hi": diff.mean() + half})


def evpi(truce: pd.DataFrame) -> float:
    """Expected value of perfect information about the future for the lever choice: the
    expected truce days of picking the best setting in each future minus those of the
    setting best on average (= the mean regret of that setting). Biased upwards by the
    replicates' noise in each future's best."""
    return float(truce.max(axis=1).mean() - truce.mean(axis=0).max())


# --------------------------------------------------------------------------- value of information


def main_effects(values: pd.DataFrame, design: pd.DataFrame, steps: dict[str, float]) -> pd.DataFrame:
    """Main effects of a two-level factorial of the mechanism's knobs, per unit of each.

    ``values``: futures x design points (the expected truce days); ``design``: one row a
    point (same order as the columns), one column a knob, two levels each; ``steps``: the
    unit of each knob (e.g. 0.1 detection, -1 day of reporting). The effect of a knob in a
    future is the mean over the points at its high level minus the mean at its low, per
    unit; its interval is a t-interval over the futures (paired: common random numbers).
    """
    from scipy import stats

    rows = []
    for key, unit in steps.items():
        levels = sorted(design[key].unique())
        if len(levels) != 2:
            raise ConfigError(f"value of information: {key} needs two levels in the design, has {levels}.")
        before, after = levels if unit > 0 else levels[::-1]  # the improvement: more, or fewer (days)
        at = {level: values.loc[:, (design[key] == level).to_numpy()].mean(axis=1) for level in levels}
        effect = (at[after] - at[before]) / ((after - before) / unit)
        n = len(effect)
        half = stats.t.ppf(0.975, n - 1) * effect.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append(
            {
                "key": key,
                "unit": unit,
                "from": before,
                "to": after,
                "effect": effect.mean(),
                "lo": effect.mean() - half,
                "hi": effect.mean() + half,
                "futures": n,
            }
        )
    return pd.DataFrame(rows)


def write_table(table: pd.DataFrame, path: Path) -> Path:
    from ..core.io import write_csv

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, path)
    return path
