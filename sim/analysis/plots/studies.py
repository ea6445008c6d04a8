"""The figures of the studies: sensitivity (Morris, Sobol), calibration (posterior,
forecasts) and decision support (PRIM's peeling and boxes, CART, robustness, value of
information)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import require
from ...core.outputs import SENSITIVITY_OUTPUTS as SA_OUTPUTS
from ...core.schema import readable_name
from ..estimates import Estimates
from .common import BLUE, GREY, ORANGE, RED, _date_axis, _dates, plt, save_figure
from .sweeps import _point_colors


def morris_plot(table: pd.DataFrame, path: Path, top: int = 15, labelled: int = 6, title: str = "") -> Path:
    """Morris screening, one column per output: above, the ``top`` highest mu* with their
    bootstrap 95% intervals (red: a larger value lowers the output); below, mu*
    (influence) against sigma (non-linearity, interactions) for every factor, the
    ``labelled`` most influential named. Parameters are named by their declared meaning
    (:func:`sim.core.schema.readable_name`), not by their config keys."""
    fig, axes = plt.subplots(
        2, 2, figsize=(14, 0.32 * top + 6.5), layout="constrained", gridspec_kw={"height_ratios": [0.32 * top + 0.8, 5]}
    )
    for col, (out, name) in enumerate(SA_OUTPUTS.items()):
        t = table.loc[table["output"] == out]
        bars, scatter = axes[0, col], axes[1, col]
        best = t.loc[t["rank"] <= top].iloc[::-1]
        low = np.minimum(best["mu_star_conf"], best["mu_star"])  # mu* >= 0: the interval stops at 0
        bars.barh(
            [readable_name(k) for k in best["key"]],
            best["mu_star"],
            xerr=[low, best["mu_star_conf"]],
            capsize=2,
            color=np.where(best["mu"] < 0, RED, BLUE),
            ecolor=GREY,
        )
        bars.tick_params(axis="y", labelsize=8)
        bars.set_xlabel(f"mu*: mean |elementary effect| on {name}, per full range")
        bars.set_title(f"{name}: the {top} most influential (red: a larger value lowers it)", fontsize=10)
        bars.grid(alpha=0.3, axis="x")
        named = t["rank"] <= labelled
        scatter.scatter(t.loc[~named, "mu_star"], t.loc[~named, "sigma"], s=14, color=GREY, alpha=0.6)
        scatter.scatter(t.loc[named, "mu_star"], t.loc[named, "sigma"], s=24, color=BLUE)
        for _, r in t.loc[named].iterrows():
            scatter.annotate(
                readable_name(r["key"], 40),
                (r["mu_star"], r["sigma"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        hi = max(t["mu_star"].max(), t["sigma"].max()) * 1.08
        scatter.plot([0, hi], [0, hi], color=GREY, lw=0.8, ls="--")
        scatter.set_xlim(0, hi)
        scatter.set_ylim(0, hi)
        scatter.set_xlabel("mu* (days per full range)")
        scatter.set_ylabel("sigma: spread of the elementary effects (days)")
        scatter.grid(alpha=0.3)
    fig.suptitle(
        title or f"Morris screening of all {table['key'].nunique()} parameters with a sensitivity range", fontsize=11
    )
    return save_figure(fig, path)


def sobol_plot(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Sobol first-order (S1) and total-order (ST) indices with 95% intervals, one panel
    per output, factors in order of ST, named by their declared meaning."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 0.45 * table["key"].nunique() + 2.5), layout="constrained")
    for ax, (out, name) in zip(axes, SA_OUTPUTS.items(), strict=True):
        t = table.loc[table["output"] == out].sort_values("ST")
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["ST"], height=0.4, xerr=t["ST_conf"], color=ORANGE, capsize=3, label="total order ST")
        ax.barh(y - 0.2, t["S1"], height=0.4, xerr=t["S1_conf"], color=BLUE, capsize=3, label="first order S1")
        ax.set_yticks(y, [readable_name(k) for k in t["key"]], fontsize=8)
        ax.axvline(0, color=GREY, lw=0.8)
        ax.set_xlabel("share of the output's variance")
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title or "Sobol indices of the most influential parameters (95% bootstrap intervals)", fontsize=11)
    return save_figure(fig, path)


def posterior_plot(draws: pd.DataFrame, summary: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Each calibrated parameter: the prior draws (grey) and the accepted ones (blue),
    as densities over the prior range; the default in conf/ when it ran (dashed) and the posterior
    median (solid)."""
    n = len(summary)
    cols = 4
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.3 * rows), layout="constrained")
    accepted = draws.loc[draws["match"]]
    for ax, (_, s) in zip(axes.flat, summary.iterrows(), strict=False):
        if pd.api.types.is_integer_dtype(draws[s["key"]]):  # one bin per whole value, or per few
            step = max(1, int(np.ceil((s["prior_hi"] - s["prior_lo"] + 1) / 16)))
            bins = np.arange(s["prior_lo"] - 0.5, s["prior_hi"] + step, step)
        else:
            bins = np.linspace(s["prior_lo"], s["prior_hi"], 16)
        ax.hist(draws[s["key"]], bins=bins, density=True, color=GREY, alpha=0.35, label="prior")
        ax.hist(accepted[s["key"]], bins=bins, density=True, histtype="step", color=BLUE, lw=1.8, label="posterior")
        ax.axvline(s["default"], color=ORANGE, ls="--", lw=1.2, label="default in conf/ when run")
        ax.axvline(s["posterior_median"], color=BLUE, lw=1.2, label="posterior median")
        ax.set_title(f"{s['key']}\nSD ratio {s['sd_ratio']:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper right")
    fig.suptitle(title or "Prior and posterior of the calibrated parameters (rejection ABC)", fontsize=11)
    return save_figure(fig, path)


