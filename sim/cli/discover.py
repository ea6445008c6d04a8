"""Scenario discovery on a finished run over futures: ``python -m sim.discover RUN_DIR``.

A run over futures is a run whose replicates take the rows of a table of futures
(``parameters.table``, replicate *i* row *i* mod *n*: ``experiments/decisions.py``
writes one, or any table of parameter values will do). For each feared outcome
(:data:`sim.analysis.discovery.FEARED`), a future counts as a case when the outcome is
at least ``--threshold`` likely in it; PRIM finds the box of uncertainties that holds the
cases (peeling trajectory, restricted dimensions, quasi-p-values) and a CART tree checks
it. Writes into RUN_DIR/discovery/ (or --out): boxes.csv, trajectory.csv, cart.csv,
futures_outcomes.csv, peeling.png, boxes.png, cart.png. Method: sim/analysis/discovery.py;
docs/decisions.md reads the results for a policy reader.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..analysis import discovery as dis
from ..analysis import plots
from ..core.errors import ConfigError, UsageError
from ..run.parameters import read_table
from ..run.reading import load_run

EXIT_USER_ERROR = 2


@dataclass
class Discovery:
    boxes: list[dis.Box]
    trees: list  # (outcome, tree, columns)
    cart_leaves: dict[str, pd.DataFrame]
    outcomes: pd.DataFrame  # per future: the probabilities
    x: pd.DataFrame  # per future: the uncertainties that vary


def discover(
    runs: pd.DataFrame,
    table: pd.DataFrame,
    out: Path,
    threshold: float = 0.5,
    outcomes: Sequence[str] = tuple(dis.FEARED),
) -> Discovery:
    """PRIM and CART for each outcome on the futures of ``table`` run as ``runs``; tables
    and figures into ``out``."""
    if not 0 < threshold <= 1:
        raise ConfigError(f"--threshold: {threshold} is not a probability in (0, 1].")
    unknown = [o for o in outcomes if o not in dis.FEARED]
    if unknown:
        raise ConfigError(f"unknown outcome(s) {', '.join(unknown)}; known: {', '.join(dis.FEARED)}.")
    probs = dis.per_future(runs)
    x = table.loc[probs.index, dis.uncertainty_columns(table)].reset_index(drop=True)
    boxes, trees, leaves = [], [], {}
    for name in outcomes:
        y = (probs[name] >= threshold).to_numpy()
        label = f"P({dis.FEARED[name]}) >= {threshold:g}"
        boxes.append(dis.prim_box(x, y, label))
        tree, leaves[name] = dis.cart(x, y)
        trees.append((label, tree, list(x.columns)))
    out.mkdir(parents=True, exist_ok=True)
    dis.write_table(boxes_table(boxes, outcomes), out / "boxes.csv")
    dis.write_table(
        pd.concat([b.trajectory.assign(outcome=o) for b, o in zip(boxes, outcomes, strict=True)]),
        out / "trajectory.csv",
    )
    dis.write_table(pd.concat([t.assign(outcome=o) for o, t in leaves.items()]), out / "cart.csv")
    dis.write_table(probs.reset_index(), out / "futures_outcomes.csv")
    plots.peeling_plot(boxes, out / "peeling.png")
    plots.boxes_plot(boxes, out / "boxes.png")
    plots.cart_plot(trees, out / "cart.png")
    return Discovery(boxes, trees, leaves, probs, x)


def boxes_table(boxes: Sequence[dis.Box], outcomes: Sequence[str]) -> pd.DataFrame:
    """One row a restricted dimension of each box, with the box's statistics."""
    rows = []
    for name, box in zip(outcomes, boxes, strict=True):
        for key, lim in box.limits.iterrows():
            rows.append({"outcome": name, "key": key, **lim.to_dict(), **box.stats})
        if box.limits.empty:
            rows.append({"outcome": name, "key": "(no restriction)", **box.stats})
    limits = ["lo", "hi", "full_lo", "full_hi", "qp_lo", "qp_hi"]
    return pd.DataFrame(rows, columns=["outcome", "key", *limits, *boxes[0].stats])


def describe(found: Discovery, outcomes: Sequence[str]) -> str:
    lines = []
    for name, box in zip(outcomes, found.boxes, strict=True):
        s = box.stats
        lines.append(
            f"{box.outcome}: {box.cases} of {box.futures} futures ({s['mean']:.0%}); "
            f"box: coverage {s['coverage']:.0%}, density {s['density']:.0%}, mass {s['mass']:.0%}"
        )
        for key, lim in box.limits.iterrows():
            qp = pd.Series([lim["qp_lo"], lim["qp_hi"]]).min()
            lines.append(
                f"  {key} in [{lim['lo']:.3g}, {lim['hi']:.3g}] of [{lim['full_lo']:.3g}, {lim['full_hi']:.3g}]"
                f" (quasi-p {qp:.2g})"
            )
        top = found.cart_leaves[name].iloc[0]
        lines.append(
            f"  CART's leaf with the most: {top['rule']} ({top['share with outcome']:.0%} of {top['futures']})"
        )
    return "\n".join(lines)


def load(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of a finished run over futures and its table of futures."""
    run = load_run(run_dir, need_events=False)
    config = yaml.safe_load((Path(run_dir) / "config.yaml").read_text())
    table_path = (config.get("parameters") or {}).get("table")
    if not table_path:
        raise UsageError(f"'{run_dir}' was not run over a table of futures (parameters.table is null).")
    if (config["parameters"].get("row")) is not None:
        raise UsageError(
            f"'{run_dir}' ran one row of its table (parameters.row is set): there are no futures to compare."
        )
    return run.runs, read_table(table_path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.discover",
        description=__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path, help="a run folder whose replicates took the rows of a table of futures")
    parser.add_argument("--out", type=Path, help="results folder (default: RUN_DIR/discovery)")
    parser.add_argument("--threshold", type=float, default=0.5, help="a future is a case when P(outcome) >= this")
    parser.add_argument(
        "--outcome", action="append", choices=list(dis.FEARED), help="an outcome to explain (default: all)"
    )
    args = parser.parse_args(argv)
    outcomes = args.outcome or list(dis.FEARED)
    try:
        runs, table = load(args.run_dir)
        out = args.out or args.run_dir / "discovery"
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out '{out}' is a file, not a folder.")
        found = discover(runs, table, out, args.threshold, outcomes)
    except (ConfigError, UsageError) as err:
        kind = "configuration error" if isinstance(err, ConfigError) else "error"
        print(f"ceasefire-sim: {kind}: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(describe(found, outcomes))
    print(f"Written: {out}/boxes.csv, trajectory.csv, cart.csv, futures_outcomes.csv, peeling.png, boxes.png, cart.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
