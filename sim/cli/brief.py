"""``python -m sim.brief RUN_DIR [--out FILE]``: a short HTML brief of a run's forecast for
a policy reader, one file that opens in a browser without a server (its figures inline).

What it holds, every number read from the run's own outputs:

1. the forecast's date and the record it was conditioned on (``forecast.json``, or the
   shipped forecast as of 5 November 2025);
2. the headline probabilities with their 95% intervals (``summary.json``: the same
   numbers the run printed; sim/analysis/headlines.py);
3. how they moved since the earlier origins (``origins.csv``, when the run was made with
   ``forecast.origins``): a chart of each headline against the origin, and the record's
   events between each origin and the next (what moved them);
4. the levers that matter most: the paired differences of a what-if sweep against its
   baseline (``comparison.csv`` of ``--levers SWEEP_DIR``: a sweep's folder or a study's,
   default the shipped what-ifs study, docs/studies/whatifs/: the named what-ifs of
   ``conf/whatif/`` from 6 November 2025), ranked by their effect on the days of truce;
5. what the numbers do not say (the Monte Carlo error, the spread across parameters,
   the filter's effective sample size).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis import headlines
from ..core.errors import EXIT_USER_ERROR, ConfigError, UsageError

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; color: #222;
       line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 1.8rem; }
.sub { color: #555; font-size: 0.95rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
td, th { padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
img { max-width: 100%; }
.note { color: #555; font-size: 0.88rem; }
"""


# --------------------------------------------------------------------------- reading the run


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise UsageError(f"{path} cannot be read ({err}); is this the folder of a finished run?") from None


#: The levers a brief shows when none are named: the shipped what-ifs study's comparison.
SHIPPED_LEVERS = Path(__file__).resolve().parents[2] / "docs" / "studies" / "whatifs"


def read_levers(folder: Path | None) -> pd.DataFrame | None:
    """Each point of a sweep against its baseline (its ``comparison.csv``): label, the
    paired difference in days of truce in the first year with its interval, and in US$ m
    of trade lost. None when there is no such file (the default, when not shipped)."""
    path = (SHIPPED_LEVERS if folder is None else folder) / "comparison.csv"
    if not path.is_file():
        if folder is not None:
            raise UsageError(f"--levers {folder}: no comparison.csv there; give a sweep's or a study's folder.")
        return None
    try:
        table = pd.read_csv(path)
        table = table[table["diff_truce_days"].notna()]
        frame = pd.DataFrame(
            {
                "label": table["label"].str.replace("whatif=", "", regex=False).str.replace("_", " "),
                "days": table["diff_truce_days"],
                "lower": table["diff_truce_days_lower"],
                "upper": table["diff_truce_days_upper"],
                "loss_usd_m": table["diff_loss_usd"] / 1e6,
            }
        )
    except (KeyError, ValueError, pd.errors.ParserError) as err:
        raise UsageError(f"{path} is not a sweep's comparison ({type(err).__name__}: {err}).") from None
    shipped = "the shipped what-ifs study (forecast as of 5 Nov 2025; python -m experiments.whatifs)"
    frame.attrs["source"] = shipped if folder is None else str(folder)
    return frame


def load(run_dir: Path, levers: Path | None = None) -> dict[str, Any]:
    """What the brief reads from a run folder (and the levers' sweep)."""
    if not run_dir.is_dir():
        raise UsageError(f"run folder '{run_dir}' does not exist.")
    if not (run_dir / "summary.json").is_file():
        raise UsageError(f"'{run_dir}' has no summary.json: give the folder of a finished run (python -m sim).")
    summary = read_json(run_dir / "summary.json")
    forecast = summary.get("forecast") or {}
    origins = pd.read_csv(run_dir / "origins.csv") if (run_dir / "origins.csv").is_file() else None
    levers = read_levers(levers)
    return {"summary": summary, "forecast": forecast, "origins": origins, "levers": levers, "dir": run_dir}


# --------------------------------------------------------------------------- pieces


