"""The numbers of README.md and docs/*.md that runs produce, written between markers from
the committed outputs, so that they cannot go stale (``python -m sim.docs --all``;
``--check`` exits 1 where a document differs, and a test runs it).

The committed outputs: ``docs/figures/`` (the default forecast's ``summary.json``, its
printout ``forecast.txt`` and the query by date ``query.txt``, and ``summary_per_row.json``,
the same forecast with ten replicates a posterior row, and ``scores_record_to_5nov.csv``,
its scores against the record: ``make figures`` writes them) and
``docs/studies/NAME/`` (each study's shipped report and tables: ``python -m experiments
--ship``). Each :class:`Block` names the document, the block and what it is made from; in
the document it sits between ``<!-- generated: NAME ... -->`` and ``<!-- generated: NAME
end -->``. The README's table of studies is written the same way by ``python -m
experiments --readme``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.schema import readable_name

FIGURES = Path("docs/figures")
STUDIES = Path("docs/studies")
#: The date the README's query answers for (31 Jan 2026: the analyst's question).
QUERY_DATE = "2026-01-31"


@dataclass(frozen=True)
class Block:
    """A generated block: its document (relative to the repository), its name, what it is
    made from (said in its begin marker) and how (``render(root)``)."""

    doc: str
    name: str
    source: str
    render: Callable[[Path], str]

    @property
    def begin(self) -> str:
        return f"<!-- generated: {self.name} (python -m sim.docs --all, from {self.source}; do not edit) -->"

    @property
    def end(self) -> str:
        return f"<!-- generated: {self.name} end -->"


def _json(root: Path, path: Path) -> dict[str, Any]:
    return json.loads((root / path).read_text())


def _fenced(text: str, command: str = "") -> str:
    return "```\n" + (f"$ {command}\n" if command else "") + text.rstrip() + "\n```"


def forecast(root: Path) -> str:
    """The default forecast's printout (``make run``), as make figures captured it."""
    return _fenced((root / FIGURES / "forecast.txt").read_text())


