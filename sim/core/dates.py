"""Days and dates of the case: day 0 is ``scenario.start_date`` (the ceasefire of 19 Oct
2025); a day number and a calendar date name the same day of a run.

Used by the outputs (each replicate's trade loss at month ends), the query by date
(``python -m sim.query``), the figures' axes and the page.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta


def date_of(start_date: str, day: int) -> date:
    """The calendar date of day ``day``."""
    return date.fromisoformat(start_date) + timedelta(days=int(day))


def day_label(start_date: str, day: int) -> str:
    """Day ``day`` in words for a reader: ``31 Jan 2026 (day 104)``."""
    return f"{date_of(start_date, day):%d %b %Y} (day {int(day)})"


def parse_day(text: str, start_date: str) -> int:
    """A date (``2026-01-31``) or a day number (``104``) as a day number; ValueError with
    what was expected for anything else (a date before day 0 included)."""
    text = str(text).strip()
    if text.lstrip("-").isdigit():
        day = int(text)
    else:
        try:
            day = (date.fromisoformat(text) - date.fromisoformat(start_date)).days
        except ValueError:
            raise ValueError(f"'{text}' is neither a date (YYYY-MM-DD, e.g. 2026-01-31) nor a day number") from None
    if day < 0:
        raise ValueError(f"'{text}' is before day 0 ({start_date}, the ceasefire)")
    return day


@functools.cache
def month_end_days(start_date: str, count: int) -> tuple[int, ...]:
    """The day numbers of the last day of the first ``count`` calendar months from
    ``start_date`` on (its own month's end first): 19 Oct 2025 gives 12 (31 Oct),
    42 (30 Nov), ..."""
    start = date.fromisoformat(start_date)
    out, year, month = [], start.year, start.month
    for _ in range(count):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append((date(year, month, 1) - timedelta(days=1) - start).days)
    return tuple(out)


def ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"
