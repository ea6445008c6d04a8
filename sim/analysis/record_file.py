"""A record file checked in full before anything reads it: the bundled record to 5
November 2025 (``docs/context/record.csv``) and, in the same schema, a record a user
brings with later events.

:func:`read_record_file` reads the CSV as text and :func:`check_record` checks every row
and column; the first mistake is a :class:`ConfigError` of one paragraph naming the row,
the column, the value and what is allowed (exit code 2 from the command line). Checked:

- the columns: the event log's (sim/core/events.py ``Event``), ``date`` and ``source``
  (``partisan`` may be there too); at least one event;
- ``day``: a whole number; ``date``: an ISO date (YYYY-MM-DD) that exists and is ``day``
  days after day 0 (the scenario's start date: 19 October 2025), not after today;
- the window: from :data:`EARLIEST_DAY` to the record's own last day (taken from the
  data, not fixed: a record may run past 5 November), which is not before the first day
  the statistics read; no date after today;
- ``fatalities``: a whole number, 0 or more; ``event_type``, ``actor1`` (given),
  ``actor2``, ``pak_blames``, ``afg_blames`` from the event log's vocabulary;
  ``crossing`` one of the scenario's crossings (or empty); ``pak_breach``,
  ``afg_breach``, ``partisan``: true or false; ``source``: given;
- the details the statistics read: a talks round's outcome (one of the event log's,
  ``ceasefire``, ``principle``, ``modalities``, ``salvaged``, ``stalled``, ``failed``, ...,
  before a colon) and a reopening's kind (``trade``, ``aid lane`` or ``people only``);
- the facts the calibration needs at least (:func:`check_facts`): the ceasefire agreed on
  day 0, and the outcome of every round of the scenario's calendar that ends within the
  window (Istanbul round 2, day 11).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core import events as ev
from ..core.errors import ConfigError
from ..core.schema import CONF_DIR

#: The earliest day a record may hold: its run-up, up to a year before day 0.
EARLIEST_DAY = -365
#: What a talks round's detail starts with (the event log's: sim/core/events.py; sim/analysis/record.py counts them).
ROUND_OUTCOMES = ev.ROUND_OUTCOMES
#: What a reopening's detail starts with: for trade, an aid lane, or a lane for people only.
REOPENING_KINDS = ("trade", "aid lane", "people only")
#: The columns a record must have besides the event log's.
RECORD_COLUMNS = ("date", "source")
#: Columns of true or false.
FLAGS = ("pak_breach", "afg_breach", "partisan")
WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Scenario:
    """What a record is checked against: day 0, the crossings, the scheduled rounds' last days."""

    start: dt.date
    crossings: tuple[str, ...]
    round_days: tuple[int, ...]


def default_scenario() -> Scenario:
    """The default scenario of conf/ (conf/config.yaml's defaults), read as YAML."""
    import yaml

    defaults = yaml.safe_load((CONF_DIR / "config.yaml").read_text())["defaults"]
    name = next(d["scenario"] for d in defaults if isinstance(d, dict) and "scenario" in d)
    data = yaml.safe_load((CONF_DIR / "scenario" / f"{name}.yaml").read_text())
    return Scenario(
        dt.date.fromisoformat(str(data["start_date"])),
        tuple(data["crossings"]),
        tuple(int(r["end_day"]) for r in data.get("rounds", [])),
    )


# --------------------------------------------------------------------------- reading


