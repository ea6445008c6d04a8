"""What every study shares: its command line, its points run in this process, its report.

A study (:class:`Study`) is ``python -m experiments.NAME [--quick] [--out DIR] [overrides]``:
it writes into ``experiments/results/NAME/`` (or ``--out``) its figures, ``results.md``
(what was run, the headline, the tables, the figures), ``headline.txt`` and ``study.json``
(its size and time). The studies are listed once, in :data:`experiments.STUDIES`, which
the Makefile, the tests, ``make figures`` (the reports shipped in docs/studies/) and the
README's table of studies read.

A study that is one grid of points (:class:`GridStudy`) declares its grid as values
(:class:`sim.run.grid.Grid`) and its report; the points run in this process through
:func:`sim.run.grid.run_grid`, into ``sweep/`` with the run folder's contract, so running
it again resumes (finished points are skipped). ``hydra/launcher=slurm`` (or ``ray``) among
the overrides runs the same points as a Hydra multirun on that launcher instead.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import ConfigError, UsageError
from sim.core.io import write_json, write_text
from sim.run.folder import out_dir_arg
from sim.run.grid import Grid, run_grid
from sim.run.points import same_value
from sim.run.sweep_folder import Sweep

RESULTS = Path(__file__).resolve().parent / "results"
#: The --quick size of a grid study: few replicates, for the tests and a first look.
QUICK = {"run.replicates": 30, "run.chunk_size": 10}
LAUNCHER = "hydra/launcher="


@dataclass
class Experiment:
    """A grid study's sweep, read back: its points keyed by their values."""

    name: str
    out: Path
    quick: bool
    sweep: Sweep
    elapsed_s: float
    comparison: pd.DataFrame  # each point against the baseline (the sweep's comparison.csv)

    def point(self, **values: Any) -> pd.Series:
        """The comparison row (with the point's estimates) of the point whose swept keys
        have these values, e.g. ``exp.point(mvm="joint")`` or
        ``exp.point(**{"mvm.penalty": 0.5})``; keys not given may have any value."""
        rows = self.comparison.merge(
            self.sweep.points.drop(columns=["label", *self.sweep.keys]), on="job", suffixes=("", "_point")
        )
        for _, row in rows.iterrows():
            if all(same_value(row[k], v) for k, v in values.items()):
                return row
        raise KeyError(f"no point of {self.name} with {values}")

    @property
    def baseline(self) -> pd.Series:
        base = self.sweep.points.loc[self.sweep.points["job"] == self.sweep.baseline_job].iloc[0]
        return self.point(**{k: base[k] for k in self.sweep.keys})

    @property
    def size(self) -> str:
        n = int(self.sweep.points["replicates"].iloc[0])
        return f"{len(self.sweep.points)} points x {n:,} replicates x {self.sweep.horizon} days"


def split_launcher(overrides: Sequence[str]) -> tuple[list[str], str | None]:
    """The overrides without ``hydra/launcher=NAME``, and NAME (None: run in this process)."""
    launcher = next((o[len(LAUNCHER) :] for o in overrides if o.startswith(LAUNCHER)), None)
    return [o for o in overrides if not o.startswith(LAUNCHER)], launcher


def check_out(parser: argparse.ArgumentParser, out: Path) -> None:
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} is a file, not a folder")


class Study:
    """A study: its name, what it asks, its sizes, and what it writes (:meth:`run`)."""

    name: str = ""
    title: str = ""
    #: The question it answers, in a line (the README's table).
    question: str = ""

    @property
    def doc(self) -> str | None:
        return sys.modules[type(self).__module__].__doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Options of this study beyond --quick, --out and overrides."""

    def parse(self, argv: Sequence[str] | None = None) -> argparse.Namespace:
        parser = argparse.ArgumentParser(
            prog=f"python -m experiments.{self.name}",
            description=self.doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("--quick", action="store_true", help="a small run, for the tests and a first look")
        parser.add_argument(
            "--out", type=out_dir_arg, default=RESULTS / self.name, help="results folder (default: %(default)s)"
        )
        parser.add_argument(
            "overrides",
            nargs="*",
            help="Hydra overrides of every point, e.g. run.replicates=2000; hydra/launcher=slurm (or ray) runs the "
            "points on a cluster",
        )
        self.add_arguments(parser)
        args = parser.parse_args(argv)
        check_out(parser, args.out)
        self.check(parser, args)
        return args

    def check(self, parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
        """Check (and size) this study's own options; ``parser.error`` for a mistake."""

    def run(self, args: argparse.Namespace) -> str:
        """Run the study into ``args.out``; return its headline."""
        raise NotImplementedError

    def main(self, argv: Sequence[str] | None = None) -> None:
        """The command: a mistake (a bad override, a folder that cannot be used) is one
        paragraph and exit 2, with no traceback."""
        started = time.perf_counter()
        try:
            args = self.parse(argv)
            args.out.mkdir(parents=True, exist_ok=True)
            self.run(args)
        except (ConfigError, UsageError) as err:
            print(f"{self.name}: {err}", file=sys.stderr)
            sys.exit(2)
        write_json(
            {
                "name": self.name,
                "quick": args.quick,
                "run": run_line(args.out / "results.md"),
                "elapsed_s": round(time.perf_counter() - started, 1),
            },
            args.out / "study.json",
        )


def run_line(report: Path) -> str:
    """The size of what was run, from the report's "Run: `command` (size; time ...)" line:
    the parenthesis without its time."""
    line = next((x for x in report.read_text().splitlines() if x.startswith("Run: ")), "")
    size = line.split("` (", 1)[1].split(")", 1)[0] if "` (" in line else line.split("` ", 1)[-1]
    return size.split("; ")[0].strip() if " on this machine" in size else size.strip()


