"""Experiment 9: decision support. Under which futures does the truce break down, and
which policy holds up best across everything we are unsure of?

A *future* is a draw of the uncertainties: a row of the calibrated posterior (with the
history it replays to 5 November 2025) and a Latin-hypercube draw of the deep
uncertainties the schema declares (militant capability after 5 November, how the
mechanism is received, how fast the mediators' leverage fades). Three sweeps, each an
ordinary Hydra multirun over ``parameters.table`` (so it resumes, skipping finished
points, and scales out with hydra/launcher=slurm or ray):

1. **Scenario discovery**: 1,000 futures x 20 replicates under today's levers (the
   joint mechanism agreed in the talks, Türkiye and Qatar with a single text, Pakistan's
   own reopening choice, a lane for people only). PRIM and CART find where "the truce
   breaks down within 60 days" and "trade is below half on day 180" are more likely
   than not (``python -m sim.discover`` on that run).
2. **Robustness**: the lever grid, mechanism (none, joint, third party) x mediators
   (Türkiye and Qatar throughout, or Qatar alone once Türkiye withdraws after 5
   November) x reopening rule (Pakistan's lever, or only after an agreed mechanism) x
   lane through the closed crossings from 6 November (people, or people and goods): 24
   settings, each over the first 200 futures x 10 replicates with the same seeds.
   Regret (truce days short of the best setting in each future) and satisficing
   (share of futures in which the truce holds 90 days and trade is back to half
   within 90 days in at least half its replicates).
3. **Value of information**: a 2x2x2 factorial of the joint mechanism's detection
   (0.6, 0.8), reporting delay (3, 1 days) and attribution (0.7, 0.9) over the same
   futures: expected truce days gained per unit of each, in every future and in the
   futures of the breakdown box.
4. **The levers of implementation**: the mediators' guarantee (none, full) x the order of
   the provisions (together, trade first, TTP steps first) x the mechanism (joint, third
   party) x the protocol (a single text, issue by issue), over the same futures: which
   speed the process from a text in principle to modalities and to a working mechanism
   (paired differences in days from today's levers).

``--docs``: also write the tables of docs/decisions.md (between its markers).
``--quick``: 40 futures x 3 replicates, a 4-setting grid, 12 futures x 2 replicates for
robustness and information (a minute; for the tests and a first look).

Writes into experiments/results/decisions/ (or --out): futures.csv, the three sweeps
(discover/, robust/, voi/), boxes.csv, robustness.csv, voi.csv, peeling.png, boxes.png,
cart.png, robustness.png, voi.png, results.md and headline.txt. Method:
sim/analysis/discovery.py; docs/decisions.md reads it for a policy reader.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import discovery as dis
from sim.analysis import plots
from sim.cli.discover import boxes_table, discover
from sim.run.config import default_config
from sim.run.grid import Grid
from sim.run.parameters import read_table

from .base import Experiment, Study, run_points, write_between_markers, write_report

NAME = "decisions"
FULL = {"futures": 1000, "replicates": 20, "robust_futures": 200, "robust_replicates": 10}
QUICK = {"futures": 40, "replicates": 3, "robust_futures": 12, "robust_replicates": 2}
SEED = 20251105  # the futures' draws
#: The lever grid of the robustness stage (a Hydra sweep: the cartesian product).
#: The first day a lever pulled on 5 November 2025 (day 17, the end of the record) acts.
POLICY_DAY = 18
#: The lever grid of the robustness stage (a Hydra sweep: the cartesian product). Levers
#: act from POLICY_DAY where the model lets them: a mediator withdraws after day 17, the
#: lane opens on day 18; the mechanism operates only once a round agrees one.
GRID = {
    "mvm": ("none", "joint", "third_party"),
    "mediation.mediators.turkey.until_day": (None, POLICY_DAY - 1),
    "crossings.reopen_rule": ("lever", "agreement"),
    "crossings.aid_lane": ("people", "goods"),
}
QUICK_GRID = {"mvm": ("none", "joint"), "crossings.aid_lane": ("people", "goods")}
#: Fixed in every setting of the grid: the lane, if any, opens on POLICY_DAY.
GRID_FIXED = {"crossings.aid_lane_day": POLICY_DAY}
#: Today's levers (the default configuration): the setting the others are read against.
TODAY = {
    "mvm": "joint",
    "mediation.mediators.turkey.until_day": "null",
    "crossings.reopen_rule": "lever",
    "crossings.aid_lane": "people",
}
#: How a setting's values read in tables and figures.
NAMES = {
    "mvm": {"none": "no mechanism", "joint": "joint mechanism", "third_party": "third-party monitors"},
    "mediation.mediators.turkey.until_day": {"null": "Türkiye+Qatar", str(POLICY_DAY - 1): "Qatar alone from 6 Nov"},
    "crossings.reopen_rule": {"lever": "Pakistan reopens at will", "agreement": "reopens once a mechanism is agreed"},
    "crossings.aid_lane": {"people": "people lane", "goods": "goods lane"},
}
#: The value-of-information factorial: key -> (today's level, the improved level, one unit).
VOI = {
    "mvm.detection_prob": (0.6, 0.8, 0.1),
    "mvm.reporting_delay_days": (3, 1, -1),
    "mvm.attribution_accuracy": (0.7, 0.9, 0.1),
}
SATISFICE = 0.5  # a future satisfices when P(success) >= this
#: The levers of implementation (stage 4): which speed principle -> modalities -> a working
#: mechanism? A guarantee by the mediators, the order of the provisions, a third-party
#: monitor, a single text that links the issues; today's: the first value of each.
STAGE_LEVERS = {
    "mediation.guarantee": (0.0, 1.0),
    "negotiation.sequencing": ("together", "trade_first", "ttp_first"),
    "mvm": ("joint", "third_party"),
    "negotiation.protocol": ("single_text", "issue_by_issue"),
}
QUICK_STAGE_LEVERS = {"mediation.guarantee": (0.0, 1.0), "negotiation.sequencing": ("together", "ttp_first")}


def write_futures(args: argparse.Namespace, n: int, name: str, table: pd.DataFrame | None = None):
    """The futures table (deterministic: the same seed and size give the same bytes, so
    a resumed sweep finds its points' configuration unchanged)."""
    config = default_config()
    if table is None:
        posterior = read_table(config.parameters.table)
        table = dis.futures(posterior, dis.deep_uncertainties(config), n, SEED)
    path = dis.write_table(table.head(n), args.out / name)
    return path.resolve(), table


def stage(
    args, sub: str, table_path, n_futures: int, replicates: int, axes: dict, fixed: dict | None = None
) -> Experiment:
    """One grid over the futures: every point runs every future ``replicates`` times
    (replicate i takes future i mod n), with the same seeds at every point."""
    settings = {
        "parameters.table": str(table_path),
        "run.replicates": n_futures * replicates,
        "run.figures": False,
        "run.events": False,
        **(fixed or {}),
    }
    return run_points(NAME, args, Grid(axes, settings), sub=sub, quiet=True)


def short(label: str) -> str:
    """'mvm=joint, mediation.mediators.turkey.until_day=17, ...' -> 'joint mechanism / Qatar alone from 6 Nov / ...'."""
    pairs = (part.split("=", 1) for part in label.split(", "))
    return " / ".join(NAMES.get(k, {}).get(v, v) for k, v in pairs)


def settings_matrix(exp: Experiment, column: str) -> pd.DataFrame:
    """Futures x settings: the per-future mean of ``column`` at each point of a sweep."""
    per = dis.per_future(exp.sweep.runs, by=("job",))[column].unstack("job")
    per.columns = [short(exp.sweep.label(j)) for j in per.columns]
    return per


def robustness_stage(args, table_path, size) -> tuple[Experiment, pd.DataFrame, pd.DataFrame]:
    grid = QUICK_GRID if args.quick else GRID
    today = short(", ".join(f"{k}={TODAY[k]}" for k in grid))
    exp = stage(args, "robust", table_path, size["robust_futures"], size["robust_replicates"], grid, GRID_FIXED)
    truce, success = settings_matrix(exp, "truce_days"), settings_matrix(exp, "success")
    table = dis.robustness(truce, settings_matrix(exp, "trade_loss_usd") / 1e6, success, SATISFICE)
    table["today"] = table["setting"] == today
    vs = dis.versus(truce, today)
    table = table.join(vs.add_prefix("vs_today_"), on="setting")
    runs = exp.sweep.runs
    match = runs.groupby("job")["record_match"].mean()  # histories that still state the record to 5 Nov
    table["record_match"] = table["setting"].map({short(exp.sweep.label(j)): m for j, m in match.items()})
    return exp, table, dis.regret(truce)


def replicate_noise(exp: Experiment, today: str) -> tuple[float, float]:
    """How noisy a future's expected truce days are with this many replicates: the median
    over the futures of the standard error at today's setting, and of the paired
    difference between today's and another setting (median over the other settings)."""
    runs = exp.sweep.runs
    wide = runs.pivot_table(index="replicate", columns="job", values="truce_days")
    future = runs.drop_duplicates("replicate").set_index("replicate")["parameter_row"].loc[wide.index]
    ref = next(j for j in exp.sweep.points["job"] if short(exp.sweep.label(j)) == today)
    root_n = np.sqrt(wide.groupby(future).size())
    single = (wide[ref].groupby(future).std() / root_n).median()
    paired = wide.drop(columns=ref).sub(wide[ref], axis=0).groupby(future).std().div(root_n, axis=0).median()
    return float(single), float(paired.median())


def voi_stage(args, table_path, size, box: dis.Box, futures: pd.DataFrame):
    axes = {k: (lo, hi) for k, (lo, hi, _) in VOI.items()}
    exp = stage(args, "voi", table_path, size["robust_futures"], size["robust_replicates"], axes, {"mvm": "joint"})
    per = dis.per_future(exp.sweep.runs, by=("job",))["truce_days"].unstack("job")
    design = exp.sweep.points.set_index("job").loc[per.columns, list(VOI)].reset_index(drop=True)
    steps = {k: unit for k, (_, _, unit) in VOI.items()}
    inside = box.contains(futures.loc[per.index])
    parts = [dis.main_effects(per, design, steps).assign(where="all futures")]
    if box.limits.empty:  # no box: the futures where it matters are not told apart
        return exp, parts[0]
    if inside.sum() >= 3:
        parts.append(dis.main_effects(per.loc[inside], design, steps).assign(where="futures in the breakdown box"))
    if (~inside).sum() >= 3:
        parts.append(dis.main_effects(per.loc[~inside], design, steps).assign(where="futures outside it"))
    return exp, pd.concat(parts, ignore_index=True)


def stages_stage(args, table_path, size) -> tuple[Experiment, pd.DataFrame]:
    """Stage 4: the levers of implementation over the same futures and seeds; for each
    setting the chance of modalities and of a working mechanism within the horizon and
    the paired difference from today's levers in days to each (a stage never reached
    counted at the horizon + 1), with 95% intervals."""
    levers = QUICK_STAGE_LEVERS if args.quick else STAGE_LEVERS
    exp = stage(args, "stages", table_path, size["robust_futures"], size["robust_replicates"], levers)
    runs = exp.sweep.runs.copy()
    end = exp.sweep.horizon + 1
    for col in ("principle_day", "modalities_day", "mvm_operational_day"):
        runs[col] = runs[col].fillna(end)
    today = int(exp.sweep.points["job"].iloc[0])
    wide = {
        c: runs.pivot_table(index="replicate", columns="job", values=c)
        for c in ("modalities_day", "mvm_operational_day")
    }
    rows = []
    for _, point in exp.sweep.points.iterrows():
        job = point["job"]
        row = {"setting": point["label"] or "today", "today": job == today}
        mine = runs.loc[runs["job"] == job]
        row["modalities within the horizon"] = float((mine["modalities_day"] < end).mean())
        row["mechanism operating within the horizon"] = float((mine["mvm_operational_day"] < end).mean())
        row["provisions reneged"] = float(mine["provisions_reneged"].mean())
        for col, name in (("modalities_day", "modalities"), ("mvm_operational_day", "a working mechanism")):
            diff = wide[col][job] - wide[col][today]
            half = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
            row[f"days to {name} vs today"] = float(diff.mean())
            row[f"days to {name} vs today, 95% half-width"] = float(half)
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("days to a working mechanism vs today")
    return exp, table.reset_index(drop=True)


def stages_rows(table: pd.DataFrame) -> pd.DataFrame:
    def diff(col: str) -> list[str]:
        return [
            "" if t else f"{d:+.0f} ({d - h:+.0f} to {d + h:+.0f})"
            for t, d, h in zip(table["today"], table[col], table[f"{col}, 95% half-width"], strict=True)
        ]

    return pd.DataFrame(
        {
            "setting": table["setting"] + table["today"].map({True: " (today)", False: ""}),
            "modalities within the horizon": table["modalities within the horizon"].map("{:.0%}".format),
            "days to modalities vs today (95% CI)": diff("days to modalities vs today"),
            "a working mechanism within the horizon": table["mechanism operating within the horizon"].map(
                "{:.0%}".format
            ),
            "days to a working mechanism vs today (95% CI)": diff("days to a working mechanism vs today"),
            "provisions reneged a replicate": table["provisions reneged"].round(2),
        }
    )


def box_rows(boxes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": boxes["outcome"],
            "uncertainty": boxes["key"],
            "box": [
                "" if pd.isna(lo) else f"{lo:.3g} to {hi:.3g}" for lo, hi in zip(boxes["lo"], boxes["hi"], strict=True)
            ],
            "of the range": [
                f"{lo:.3g} to {hi:.3g}" for lo, hi in zip(boxes["full_lo"], boxes["full_hi"], strict=True)
            ],
            "quasi-p": [
                f"{min(a, b):.2g}" for a, b in zip(boxes["qp_lo"].fillna(1), boxes["qp_hi"].fillna(1), strict=True)
            ],
            "coverage": boxes["coverage"].map("{:.0%}".format),
            "density": boxes["density"].map("{:.0%}".format),
            "all futures": boxes["mean"].map("{:.0%}".format),
        }
    )