def forecast_comparison_plot(
    curves: dict[str, Estimates], path: Path, start_date: str, mark_day: int | None = None, title: str = ""
) -> Path:
    """Kaplan-Meier curves of several ensembles of the same scenario, with 95% bands."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for (label, est), color in zip(curves.items(), _point_colors(len(curves)), strict=True):
        curve = est.curve
        dates = _dates(start_date, curve["day"].to_numpy())
        rmst = est.summary["truce"]["rmst_days"]
        ax.step(
            dates,
            curve["survival"],
            where="post",
            color=color,
            lw=2,
            label=f"{label} (restricted mean {rmst['mean']:.0f} d, {rmst['lower']:.0f}-{rmst['upper']:.0f})",
        )
        ax.fill_between(dates, curve["lower"], curve["upper"], step="post", color=color, alpha=0.15)
    if mark_day is not None:
        ax.axvline(_dates(start_date, np.array([mark_day]))[0], color=GREY, ls=":", lw=1)
        ax.annotate(
            " record ends (5 Nov 2025)",
            (_dates(start_date, np.array([mark_day]))[0], 0.03),
            fontsize=8,
            color=GREY,
            va="bottom",
        )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(truce still holds)")
    _date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title or "How long the truce holds: forecasts compared", fontsize=10)
    return save_figure(fig, path)


def peeling_plot(boxes: Sequence, path: Path, title: str = "") -> Path:
    """PRIM's peeling trajectory of each feared outcome: coverage (share of the futures
    with the outcome that the box holds) against density (share of the box's futures
    with it), coloured by the number of restricted dimensions; the chosen box ringed."""
    fig, axes = plt.subplots(1, len(boxes), figsize=(5.2 * len(boxes), 4.4), layout="constrained", squeeze=False)
    for ax, box in zip(axes[0], boxes, strict=True):
        t = box.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, zorder=3)
        ax.plot(t["coverage"], t["density"], color=GREY, lw=0.7, zorder=2)
        chosen = t.loc[t["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=160, facecolors="none", edgecolors=RED, lw=2, zorder=4)
        ax.axhline(box.stats["mean"], color=GREY, ls=":", lw=1)
        ax.annotate(f" all futures: {box.stats['mean']:.0%}", (0.0, box.stats["mean"]), fontsize=7, color=GREY)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title(f"{box.outcome}\n({box.cases} of {box.futures} futures)", fontsize=9)
        ax.grid(alpha=0.3)
        fig.colorbar(sc, ax=ax, label="restricted dimensions", shrink=0.8)
    fig.suptitle(title or "PRIM peeling trajectories (ringed: the box chosen)", fontsize=11)
    return save_figure(fig, path)


def boxes_plot(boxes: Sequence, path: Path, title: str = "") -> Path:
    """Each chosen box: its restricted dimensions as the box's share of the range the
    futures span (0 to 1), with the quasi-p-value of each restriction."""
    n = max(1, max(len(b.limits) for b in boxes))
    fig, axes = plt.subplots(
        1, len(boxes), figsize=(5.6 * len(boxes), 0.7 * n + 1.8), layout="constrained", squeeze=False
    )
    for ax, box in zip(axes[0], boxes, strict=True):
        lim = box.limits
        for i, (_key, r) in enumerate(lim.iterrows()):
            span = r["full_hi"] - r["full_lo"] or 1.0
            lo, hi = (r["lo"] - r["full_lo"]) / span, (r["hi"] - r["full_lo"]) / span
            ax.plot([0, 1], [i, i], color=GREY, lw=6, alpha=0.25, solid_capstyle="butt")
            ax.plot([lo, hi], [i, i], color=RED, lw=6, solid_capstyle="butt")
            qp = pd.Series([r["qp_lo"], r["qp_hi"]]).min()  # NaN: no quasi-p-value
            ax.annotate(f"{r['lo']:.3g} to {r['hi']:.3g} (qp {qp:.1g})", (1.02, i), va="center", fontsize=7)
        ax.set_yticks(range(len(lim)), lim.index, fontsize=8)
        ax.set_xlim(0, 1.6)
        ax.set_ylim(-0.7, max(len(lim), 1) - 0.3)
        ax.set_xticks([0, 0.5, 1], ["low end", "", "high end"])
        s = box.stats
        ax.set_title(
            f"{box.outcome}\ncoverage {s['coverage']:.0%}, density {s['density']:.0%} "
            f"(all futures {s['mean']:.0%}), mass {s['mass']:.0%}",
            fontsize=9,
        )
        ax.invert_yaxis()
    fig.suptitle(
        title or "The boxes found: where in the range of each uncertainty the feared outcome lives", fontsize=11
    )
    return save_figure(fig, path)


def cart_plot(trees: Sequence, path: Path, title: str = "") -> Path:
    """The classification trees (scikit-learn) that cross-check PRIM, one per outcome:
    (outcome name, tree, feature names)."""
    plot_tree = require("sklearn.tree").plot_tree

    fig, axes = plt.subplots(len(trees), 1, figsize=(15, 5.5 * len(trees)), layout="constrained", squeeze=False)
    for ax, (name, tree, columns) in zip(axes[:, 0], trees, strict=True):
        plot_tree(
            tree,
            feature_names=columns,
            class_names=["no", "yes"],
            filled=True,
            impurity=False,
            proportion=True,
            precision=2,
            fontsize=7,
            ax=ax,
        )
        ax.set_title(f"CART: {name}", fontsize=10)
    fig.suptitle(title or "Classification trees on the same futures (the cross-check of PRIM)", fontsize=11)
    return save_figure(fig, path)


def robustness_plot(table: pd.DataFrame, regrets: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Left: the regret of each lever setting across the futures (box: quartiles, whiskers:
    5th-95th percentiles, dot: mean). Right: satisficing, the share of futures in which it
    meets the threshold, with 95% intervals. Settings in order of mean regret."""
    order = list(table["setting"])
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(13, 0.38 * len(order) + 2), layout="constrained", sharey=True, width_ratios=[3, 2]
    )
    y = np.arange(len(order))
    ax1.boxplot(
        [regrets[s].to_numpy() for s in order],
        positions=y,
        vert=False,
        whis=(5, 95),
        showfliers=False,
        widths=0.6,
        medianprops={"color": BLUE},
    )
    ax1.scatter(table["mean regret"], y, color=RED, zorder=3, s=18, label="mean regret")
    today = table["today"] if "today" in table else pd.Series(False, index=table.index)
    ax1.set_yticks(y, [f"{s} (today)" if t else s for s, t in zip(order, today, strict=True)], fontsize=8)
    ax1.set_xlabel("regret: truce days short of the best setting in that future")
    ax1.grid(alpha=0.3, axis="x")
    ax1.legend(fontsize=8, loc="upper right")
    ax1.invert_yaxis()
    err = np.vstack([table["satisficing"] - table["satisficing_lo"], table["satisficing_hi"] - table["satisficing"]])
    ax2.barh(y, table["satisficing"], xerr=err, color=BLUE, alpha=0.7, capsize=3)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of futures where it succeeds more often than not")
    ax2.grid(alpha=0.3, axis="x")
    fig.suptitle(title or "Robustness of each lever setting across the futures", fontsize=11)
    return save_figure(fig, path)


