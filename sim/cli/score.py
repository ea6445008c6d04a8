"""``python -m sim.score RUN_DIR QUESTIONS.yaml [--out DIR]``: a finished run scored
against resolved forecast questions with proper scoring rules.



Questions: sim/analysis/questions.py; scores: sim/analysis/scoring.py; the run read back:
sim/run/reading.py.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.questions import DAY_TARGETS
from ..analysis.scoring import mean_scores
from ..core.errors import EXIT_USER_ERROR, ConfigError, UsageError
from ..core.io import write_csv, write_json
from ..run.folder import SCORES_DIR, check_out_dir
from ..run.reading import score_run


def _num(x: Any, fmt: str = ".3f") -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "inf" if isinstance(x, float) and x == math.inf else "-"
    return format(x, fmt)


def _day(x: float, horizon: int) -> str:
    return f">{horizon}" if x > horizon else f"{x:g}"


def describe(frame: pd.DataFrame, means: dict[str, Any], run_dir: Path, questions_path: Path, out: Path) -> str:
    horizon = frame.attrs["horizon"]
    rows = []
    for _, r in frame.iterrows():
        if r["kind"] == "binary":
            forecast = f"p={r['forecast_p']:.3f}"
            resolved = "yes" if r["outcome"] == 1 else "no"
        else:
            day = r["target"] in DAY_TARGETS
            fmt = (lambda x: _day(x, horizon)) if day else (lambda x: f"{x:g}")
            forecast = f"{fmt(r['forecast_median'])} [{fmt(r['forecast_q05'])}, {fmt(r['forecast_q95'])}]"
            resolved = f"{r['outcome']:g}" if np.isfinite(r["outcome"]) else ""
        if r["status"] == "unresolved":
            resolved = "unresolved"
        elif r["resolution"].startswith("not_by_day"):
            resolved = f"not by {r['resolution'].split('=')[1]}" + (f" ({resolved})" if r["kind"] == "binary" else "")
        rows.append(
            [
                r["id"],
                r["kind"],
                forecast,
                resolved,
                _num(r["brier"]),
                _num(r["log"]),
                _num(r["crps"], ".2f"),
                _num(r["pit"], ".2f"),
                _num(r["ref_brier"]),
                _num(r["ref_log"]),
                _num(r["ref_crps"], ".2f"),
                _num(r["skill_brier"], "+.2f"),
                _num(r["skill_log"], "+.2f"),
                _num(r["skill_crps"], "+.2f"),
            ]
        )
    head = [
        "question",
        "kind",
        "forecast",
        "resolved",
        "Brier",
        "log",
        "CRPS",
        "PIT",
        "ref Brier",
        "ref log",
        "ref CRPS",
        "skill B",
        "skill log",
        "skill CRPS",
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]

    def line(cells: list[str]) -> str:  # the first four columns left-aligned, the scores right-aligned
        return "  ".join(
            c.ljust(w) if i < 4 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    n = frame.attrs["replicates"]
    lines = [
        f"Scores of {run_dir} ({n} replicates, horizon {horizon} days from {frame.attrs['start_date']}) "
        f"against {questions_path}",
        "Scores are negatively oriented (smaller is better); skill = 1 - score / reference (larger is better; "
        "reference: a constant hazard of base_rate a day). Quantity forecasts: median [90% interval].",
        "",
        "  " + line(head),
    ]
    lines += ["  " + line(r) for r in rows]
    lines.append("")
    parts = []
    for k, label in (("brier", "Brier"), ("log", "log"), ("crps", "CRPS")):
        m = means[k]
        if m["questions"]:
            text = f"{label} {m['mean']:.3f} ({m['questions']} q.)"
            if m["questions_with_reference"]:
                text += f", skill {_num(m['skill'], '+.2f')} against the reference"
            parts.append(text)
    lines.append(
        f"Mean over the {means['scored']} resolved questions: "
        + ("; ".join(parts) if parts else "none")
        + (f". Unresolved (not scored): {means['unresolved']}." if means["unresolved"] else ".")
    )
    for _, r in frame.iterrows():
        if r["note"]:
            lines.append(f"  {r['id']}: {r['note']}")
    lines.append(f"Written: {out / 'scores.csv'}, {out / 'scores.json'}")
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def default_out(run_dir: Path, questions_path: Path) -> Path:
    """``RUN_DIR/scores/<questions file stem>``: the run folder stays complete (its
    manifest lists its own files only), and a run that replaces it clears stale scores."""
    return run_dir / SCORES_DIR / questions_path.stem


def write_scores(frame: pd.DataFrame, out: Path, run_dir: Path, questions_path: Path) -> dict[str, Any]:
    """scores.csv (one row a question) and scores.json (the same, the means, and which run
    and which questions file, by its sha256)."""
    out.mkdir(parents=True, exist_ok=True)
    means = mean_scores(frame)
    write_csv(frame, out / "scores.csv")
    report = {
        "run_dir": str(run_dir.resolve()),
        "questions_file": str(questions_path.resolve()),
        "questions_sha256": hashlib.sha256(questions_path.read_bytes()).hexdigest(),
        "description": frame.attrs.get("description", ""),
        "replicates": frame.attrs.get("replicates"),
        "horizon_days": frame.attrs.get("horizon"),
        "start_date": frame.attrs.get("start_date"),
        "orientation": "scores: smaller is better; skill = 1 - score / reference: larger is better",
        "means": means,
        "questions": frame.to_dict(orient="records"),
    }
    write_json(_jsonable(report), out / "scores.json")
    return means


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.score",
        description="Score a finished run against resolved forecast questions (Brier, log score, CRPS, PIT, "
        "and skill against a constant-hazard reference). Writes scores.csv and scores.json. Exit 0, or 2 for "
        "a mistake in the questions file or a run folder that is missing or unfinished. docs/scoring.md "
        "describes the questions file.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (python -m sim wrote it)")
    parser.add_argument("questions", type=Path, help="a questions file, e.g. conf/questions/record_to_5nov.yaml")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"the folder for scores.csv and scores.json (default: RUN_DIR/{SCORES_DIR}/<questions file stem>)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        frame = score_run(args.run_dir, args.questions)
        out = args.out or default_out(args.run_dir, args.questions)
        check_out_dir(out, "--out")
        means = write_scores(frame, out, args.run_dir, args.questions)
    except (ConfigError, UsageError) as err:
        kind = "configuration error" if isinstance(err, ConfigError) else "error"
        print(f"ceasefire-sim: {kind}: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    if not args.quiet:
        print(describe(frame, means, args.run_dir, args.questions, out))
    return 0