def agreement_rows(found) -> pd.DataFrame:
    """PRIM's restricted uncertainties against the variables CART splits on (by importance)."""
    rows = []
    for box, (_, tree, columns) in zip(found.boxes, found.trees, strict=True):
        prim_keys, cart_keys = list(box.limits.index), dis.tree_variables(tree, columns)
        rows.append(
            {
                "outcome": box.outcome,
                "PRIM's box restricts": ", ".join(prim_keys) or "nothing",
                "CART splits on (by importance)": ", ".join(cart_keys[:4]),
                "in both": f"{len(set(prim_keys) & set(cart_keys))} of {len(prim_keys)}",
            }
        )
    return pd.DataFrame(rows)


def robustness_rows(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "setting (mechanism / mediators / reopening / lane)": table["setting"]
            + table["today"].map({True: " (today)", False: ""}),
            "truce days": table["truce days"].round(0).astype(int),
            "mean regret, days": table["mean regret"].round(1),
            "vs today, days (95% CI)": [
                "" if t else f"{d:+.1f} ({lo:+.1f} to {hi:+.1f})"
                for t, d, lo, hi in zip(
                    table["today"], table["vs_today_diff"], table["vs_today_lo"], table["vs_today_hi"], strict=True
                )
            ],
            "90th pct regret": table["90th pct regret"].round(0).astype(int),
            "best in": table["best in share of futures"].map("{:.0%}".format),
            "trade lost, US$ m": table["trade lost"].round(0).astype(int),
            "mean trade regret, US$ m": table["mean trade regret"].round(0).astype(int),
            "satisficing (95% CI)": [
                f"{s:.0%} ({lo:.0%} to {hi:.0%})"
                for s, lo, hi in zip(
                    table["satisficing"], table["satisficing_lo"], table["satisficing_hi"], strict=True
                )
            ],
            "P(success)": table["P(success)"].map("{:.2f}".format),
            "histories still matching the record": table["record_match"].map("{:.0%}".format),
        }
    )


