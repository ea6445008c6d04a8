"""Experiment 7: the zone of possible agreement. Which packages of the agenda of
5 November 2025 (action against the TTP, strikes, the mechanism's terms, trade,
refugees; four levels each, 1,024 packages) would both Kabul and Islamabad accept, for
each level of trust between them and of the mediators' leverage? The parties' positions
are the defaults of ``negotiation.issues`` (conf/config.yaml, each with its source);
their grievances those of 5 November (the scenario) or their floors (after a long
calm); a mechanism on the table or not; a promise is read through trust and the
mechanism in the package (sim.model.negotiation). The same formulas as the model's
rounds (``effective_reservation``, ``single_text``, ``issue_by_issue``), at the first
text of a round and at its last (after the concessions of rejected texts), without the
parties' private shocks. Deterministic: no replicates.

Writes zopa.png (the zone's size over trust x leverage at the last text, in the four
settings of grievance and agenda, where a mediator's linked text and issue-by-issue
offers agree), issues.png (what the packages in the zone contain),
zopa.csv (every grid point) and results.md into experiments/results/zopa/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.plots import save_figure  # noqa: E402
from sim.core.errors import ConfigError  # noqa: E402
from sim.core.io import write_csv, write_text  # noqa: E402
from sim.model import CeasefireModel  # noqa: E402
from sim.model.negotiation import (  # noqa: E402
    ISSUES,
    LABELS,
    LEVELS,
    MECHANISM,
    PACKAGES,
    Bargain,
    describe,
    effective_reservation,
    issue_by_issue,
    single_text,
)
from sim.run.config import default_config, with_values  # noqa: E402
from sim.run.folder import out_dir_arg  # noqa: E402

from .base import RESULTS  # noqa: E402

NAME = "zopa"
#: The finest grid (--grid): 201 x 201 points takes about 3 minutes.
MAX_GRID = 201


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments.{NAME}", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grid", type=int, default=41, help="points on each axis (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="an 11 x 11 grid, for tests and a first look")
    parser.add_argument("--out", type=out_dir_arg, default=RESULTS / NAME, help="results folder (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", help="config overrides, e.g. negotiation.leverage_weight=0.3")
    args = parser.parse_args(argv)
    if args.quick:
        args.grid = 11
    if not 3 <= args.grid <= MAX_GRID:
        parser.error(
            f"--grid must be from 3 to {MAX_GRID} points on each axis (41, the default, takes seconds; "
            f"{MAX_GRID} about 3 minutes)"
        )
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file, not a folder")
    return args


def config_from(overrides: list[str]):
    """The default config with ``key=value`` overrides (values parsed as YAML scalars)."""
    import yaml

    values = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"override {item!r} is not key=value")
        values[key] = yaml.safe_load(value)
    return with_values(default_config(), values)


#: What is on the table: every package, or only those without a mechanism.
WITH_MECHANISM = PACKAGES
WITHOUT_MECHANISM = PACKAGES[PACKAGES[:, MECHANISM] == 0.0]
AGENDAS = {"mechanism on the table": WITH_MECHANISM, "no mechanism on the table": WITHOUT_MECHANISM}


class Table:
    """The negotiation as it stands on 5 November: positions, reservation values and
    grievances from a model built on the config (so the experiment reads the model's own
    numbers), with trust and leverage left free; grievances as on 5 November or at
    their floors (after a long calm)."""

    def __init__(self, config) -> None:
        model = CeasefireModel(config, rng=0)
        talks = model.talks
        self.nc = config.negotiation
        self.afg, self.pak = talks.afg_positions, talks.pak_positions
        self.base = talks._reservation
        self.grievances = {
            "grievance of 5 Nov": tuple(s.grievance for s in model.states.pair),
            "grievance at its floor": tuple(s.grievance_floor for s in model.states.pair),
        }
        self.trust_now = tuple(s.trust for s in model.states.pair)
        self.pressure_now = model.mediation.pressure

    def bargain(self, trust: float, pressure: float, texts_rejected: int, grievance: tuple) -> Bargain:
        reserve = tuple(
            effective_reservation(b, self.nc, pressure, g, texts_rejected)
            for b, g in zip(self.base, grievance, strict=True)
        )
        return Bargain(self.afg, self.pak, (trust, trust), reserve)

    @staticmethod
    def zone(bargain: Bargain, agenda: np.ndarray = WITH_MECHANISM) -> np.ndarray:
        """The packages of the agenda both accept (surplus >= 0 for both, no private shocks)."""
        a, p = bargain.surpluses(agenda)
        return agenda[(a >= -1e-9) & (p >= -1e-9)]

    def point(self, trust: float, pressure: float, texts_rejected: int, grievance: str, agenda: str) -> dict:
        g = self.grievances[grievance]
        b = self.bargain(trust, pressure, texts_rejected, g)
        packages = AGENDAS[agenda]
        zone = self.zone(b, packages)
        slack = tuple(self.nc.concession * texts_rejected * (1.0 - x) for x in g)
        linked, piecemeal = single_text(b, packages), issue_by_issue(b, slack)
        if agenda != "mechanism on the table":
            piecemeal[MECHANISM] = 0.0
        return {
            "grievance": grievance,
            "agenda": agenda,
            "trust": trust,
            "pressure": pressure,
            "text": texts_rejected + 1,
            "zone_size": len(zone),
            "linked_agrees": all(b.accepted(linked)),
            "piecemeal_agrees": all(b.accepted(piecemeal)),
            "linked_text": describe(linked) if len(zone) else "",
            **{f"{issue}_mean": float(zone[:, k].mean()) if len(zone) else np.nan for k, issue in enumerate(ISSUES)},
        }


def grid_table(table: Table, n: int) -> pd.DataFrame:
    axis = np.round(np.linspace(0.0, 1.0, n), 6)
    last = table.nc.texts - 1
    rows = [
        table.point(t, p, k, g, a)
        for g in table.grievances
        for a in AGENDAS
        for k in (0, last)
        for t in axis
        for p in axis
    ]
    return pd.DataFrame(rows)


def zopa_plot(grid: pd.DataFrame, table: Table, path: Path) -> None:
    """The zone's size over trust x leverage at the last text of a round (after the
    concessions of the rejected texts): with grievance as on 5 November or at its floor,
    with a mechanism on the table or not; where the mediators' linked text agrees (white
    line) and where issue-by-issue offers do (dashed)."""
    last = grid["text"].max()
    fig, axes = plt.subplots(2, 2, figsize=(10.5, 8.5), sharex=True, sharey=True)
    vmax = max(1, grid.loc[grid["text"] == last, "zone_size"].max())
    for i, agenda in enumerate(AGENDAS):
        for j, grievance in enumerate(table.grievances):
            ax = axes[i, j]
            g = grid[(grid["text"] == last) & (grid["agenda"] == agenda) & (grid["grievance"] == grievance)]
            trust, pressure = np.sort(g["trust"].unique()), np.sort(g["pressure"].unique())
            size = g.pivot(index="pressure", columns="trust", values="zone_size").to_numpy()
            mesh = ax.pcolormesh(trust, pressure, size, shading="nearest", cmap="viridis", vmin=0, vmax=vmax)
            for column, style, name in (
                ("linked_agrees", "-", "mediators' linked text agrees"),
                ("piecemeal_agrees", "--", "issue-by-issue offers agree"),
            ):
                agree = g.pivot(index="pressure", columns="trust", values=column).to_numpy(dtype=float)
                if 0 < agree.sum() < agree.size:
                    ax.contour(trust, pressure, agree, levels=[0.5], colors="white", linestyles=style)
                ax.plot([], [], color="black", linestyle=style, label=name)
            ax.plot(np.mean(table.trust_now), table.pressure_now, "r*", markersize=12, label="5 November 2025")
            ax.set_title(f"{agenda}, {grievance}", fontsize=9)
            if i == 1:
                ax.set_xlabel("trust between the parties")
            if j == 0:
                ax.set_ylabel("mediators' leverage (pressure)")
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.colorbar(mesh, ax=axes, label="packages both accept")
    fig.suptitle(f"The zone of possible agreement at text {last} of a round", fontsize=11)
    save_figure(fig, path)


def issues_plot(table: Table, settings: dict[str, tuple[float, float, str]], path: Path) -> None:
    """What the packages in the zone contain: the share at each level of each issue, for
    a few settings of trust, leverage and grievance (last text of a round)."""
    fig, axes = plt.subplots(1, len(settings), figsize=(4.2 * len(settings), 4.2), sharey=True)
    colors = plt.get_cmap("RdYlGn")(np.linspace(0.1, 0.9, len(LEVELS)))
    last = table.nc.texts - 1
    for ax, (name, (trust, pressure, grievance)) in zip(np.atleast_1d(axes), settings.items(), strict=True):
        zone = table.zone(table.bargain(trust, pressure, last, table.grievances[grievance]))
        bottom = np.zeros(len(ISSUES))
        for j, level in enumerate(LEVELS):
            share = (np.isclose(zone, level).mean(axis=0) if len(zone) else np.zeros(len(ISSUES))) * 100
            ax.barh(ISSUES, share, left=bottom, color=colors[j], label=f"level {j}")
            bottom += share
        ax.set_title(f"{name}\n(trust {trust:.2f}, leverage {pressure:.2f}): {len(zone)} packages", fontsize=9)
        if not len(zone):
            ax.text(50, 2, "no package both accept", ha="center", va="center", fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of the packages both accept")
    np.atleast_1d(axes)[0].legend(fontsize=7, title="0: status quo", loc="lower left")
    fig.suptitle(
        "What the zone of possible agreement holds, issue by issue (last text of a round)", fontsize=11, y=1.04
    )
    save_figure(fig, path)


def level_names() -> pd.DataFrame:
    return pd.DataFrame(
        {f"level {j}": [LABELS[issue][j] for issue in ISSUES] for j in range(len(LEVELS))}, index=list(ISSUES)
    )


def settings_of(table: Table) -> dict[str, tuple[float, float, str]]:
    trust, pressure = round(float(np.mean(table.trust_now)), 2), round(float(table.pressure_now), 2)
    return {
        "5 November 2025": (trust, pressure, "grievance of 5 Nov"),
        "after a long calm": (trust, pressure, "grievance at its floor"),
        "more leverage, long calm": (trust, 1.0, "grievance at its floor"),
    }


def summary_table(table: Table) -> pd.DataFrame:
    rows = []
    last = table.nc.texts - 1
    for name, (trust, pressure, grievance) in settings_of(table).items():
        for agenda in AGENDAS:
            for k in (0, last):
                p = table.point(trust, pressure, k, grievance, agenda)
                rows.append(
                    {
                        "setting": name,
                        "trust": trust,
                        "leverage": pressure,
                        "agenda": agenda,
                        "text": k + 1,
                        "packages both accept": p["zone_size"],
                        "linked text agrees": "yes" if p["linked_agrees"] else "no",
                        "issue by issue agrees": "yes" if p["piecemeal_agrees"] else "no",
                        "the mediators' text": p["linked_text"] or "-",
                    }
                )
    return pd.DataFrame(rows)


def least_leverage(grid: pd.DataFrame, **where) -> pd.Series:
    """For each trust, the least leverage at which a zone exists (NaN: none)."""
    g = grid
    for k, v in where.items():
        g = g[g[k] == v]
    axis = np.sort(g["trust"].unique())
    return g[g["zone_size"] > 0].groupby("trust")["pressure"].min().reindex(axis)


def headline(grid: pd.DataFrame, table: Table) -> str:
    last = grid["text"].max()
    g = grid[grid["text"] == last]
    on = g[g["agenda"] == "mechanism on the table"]
    gap = (on["linked_agrees"] & ~on["piecemeal_agrees"]).mean()
    now = dict(grievance="grievance of 5 Nov", text=last, agenda="mechanism on the table")
    calm = dict(now, grievance="grievance at its floor")
    lev_now, lev_calm = least_leverage(grid, **now), least_leverage(grid, **calm)
    off_calm = least_leverage(grid, **dict(calm, agenda="no mechanism on the table"))

    def need(x: float) -> str:
        return "no leverage makes a zone" if np.isnan(x) else f"a zone needs leverage of at least {x:.2f}"

    trust_free = on.groupby(["grievance", "pressure"])["zone_size"].nunique().max() == 1
    point = table.point(
        float(np.mean(table.trust_now)), table.pressure_now, last, "grievance of 5 Nov", "mechanism on the table"
    )
    return (
        f"By the last text of a round, a package both accept exists in {on['linked_agrees'].mean():.0%} of the "
        f"trust x leverage x grievance grid with a mechanism on the table; issue-by-issue offers agree in "
        f"{on['piecemeal_agrees'].mean():.0%}, so the mediators' linked text closes the gap in {gap:.0%}. "
        + (
            "With the mechanism on the table trust does not change the zone (a verified promise is read in full); "
            if trust_free
            else "With the mechanism on the table trust still changes the zone; "
        )
        + f"at the grievance of 5 November {need(lev_now.min())}, at the grievance floor {need(lev_calm.min())}. "
        f"Without a mechanism, at the grievance floor, {need(off_calm.iloc[-1])} at full trust and "
        f"{need(off_calm.iloc[0])} at no trust. On 5 November (trust {np.mean(table.trust_now):.2f}, "
        f"leverage {table.pressure_now:.2f}) {point['zone_size']} packages lie in the zone"
        + (
            ": agreement then needs a party's private resolve to be low, or grievance to fall."
            if point["zone_size"] == 0
            else "."
        )
    )


def main(argv=None) -> None:
    args = parse(argv)
    started = time.perf_counter()
    try:
        config = config_from(args.overrides)
    except ConfigError as e:
        print(f"{NAME}: {e}", file=sys.stderr)
        sys.exit(2)
    args.out.mkdir(parents=True, exist_ok=True)
    table = Table(config)
    grid = grid_table(table, args.grid)
    write_csv(grid, args.out / "zopa.csv")
    zopa_plot(grid, table, args.out / "zopa.png")
    issues_plot(table, settings_of(table), args.out / "issues.png")
    head = headline(grid, table)
    lines = [
        "# The zone of possible agreement",
        "",
        f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` ({args.grid} x {args.grid} grid "
        f"of trust x leverage, 1,024 packages each (256 without a mechanism), at the first and the last text of a "
        f"round, with grievance as on 5 November and at its floor; "
        f"{time.perf_counter() - started:.0f} s on this machine).",
        "",
        f"**Headline:** {head}",
        "",
        "![zopa](zopa.png)",
        "",
        "![issues](issues.png)",
        "",
        "## Three settings",
        "",
        summary_table(table).to_markdown(index=False),
        "",
        "## The levels of each issue",
        "",
        level_names().to_markdown(),
        "",
    ]
    write_text("\n".join(lines), args.out / "results.md")
    write_text(head + "\n", args.out / "headline.txt")
    print(f"{NAME}: {head}")
    print(f"{NAME}: results in {args.out}")


if __name__ == "__main__":
    main()