def number(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "not reached"
    return f"{value:.2f}" if unit == "probability" else f"{value:.0f}"


def headline_table(summary: dict[str, Any]) -> str:
    """The headlines with their 95% intervals; each cell carries its value as data (the
    tests read them back)."""
    rows = []
    for r in headlines.rows(summary):
        value, lower, upper = (number(r[k], r["unit"]) for k in ("value", "lower", "upper"))
        rows.append(
            f'<tr data-key="{r["key"]}"><td>{html.escape(r["label"])}</td>'
            f'<td class="num" data-value="{r["value"]}">{value}</td>'
            f'<td class="num" data-lower="{r["lower"]}" data-upper="{r["upper"]}">{lower} to {upper}</td></tr>'
        )
    return "<table><tr><th>Headline</th><th>Forecast</th><th>95% interval</th></tr>" + "".join(rows) + "</table>"


def png(fig) -> str:
    """A matplotlib figure as an inline image."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def movement_chart(origins: pd.DataFrame) -> str:
    """Each probability headline against the origin, with its 95% interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probs = origins[origins["unit"] == "probability"]
    keys = list(dict.fromkeys(probs["key"]))
    fig, axes = plt.subplots(1, len(keys), figsize=(2.6 * len(keys), 2.6), sharey=True, squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        rows = probs[probs["key"] == key].sort_values("origin_day")
        dates = pd.to_datetime(rows["origin"])
        ax.fill_between(dates, rows["lower"], rows["upper"], alpha=0.25, color="#1f77b4", linewidth=0)
        ax.plot(dates, rows["value"], marker="o", color="#1f77b4")
        ax.set_title(f"P({rows['short'].iloc[0]})", fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_xticks(dates, [d.strftime("%d %b") for d in dates], rotation=60, fontsize=7)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("probability (95% interval)")
    fig.tight_layout()
    fig.supxlabel("the day the forecast was made (its origin)", fontsize=8, y=-0.06)
    return png(fig)


def record_events(forecast: dict[str, Any]) -> list:
    """The record's events (the forecast's record, else the shipped one)."""
    from ..analysis import record as rec

    path = Path(forecast["record"]) if forecast.get("record") else rec.RECORD_CSV
    try:
        return rec.read_record(path)
    except ConfigError:
        return []


def movement_table(origins: pd.DataFrame, events: list, start: dt.date) -> str:
    """For each origin after the first: the change of each probability headline, and the
    record's events since the previous origin."""
    probs = origins[origins["unit"] == "probability"]
    days = sorted(probs["origin_day"].unique())
    rows = []
    for before, after in zip(days, days[1:], strict=False):
        a = probs[probs["origin_day"] == before].set_index("short")["value"]
        b = probs[probs["origin_day"] == after].set_index("short")["value"]
        changes = "; ".join(f"{k} {b[k] - a[k]:+.2f}" for k in b.index if k in a.index)
        happened = [e for e in events if before < e.day <= after]
        text = "<br>".join(
            f"{start + dt.timedelta(e.day)}: {html.escape(e.event_type.replace('_', ' '))}"
            f"{' (' + str(e.fatalities) + ' killed)' if e.fatalities else ''}: {html.escape((e.detail or '')[:140])}"
            for e in happened
        )
        rows.append(
            f"<tr><td>{start + dt.timedelta(int(before))} to {start + dt.timedelta(int(after))}</td>"
            f"<td>{changes}</td><td>{text or 'nothing in the record: the days passed quietly'}</td></tr>"
        )
    return "<table><tr><th>Between</th><th>Change</th><th>What the record adds</th></tr>" + "".join(rows) + "</table>"


def signed(x: float) -> str:
    """A whole number with its sign, and no "-0"."""
    v = round(x)
    return f"{v:+,d}" if v else "0"


def levers_table(levers: pd.DataFrame) -> str:
    """The what-ifs ranked by their effect on the days of truce."""
    rows = [
        f"<tr><td>{html.escape(str(r.label))}</td><td class='num'>{signed(r.days)}</td>"
        f"<td class='num'>{signed(r.lower)} to {signed(r.upper)}</td><td class='num'>{signed(r.loss_usd_m)}</td></tr>"
        for r in levers.sort_values("days", key=abs, ascending=False).itertuples()
    ]
    return (
        "<table><tr><th>What if</th><th>Days without a breakdown in the first year</th><th>95% interval</th>"
        "<th>Trade lost, US$ m</th></tr>" + "".join(rows) + "</table>"
        "<p class='note'>Paired differences from the forecast without the what-if (the same simulated histories "
        f"with and without it), from {html.escape(levers.attrs.get('source', 'a sweep'))}.</p>"
    )


def caveats(summary: dict[str, Any], forecast: dict[str, Any]) -> str:
    notes = [
        f"{summary['truce']['replicates']:,} simulated histories; the intervals are 95% confidence intervals of "
        "the ensemble's estimates (Kaplan-Meier), which carry the uncertainty of the model's parameters as far as "
        "the record narrows them, not the uncertainty of the model's structure."
    ]
    updates = forecast.get("updates") or []
    if updates:
        alive = ", ".join(f"{u['ess']} on day {u['day']}" for u in updates)
        notes.append(
            f"The forecast was conditioned on the record by a sequential filter of {forecast.get('particles')} "
            f"particles; the particles that reproduced each week's record: {alive}."
        )
    verdict = (summary.get("uncertainty", {}).get("structural") or {}).get("backtest")
    if verdict:
        notes.append(f"The model itself, judged on forecasts it did not see (the border's earlier closures): {verdict}")
    notes.append(
        "Earlier closures of this border lasted 6 to 32 days; the model is judged on forecasts it did not see "
        "(docs/validation.md, docs/forecasting.md)."
    )
    return "".join(f"<p class='note'>{html.escape(n)}</p>" for n in notes)


# --------------------------------------------------------------------------- the page


def render(data: dict[str, Any]) -> str:
    summary, forecast, origins, levers = data["summary"], data["forecast"], data["origins"], data["levers"]
    start = dt.date(2025, 10, 19)
    as_of = forecast.get("as_of") or "2025-11-05"
    record = "the record that ships with ceasefire-sim" if forecast.get("shipped_record", True) else forecast["record"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Afghanistan-Pakistan ceasefire: forecast as of {as_of}</title><style>{STYLE}</style></head><body>",
        "<h1>Afghanistan-Pakistan ceasefire: the forecast</h1>",
        f'<p class="sub" id="as-of" data-as-of="{as_of}">As of {as_of}, conditioned on {html.escape(record)}. '
        "Day 0 is 19 October 2025, the Doha ceasefire; a breakdown is sustained fighting between the two states' "
        "forces (25 deaths in 30 days, or fire on 3 of 7 days).</p>",
        "<h2>The headlines</h2>",
        headline_table(summary),
    ]
    if origins is not None and origins["origin_day"].nunique() > 1:
        parts += [
            "<h2>How the forecast moved</h2>",
            movement_chart(origins),
            movement_table(origins, record_events(forecast), start),
        ]
    else:
        parts.append(
            "<p class='note'>One origin only: run with forecast.origins=[...] to see how the forecast moved.</p>"
        )
    if levers is not None and len(levers):
        parts += ["<h2>The levers that matter most</h2>", levers_table(levers)]
    parts += ["<h2>What the numbers do not say</h2>", caveats(summary, forecast), "</body></html>"]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.brief",
        description="Write a short HTML brief of a run's forecast (brief.html in the run folder, or --out): the "
        "headlines with their intervals, how they moved since the earlier origins, the events that moved them, "
        "and the levers that matter most. It opens in a browser without a server.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (python -m sim wrote it)")
    parser.add_argument("--out", type=Path, help="the HTML file (default: RUN_DIR/brief.html)")
    parser.add_argument(
        "--levers",
        type=Path,
        help="a what-if sweep's (or study's) folder whose comparison.csv ranks the levers (default: the shipped "
        "what-ifs study, docs/studies/whatifs/)",
    )
    args = parser.parse_args(argv)
    try:
        page = render(load(args.run_dir, args.levers))
        out = args.out or args.run_dir / "brief.html"
        out.write_text(page, encoding="utf-8")
    except (ConfigError, UsageError) as err:
        print(f"ceasefire-sim: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as err:
        print(f"ceasefire-sim: cannot write the brief: {err.strerror or err}.", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Brief in {out}")
    return 0