def write_report(
    out: Path,
    name: str,
    title: str,
    intro: str,
    run_line: str,
    tables: dict[str, pd.DataFrame],
    figures: Sequence[str],
    headline: str,
    incomplete: int = 0,
) -> Path:
    """results.md (what was run, the headline, the tables, the figures) and headline.txt."""
    lines = [f"# {title}", "", intro, "", run_line, "", f"**Headline:** {headline}", ""]
    if incomplete:
        lines += [f"**Incomplete:** {incomplete} points did not finish and are left out.", ""]
    for caption, table in tables.items():
        lines += [f"## {caption}", "", table.to_markdown(index=False), ""]
    lines += ["## Figures", ""] + [f"![{f}]({f})" for f in figures] + [""]
    path = out / "results.md"
    write_text("\n".join(lines), path)
    write_text(headline + "\n", out / "headline.txt")
    print(f"{name}: {headline}\nReport: {path}")
    return path


def fmt_interval(mid: float, lo: float, hi: float, digits: int = 2) -> str:
    if pd.isna(mid):
        return "n/a"
    return f"{mid:.{digits}f} ({lo:.{digits}f} to {hi:.{digits}f})"


def design_table(exp: Experiment) -> pd.DataFrame:
    """The headline estimates of every point and its difference from the baseline."""
    comp = exp.comparison.set_index("job")
    rows = []
    for _, p in exp.sweep.points.iterrows():
        c = comp.loc[p["job"]]
        rows.append(
            {
                "point": p["label"] + (" (baseline)" if c["baseline"] else ""),
                "P(holds 90 d)": fmt_interval(p["p_hold_90"], p["p_hold_90_lower"], p["p_hold_90_upper"]),
                "P(holds 365 d)": fmt_interval(
                    p.get("p_hold_365"), p.get("p_hold_365_lower"), p.get("p_hold_365_upper")
                )
                if "p_hold_365" in p
                else "n/a",
                "restricted mean, days": fmt_interval(p["rmst_days"], p["rmst_days_lower"], p["rmst_days_upper"], 0),
                "paired diff in truce days vs baseline": ""
                if c["baseline"]
                else fmt_interval(c["diff_truce_days"], c["diff_truce_days_lower"], c["diff_truce_days_upper"], 1),
                "log-rank p": "" if c["baseline"] else f"{c['logrank_p']:.2g}",
                "trade back to 90%": f"{100 * p['trade90_share_recovered']:.0f}%",
                "diff in days to 90% trade": ""
                if c["baseline"]
                else fmt_interval(
                    c["diff_trade90_days"], c["diff_trade90_days_lower"], c["diff_trade90_days_upper"], 1
                ),
                "trade lost, US$ m": f"{p['loss_usd_mean'] / 1e6:,.0f}",
            }
        )
    return pd.DataFrame(rows)


def write_between_markers(doc: Path, begin: str, end: str, body: str) -> None:
    """Replace what a document holds between two marker lines (a generated table in
    docs/), or raise :class:`ConfigError` if a marker is missing."""
    text = doc.read_text()
    if begin not in text or end not in text:
        raise ConfigError(f"{doc}: the markers '{begin}' and '{end}' are missing")
    head, rest = text.split(begin, 1)
    write_text(f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}", doc)


def run_points(name: str, args: argparse.Namespace, grid: Grid, sub: str = "sweep", quiet: bool = False) -> Experiment:
    """Run a grid into ``args.out/sub`` (the command line's overrides added to every point)
    and read it back."""
    extra, launcher = split_launcher(args.overrides)
    started = time.perf_counter()
    sweep = run_grid(grid, args.out / sub, extra, launcher=launcher, quiet=quiet)
    elapsed = time.perf_counter() - started
    comparison = pd.read_csv(sweep.path / "comparison.csv")
    return Experiment(name, args.out, args.quick, sweep, elapsed, comparison)


class GridStudy(Study):
    """A study that is one grid of points: a subclass gives its grid (:meth:`grid`) and
    its report (title, intro, tables, figures of its own, headline)."""

    intro: str = ""
    #: the figures results.md shows, in order (the sweep's survival.png and trade.png are copied in)
    figures: tuple[str, ...] = ("survival.png", "trade.png")

    def grid(self, quick: bool) -> Grid:
        raise NotImplementedError

    def tables(self, exp: Experiment) -> dict[str, pd.DataFrame]:
        return {"Points against the baseline": design_table(exp)}

    def draw(self, exp: Experiment) -> None:
        """The study's own figures, into ``exp.out``."""

    def headline(self, exp: Experiment) -> str:
        raise NotImplementedError

    def run(self, args: argparse.Namespace) -> str:
        grid = self.grid(args.quick)
        if args.quick:
            grid = Grid(grid.axes, {**grid.fixed, **QUICK}, grid.baseline)
        exp = run_points(self.name, args, grid)
        for fig in ("survival.png", "trade.png", "heatmap.png"):
            if (exp.sweep.path / fig).exists():
                shutil.copyfile(exp.sweep.path / fig, exp.out / fig)
        self.draw(exp)
        headline = self.headline(exp)
        run_line = (
            f"Run: `python -m experiments.{self.name}{' --quick' if exp.quick else ''}` "
            f"({exp.size}; {exp.elapsed_s:.0f} s on this machine). "
            "Intervals are 95%; differences are paired by replicate (common random numbers), "
            "truce days counted within the horizon, a replicate whose trade never recovers counted at the horizon."
        )
        write_report(
            exp.out,
            self.name,
            self.title,
            self.intro,
            run_line,
            self.tables(exp),
            self.figures,
            headline,
            len(exp.sweep.not_complete),
        )
        return headline