def by_date(root: Path) -> str:
    """The query by date on the default forecast."""
    return _fenced((root / FIGURES / "query.txt").read_text(), f"python -m sim.query RUN_DIR --by {QUERY_DATE}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _day(x: float | None) -> str:
    return "not reached" if x is None else f"day {x:.0f}"


def talks_and_border(root: Path) -> str:
    """The talks and the border in the default forecast, in one paragraph."""
    ev = _json(root, FIGURES / "summary.json")["events"]
    return (
        f"In the default forecast a round agrees a text in principle in {_pct(ev['principle_share'])} of replicates "
        f"(median {_day(ev['principle_day_median'])}) and modalities in {_pct(ev['modalities_share'])} (median "
        f"{_day(ev['modalities_day_median'])}); a mechanism operates in {_pct(ev['mvm_operational_share'])}. The "
        f"crossings reopen for trade in {_pct(ev['reopened_share'])} of replicates (median "
        f"{_day(ev['first_reopen_day_median'])}), and at the horizon {_pct(ev['diverted_end_mean'])} of the trade is "
        "on other routes on average."
    )


def parameter_uncertainty(root: Path) -> str:
    """The spread across posterior rows, from the forecast run with ten replicates a row."""
    from ..analysis.uncertainty import describe_uncertainty

    path = root / FIGURES / "summary_per_row.json"
    if not path.is_file():
        return "(not measured yet: make figures)"
    lines = describe_uncertainty(json.loads(path.read_text())["uncertainty"])
    return _fenced("\n".join(lines[1:3]), "python -m sim parameters.per_row=10")


def whatifs(root: Path) -> str:
    """Each named what-if against the forecast (the shipped whatifs study)."""
    from ..analysis.comparison import differences_table

    path = root / STUDIES / "whatifs" / "comparison.csv"
    if not path.is_file():
        return "(not shipped yet: python -m experiments.whatifs, then make figures)"
    comparison = pd.read_csv(path)
    comparison["what-if"] = comparison["label"].str.removeprefix("whatif=")
    replicates = int(comparison["replicates"].iloc[0])
    table = differences_table(comparison, label="what-if").rename(columns={"against the baseline": "what-if"})
    return (
        f"Each against the forecast, {replicates:,} replicates each, paired by replicate, 365 days; 95% intervals "
        f"([report](docs/studies/whatifs/results.md)):\n\n{table.to_markdown(index=False)}"
    )


def _morris(root: Path) -> pd.DataFrame | None:
    path = root / STUDIES / "sensitivity" / "morris.csv"
    return pd.read_csv(path) if path.is_file() else None


def sensitivity_summary(root: Path) -> str:
    """The five assumptions that move each output most (the shipped Morris screening)."""
    morris = _morris(root)
    if morris is None:
        return "(not shipped yet: python -m experiments.sensitivity, then make figures)"
    lines = []
    for output, what in (("rmst_days", "how long the truce holds"), ("trade90_days", "how fast trade recovers")):
        top = morris.loc[morris["output"] == output].sort_values("rank").head(5)
        names = "; ".join(f"{readable_name(r['key'], 80)} ({r['mu_star']:.0f} days)" for _, r in top.iterrows())
        lines.append(f"- **{what}**: {names}")
    return "\n".join(lines)


def morris_table(root: Path) -> str:
    """The Morris ranking of both outputs side by side, with readable names and keys."""
    morris = _morris(root)
    if morris is None:
        return "(not shipped yet)"
    rows = ["| rank | time to a breakdown | mu*, days | trade (days to 90%) | mu*, days |", "|---|---|---|---|---|"]
    cols = {
        out: morris.loc[morris["output"] == out].sort_values("rank").head(10).reset_index(drop=True)
        for out in ("rmst_days", "trade90_days")
    }
    for i in range(10):
        cells = [str(i + 1)]
        for out in ("rmst_days", "trade90_days"):
            r = cols[out].iloc[i]
            sign = "-" if r["mu"] < 0 else "+"
            cells += [
                f"{readable_name(r['key'], 80)} (`{r['key']}`, {sign})",
                f"{r['mu_star']:.0f} ± {r['mu_star_conf']:.0f}",
            ]
        rows.append("| " + " | ".join(cells) + " |")
    info = _json(root, STUDIES / "sensitivity" / "study.json")
    return f"Shipped run: {info.get('size') or info.get('run', '')}.\n\n" + "\n".join(rows)


def definitions_table(root: Path) -> str:
    """The default forecast under each definition of a broken truce, and what happened."""
    summary = _json(root, FIGURES / "summary.json")
    truce, ev = summary["truce"], summary["events"]
    days = [s["days"] for s in truce["survival"]]
    rows = ["| definition | " + " | ".join(f"P(not yet) {d} d" for d in days) + " | restricted mean (days) |"]
    rows.append("|---" * (len(days) + 2) + "|")
    for name, d in truce["definitions"].items():
        ps = " | ".join(f"{s['p']:.2f}" for s in d["survival"])
        rows.append(
            f"| {name}{' (headline)' if name == truce['headline'] else ''} | {ps} | {d['rmst_days']['mean']:.0f} |"
        )
    text = f"The default forecast ({truce['replicates']:,} replicates, docs/figures/summary.json):\n\n" + "\n".join(
        rows
    )
    return text + (
        f"\n\nA replicate on average: {ev['militant_attacks_mean']:.0f} militant attacks "
        f"({ev['high_profile_attacks_mean']:.1f} high-profile), {ev['retaliations_mean']:.1f} deliberate strikes by "
        f"a state ({ev['strikes_on_militants_mean']:.1f} on militants in Afghanistan, {ev['air_strikes_mean']:.1f} "
        f"overt air strikes), {ev['crackdowns_mean']:.1f} crackdowns and {ev['trade_suspensions_mean']:.1f} trade "
        f"suspensions by Kabul; Pakistan's belief in Kabul's complicity ends at {ev['complicity_belief_mean']:.2f}. "
        + talks_and_border(root)
    )


def _score(x: float, fmt: str = ".3f") -> str:
    return "" if pd.isna(x) else format(x, fmt)


def scores_table(root: Path) -> str:
    """The default forecast scored against the record to 5 Nov 2025 (python -m sim.score)."""
    scores = pd.read_csv(root / FIGURES / "scores_record_to_5nov.csv")
    rows = [
        "| question | forecast | record | Brier (reference) | log score (reference) | CRPS (reference) |",
        "|---|---|---|---|---|---|",
    ]
    for _, q in scores.iterrows():
        if q["kind"] == "binary":
            forecast, record = f"p = {q['forecast_p']:.3f}", "yes" if q["outcome"] == 1 else "no"
            brier = f"{_score(q['brier'])} ({_score(q['ref_brier'])})"
        else:
            forecast = f"median {q['forecast_median']:g} [{q['forecast_q05']:g}, {q['forecast_q95']:g}]"
            record, brier = f"{q['outcome']:g}", ""
        crps = f"{_score(q['crps'], '.2f')} ({_score(q['ref_crps'], '.2f')})" if not pd.isna(q["crps"]) else ""
        rows.append(
            f"| {q['id']} | {forecast} | {record} | {brier} | {_score(q['log'])} ({_score(q['ref_log'])}) | {crps} |"
        )
    return "\n".join(rows)


def forecast_as_of(root: Path) -> str:
    """The worked example's line: the forecast as of 30 October 2025 with two earlier origins."""
    command = "python -m sim forecast.as_of=2025-10-30 'forecast.origins=[2025-10-24,2025-10-27]'"
    return _fenced((root / FIGURES / "forecast_as_of.txt").read_text(), command)


def rolling_tables(root: Path) -> str:
    """The rolling-origin study's scores by origin and its synthetic truths' calibration."""
    folder = root / STUDIES / "rolling"
    by_origin = pd.read_csv(folder / "rolling_by_origin.csv")
    synthetic = pd.read_csv(folder / "synthetic_calibration.csv")
    return by_origin.to_markdown(index=False) + "\n\n" + synthetic.to_markdown(index=False)


#: Every generated block, by document.
BLOCKS: tuple[Block, ...] = (
    Block("README.md", "forecast", "docs/figures/forecast.txt", forecast),
    Block("README.md", "by-date", "docs/figures/query.txt", by_date),
    Block("README.md", "talks-border", "docs/figures/summary.json", talks_and_border),
    Block("README.md", "parameter-uncertainty", "docs/figures/summary_per_row.json", parameter_uncertainty),
    Block("README.md", "whatifs", "docs/studies/whatifs/comparison.csv", whatifs),
    Block("README.md", "sensitivity", "docs/studies/sensitivity/morris.csv", sensitivity_summary),
    Block("docs/model.md", "sensitivity-morris", "docs/studies/sensitivity/morris.csv", morris_table),
    Block("docs/validation.md", "definitions", "docs/figures/summary.json", definitions_table),
    Block("docs/validation.md", "scores", "docs/figures/scores_record_to_5nov.csv", scores_table),
    Block("README.md", "forecast-as-of", "docs/figures/forecast_as_of.txt", forecast_as_of),
    Block("docs/forecasting.md", "rolling", "docs/studies/rolling/rolling_by_origin.csv", rolling_tables),
)


def rendered(text: str, block: Block, root: Path) -> str:
    """``text`` with ``block``'s content regenerated (``ValueError`` if its markers are missing)."""
    if block.begin not in text or block.end not in text:
        raise ValueError(f"{block.doc}: the markers of the generated block '{block.name}' are missing")
    head, rest = text.split(block.begin, 1)
    return f"{head}{block.begin}\n{block.render(root)}\n{block.end}{rest.split(block.end, 1)[1]}"


def regenerate(root: Path, check: bool = False) -> list[str]:
    """Write every block from the committed outputs under ``root`` (with ``check``, only
    compare); return the blocks that were (or would be) changed, as ``doc: name``."""
    changed = []
    for doc in dict.fromkeys(b.doc for b in BLOCKS):
        path = root / doc
        text = path.read_text()
        new = text
        for block in (b for b in BLOCKS if b.doc == doc):
            before = new
            new = rendered(new, block, root)
            if new != before:
                changed.append(f"{doc}: {block.name}")
        if new != text and not check:
            path.write_text(new)
    return changed
