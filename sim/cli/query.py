"""``python -m sim.query RUN_DIR --by 2026-01-31 [--by 90 ...] [--json]``: the analyst's
questions by date, answered from a finished run.

For each date (or day number; day 0 is the ceasefire of 19 Oct 2025): P(truce holds to
then) by each coded definition of a broken truce, with its 95% interval, and which one
answers "will the truce hold" and why; the share of replicates with a truce in force
that day; trade that day as a share of its pre-crisis flow (mean, median, bands); and
the US$ trade lost by then with its interval. How each number is computed:
sim/analysis/by_date.py. The same answers come with the run itself: ``python -m sim
run.by=[2026-01-31]``.

A bad date, a date beyond the run's horizon, or a folder that is not a complete run gets
one paragraph and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ..core.dates import parse_day
from ..core.errors import UsageError, fail


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sim.query", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run_dir", help="the folder of a finished 'python -m sim' run")
    parser.add_argument(
        "--by",
        action="append",
        required=True,
        metavar="DATE",
        help="a date (YYYY-MM-DD) or a day number (0 = 19 Oct 2025); give --by again for several",
    )
    parser.add_argument("--json", action="store_true", help="print the answers as JSON instead of text")
    return parser.parse_args(argv)


def days_asked(asked: Sequence[str], start_date: str, horizon: int) -> list[int]:
    """The days asked for, checked: each a date or a day number within the run's horizon."""
    days = []
    for text in asked:
        try:
            day = parse_day(text, start_date)
        except ValueError as err:
            raise UsageError(f"--by {text}: {err}.") from None
        if day > horizon:
            raise UsageError(
                f"--by {text}: day {day} is beyond this run's horizon ({horizon} days from {start_date}); "
                f"ask for a date up to day {horizon}, or run again with a longer run.horizon_days."
            )
        days.append(day)
    return days


def answers(run_dir: str, asked: Sequence[str]) -> tuple[list[dict], str]:
    """Every day's answers and the text a reader gets (``UsageError`` for a bad request)."""
    from ..analysis.by_date import answer, describe_answers, record_note
    from ..run.reading import load_query_run

    q = load_query_run(run_dir)
    run = q.run
    days = days_asked(asked, run.start_date, run.horizon)
    found = [answer(run.runs, q.daily, d, run.horizon, run.start_date, q.headline) for d in days]
    text = describe_answers(found, run.horizon)
    note = record_note(run.runs)
    return found, text + (f"\n{note}" if note else "")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        found, text = answers(args.run_dir, args.by)
    except UsageError as err:
        fail(err)
    print(json.dumps(found, indent=1) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