def read_csv_text(path: Path, what: str) -> pd.DataFrame:
    """A CSV file as text cells (nothing converted), or ConfigError saying why not."""
    if path.is_dir():
        raise ConfigError(f"{what} {path} is a folder, not a CSV file.")
    if not path.is_file():
        raise ConfigError(f"{what} {path} is missing.")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ConfigError(f"{what} {path} is empty: it needs a header row and at least one row.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        detail = " ".join(str(err).split())
        raise ConfigError(f"{what} {path} is not a readable CSV file (UTF-8 text): {detail}") from None


def read_record_file(path: Path | str, first_day: int, scenario: Scenario | None = None) -> pd.DataFrame:
    """The record's rows, checked in full (:func:`check_record`) and typed."""
    path = Path(path)
    frame = read_csv_text(path, "the record")
    return check_record(frame, f"the record {path}", first_day, scenario)


# --------------------------------------------------------------------------- checking a cell


class Cell:
    """Where a value is: the record, its row (1 = the first under the header) and column."""

    def __init__(self, where: str, row: int, column: str) -> None:
        self.where, self.row, self.column = where, row, column

    def error(self, value: object, problem: str) -> ConfigError:
        at = f"{self.where}, row {self.row} (line {self.row + 1}), column {self.column}"
        return ConfigError(f"{at}: {value!r} {problem}.")


def whole(value: str, cell: Cell, meaning: str, low: int | None = None) -> int:
    """A whole number (``5`` or ``5.0``), at least ``low``."""
    text = value.strip()
    if not WHOLE.match(text):
        raise cell.error(value, f"is not a whole number; give {meaning}")
    number = int(float(text))
    if low is not None and number < low:
        raise cell.error(value, f"is below {low}; give {meaning}")
    return number


def iso_date(value: str, cell: Cell) -> dt.date:
    """A date written YYYY-MM-DD that exists."""
    text = value.strip()
    try:
        if not ISO_DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise cell.error(value, "is not a date written YYYY-MM-DD (ISO 8601) that exists") from None


def member(value: str, allowed: Sequence[str], cell: Cell, optional: bool = True) -> str | None:
    """One of ``allowed``, or empty (None) when ``optional``."""
    text = value.strip()
    if not text and optional:
        return None
    if text not in allowed:
        empty = " or empty" if optional else ""
        raise cell.error(value, f"is not allowed; use one of {', '.join(allowed)}{empty}")
    return text


def flag(value: str, cell: Cell) -> bool:
    """true or false (any case)."""
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise cell.error(value, "is not true or false")
    return text == "true"


def outcome(detail: str) -> str:
    """What a detail says before its explanation ("salvaged: Pakistan called ...")."""
    return detail.split(":", 1)[0].strip()


def check_detail(event_type: str, detail: str, cell: Cell) -> None:
    """A talks round's outcome and a reopening's kind, which the statistics read."""
    kinds = {ev.TALKS_ROUND: ROUND_OUTCOMES, ev.CROSSING_REOPENED: REOPENING_KINDS}.get(event_type)
    if kinds and outcome(detail) not in kinds:
        raise cell.error(
            detail[:60],
            f"does not start with what the {event_type} was; start it with {', '.join(kinds)}, then a colon "
            f"and any explanation (e.g. '{kinds[0]}: ...')",
        )


# --------------------------------------------------------------------------- checking the record


def check_columns(frame: pd.DataFrame, where: str) -> None:
    """Every column a record needs, and at least one row."""
    missing = [c for c in (*ev.Event._fields, *RECORD_COLUMNS) if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{where} lacks the columns {', '.join(missing)}; a record has the event log's columns "
            f"({', '.join(ev.Event._fields)}), date and source (sim/analysis/record_file.py)."
        )
    if frame.empty:
        raise ConfigError(f"{where} has a header but no events: it needs at least the ceasefire's row (day 0).")


def check_row(row: dict[str, str], where: str, number: int, scenario: Scenario) -> dict[str, object]:
    """One row checked, its values typed."""

    def at(column: str) -> Cell:
        return Cell(where, number, column)

    def text(column: str) -> str:
        value = row.get(column)
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    day = whole(text("day"), at("day"), f"the day counted from day 0 ({scenario.start})")
    date = iso_date(text("date"), at("date"))
    if date != scenario.start + dt.timedelta(days=day):
        raise at("date").error(
            text("date"), f"is not day {day} ({scenario.start + dt.timedelta(days=day)}: day 0 is {scenario.start})"
        )
    event_type = member(text("event_type"), ev.EVENT_TYPES, at("event_type"), optional=False)
    typed: dict[str, object] = {
        "day": day,
        "date": date,
        "event_type": event_type,
        "actor1": member(text("actor1"), ev.ACTORS, at("actor1"), optional=False),
        "crossing": member(text("crossing"), scenario.crossings, at("crossing")),
        "fatalities": whole(text("fatalities"), at("fatalities"), "the number killed, 0 or more (0 if none)", 0),
        "detail": text("detail").strip() or None,
    }
    for column in ("actor2", "pak_blames", "afg_blames"):
        typed[column] = member(text(column), ev.ACTORS, at(column))
    for column in FLAGS:
        if column in row:
            typed[column] = flag(text(column), at(column))
    if not text("source").strip():
        raise at("source").error("", "is empty; every row names its source")
    check_detail(str(event_type), text("detail"), at("detail"))
    return {**row, **typed}


def check_window(frame: pd.DataFrame, where: str, first_day: int) -> int:
    """Days from :data:`EARLIEST_DAY` to the record's own last day, which is not before
    ``first_day``; no date after today. Returns the last day."""
    day_row = {int(d): i for i, d in reversed(list(enumerate(frame["day"], start=1)))}
    early = min(day_row)
    if early < EARLIEST_DAY:
        raise Cell(where, day_row[early], "day").error(
            early, f"is before day {EARLIEST_DAY}; a record holds the truce and its run-up, a year at most"
        )
    last = max(day_row)
    if last < first_day:
        raise ConfigError(
            f"{where}: its last day is {last}, before day {first_day}, the first the statistics read; "
            "a record needs events after the ceasefire (day 0)."
        )
    future = frame.loc[frame["date"] > dt.date.today()]
    if not future.empty:
        row = int(future.index[0]) + 1
        date = str(future["date"].iloc[0])
        raise Cell(where, row, "date").error(date, "is after today; a record holds what happened")
    return last


def check_facts(frame: pd.DataFrame, where: str, scenario: Scenario, last: int) -> None:
    """The facts the calibration needs at least: the ceasefire agreed on day 0, and the
    outcome of every round of the scenario's calendar that ends by the last day."""
    rounds = frame.loc[frame["event_type"] == ev.TALKS_ROUND]
    agreed = rounds.loc[(rounds["day"] == 0) & (rounds["detail"].fillna("").map(outcome) == "ceasefire")]
    if agreed.empty:
        raise ConfigError(
            f"{where} has no ceasefire: day 0 ({scenario.start}) needs a talks_round row whose detail starts with "
            "'ceasefire:' (the agreement every statistic counts from)."
        )
    missing = [d for d in scenario.round_days if 1 <= d <= last and d not in set(rounds["day"])]
    if missing:
        dates = ", ".join(f"day {d} ({scenario.start + dt.timedelta(days=d)})" for d in missing)
        raise ConfigError(
            f"{where} lacks the outcome of the scenario's round of talks ending on {dates}: add a talks_round row "
            f"on that day whose detail starts with {', '.join(ROUND_OUTCOMES)}. Was the file cut short?"
        )


def check_record(frame: pd.DataFrame, where: str, first_day: int, scenario: Scenario | None = None) -> pd.DataFrame:
    """Every row and column of a record read as text (the module's list); the rows typed
    and sorted by day, or :class:`ConfigError` naming the first mistake's row and column."""
    scenario = scenario or default_scenario()
    check_columns(frame, where)
    rows = [check_row(row, where, i, scenario) for i, row in enumerate(frame.to_dict("records"), start=1)]
    typed = pd.DataFrame(rows)
    last = check_window(typed, where, first_day)
    check_facts(typed, where, scenario, last)
    return typed.sort_values("day", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- counts without events


def read_counts_file(path: Path | str, names: Sequence[str]) -> dict[str, tuple[dt.date, dt.date, float]]:
    """The rows of ``record_counts.csv`` named ``names``: {name: (from, to, value)}, each
    checked (ISO dates in order, a number 0 or more)."""
    path = Path(path)
    frame = read_csv_text(path, "the record's counts")
    where = f"the record's counts {path}"
    missing = [c for c in ("statistic", "from_date", "to_date", "value") if c not in frame.columns]
    if missing:
        raise ConfigError(f"{where} lacks the columns {', '.join(missing)}.")
    found = {}
    for name in names:
        rows = frame.index[frame["statistic"].str.strip() == name]
        if rows.empty:
            raise ConfigError(f"{where} has no row for {name}.")
        i = int(rows[0]) + 1
        row = frame.iloc[int(rows[0])]
        start = iso_date(row["from_date"], Cell(where, i, "from_date"))
        end = iso_date(row["to_date"], Cell(where, i, "to_date"))
        if end < start:
            raise Cell(where, i, "to_date").error(row["to_date"], f"is before from_date ({start})")
        try:
            value = float(row["value"])
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            raise Cell(where, i, "value").error(row["value"], "is not a count (a number, 0 or more)")
        found[name] = (start, end, value)
    return found
