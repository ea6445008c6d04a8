"""What every study shares: its command line, its sweep (run through ``python -m sim -m
experiment=NAME``, so it runs and scales like any sweep), and its Markdown report.

A study that is one sweep subclasses :class:`SweepStudy` and gives only its design
(``conf/experiment/NAME.yaml``), its tables, its own figures and its headline; it runs
as ``python -m experiments.NAME [--quick] [--out DIR] [overrides]``. It writes into
``experiments/results/NAME/`` (or ``--out``): the sweep folder ``sweep/`` (every job,
sweep.parquet, comparison.csv, the sweep figures), its own figures, ``results.md`` and
``headline.txt``. Running it again resumes: finished jobs are skipped.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.core.errors import ConfigError, UsageError
from sim.run.folder import out_dir_arg
from sim.run.points import same_value
from sim.run.sweep_folder import Sweep, load_sweep

RESULTS = Path(__file__).resolve().parent / "results"
#: The --quick size: few replicates, for the tests and a first look.
QUICK = ("run.replicates=30", "run.chunk_size=10")


@dataclass
class Experiment:
    name: str
    out: Path
    quick: bool
    sweep: Sweep
    elapsed_s: float
    comparison: pd.DataFrame  # the sweep's comparison.csv: each point against the baseline

    def point(self, **values: object) -> pd.Series:
        """The comparison row (with the point's estimates) of the point whose swept keys
        have these values, e.g. ``exp.point(mvm="joint")`` or
        ``exp.point(**{"mediation.renew_leverage": True})``; keys not given may have any value."""
        rows = self.comparison.merge(
            self.sweep.points.drop(columns=["label", *self.sweep.keys]), on="job", suffixes=("", "_point")
        )
        for _, row in rows.iterrows():
            if all(same_value(str(row[k]), str(v)) for k, v in values.items()):
                return row
        raise KeyError(f"no point of {self.name} with {values}")

    @property
    def baseline(self) -> pd.Series:
        return self.point(
            **{
                k: self.sweep.points.loc[self.sweep.points["job"] == self.sweep.baseline_job, k].iloc[0]
                for k in self.sweep.keys
            }
        )

    @property
    def size(self) -> str:
        n = int(self.sweep.points["replicates"].iloc[0])
        return f"{len(self.sweep.points)} points x {n:,} replicates x {self.sweep.horizon} days"


def parse_args(name: str, doc: str | None, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments.{name}", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"a small run ({' '.join(QUICK)}) for tests and a first look"
    )
    parser.add_argument("--out", type=out_dir_arg, default=RESULTS / name, help="results folder (default: %(default)s)")
    parser.add_argument(
        "overrides", nargs="*", help="more Hydra overrides, e.g. run.replicates=2000 or hydra/launcher=slurm"
    )
    args = parser.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file, not a folder")
    return args


def run(
    name: str,
    args: argparse.Namespace,
    quick_overrides: Sequence[str] = (),
    *,
    sweep: Sequence[str] | None = None,
    sub: str = "sweep",
    copy_figures: bool = True,
) -> Experiment:
    """Run the experiment's sweep and read it back: the preset conf/experiment/NAME.yaml,
    or the sweep overrides ``sweep`` (a design made by the script, which sets its own
    sizes, --quick included), into ``args.out/sub``.

    Exits with the sweep's own exit code and message if it fails before any point is done.
    """
    args.out.mkdir(parents=True, exist_ok=True)
    sweep_dir = args.out / sub
    size = [*QUICK, *quick_overrides] if args.quick and sweep is None else []
    what = [f"experiment={name}"] if sweep is None else list(sweep)
    cmd = [sys.executable, "-m", "sim", "-m", *what, f"hydra.sweep.dir={sweep_dir}", *size, *args.overrides]
    print(f"{name}: {' '.join(cmd[1:])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd)
    elapsed = time.perf_counter() - started
    if proc.returncode == 2:  # refused before any job ran; the message is out already
        sys.exit(2)
    try:
        result = load_sweep(sweep_dir)
    except (ConfigError, UsageError) as err:
        print(f"{name}: {err}", file=sys.stderr)
        sys.exit(proc.returncode or 2)
    if proc.returncode != 0:
        print(
            f"{name}: some jobs failed (exit {proc.returncode}); reporting the {len(result.points)} that finished",
            file=sys.stderr,
        )
    for fig in ("survival.png", "trade.png", "heatmap.png") if copy_figures else ():
        if (sweep_dir / fig).exists():
            shutil.copyfile(sweep_dir / fig, args.out / fig)
    return Experiment(name, args.out, args.quick, result, elapsed, pd.read_csv(sweep_dir / "comparison.csv"))


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


def write_report(
    exp: Experiment, title: str, intro: str, tables: dict[str, pd.DataFrame], figures: Sequence[str], headline: str
) -> Path:
    """results.md: what was run, the headline, the tables, the figures."""
    lines = [
        f"# {title}",
        "",
        intro,
        "",
        f"Run: `python -m experiments.{exp.name}{' --quick' if exp.quick else ''}` "
        f"({exp.size}; {exp.elapsed_s:.0f} s on this machine). "
        "Intervals are 95%; differences are paired by replicate (common random numbers), "
        "truce days counted within the horizon, a replicate whose trade never recovers counted at the horizon.",
        "",
        f"**Headline:** {headline}",
        "",
    ]
    if exp.sweep.not_complete:
        lines += [f"**Incomplete:** {len(exp.sweep.not_complete)} points did not finish and are left out.", ""]
    for caption, table in tables.items():
        lines += [f"## {caption}", "", table.to_markdown(index=False), ""]
    lines += ["## Figures", ""] + [f"![{f}]({f})" for f in figures] + [""]
    path = exp.out / "results.md"
    path.write_text("\n".join(lines))
    (exp.out / "headline.txt").write_text(headline + "\n")
    print(f"{exp.name}: {headline}\nReport: {path}")
    return path


def write_between_markers(doc: Path, begin: str, end: str, body: str) -> None:
    """Replace what a document holds between two marker lines (a generated table in
    docs/), or raise :class:`ConfigError` if a marker is missing."""
    from sim.core.io import write_text

    text = doc.read_text()
    if begin not in text or end not in text:
        raise ConfigError(f"{doc}: the markers '{begin}' and '{end}' are missing")
    head, rest = text.split(begin, 1)
    write_text(f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}", doc)


class SweepStudy:
    """A study that is one sweep: its design is ``conf/experiment/<name>.yaml``; a subclass
    gives its report (title, intro, tables, figures of its own) and its headline."""

    name: str = ""
    title: str = ""
    intro: str = ""
    #: extra overrides at --quick size (a smaller design than the preset's)
    quick_overrides: tuple[str, ...] = ()
    #: the figures results.md shows, in order (the sweep's survival.png and trade.png are copied in)
    figures: tuple[str, ...] = ("survival.png", "trade.png")

    def tables(self, exp: Experiment) -> dict[str, pd.DataFrame]:
        return {"Points against the baseline": design_table(exp)}

    def draw(self, exp: Experiment) -> None:
        """The study's own figures, into ``exp.out``."""

    def headline(self, exp: Experiment) -> str:
        raise NotImplementedError

    def main(self, argv: Sequence[str] | None = None) -> Experiment:
        doc = sys.modules[type(self).__module__].__doc__
        args = parse_args(self.name, doc, argv)
        exp = run(self.name, args, self.quick_overrides)
        self.draw(exp)
        write_report(exp, self.title, self.intro, self.tables(exp), self.figures, self.headline(exp))
        return exp