def voi_rows(effects: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "improvement": [
                f"{k} {a:g} -> {b:g}" for k, a, b in zip(effects["key"], effects["from"], effects["to"], strict=True)
            ],
            "unit": effects["unit"].map("{:+g}".format),
            "where": effects["where"],
            "futures": effects["futures"],
            "truce days per unit (95% CI)": [
                f"{e:+.1f} ({lo:+.1f} to {hi:+.1f})"
                for e, lo, hi in zip(effects["effect"], effects["lo"], effects["hi"], strict=True)
            ],
        }
    )


def headline(found, robust: pd.DataFrame, effects: pd.DataFrame, evpi: float) -> str:
    b = found.boxes[0]
    dims = ", ".join(f"{k} {lim['lo']:.3g}-{lim['hi']:.3g}" for k, lim in b.limits.iterrows()) or "no restriction"
    best = robust.iloc[0]
    sat = robust.sort_values("satisficing", ascending=False).iloc[0]
    today = robust.loc[robust["today"]]
    today_text = (
        f"; today's levers rank {int(today.index[0]) + 1} of {len(robust)} by regret "
        f"({today['mean regret'].iloc[0]:.0f} d) and satisfice in {today['satisficing'].iloc[0]:.0%}"
        if len(today)
        else ""
    )
    top = effects.loc[effects["where"] == "all futures"].sort_values("effect", ascending=False).iloc[0]
    return (
        f"the truce breaks down within 60 days in at least half the replicates of {b.stats['mean']:.0%} of "
        f"futures; PRIM's box ({dims}) holds {b.stats['coverage']:.0%} of them at a density of "
        f"{b.stats['density']:.0%}. Least regret: {best['setting']} (mean {best['mean regret']:.0f} truce days "
        f"short of the best); satisficing most often: {sat['setting']} ({sat['satisficing']:.0%} of futures)"
        f"{today_text}; perfect foresight would be worth {evpi:.0f} d. Of the mechanism's improvements, "
        f"{top['key']} buys the most: {top['effect']:+.1f} truce days per {top['unit']:+g}."
    )