def voi_plot(effects: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Gain in expected truce days per unit of each improvement of the mechanism, with 95%
    intervals, in every future and in the futures of a box (column ``where``)."""
    fig, ax = plt.subplots(figsize=(8.5, 0.9 * effects["key"].nunique() + 1.8), layout="constrained")
    keys = list(dict.fromkeys(effects["key"]))
    wheres = list(dict.fromkeys(effects["where"]))
    for j, (where, color) in enumerate(zip(wheres, [BLUE, RED, ORANGE], strict=False)):
        t = effects.loc[effects["where"] == where].set_index("key").loc[keys]
        y = np.arange(len(keys)) + (j - (len(wheres) - 1) / 2) * 0.3
        ax.errorbar(
            t["effect"],
            y,
            xerr=[t["effect"] - t["lo"], t["hi"] - t["effect"]],
            fmt="o",
            color=color,
            capsize=3,
            label=where,
        )
    labels = [f"{k}\n(per {effects.loc[effects['key'] == k, 'unit'].iloc[0]:+g})" for k in keys]
    ax.set_yticks(range(len(keys)), labels, fontsize=8)
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_xlabel("gain in expected truce days per unit")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title or "Value of the mechanism's information: what each improvement buys", fontsize=10)
    return save_figure(fig, path)
