"""docs/context/record.csv: the record to 5 November 2025 as data, in the event log's schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import record as rec
from sim.core import events as ev
from sim.core.errors import ConfigError

RECORD = Path(__file__).resolve().parent.parent / "docs" / "context" / "record.csv"
START = pd.Timestamp("2025-10-19")  # day 0, the Doha ceasefire
FORECAST_DAY = pd.Timestamp("2025-11-05")  # nothing published later


def test_the_record_is_in_the_event_logs_schema_with_a_source_on_every_row():
    record = pd.read_csv(RECORD, keep_default_na=False)
    assert list(record.columns) == [*ev.COLUMNS[1:], "source", "partisan"]
    assert record["event_type"].isin(ev.EVENT_TYPES).all()
    assert record["actor1"].isin(ev.ACTORS).all()
    assert record["actor2"].isin([*ev.ACTORS, ""]).all()
    dates = pd.to_datetime(record["date"])
    assert ((dates - START).dt.days == record["day"]).all()  # day and date agree
    assert (dates <= FORECAST_DAY).all()
    assert (record["source"].str.len() > 5).all()
    assert record["partisan"].dtype == bool and record["pak_breach"].dtype == bool
    assert (record["fatalities"].astype(int) >= 0).all()


def test_the_record_has_no_fire_between_the_states_and_round_2_agreed_a_text_in_principle():
    record = pd.read_csv(RECORD, keep_default_na=False)
    assert not record["event_type"].isin(ev.STATE_FIRE).any()
    rounds = record[record["event_type"] == ev.TALKS_ROUND]
    assert [d.split(":")[0] for d in rounds["detail"]] == ["ceasefire", "principle"]  # Doha; Istanbul round 2
    reopened = record[record["event_type"] == ev.CROSSING_REOPENED]
    assert reopened["detail"].str.startswith("people only").all()  # never for trade


# --------------------------------------------------------------------------- issue 29: the record checked in full

TEXT = RECORD.read_text()


def edited(row: int, **values: str) -> str:
    """The record with cells of one data row (1 = the first under the header) changed."""
    rows = list(csv.reader(io.StringIO(TEXT)))
    for column, value in values.items():
        rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def without(word: str) -> str:
    return "".join(line for line in TEXT.splitlines(keepends=True) if word not in line)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TEXT[: len(TEXT) // 2], "row"),
        (TEXT.splitlines()[0] + "\n", "has a header but no events"),
        ("", "is empty"),
        (edited(3, day="five"), "row 3 (line 4), column day: 'five' is not a whole number"),
        (edited(3, day="5.7"), "column day: '5.7' is not a whole number"),
        (edited(3, day=""), "column day: '' is not a whole number"),
        (edited(3, fatalities="-30"), "column fatalities: '-30' is below 0"),
        (edited(3, fatalities="2.5"), "column fatalities: '2.5' is not a whole number"),
        (edited(3, day="9999"), "column date: '2025-10-24' is not day 9999"),
        (edited(3, day="9999", date="2053-03-05"), "column date: '2053-03-05' is after today"),
        (edited(3, date="2025-02-30"), "column date: '2025-02-30' is not a date written YYYY-MM-DD"),
        (edited(3, date="24/10/2025"), "column date: '24/10/2025' is not a date written YYYY-MM-DD"),
        (edited(3, date="2025-10-26"), "column date: '2025-10-26' is not day 5 (2025-10-24"),
        (edited(3, actor1="taliban"), "column actor1: 'taliban' is not allowed; use one of pakistan"),
        (edited(3, actor2="india"), "column actor2: 'india' is not allowed"),
        (edited(6, crossing="khyber"), "column crossing: 'khyber' is not allowed; use one of torkham, chaman"),
        (edited(3, event_type="riot"), "column event_type: 'riot' is not allowed"),
        (edited(3, pak_breach="maybe"), "column pak_breach: 'maybe' is not true or false"),
        (edited(3, source=""), "column source: '' is empty"),
        (TEXT.replace("principle:", "principel:"), "does not start with what the talks_round was"),
        (TEXT.replace("people only:", "people-only:"), "does not start with what the crossing_reopened was"),
        (without("Doha ceasefire"), "has no ceasefire"),
        (without("principle:"), "lacks the outcome of the scenario's round of talks ending on day 11"),
        (edited(3, day="-9999", date="1998-06-04"), "is before day -365"),
        (TEXT.replace("day,", "when,", 1), "lacks the columns day"),
        (TEXT.replace("principle", "princ\udcff".encode("utf-8", "surrogateescape").decode("latin-1")), "UTF-8"),
    ],
)
def test_a_corrupt_record_is_one_paragraph_naming_the_row_and_the_column(tmp_path, text, message):
    path = tmp_path / "record.csv"
    path.write_bytes(text.encode("latin-1") if message == "UTF-8" else text.encode())
    with pytest.raises(ConfigError, match="^the record") as err:
        rec.read_record(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_record_in_the_future_or_ending_before_day_1_is_refused(tmp_path):
    path = tmp_path / "record.csv"
    future = dt.date.today() + dt.timedelta(days=30)
    path.write_text(edited(8, day=str((future - START.date()).days), date=str(future)))
    with pytest.raises(ConfigError, match="is after today"):
        rec.read_record(path)
    first_days = [line for line in TEXT.splitlines(keepends=True) if line.split(",")[0] in ("day", "-7", "0")]
    path.write_text("".join(first_days))
    with pytest.raises(ConfigError, match="its last day is 0, before day 1"):
        rec.read_record(path)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + TEXT,  # a byte-order mark, as spreadsheets write it
        TEXT.replace("\n", "\r\n"),
        "".join(line.rstrip("\n") + (",notes\n" if i == 0 else ",x\n") for i, line in enumerate(TEXT.splitlines(True))),
    ],
)
def test_what_a_spreadsheet_writes_is_read_as_the_record(tmp_path, text):
    path = tmp_path / "record.csv"
    path.write_text(text, newline="")
    assert rec.read_record(path) == rec.read_record()


def test_a_record_with_later_events_takes_its_last_day_from_its_data(tmp_path):
    """A user's record (the rolling forecast: forecast.record=PATH) may go past 5 November."""
    later = (
        "18,2025-11-06,talks_round,mediators,,,0,,,failed: round 3,false,false,a source,false\n"
        "25,2025-11-13,militant_attack,militants,pakistan,,12,militants,,an attack,false,false,a source,false\n"
    )
    path = tmp_path / "record.csv"
    path.write_text(TEXT + later)
    assert rec.read_record(path)[-1].day == 25
    path.write_text(TEXT + later.splitlines(keepends=True)[1])
    with pytest.raises(ConfigError, match="round of talks ending on day 18"):
        rec.read_record(path)  # past round 3 (6 November): its outcome is needed
    path.write_text(TEXT + later)
    events = rec.read_record(path)
    assert rec.statistics(events, 25)["significant_attacks"] == 3  # its own window
    assert rec.statistics(events, rec.RECORD_DAY) == rec.statistics(rec.read_record(), rec.RECORD_DAY)
    with pytest.raises(ConfigError, match="a window to day 0 is empty"):
        rec.record_statistics(0)


def test_the_calibration_with_a_broken_record_prints_one_paragraph(tmp_path):
    bad = tmp_path / "record.csv"
    bad.write_text(edited(3, day="five"))
    code = (
        "import runpy, sys; from pathlib import Path; import sim.analysis.record as r; "
        "r.RECORD_CSV = Path(sys.argv[1]); sys.argv = ['calibration', '--quick', '--out', sys.argv[2]]; "
        "runpy.run_module('experiments.calibration', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(bad), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=RECORD.parents[2],
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "row 3 (line 4), column day: 'five'" in proc.stderr
    assert not (tmp_path / "out" / "draws.parquet").exists()