DOC = Path(__file__).resolve().parent.parent / "docs" / "decisions.md"


def write_docs(tables: dict[str, pd.DataFrame], doc: Path = DOC) -> None:
    """The generated tables of docs/decisions.md, each between its markers."""
    for name, table in tables.items():
        begin = f"<!-- discovery {name}: begin (python -m experiments.decisions --docs) -->"
        write_between_markers(doc, begin, f"<!-- discovery {name}: end -->", table.to_markdown(index=False))


class Decisions(Study):
    name = NAME
    title = "Decision support: scenario discovery and robustness"
    question = "In which futures does the truce fail, and which levers hold up across them?"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--docs", action="store_true", help="also write the tables of docs/decisions.md")

    def run(self, args: argparse.Namespace) -> str:
        return decide(args)


def decide(args: argparse.Namespace) -> str:
    """The three stages into ``args.out``; returns the headline."""
    docs = args.docs
    size = QUICK if args.quick else FULL
    path, futures = write_futures(args, size["futures"], "futures.csv")
    robust_path, _ = write_futures(args, size["robust_futures"], "futures_robust.csv", futures)

    exp_d = stage(args, "discover", path, size["futures"], size["replicates"], {})
    found = discover(exp_d.sweep.runs, futures, args.out)
    x_all = futures[found.x.columns]

    exp_r, robust, regrets = robustness_stage(args, robust_path, size)
    truce = settings_matrix(exp_r, "truce_days")
    se_single, se_paired = replicate_noise(exp_r, robust.loc[robust["today"], "setting"].iloc[0])
    evpi = dis.evpi(truce)
    dis.write_table(robust, args.out / "robustness.csv")
    plots.robustness_plot(robust, regrets, args.out / "robustness.png")

    exp_v, effects = voi_stage(args, robust_path, size, found.boxes[0], x_all)
    dis.write_table(effects, args.out / "voi.csv")
    plots.voi_plot(effects, args.out / "voi.png")

    exp_s, stages = stages_stage(args, robust_path, size)
    dis.write_table(stages, args.out / "stages.csv")

    boxes = boxes_table(found.boxes, list(dis.FEARED))
    cart_top = pd.concat([t.head(2).assign(outcome=o) for o, t in found.cart_leaves.items()])
    tables = {
        "boxes": box_rows(boxes),
        "agreement": agreement_rows(found),
        "robustness": robustness_rows(robust),
        "information": voi_rows(effects),
        "stages": stages_rows(stages),
    }
    if docs:
        write_docs(tables)
    head = headline(found, robust, effects, evpi)
    write_report(
        args.out,
        NAME,
        "Decision support: scenario discovery and robustness",
        f"Futures: rows of the calibrated posterior with a Latin hypercube over the "
        f"{len(dis.deep_uncertainties(default_config()))} deep uncertainties. Discovery: {exp_d.size} under today's "
        f"levers. Robustness: the lever grid ({exp_r.size}); value of information: a 2x2x2 factorial of the joint "
        f"mechanism ({exp_v.size}). A future is a case when the feared outcome's chance in it is at least "
        f"{SATISFICE:g}; success is the truce holding {dis.SUCCESS_DAYS} days and trade back to half within "
        f"{dis.SUCCESS_DAYS} days. Expected value of perfect information for the lever choice: {evpi:.1f} truce "
        "days. Noise: with "
        f"{size['robust_replicates']} replicates a future, a future's expected truce days have a standard error of "
        f"about {se_single:.0f} days, a paired difference between two settings about {se_paired:.0f} (medians over "
        "the futures).",
        f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` "
        f"({exp_r.elapsed_s + exp_d.elapsed_s + exp_v.elapsed_s:.0f} s on this machine).",
        {
            "Scenario discovery: the boxes (PRIM)": tables["boxes"],
            "CART cross-check: do the two methods name the same uncertainties?": tables["agreement"],
            "CART cross-check: the leaves with the most cases": cart_top[
                ["outcome", "rule", "futures", "share with outcome", "coverage"]
            ].round(2),
            "Robustness of the lever settings (best first)": tables["robustness"],
            "Value of the mechanism's information": tables["information"],
            "Which levers speed principle to modalities to a working mechanism": tables["stages"],
        },
        ["peeling.png", "boxes.png", "cart.png", "robustness.png", "voi.png"],
        head,
    )
    return head


STUDY = Decisions()

if __name__ == "__main__":
    STUDY.main()
